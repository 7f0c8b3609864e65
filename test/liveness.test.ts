/**
 * Liveness by temperature in explored runs (src/emulations/temperature.ts): once the faults of a
 * schedule have healed, nothing an emulation calls hot may stay hot longer than the bound. The
 * monitor fails a run at the step where an obligation outlives the bound, or where the run ends
 * with nothing left to happen while one is hot, and stops it there; it never judges before the
 * heal is known. Every liveness mutant is found by exploration as a hot monitor, shrunk to its
 * shortest counterexample, and replayed from its file through `mpkv run --replay`; the same
 * schedule without the mutant passes. (That the correct protocol passes on every config is the
 * long search of test/long/explore-configs.test.ts.)
 */
import test from 'ava';
import fc from 'fast-check';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import type { AnyEmulation, Config, Hot } from '../src/emulations/api/emulation.js';
import { kvStore } from '../src/emulations/kv_store/index.js';
import { maxSync } from '../src/emulations/max_sync/index.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { raft } from '../src/emulations/raft/index.js';
import type { NodeView } from '../src/sim/router.js';
import { LIVENESS_MUTANT_NAMES } from '../src/emulations/multipaxos/mutants.js';
import { emulate, finishRun, startRun } from '../src/emulations/run.js';
import { livenessBound, type Healing } from '../src/emulations/temperature.js';
import { explore, explorePct, runSchedule, scheduleSize } from '../src/explore/explore.js';
import { scheduleHealing, scheduleNetwork } from '../src/explore/network.js';
import { pctArbitrary, runPct } from '../src/explore/pct.js';
import { replayFileFor, writeReplayFile } from '../src/explore/replay.js';
import type { Schedule } from '../src/explore/schedule.js';
import { StepRouter } from '../src/verify/replay.js';
import { SimDriver } from '../src/ui/driver.js';
import type { Verdict } from '../specs/verdict.js';
import { config, testDir, traceOf } from './harness.js';

const collector = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), tty: false }, out, err };
};

const noFault = (seed: number): Schedule => ({ seed, messages: [], crashes: [], partitions: [] });
const liveness = (verdicts: readonly Verdict[]): Verdict => verdicts.find((v) => v.name === 'liveness')!;
const withMutant = (cfg: Config, mutant: string): Config => ({ ...cfg, mutants: { enable: [mutant] } });

/** An emulation that owes one thing for ever, with a bound of `ms`: to watch the monitor alone. */
const owingForEver = (emulation: AnyEmulation, ms: number): AnyEmulation => ({
  ...emulation,
  temperature: {
    hot: (): Hot[] => [{ key: 'the thing', what: () => 'the thing owed' }],
    bound: () => ({ ms, why: 'a test bound' }),
  },
});

// ---- the monitor ---------------------------------------------------------------------------------

test('temperature: an obligation that arose before the heal is counted from the heal, and none is judged while a fault may still come', (t) => {
  const emulation = owingForEver(multipaxos, 1000);
  const healing: Healing = { healedAt: (now) => (now < 500 ? undefined : 400) };
  const result = emulate(emulation, config('default.toml'), { temperature: healing });
  const verdict = liveness(result.verdicts);
  t.is(verdict.status, 'fail');
  t.true(verdict.at!.t > 1400 && verdict.at!.t <= 1500, `failed at t=${verdict.at!.t}, the first step past 400 + 1000`);
  t.regex(verdict.detail, /^the thing owed at t=\d+: hot for 10\d\d ms since the last fault healed at t=400 \(it arose at t=0, before\), longer than the bound of 1000 ms \(the default: a test bound\) of healed virtual time, in which every step is fair/);
  t.is(result.summary.reason, 'halted', 'the run stops at the violation');
  t.is(result.verdicts.find((v) => v.name === 'convergence')!.status, 'unknown', 'the end state of a halted run is not judged');
});

test('temperature: while the faults may still come, nothing is judged', (t) => {
  const result = emulate(owingForEver(multipaxos, 100), config('default.toml'), { temperature: { healedAt: () => undefined } });
  t.is(liveness(result.verdicts).status, 'ok');
  t.not(result.summary.reason, 'halted');
});

