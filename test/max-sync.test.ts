/**
 * The peer-sync max emulation, the second one: its runs pass their own checks, each check
 * fails on a broken run, and both mutants are found by exploration and replayed.
 */
import test from 'ava';
import { join } from 'node:path';
import { configFrom, config, notOk, run, testDir, verdictOf } from './harness.js';
import { maxSyncJudge } from '../src/emulations/max_sync/judge.js';
import type { MaxSyncConfig } from '../src/emulations/max_sync/config.js';
import type { Fact, Message } from '../src/emulations/max_sync/messages.js';
import { maxSync, MUTANTS } from '../src/emulations/max_sync/index.js';
import { finishRun, startRun } from '../src/emulations/run.js';
import { explore, runSchedule } from '../src/explore/explore.js';
import { loadReplayFile, replayFileFor, replayMatches, writeReplayFile } from '../src/explore/replay.js';
import type { NodeView, RunSummary } from '../src/sim/router.js';
import type { TraceEvent } from '../src/sim/trace.js';
import { layoutPanels } from '../src/ui/panels.js';

test('max_sync: every server ends holding the largest acknowledged number; writes and gossip are traced', (t) => {
  const result = run(config('max-sync.toml'));
  t.deepEqual(notOk(result), []);
  t.is(result.counts[0], 'writes acknowledged: 1000/1000');
  t.regex(verdictOf(result, 'convergence').detail, /^5 live server\(s\) hold (\d+) \(the largest acknowledged write: \1\)$/);
  const lines = result.trace.flatMap((e) => (e.kind === 'note' && e.text ? [`[${e.node}] ${e.text}`] : []));
  t.true(lines.some((l) => /^\[server \d\] SYNC from server \d: \d+ > \d+ -> adopt \d+$/.test(l)), 'servers adopt larger numbers they hear');
  t.true(lines.some((l) => /^\[client \d+\] WRITE \d+ \(write 1\) -> server \d$/.test(l)));
  t.is(result.summary.reason, 'clients-done');
});

test('max_sync: the run ends as soon as the servers agree, before drain_ms is over', (t) => {
  const result = run(configFrom('emulation = "max_sync"\ndrain_ms = 60000\n[workload]\nmessages = 5\n'));
  t.is(result.summary.reason, 'clients-done');
  t.true(result.summary.time_ms < 10_000, `ended at t=${result.summary.time_ms}`);
  t.deepEqual(notOk(result), []);
});

test('max_sync: under loss, duplication, a partition and a crash, gossip and the disk keep every check', (t) => {
  const result = run(config('max-sync-lossy.toml'));
  t.deepEqual(notOk(result), []);
  t.true(result.summary.dropped > 0 && result.summary.duplicated > 0);
});

// ---- each check fails on a broken run ------------------------------------------------------------

const held = (t: number, node: string, value: number, cause: 'start' | 'write' | 'sync'): TraceEvent<Message, Fact> => ({
  t,
  kind: 'note',
  node,
  text: '',
  fact: { kind: 'held', value, cause },
});
const write = (t: number, client: number, value: number): TraceEvent<Message, Fact> => ({
  t,
  kind: 'note',
  node: `client ${client}`,
  text: '',
  fact: { kind: 'write', client, seq: 1, value },
});
const acked = (t: number, client: number, value: number): TraceEvent<Message, Fact> => ({
  t,
  kind: 'note',
  node: `client ${client}`,
  text: '',
  fact: { kind: 'acked', client, seq: 1, value },
});
const server = (id: number, value: number, status: NodeView['status'] = 'up'): NodeView => ({
  id: `server ${id}`,
  role: 'server',
  status,
  restartPending: false,
  state: 'serving',
  context: { value },
});
const client = (id: number): NodeView => ({ id: `client ${id}`, role: 'client', status: 'finished', restartPending: false, state: 'done', context: {} });
const summary: RunSummary = { reason: 'clients-done', time_ms: 100, steps: 10, sent: 4, delivered: 4, dropped: 0, lost: 0, duplicated: 0 };
const cfg = configFrom('emulation = "max_sync"\n[topology]\nservers = 2\nclients_per_server = 1\n[workload]\nmessages = 1\n') as unknown as MaxSyncConfig;

function judge(events: TraceEvent<Message, Fact>[], views: NodeView[]) {
  const j = maxSyncJudge(cfg, {});
  events.forEach((e, i) => j.observe(e, i));
  return j.finish({ summary, views, partitions: [], stalled: [] }).verdicts;
}
const status = (verdicts: ReturnType<typeof judge>) => Object.fromEntries(verdicts.map((v) => [v.name, v.status]));

