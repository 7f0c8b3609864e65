/**
 * The model checker (src/verify, `mpkv verify`): it explores every order of events within its
 * bound, on the very machines `mpkv run` drives; every mutant is caught, at its shortest
 * counterexample, which replays to the same violation (that the correct protocol passes every
 * config of configs/verify/ is a long search: test/long/verify-configs.test.ts). Then
 * the parts it stands on: states reached by different paths, or mirror images of each other,
 * are one state; equal results on one and two workers; the command's output and exit codes.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import type { Config } from '../src/emulations/api/emulation.js';
import { loadConfig, parseConfig } from '../src/emulations/index.js';
import { kvStore } from '../src/emulations/kv_store/index.js';
import { maxSync } from '../src/emulations/max_sync/index.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { finishRun, startRun } from '../src/emulations/run.js';
import { SAFETY_MUTANT_NAMES, type SafetyMutantName } from '../src/emulations/multipaxos/mutants.js';
import { RequestQueue } from '../src/emulations/multipaxos/request-queue.js';
import { Fingerprinter } from '../src/verify/fingerprints.js';
import { hashOf } from '../src/verify/hash.js';
import { searchWithWorkers } from '../src/verify/parallel.js';
import { loadStepsReplay, StepRouter, stepsReplayDivergence, stepsReplayFile, writeStepsReplayFile } from '../src/verify/replay.js';
import { boundText, search } from '../src/verify/search.js';
import { World, type Step } from '../src/verify/world.js';
import { SimDriver } from '../src/ui/driver.js';
import { repoRoot, testDir } from './harness.js';

const bounded = (config: Config, max_depth: number, mutants: readonly string[] = []): Config => ({
  ...config,
  verify: { ...config.verify, max_depth },
  mutants: { enable: [...mutants] },
});

/** Where verify catches each safety mutant, and the length of its shortest counterexample (the
 *  liveness mutants are caught as lassos by its liveness pass: test/verify-liveness.test.ts). */
const catches: Record<SafetyMutantName, { config: string; depth: number; caughtBy: string }> = {
  'acceptor-accepts-lower-ballot': { config: 'configs/verify/two-leaders.toml', depth: 7, caughtBy: 'promises-kept' },
  'acceptor-forgets-on-restart': { config: 'configs/verify/acceptor-restart.toml', depth: 4, caughtBy: 'promises-kept' },
  'leader-skips-value-adoption': { config: 'configs/verify/two-leaders.toml', depth: 13, caughtBy: 'votes-safe' },
  'quorum-too-small': { config: 'configs/verify/two-leaders.toml', depth: 2, caughtBy: 'quorum-backed' },
  'replica-applies-out-of-order': { config: 'configs/verify/leader-restart.toml', depth: 10, caughtBy: 'order' },
  'no-retry-dedup': { config: 'configs/verify/duplicates.toml', depth: 15, caughtBy: 'integrity' },
  'leader-reads-locally': { config: 'configs/verify/stale-read.toml', depth: 14, caughtBy: 'linearizability' },
  'leader-reuses-ballot-after-restart': { config: 'configs/verify/leader-restart.toml', depth: 14, caughtBy: 'one-value' },
  'leader-counts-stale-acks': { config: 'configs/verify/leader-restart-one-client.toml', depth: 15, caughtBy: 'quorum-backed' },
  'leader-counts-duplicate-acks': { config: 'configs/verify/duplicates.toml', depth: 9, caughtBy: 'quorum-backed' },
  'leader-counts-stale-promises': { config: 'configs/verify/leader-restart.toml', depth: 6, caughtBy: 'quorum-backed' },
  'acceptor-promises-lower-ballot': { config: 'configs/verify/two-leaders.toml', depth: 2, caughtBy: 'promises-kept' },
  'accept-does-not-raise-promise': { config: 'configs/verify/two-leaders.toml', depth: 7, caughtBy: 'promises-kept' },
  'acceptor-forgets-promise-on-restart': { config: 'configs/verify/acceptor-restart.toml', depth: 4, caughtBy: 'promises-kept' },
  'acceptor-forgets-votes-on-restart': { config: 'configs/verify/acceptor-restart.toml', depth: 9, caughtBy: 'promises-kept' },
  'promise-omits-from-slot': { config: 'configs/verify/two-leaders.toml', depth: 7, caughtBy: 'promises-kept' },
};

test('verify: every safety mutant has a config that catches it', (t) => {
  t.deepEqual(Object.keys(catches).sort(), [...SAFETY_MUTANT_NAMES].sort());
});

