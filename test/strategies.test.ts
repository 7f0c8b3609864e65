/**
 * Exploration's strategies beside random schedules: swarm (each schedule its own fault mix)
 * and PCT (the order of events chosen by priorities), and several topologies in one command.
 * The correct protocol passes them; they are deterministic; swarm really varies its mixes; a
 * PCT change point really changes the order; the command reports and replays their failures.
 * (That they find the mutants is test/mutants.test.ts; how fast, `npm run bench -- explore`.)
 */
import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { loadConfig } from '../src/emulations/index.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { explore, explorePct } from '../src/explore/explore.js';
import { calibratedSteps, pctArbitrary, runPct, type PctSchedule } from '../src/explore/pct.js';
import { swarmArbitrary } from '../src/explore/swarm.js';
import { testDir } from './harness.js';

for (const file of ['configs/default.toml', 'configs/two-leaders.toml']) {
  test(`swarm: the correct protocol passes 40 swarm schedules on ${file}`, (t) => {
    const outcome = explore(multipaxos, loadConfig(file), { runs: 40, seed: 5, strategy: 'swarm' });
    t.is(outcome.failure, undefined, outcome.failure?.verdicts.map((v) => `${v.name}: ${v.detail}`).join('\n'));
    t.is(outcome.runs, 40);
  });

  test(`pct: the correct protocol passes 40 PCT schedules on ${file}`, (t) => {
    const outcome = explorePct(multipaxos, loadConfig(file), { runs: 40, seed: 5 });
    t.is(outcome.failure, undefined, outcome.failure?.verdicts.map((v) => `${v.name}: ${v.detail}`).join('\n'));
    t.true(outcome.faults > 0, 'PCT schedules inject faults too');
  });
}

test('swarm: schedules draw different mixes: some without any message fault, some with only drops, crashes early or late', (t) => {
  const config = loadConfig('configs/default.toml');
  const schedules = fc.sample(swarmArbitrary(multipaxos, config), { seed: 3, numRuns: 200 });
  const kinds = (s: (typeof schedules)[number]) => new Set(s.messages.map((m) => (m.choice === -1 ? 'drop' : m.choice > 0 ? 'delay' : 'duplicate')));
  t.true(schedules.some((s) => s.messages.length === 0), 'no message fault at all');
  t.true(schedules.some((s) => kinds(s).size === 1 && kinds(s).has('drop')), 'drops only');
  t.true(schedules.some((s) => s.crashes.length === 0) && schedules.some((s) => s.crashes.length > 0));
  const starts = schedules.flatMap((s) => s.crashes.map((c) => c.at_ms));
  t.true(Math.min(...starts) < 100 && Math.max(...starts) > 800, 'crashes land early and late');
  const hot = schedules.map((s) => new Set(s.messages.flatMap((m) => [m.from, m.to])).size);
  t.true(hot.some((n) => n > 0 && n <= 3), 'faults focused on a few nodes in some schedules');
});

test('pct: a run is a function of its schedule; the priorities decide the order; a change point changes it', (t) => {
  const config = loadConfig('configs/two-leaders.toml');
  const schedule: PctSchedule = { seed: 11, depth: 3, steps: calibratedSteps(multipaxos, config, 3), changes: [], messages: [], crashes: [] };
  const once = runPct(multipaxos, config, schedule);
  t.deepEqual(runPct(multipaxos, config, schedule).path, once.path, 'the same schedule, the same path');
  t.notDeepEqual(runPct(multipaxos, config, { ...schedule, seed: 12 }).path, once.path, 'other priorities, another order');
  t.notDeepEqual(runPct(multipaxos, config, { ...schedule, changes: [3] }).path, once.path, 'a change point demotes the node that ran');
  t.deepEqual(once.failed, []);
  t.true(once.path.length > 20 && once.path.length < 2000, `${once.path.length} steps`);
  const crashed = runPct(multipaxos, config, { ...schedule, crashes: [{ at: 10, pick: 0, down: 5 }] });
  t.true(crashed.path.some((s) => s.event === 'crash') && crashed.path.some((s) => s.event === 'restart'), 'a crash fault crashes a node and it comes back');
  t.is(crashed.faults, 1);
  const dropped = runPct(multipaxos, config, { ...schedule, messages: [{ from: 'client 1', to: 'leader 1', n: 0, choice: -1 }] });
  t.true(dropped.path.some((s) => s.event === 'drop' && s.from === 'client 1'), 'the first request of client 1 is lost');
});