test('temperature: a run that ends with nothing left to happen while something is hot fails at once', (t) => {
  const result = emulate(owingForEver(kvStore, 1_000_000), config('kv_store.toml'), { temperature: { healedAt: () => 0 } });
  const verdict = liveness(result.verdicts);
  t.is(result.summary.reason, 'quiescent');
  t.is(verdict.status, 'fail');
  t.regex(verdict.detail, /^the thing owed since t=0, and the run ended at t=\d+ with nothing left to happen \(no message in flight, no timer armed\), in a run with no fault: it can never cool down$/);
});

test('temperature: [faults] liveness_ms overrides the default bound, which is derived from the config\'s timeouts', (t) => {
  const base = config('two-leaders.toml');
  t.deepEqual(livenessBound(multipaxos, base), {
    ms: 5560,
    why: 'the default: 4 x (workload.timeout_ms 300 + paxos.backoff_max_ms 640 + paxos.retry_ms 50 + 3 x paxos.catch_up_ms 100 + 10 x network.delay_max_ms 10) = 5560 ms',
  });
  const tight = { ...base, faults: { ...base.faults, liveness_ms: 1000 } };
  t.deepEqual(livenessBound(multipaxos, tight), { ms: 1000, why: '[faults] liveness_ms' });
  const broken = withMutant(tight, 'leader-never-prepares-again');
  const verdict = liveness(runSchedule(multipaxos, broken, noFault(0)).result.verdicts);
  t.regex(verdict.detail, /hot for 100\d ms since it arose at t=\d+ \(the run had no fault\), longer than the bound of 1000 ms \(\[faults\] liveness_ms\)/);
});

test('temperature: a monitored run is the unmonitored run, up to where the monitor stops it', (t) => {
  const broken = withMutant(config('two-leaders.toml'), 'leader-never-prepares-again');
  const monitored = traceOf(runSchedule(multipaxos, broken, noFault(0), { keepTrace: true }).result);
  const network = scheduleNetwork(broken, noFault(0));
  const plain = traceOf(emulate(multipaxos, { ...broken, seed: 0, time_limit_ms: 6000 }, { network, keepTrace: true }));
  const stop = monitored.length - 1;
  t.deepEqual(monitored.at(-1), { t: monitored.at(-2)!.t, kind: 'end', reason: 'halted' });
  t.deepEqual(JSON.stringify(monitored.slice(0, stop)), JSON.stringify(plain.slice(0, stop)));
});

test('temperature: a schedule has healed once its crashes, partitions and message faults are over, and not before its faulted messages can no longer come', (t) => {
  const cfg = config('default.toml');
  const schedule: Schedule = {
    seed: 1,
    messages: [{ from: 'leader 1', to: 'replica 1', n: 3, choice: 120 }],
    crashes: [{ node: 'acceptor 1', at_ms: 100, restart_ms: 300 }],
    partitions: [{ start_ms: 50, end_ms: 250, groups: [['replica 2']] }],
  };
  const network = scheduleNetwork(cfg, schedule);
  const healing = scheduleHealing(cfg, schedule, network);
  t.is(healing.healedAt(400), undefined, 'the held-back message has not been sent yet');
  for (let n = 0; n < 4; n++) network.fate('leader 1', 'replica 1', { type: 'decision' }, 500);
  t.is(healing.healedAt(500), 620, 'the held-back message lands at 500 + 120');
  const unsent = scheduleHealing(cfg, schedule, scheduleNetwork(cfg, schedule));
  t.is(unsent.healedAt(cfg.faults.safety_ms - 1), undefined);
  t.is(unsent.healedAt(cfg.faults.safety_ms), 300, 'after the safety phase no message fault can come: the crash was the last');
  t.is(scheduleHealing(cfg, noFault(1), scheduleNetwork(cfg, noFault(1))).healedAt(0), 0);
});

test('temperature: on its liveness mutants\' hunting grounds, the correct protocol keeps every obligation inside its bound', (t) => {
  for (const [emulation, file] of [[multipaxos, 'two-leaders.toml'], [multipaxos, 'mutants/duelling-leaders.toml'], [maxSync, 'max-sync.toml']] as const) {
    const result = runSchedule(emulation, config(file), noFault(0)).result;
    t.is(result.status, 'ok', `${file}: ${result.verdicts.map((v) => `${v.name}: ${v.detail}`).join('\n')}`);
  }
});