for (const mutant of SAFETY_MUTANT_NAMES) {
  test(`verify: ${mutant} is caught at its shortest counterexample, which replays`, async (t) => {
    const { config: file, depth, caughtBy } = catches[mutant];
    const base = loadConfig(file);
    const config = bounded(base, depth, [mutant]);
    const outcome = search(multipaxos, config);
    const violation = outcome.violation;
    if (!violation) return t.fail(`${mutant} not caught within depth ${depth} on ${file}`);
    t.log(`${mutant}: depth ${violation.depth}, ${outcome.distinct} distinct states`);
    t.is(violation.depth, depth, 'BFS: the first violation is at the depth recorded for it');
    t.is(violation.steps.length, depth);
    t.true(
      violation.verdicts.some((v) => v.name === caughtBy),
      violation.verdicts.map((v) => `${v.name}: ${v.detail}`).join('\n'),
    );
    // The counterexample, written and read back, plays to the same violation.
    const first = finishRun(startRun(multipaxos, config, { router: new StepRouter(multipaxos, config, violation.steps) }));
    const replayFile = join(testDir(t, 'mpkv-verify-'), `${mutant}.replay.json`);
    writeStepsReplayFile(replayFile, stepsReplayFile(file, config, violation.steps, { depth }, first));
    const loaded = await loadStepsReplay(replayFile, multipaxos, base);
    const again = finishRun(startRun(multipaxos, loaded.config, { router: loaded.router }));
    t.is(stepsReplayDivergence(loaded, again), undefined);
    const failures = again.verdicts.filter((v) => v.status === 'fail');
    t.deepEqual(
      violation.verdicts.map((v) => `${v.name}: ${v.detail}`),
      failures.map((v) => `${v.name}: ${v.detail}`).filter((line) => violation.verdicts.some((v) => line === `${v.name}: ${v.detail}`)),
    );
    t.true(failures.some((v) => v.name === caughtBy && v.at?.t === depth), 'the replayed run fails at its last step');
    // Without the mutant the same events keep every check (or cannot even happen).
    const clean = bounded(base, depth);
    const router = new StepRouter(multipaxos, clean, violation.steps);
    const correct = finishRun(startRun(multipaxos, clean, { router }));
    t.deepEqual(correct.verdicts.filter((v) => v.status === 'fail'), [], router.problem ?? 'the correct protocol keeps every check on this path');
  });
}

test('verify: the shortest counterexample is shortest: one event less finds nothing', (t) => {
  const config = bounded(loadConfig('configs/verify/acceptor-restart.toml'), 8, ['acceptor-forgets-votes-on-restart']);
  const outcome = search(multipaxos, config);
  t.is(outcome.violation, undefined);
  t.is(outcome.depth, 8);
  t.false(outcome.exhausted);
});

test('verify: a small config is explored to exhaustion, and says so', (t) => {
  const outcome = search(maxSync, loadConfig('configs/verify/max-sync.toml'));
  t.is(outcome.violation, undefined);
  t.true(outcome.exhausted, 'no event is left after the last depth');
  t.true(outcome.depth < loadConfig('configs/verify/max-sync.toml').verify.max_depth);
  t.true(outcome.terminal > 0);
});

test('verify: works on another emulation: max_sync and its mutants', (t) => {
  const base = loadConfig('configs/verify/max-sync.toml');
  for (const mutant of ['server-without-disk', 'takes-last-value']) {
    const outcome = search(maxSync, { ...base, mutants: { enable: [mutant] } });
    t.is(outcome.violation?.verdicts[0]?.name, 'monotonicity', mutant);
  }
});

test('verify: the same search twice gives the same counts; two workers find the same states as one', async (t) => {
  const config = bounded(loadConfig('configs/verify/two-leaders.toml'), 7);
  const once = search(multipaxos, config);
  const twice = search(multipaxos, config);
  t.deepEqual(once, twice);
  const parallel = await searchWithWorkers(multipaxos, config, { workers: 2 });
  t.is(parallel.distinct, once.distinct);
  t.is(parallel.depth, once.depth);
  // Without the reduction, every transition is taken once by one worker or the other. (With
  // it, how many depends on which path reached a state first: a state two workers reach at
  // one depth takes every step, and so does one reached again as a mirror image of the path
  // that reached it first; never more than the full search.)
  const full = search(multipaxos, config, { reduction: false });
  t.is((await searchWithWorkers(multipaxos, config, { workers: 2, reduction: false })).explored, full.explored);
  t.true(parallel.explored <= full.explored);
  const mutant = bounded(loadConfig('configs/verify/two-leaders.toml'), 10, ['accept-does-not-raise-promise']);
  t.is((await searchWithWorkers(multipaxos, mutant, { workers: 2 })).violation?.depth, search(multipaxos, mutant).violation?.depth, 'the same shortest depth');
});