test('max_sync checks: a correct history passes them all', (t) => {
  const v = judge([write(1, 1, 7), held(2, 'server 1', 7, 'write'), acked(3, 1, 7), held(4, 'server 2', 7, 'sync')], [server(1, 7), server(2, 7), client(1), client(2)]);
  t.deepEqual(status(v), { monotonicity: 'ok', validity: 'ok', convergence: 'ok', liveness: 'fail' }, 'client 2 never wrote: liveness is per client');
});

test('max_sync checks: a number going down fails monotonicity, naming the server and both numbers', (t) => {
  const v = judge([write(1, 1, 7), held(2, 'server 1', 7, 'write'), held(5, 'server 1', 0, 'start')], [server(1, 7), server(2, 7)]);
  t.is(v.find((x) => x.name === 'monotonicity')!.detail, 'server 1 held 7 at t=2, then 0 at t=5 (after a restart)');
});

test('max_sync checks: a number nobody sent fails validity', (t) => {
  const v = judge([held(2, 'server 1', 42, 'sync')], [server(1, 42), server(2, 42)]);
  t.is(v.find((x) => x.name === 'validity')!.status, 'fail');
  t.regex(v.find((x) => x.name === 'validity')!.detail, /server 1 held 42 at t=2, which no client sent/);
});

test('max_sync checks: servers that disagree, or that lost an acknowledged write, fail convergence', (t) => {
  const split = judge([write(1, 1, 7), acked(3, 1, 7)], [server(1, 7), server(2, 5)]);
  t.is(split.find((x) => x.name === 'convergence')!.detail, 'server 1 holds 7 but server 2 holds 5');
  const lost = judge([write(1, 1, 9), acked(3, 1, 9)], [server(1, 7), server(2, 7)]);
  t.regex(lost.find((x) => x.name === 'convergence')!.detail, /every live server holds 7, but client 1's write of 9 was acknowledged at t=3/);
  const downIsFine = judge([write(1, 1, 7), acked(3, 1, 7)], [server(1, 7), server(2, 5, 'crashed')]);
  t.is(downIsFine.find((x) => x.name === 'convergence')!.status, 'ok', 'a server that is down is not compared');
});

// ---- mutants -------------------------------------------------------------------------------------

const hunts: Record<keyof typeof MUTANTS, { config: string; check: string }> = {
  'takes-last-value': { config: 'max-sync.toml', check: 'monotonicity' },
  'server-without-disk': { config: 'max-sync-lossy.toml', check: 'monotonicity' },
  // A liveness mutant: safe, but a server stays below the largest acknowledged number.
  'server-stops-gossiping': { config: 'max-sync.toml', check: 'liveness' },
};

for (const [mutant, hunt] of Object.entries(hunts)) {
  test(`max_sync mutant ${mutant}: found by exploration, caught by ${hunt.check}, replayed from its file`, async (t) => {
    const base = config(hunt.config);
    const broken = { ...base, mutants: { enable: [mutant] } };
    const outcome = explore(maxSync, broken, { runs: 100, seed: 1 });
    t.truthy(outcome.failure, `${mutant} not found in 100 schedules`);
    const failure = outcome.failure!;
    t.true(failure.verdicts.some((v) => v.name === hunt.check), failure.verdicts.map((v) => `${v.name}: ${v.detail}`).join('\n'));
    t.is(runSchedule(maxSync, base, failure.schedule).result.status, 'ok', 'the same schedule passes without the mutant');
    const first = runSchedule(maxSync, broken, failure.schedule, { digest: true }).result;
    const file = join(testDir(t, 'mpkv-maxsync-'), 'replay.json');
    const replay = replayFileFor(`configs/${hunt.config}`, broken, failure, first);
    writeReplayFile(file, replay);
    const loaded = await loadReplayFile(file, maxSync, base);
    t.true(replayMatches(replay, finishRun(startRun(maxSync, loaded.config, { ...loaded.options, digest: true }))));
  });
}

test('max_sync on the dashboard: a row per server and client, and summaries when short of room', (t) => {
  const { router, emulation } = startRun(maxSync, config('max-sync.toml'));
  router.boot();
  while (router.time < 300 && router.step()) {
    /* into the run */
  }
  const lines = layoutPanels(emulation, router.views(), 100)[0]!.flatMap((g) => g.lines);
  t.regex(lines.find((l) => l.id === 'server 1')!.detail, /^holds \d+ {2}\(last raised by (write from client \d+|sync from server \d)\)$/);
  t.regex(lines.find((l) => l.id === 'client 1')!.detail, /^write \d+\/100: \d+/);
  const tight = layoutPanels(emulation, router.views(), 4)[0]!;
  t.deepEqual(tight.map((g) => [g.role, g.summarised]), [['server', true], ['client', true]]);
  t.regex(tight[0]!.lines[0]!.detail, /^hold \d+(-\d+)?$/);
});