test('temperature: PCT runs are not judged for liveness (their order is chosen, not fair)', (t) => {
  const broken = withMutant(config('two-leaders.toml'), 'leader-never-prepares-again');
  const outcome = explorePct(multipaxos, broken, { runs: 10, seed: 1 });
  t.is(outcome.failure, undefined, 'a stuck leader breaks no safety check');
  const [schedule] = fc.sample(pctArbitrary(multipaxos, broken, { depth: 3, steps: 100 }), { seed: 1, numRuns: 1 });
  const path = runPct(multipaxos, broken, schedule!).path;
  const replayed = finishRun(startRun(multipaxos, broken, { router: new StepRouter(multipaxos, broken, path) }));
  t.is(liveness(replayed.verdicts).status, 'unknown');
});

test('temperature: the kv family owes each outstanding request, and each learner behind the one furthest ahead, named by where it stands', (t) => {
  const view = (id: string, role: string, context: unknown, status: NodeView['status'] = 'up'): NodeView => ({ id, role, status, restartPending: false, state: 'x', context });
  const request = (request_id: number) => ({ outstanding: { request_id, command: { op: 'get', key: 'a' } } });
  const keys = (hot: readonly Hot[]): string[] => hot.map((h) => h.key);
  const clients = [view('client 1', 'client', request(3)), view('client 2', 'client', {}), view('client 3', 'client', undefined, 'crashed')];
  const servers = [view('server 1', 'server', { applied: 7 }), view('server 2', 'server', { applied: 4 }), view('server 3', 'server', { applied: 7 })];
  const hot = raft.temperature!.hot([...servers, ...clients]);
  t.deepEqual(keys(hot), ['client 1 request 3', 'server 2 at 4']);
  t.deepEqual(hot.map((h) => h.what()), ['client 1\'s request 3 (GET "a") still unanswered', "server 2 behind, 4 entries applied to server 1's 7"]);
  const moved = raft.temperature!.hot([view('server 1', 'server', { applied: 9 }), view('server 2', 'server', { applied: 5 }), view('client 1', 'client', request(4))]);
  t.deepEqual(keys(moved), ['client 1 request 4', 'server 2 at 5'], 'a learner that moved on, a new request: new obligations');
  const learners = [view('leader 1', 'leader', { applied: 3 }), view('replica 1', 'replica', { applied: 1 }), view('replica 2', 'replica', { applied: 0 }, 'crashed'), view('acceptor 1', 'acceptor', {})];
  t.deepEqual(keys(multipaxos.temperature!.hot(learners)), ['replica 1 at 1'], 'a crashed learner owes nothing while down; acceptors are no learners');
  t.deepEqual(livenessBound(raft, config('raft.toml')), {
    ms: 2800,
    why: 'the default: 4 x (workload.timeout_ms 200 + raft.election_max_ms 300 + 2 x raft.heartbeat_ms 50 + 10 x network.delay_max_ms 10) = 2800 ms',
  });
});

// ---- the liveness mutants --------------------------------------------------------------------------

interface Hunt {
  readonly emulation: AnyEmulation;
  readonly config: string;
  /** The faults its shortest counterexample keeps (fast-check's shrunk schedule). */
  readonly faults: number;
  /** How the failure is worded: outlived the bound, or can never cool down. */
  readonly says: RegExp;
}

