/**
 * Schedule exploration: the generator keeps to the `[faults]` budget, the schedule-driven
 * network heals after the safety phase, runs are reproducible from their schedule (and from a
 * replay file, through `mpkv run --replay`). The property itself — the correct protocol
 * passes a few hundred random schedules on every config in configs/ — is a long search:
 * test/long/explore-configs.test.ts.
 */
import test from 'ava';
import { testDir, traceOf } from './harness.js';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { loadConfig, parseConfig } from '../src/emulations/index.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { topologyOf, type PaxosConfig } from '../src/emulations/multipaxos/config.js';
import { finishRun, startRun } from '../src/emulations/run.js';
import { explore, runSchedule } from '../src/explore/explore.js';
import { loadReplayFile, replayFileFor, replayMatches, traceDigest, writeReplayFile } from '../src/explore/replay.js';
import { links, scheduleArbitrary, type Schedule } from '../src/explore/schedule.js';

const collector = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), tty: false }, out, err };
};

const twoLeaders = loadConfig('configs/mutants/two-leaders.toml');

test('schedule: every generated schedule keeps to the [faults] budget', (t) => {
  const config = parseConfig(`
[topology]
acceptors = 5
leaders = 2
replicas = 2
clients = 2
[faults]
safety_ms = 600
max_crashed = 2
crashes = 6
down_max_ms = 400
partitions = 3
`);
  const acceptors = new Set(topologyOf(config as unknown as PaxosConfig).acceptors);
  const known = new Set(links(multipaxos, config).map(([a, b]) => `${a}>${b}`));
  fc.assert(
    fc.property(scheduleArbitrary(multipaxos, config), (s: Schedule) => {
      for (const c of s.crashes) {
        if (!(c.at_ms >= 0 && c.at_ms < c.restart_ms && c.restart_ms <= 600)) return false;
        if (c.restart_ms - c.at_ms > 400) return false;
        if (c.node.startsWith('client')) return false;
      }
      // At every crash instant: at most max_crashed down, never a majority of acceptors.
      for (const c of s.crashes) {
        const down = s.crashes.filter((d) => d.at_ms <= c.at_ms && c.at_ms < d.restart_ms);
        if (down.length > 2 || down.filter((d) => acceptors.has(d.node)).length > 2) return false;
        if (new Set(down.map((d) => d.node)).size !== down.length) return false;
      }
      if (s.partitions.length > 3) return false;
      for (const p of s.partitions) if (!(p.end_ms !== undefined && p.start_ms < p.end_ms && p.end_ms <= 600 && p.groups[0]!.length > 0)) return false;
      for (const m of s.messages) if (!known.has(`${m.from}>${m.to}`) || m.choice === 0 || m.n >= config.faults.link_messages) return false;
      return true;
    }),
    { numRuns: 500, seed: 7 },
  );
  t.pass();
});

test('schedule: a zero budget generates only fault-free schedules', (t) => {
  const config = parseConfig(`
[faults]
crashes = 0
partitions = 0
drop_rate = 0
duplicate_rate = 0
delay_rate = 0
`);
  const samples = fc.sample(scheduleArbitrary(multipaxos, config), { numRuns: 50, seed: 3 });
  t.true(samples.every((s) => s.messages.length === 0 && s.crashes.length === 0 && s.partitions.length === 0));
});

test('network: after safety_ms nothing is dropped or duplicated, and every node is up', (t) => {
  const config = twoLeaders;
  const [schedule] = fc.sample(scheduleArbitrary(multipaxos, config), { numRuns: 1, seed: 11 });
  // Fault every message a schedule can name, so any leak past the safety phase would show.
  const everything: Schedule = {
    ...schedule!,
    messages: links(multipaxos, config).flatMap(([from, to]) => Array.from({ length: config.faults.link_messages }, (_, n) => ({ from, to, n, choice: -1 - (n % 2) * 30 }))),
  };
  const { result, injected } = runSchedule(multipaxos, config, everything, { keepTrace: true });
  const safety = config.faults.safety_ms;
  t.true(injected.length > 0);
  t.true(injected.every((f) => f.t < safety));
  t.false(traceOf(result).some((e) => e.t >= safety && ((e.kind === 'drop' && e.reason === 'loss') || e.kind === 'duplicate' || e.kind === 'crash')));
});

test('explore: a run is a pure function of (config, schedule)', (t) => {
  const [schedule] = fc.sample(scheduleArbitrary(multipaxos, twoLeaders), { numRuns: 1, seed: 5 });
  const a = runSchedule(multipaxos, twoLeaders, schedule!, { keepTrace: true });
  const b = runSchedule(multipaxos, twoLeaders, JSON.parse(JSON.stringify(schedule)) as Schedule, { keepTrace: true });
  t.is(traceDigest(traceOf(a.result)), traceDigest(traceOf(b.result)));
  t.deepEqual(a.injected, b.injected);
});

test('explore: the same seed explores the same schedules', (t) => {
  const seen = (seed: number): string[] => {
    const out: string[] = [];
    fc.check(
      fc.property(scheduleArbitrary(multipaxos, twoLeaders), (s) => {
        out.push(JSON.stringify(s));
        return true;
      }),
      { seed, numRuns: 20 },
    );
    return out;
  };
  t.deepEqual(seen(99), seen(99));
  t.notDeepEqual(seen(99), seen(100));
});