test('verify: symmetry: mirror images of a state share its fingerprint; different states do not', (t) => {
  const world = new World(multipaxos, loadConfig('configs/verify/two-leaders.toml'));
  const prints = new Fingerprinter(world.model);
  const root = world.initial();
  const prepareTo = (acceptor: string): Step => {
    const step = world.enabled(root).find((s) => s.kind === 'deliver' && world.ids[s.packet.to] === acceptor && s.packet.msg.type === 'prepare');
    if (!step) throw new Error(`no prepare to ${acceptor}`);
    return step;
  };
  const to1 = world.apply(root, prepareTo('acceptor 1'), 1);
  const to3 = world.apply(root, prepareTo('acceptor 3'), 1);
  t.is(prints.text(to1.words), prints.text(to3.words), 'a prepare delivered to acceptor 1 or to acceptor 3: one state, renamed');
  t.not(prints.text(to1.words), prints.text(root.words));
  const both = world.apply(to1, world.enabled(to1).find((s) => s.kind === 'deliver' && s.packet.msg.type === 'promise')!, 2);
  t.not(prints.text(both.words), prints.text(to1.words));
  t.true(search(multipaxos, bounded(loadConfig('configs/verify/two-leaders.toml'), 6)).symmetry);
});

test('verify: a value is fingerprinted as what it is, not how it is laid out (a queue that was shifted)', (t) => {
  const put = { op: 'put', key: 'a', value: 'v' } as const;
  const fresh = new RequestQueue();
  fresh.push({ client: 2, request_id: 1, command: put });
  const shifted = new RequestQueue();
  shifted.push({ client: 1, request_id: 1, command: put });
  shifted.push({ client: 2, request_id: 1, command: put });
  shifted.shift();
  t.is(hashOf(shifted), hashOf(fresh), 'the same request waiting, whatever was taken before');
  shifted.push({ client: 3, request_id: 1, command: put });
  t.not(hashOf(shifted), hashOf(fresh), 'another request waiting');
  t.is(hashOf(shifted.copy()), hashOf(shifted));
});

test('verify: a state reached by two orders of independent events is explored once', (t) => {
  const world = new World(multipaxos, loadConfig('configs/verify/two-leaders.toml'));
  const prints = new Fingerprinter(world.model);
  const root = world.initial();
  const [a, b] = world.enabled(root).filter((s) => s.kind === 'deliver' && s.packet.msg.type === 'request');
  const ab = world.apply(world.apply(root, a!, 1), world.enabled(world.apply(root, a!, 1)).find((s) => s.kind === 'deliver' && s.packet.key === (b as { packet: { key: string } }).packet.key)!, 2);
  const ba = world.apply(world.apply(root, b!, 1), world.enabled(world.apply(root, b!, 1)).find((s) => s.kind === 'deliver' && s.packet.key === (a as { packet: { key: string } }).packet.key)!, 2);
  t.is(prints.text(ab.words), prints.text(ba.words));
});

test('mpkv verify: no violation within the bound exits 0 and states the bound; a mutant exits 1 with a replay file that mpkv run plays', async (t) => {
  const dir = testDir(t, 'mpkv-verify-cli-');
  const lines: string[] = [];
  const io = { stdout: (l: string) => lines.push(l), stderr: (l: string) => lines.push(`stderr: ${l}`) };
  t.is(await main(['verify', 'configs/verify/two-leaders.toml', '--max-depth', '6', '--no-liveness'], io), 0);
  t.true(lines.some((l) => /^bound: paths of at most 6 events/.test(l)), lines.join('\n'));
  t.true(lines.some((l) => /time is abstract/.test(l)));
  t.true(lines.some((l) => /^ok: no violation within depth 6: .* distinct states; paths longer than 6 events were not explored/.test(l)), lines.join('\n'));
  lines.length = 0;
  const out = join(dir, 'c.replay.json');
  t.is(await main(['verify', 'configs/verify/acceptor-restart.toml', '--mutant', 'acceptor-forgets-promise-on-restart', '--out', out], io), 1);
  t.true(lines.some((l) => /^VIOLATION at depth 4: a shortest counterexample/.test(l)), lines.join('\n'));
  t.true(lines.some((l) => /^ {2}promises-kept: acceptor \d promised ballot 1\.\d at t=4, below ballot 1\.\d it had promised at t=\d/.test(l)), lines.join('\n'));
  t.true(lines.some((l) => /^ {2}3\. restart acceptor \d/.test(l)), lines.join('\n'));
  const replay = JSON.parse(readFileSync(out, 'utf8')) as { kind: string; steps: unknown[]; expect: { failed: string[] } };
  t.is(replay.kind, 'steps');
  t.is(replay.steps.length, 4);
  t.deepEqual(replay.expect.failed, ['promises-kept']);
  lines.length = 0;
  t.is(await main(['run', 'configs/verify/acceptor-restart.toml', '--replay', out, '--plain'], io), 1);
  t.true(lines.some((l) => /REPLAY of/.test(l)));
  t.true(lines.some((l) => /promises-kept +FAIL/.test(l)), lines.join('\n'));
  t.true(lines.some((l) => /liveness +unknown +not judged: the run is a replayed path of 4 event/.test(l)), lines.join('\n'));
  t.false(lines.some((l) => /DIVERGED/.test(l)));
});