test('pct: change points are drawn within the run (k is the length of an unchanged run)', (t) => {
  const config = loadConfig('configs/default.toml');
  const k = calibratedSteps(multipaxos, config, 3);
  const schedules = fc.sample(pctArbitrary(multipaxos, config), { seed: 1, numRuns: 100 });
  t.true(schedules.every((s) => s.steps === k && s.changes.length <= 2 && s.changes.every((c) => c >= 0 && c < k)));
  t.true(new Set(schedules.flatMap((s) => s.changes)).size > 50, 'spread over the run, not biased to small values');
});

test('mpkv explore --strategy pct: a violation prints the PCT schedule and writes a steps replay that mpkv run plays', async (t) => {
  const dir = testDir(t, 'mpkv-pct-');
  const out = join(dir, 'p.replay.json');
  const lines: string[] = [];
  const io = { stdout: (l: string) => lines.push(l), stderr: (l: string) => lines.push(`stderr: ${l}`) };
  const code = await main(['explore', 'configs/two-leaders.toml', '--strategy', 'pct', '--mutant', 'leader-counts-duplicate-acks', '--runs', '60', '--seed', '1', '--out', out], io);
  t.is(code, 1, lines.join('\n'));
  t.true(lines.some((l) => /^pct: depth d = 3 \(2 priority change\(s\) in the first \d+ steps\)/.test(l)));
  t.true(lines.some((l) => /^VIOLATION after \d+ PCT schedule\(s\)/.test(l)));
  t.true(lines.some((l) => /^PCT schedule: priorities from seed \d+, depth d = 3/.test(l)));
  t.true(lines.some((l) => /again: mpkv explore configs\/two-leaders.toml --seed \d+( --runs \d+)? --workers 1 --strategy pct/.test(l)));
  const replay = JSON.parse(readFileSync(out, 'utf8')) as { kind: string; steps: unknown[] };
  t.is(replay.kind, 'steps');
  lines.length = 0;
  t.is(await main(['run', 'configs/two-leaders.toml', '--replay', out, '--plain'], io), 1);
  t.true(lines.some((l) => /quorum-backed +FAIL/.test(l)), lines.slice(-14).join('\n'));
  t.false(lines.some((l) => /DIVERGED/.test(l)));
});

test('mpkv explore: several configs and --topologies explore every topology; bad strategies and specs are bad input', async (t) => {
  const lines: string[] = [];
  const io = { stdout: (l: string) => lines.push(l), stderr: (l: string) => lines.push(`stderr: ${l}`) };
  t.is(await main(['explore', 'configs/default.toml', 'configs/kv_store.toml', '--runs', '3', '--seed', '1', '--topologies', 'clients=1,2'], io), 0, lines.join('\n'));
  const headers = lines.filter((l) => l.startsWith('mpkv explore '));
  t.deepEqual(
    headers.map((l) => l.replace(/:.*/, '')),
    [
      'mpkv explore configs/default.toml',
      'mpkv explore configs/default.toml (clients1)',
      'mpkv explore configs/default.toml (clients2)',
      'mpkv explore configs/kv_store.toml',
      'mpkv explore configs/kv_store.toml (clients1)',
      'mpkv explore configs/kv_store.toml (clients2)',
    ],
  );
  t.is(lines.filter((l) => /^ok: 3 schedule\(s\) passed/.test(l)).length, 6);
  lines.length = 0;
  t.is(await main(['explore', 'configs/default.toml', '--strategy', 'chaos'], io), 2);
  t.true(lines.some((l) => /--strategy: expected one of random, swarm, pct/.test(l)));
  t.is(await main(['explore', 'configs/default.toml', '--topologies', 'acceptors'], io), 2);
  t.is(await main(['explore', 'configs/default.toml', '--topologies', 'acceptors=0'], io), 2);
  t.true(lines.some((l) => /topology\.acceptors: expected an integer/.test(l)), lines.join('\n'));
});