test('replay: a replay file reproduces its run trace for trace, through mpkv run --replay', async (t) => {
  const config = { ...twoLeaders, mutants: { enable: ['quorum-too-small' as const] } };
  const outcome = explore(multipaxos, config, { runs: 100, seed: 1 });
  t.truthy(outcome.failure, 'quorum-too-small is found on two leaders');
  const failure = outcome.failure!;
  const first = runSchedule(multipaxos, config, failure.schedule, { keepTrace: true }).result;
  const dir = testDir(t, 'mpkv-replay-');
  const file = join(dir, 'failure.replay.json');
  const replay = replayFileFor('configs/mutants/two-leaders.toml', config, failure, first);
  writeReplayFile(file, replay);

  const loaded = await loadReplayFile(file, multipaxos, twoLeaders);
  const again = finishRun(startRun(multipaxos, loaded.config, { ...loaded.options, keepTrace: true }));
  t.is(traceDigest(traceOf(again)), traceDigest(traceOf(first)));
  t.true(replayMatches(replay, again));
  t.deepEqual(
    again.verdicts.filter((v) => v.status === 'fail').map((v) => v.detail),
    failure.verdicts.map((v) => v.detail),
  );

  const { io, out } = collector();
  const code = await main(['run', 'configs/mutants/two-leaders.toml', '--replay', file, '--plain'], io);
  t.is(code, 1);
  t.true(out.some((l) => /FAIL/.test(l) && l.includes(failure.verdicts[0]!.detail)), out.slice(-10).join('\n'));
});

test('replay: a file recorded with another config, or not a replay file, is bad input', async (t) => {
  const dir = testDir(t, 'mpkv-replay-');
  const file = join(dir, 'r.json');
  const schedule: Schedule = { seed: 1, messages: [], crashes: [], partitions: [] };
  const failure = { strategy: 'random' as const, schedule, verdicts: [], injected: [], steps: 0, time_ms: 0, seed: 1, runsToFind: 1, shrinks: 0, path: '0' };
  writeReplayFile(file, replayFileFor('configs/mutants/two-leaders.toml', twoLeaders, failure));
  const other = collector();
  t.is(await main(['run', 'configs/default.toml', '--replay', file, '--plain'], other.io), 2);
  t.regex(other.err.join('\n'), /recorded with a different config/);
  writeFileSync(file, '{"hello": 1}');
  const bad = collector();
  t.is(await main(['run', 'configs/mutants/two-leaders.toml', '--replay', file, '--plain'], bad.io), 2);
  t.regex(bad.err.join('\n'), /not a replay file/);
  t.is(bad.err.length, 1);
});

test('mpkv explore: exit 0 and a summary when no violation; progress as plain lines', async (t) => {
  const { io, out } = collector();
  t.is(await main(['explore', 'configs/kv_store.toml', '--runs', '40', '--seed', '3'], io), 0);
  t.regex(out[0]!, /40 schedule\(s\), seed 3, 1 worker/);
  t.regex(out[1]!, /^budget: safety phase 1000ms; no crashes \(no role of kv_store may crash\); <= 1 partition\(s\); /, 'never "crash(es) of nobody"');
  t.true(out.some((l) => l.startsWith('progress: ')));
  t.regex(out.at(-1)!, /^ok: 40 schedule\(s\) passed, \d+ fault\(s\) injected/);
});

test('mpkv explore: --workers 2 explores the runs on two threads', async (t) => {
  const { io, out } = collector();
  t.is(await main(['explore', 'configs/kv_store.toml', '--runs', '60', '--seed', '3', '--workers', '2'], io), 0);
  t.regex(out.at(-1)!, /^ok: 60 schedule\(s\) passed/);
});

test('mpkv explore: a violation prints the shrunk schedule and writes a replay file; exit 1', async (t) => {
  const dir = testDir(t, 'mpkv-explore-');
  const file = join(dir, 'x.replay.json');
  const { io, out } = collector();
  const code = await main(['explore', 'configs/default.toml', '--runs', '50', '--seed', '1', '--mutant', 'replica-applies-out-of-order', '--out', file], io);
  t.is(code, 1);
  const text = out.join('\n');
  t.regex(text, /VIOLATION after \d+ schedule\(s\)/);
  t.regex(text, /order: .* applied slot \d+ at t=\d+ before slot \d+/);
  t.regex(text, /minimal schedule \(run seed \d+\)/);
  t.regex(text, /fast-check seed 1, path /);
  t.true(text.includes(`mpkv run configs/default.toml --replay ${file}`));
  const replayed = collector();
  t.is(await main(['run', 'configs/default.toml', '--replay', file, '--plain'], replayed.io), 1);
});

test('mpkv explore: --list-mutants, and bad input is one line with exit 2', async (t) => {
  const list = collector();
  t.is(await main(['explore', '--list-mutants'], list.io), 0);
  t.is(list.out[0], 'multipaxos:', 'grouped by emulation');
  t.true(list.out.some((l) => l.trim().startsWith('acceptor-forgets-on-restart') && l.includes('persists nothing')));
  t.true(list.out.includes('kv_store:'));
  for (const args of [
    ['explore'],
    ['explore', 'configs/default.toml', '--runs', 'many'],
    ['explore', 'configs/default.toml', '--mutant', 'no-such-mutant'],
    ['explore', 'configs/default.toml', '--workers', '0'],
    ['explore', 'configs/no-such-file.toml'],
    ['explore', 'configs/default.toml', '--bogus'],
  ]) {
    const { io, err } = collector();
    t.is(await main(args, io), 2, args.join(' '));
    t.is(err.length, 1, args.join(' '));
    t.notRegex(err[0]!, /\n|at .*\.js/, 'no stack trace');
  }
});