test('mpkv verify: cut short by max states exits 3 and says so; bad input exits 2', async (t) => {
  const lines: string[] = [];
  const io = { stdout: (l: string) => lines.push(l), stderr: (l: string) => lines.push(`stderr: ${l}`) };
  t.is(await main(['verify', 'configs/verify/two-leaders.toml', '--max-states', '50', '--no-liveness'], io), 3);
  t.true(lines.some((l) => /^unknown: no violation among .* but the search stopped at depth \d+ of 60: max_states \(50\) reached/.test(l)), lines.join('\n'));
  lines.length = 0;
  t.is(await main(['verify', 'configs/verify/two-leaders.toml', '--mutant', 'nope'], io), 2);
  t.true(lines.some((l) => /--mutant: multipaxos has no mutant "nope"/.test(l)));
  t.is(await main(['verify', 'configs/verify/two-leaders.toml', '--max-depth', '0'], io), 2);
  t.is(await main(['verify'], io), 2);
});

test('replay: the dashboard plays a counterexample paused, one event at a time, and shows its verdicts at the end', (t) => {
  const base = loadConfig('configs/verify/acceptor-restart.toml');
  const config = { ...base, mutants: { enable: ['acceptor-forgets-promise-on-restart'] } };
  const violation = search(multipaxos, config).violation!;
  const driver = new SimDriver(startRun(multipaxos, config, { router: new StepRouter(multipaxos, config, violation.steps) }), { paused: true });
  t.true(driver.paused);
  driver.advance(10_000);
  t.is(driver.snapshot().steps, 0, 'paused: nothing moves');
  const logged: number[] = [];
  for (let n = 0; n < 20 && !driver.done; n++) {
    driver.stepOne();
    logged.push(driver.snapshot().log.length);
  }
  t.true(driver.done);
  t.true(logged.every((length, i) => i === 0 || length > logged[i - 1]!), 'each step shows something new');
  const frame = driver.snapshot();
  t.is(frame.ended, 'path-end');
  t.is(frame.time, violation.depth, 'time is the step number');
  t.true(frame.log.some((l) => /CRASH/.test(l.text)) && frame.log.some((l) => /RESTART/.test(l.text)));
  t.is(frame.verdicts?.find((v) => v.name === 'promises-kept')?.status, 'fail');
});

test('replay: a steps replay whose event cannot happen is reported as diverged, not trusted', async (t) => {
  const base = loadConfig('configs/verify/acceptor-restart.toml');
  const config = { ...base, mutants: { enable: ['acceptor-forgets-promise-on-restart'] } };
  const violation = search(multipaxos, config).violation!;
  const broken = [violation.steps[0]!, { event: 'restart' as const, node: 'acceptor 1' }, ...violation.steps.slice(1)];
  const file = join(testDir(t, 'mpkv-steps-'), 'r.json');
  writeStepsReplayFile(file, stepsReplayFile('configs/verify/acceptor-restart.toml', config, broken, {}));
  const loaded = await loadStepsReplay(file, multipaxos, base);
  const result = finishRun(startRun(multipaxos, loaded.config, { router: loaded.router }));
  t.regex(stepsReplayDivergence(loaded, result) ?? '', /event 2 of the path \(restart acceptor 1 is not possible here\)/);
});

test('verify: the bound of an emulation none of whose roles may crash says so, not "crash-recovery(ies) of nobody"', (t) => {
  const kv = parseConfig('emulation = "kv_store"\n[verify]\ncrashes = 1\n');
  t.regex(boundText(kvStore, kv)[0]!, /, no crash-recovery \(no role of kv_store may crash\), /);
  t.regex(boundText(multipaxos, loadConfig(join(repoRoot, 'configs/verify/leader-restart.toml')))[0]!, /, 1 crash-recovery\(ies\) of leaders, at most 1 down at once, /);
});