const OUTLIVED = /longer than the bound of \d+ ms \(the default: 4 x \(/;
const hunts: Record<string, Hunt> = {
  'leader-never-prepares-again': { emulation: multipaxos, config: 'two-leaders.toml', faults: 0, says: /^client \d's request \d \(.*\) still unanswered at t=\d+: hot for \d+ ms since it arose at t=\d+ \(the run had no fault\), / },
  'backoff-never-grows': { emulation: multipaxos, config: 'mutants/duelling-leaders.toml', faults: 0, says: /^client \d's request \d \(.*\) still unanswered at t=\d+: hot for/ },
  'catch-up-never-answered': { emulation: multipaxos, config: 'default.toml', faults: 1, says: /^replica \d behind, \d+ slots applied to leader 1's \d+ at t=\d+: hot for/ },
  'client-stops-retrying': { emulation: multipaxos, config: 'default.toml', faults: 1, says: /^client \d's request \d \(.*\) still unanswered at t=\d+: hot for \d+ ms since the last fault healed at t=\d+/ },
  'kv_store/client-stops-retrying': { emulation: kvStore, config: 'kv_store.toml', faults: 2, says: /^client \d's request \d \(.*\) still unanswered since t=\d+, and the run ended at t=\d+ with nothing left to happen .*: it can never cool down$/ },
  'max_sync/server-stops-gossiping': { emulation: maxSync, config: 'max-sync.toml', faults: 0, says: /^server \d holds \d+, below \d+ \(acknowledged to client \d+\) since t=\d+, and the run ended at t=\d+ with nothing left to happen/ },
};

test('liveness mutants: every MultiPaxos liveness mutant is hunted here', (t) => {
  t.deepEqual(LIVENESS_MUTANT_NAMES.filter((m) => !(m in hunts)), []);
});

for (const [name, hunt] of Object.entries(hunts)) {
  const mutant = name.split('/').at(-1)!;
  test(`liveness mutants: ${name} is found by a hot monitor, shrunk to ${hunt.faults} fault(s), and replayed by mpkv run --replay`, async (t) => {
    const base = config(hunt.config);
    const broken = withMutant(base, mutant);
    const outcome = explore(hunt.emulation, broken, { runs: 20, seed: 1 });
    const failure = outcome.failure;
    if (!failure) return t.fail(`${name} not found in 20 schedules of ${hunt.config}`);
    t.deepEqual(failure.verdicts.map((v) => v.name), ['liveness'], 'it breaks no safety check');
    const detail = failure.verdicts[0]!.detail;
    t.regex(detail, hunt.says);
    if (!/can never cool down/.test(detail)) t.regex(detail, OUTLIVED, 'the bound is stated');
    t.is(scheduleSize(failure.schedule), hunt.faults, 'the shortest counterexample');
    t.is(runSchedule(hunt.emulation, base, failure.schedule).result.status, 'ok', 'the same schedule passes without the mutant');

    const first = runSchedule(hunt.emulation, broken, failure.schedule, { digest: true }).result;
    const file = join(testDir(t, 'mpkv-liveness-'), `${mutant}.replay.json`);
    writeReplayFile(file, replayFileFor(`configs/${hunt.config}`, broken, failure, first));
    const { io, out, err } = collector();
    const code = await main(['run', `configs/${hunt.config}`, '--replay', file, '--plain'], io);
    t.is(code, 1);
    t.deepEqual(err, [], 'the replay reproduces the recorded run (no REPLAY DIVERGED)');
    const line = out.find((l) => /^ {2}liveness +FAIL +/.test(l));
    t.truthy(line, out.slice(-14).join('\n'));
    t.true(line!.includes(detail), `the replay says what the search found:\n${line}\n${detail}`);
  });
}

test('liveness mutants: the dashboard\'s v stops at the step where the obligation outlived its bound', (t) => {
  const broken = withMutant(config('two-leaders.toml'), 'leader-never-prepares-again');
  const fresh = () => {
    const runConfig = { ...broken, seed: 0, drain_ms: broken.drain_ms + broken.faults.safety_ms };
    return startRun(multipaxos, runConfig, { network: scheduleNetwork(runConfig, noFault(0)), temperature: { healedAt: () => 0 }, endWhenQuiescent: true });
  };
  const driver = new SimDriver(fresh(), { paused: true, rehearse: fresh });
  driver.jumpTo('violation');
  const log = driver.snapshot().log;
  const line = log.find((l) => l.text.includes('▶ VIOLATION'));
  t.truthy(line);
  t.regex(line!.text, /^\[t=5600 check\] ▶ VIOLATION: liveness first failed here: client 1's request 1 \(DELETE "e"\) still unanswered at t=5600: hot for 5600 ms since it arose at t=0 /);
});
