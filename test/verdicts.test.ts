/**
 * Verdicts a user can trust: each false verdict mpkv once gave is a scenario here, with the
 * verdict it must give now. ok / fail / unknown are never blurred; a check never throws.
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { completedOf, config, configFrom, configPath, historyEvents, notOk, repoRoot, run, tempDir, verdictOf } from './harness.js';
import { liveness } from '../specs/liveness.js';
import { linearizabilityJudge } from '../src/emulations/kv/linearizability.js';
import { invokeEvent, okEvent } from '../specs/formats/mpkv.js';

const cli = path.join(repoRoot, 'dist/src/cli.js');
const dir = tempDir('mpkv-verdicts-');
const mpkv = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });

// ---- liveness ---------------------------------------------------------------------------------

test('liveness is per client: a down client\'s completions never make up for another\'s shortfall', (t) => {
  const v = liveness(
    [
      { node: 'client 1', requests: 10, completed: 10, down: true },
      { node: 'client 2', requests: 10, completed: 7, down: false },
      { node: 'client 3', requests: 10, completed: 10, down: false },
    ],
    'time-limit at t=60000',
  );
  t.is(v.status, 'fail');
  t.regex(v.detail, /client 2: 7\/10/);
  t.regex(v.detail, /down at the end, not judged: client 1 \(10\/10\)/);
});

test('liveness: with 2 of 3 acceptors crashed for good the failure says no quorum was left', (t) => {
  const cfg = configFrom(`time_limit_ms = 3000
[[crashes]]
node = "acceptor 1"
at_ms = 30
[[crashes]]
node = "acceptor 2"
at_ms = 30
`);
  const v = verdictOf(run(cfg), 'liveness');
  t.is(v.status, 'fail');
  t.regex(v.detail, /crashed for good: acceptor 1, acceptor 2/);
  t.regex(v.detail, /leader 1 cannot reach a quorum of acceptors: 1 of 3 up and reachable \(acceptor 3\), 2 needed/);
});

test('liveness: a partition that never heals is named in the failure', (t) => {
  const cfg = configFrom(`time_limit_ms = 2000
[[partitions]]
start_ms = 10
groups = [["leader 1"]]
`);
  const result = run(cfg);
  t.is(result.summary.reason, 'time-limit');
  const v = verdictOf(result, 'liveness');
  t.is(v.status, 'fail');
  t.regex(v.detail, /partition still active: \{leader 1\} \| rest/);
  t.regex(v.detail, /the clients cannot reach any leader: the partition cuts client 1, client 2, client 3 off from leader 1/);
  t.regex(v.detail, /leader 1 cannot reach a quorum of acceptors: 0 of 3/);
  t.deepEqual(notOk(result).map((l) => l.split(' ')[0]), ['liveness'], 'every safety check still passes');
});

test('liveness: a merely slow run says so, with the throughput and the keys that change it', (t) => {
  const cfg = configFrom(`time_limit_ms = 400
[topology]
clients = 40
[workload]
requests = 5
timeout_ms = 30
[paxos]
window = 1
`);
  const v = verdictOf(run(cfg), 'liveness');
  t.is(v.status, 'fail');
  t.regex(v.detail, /nothing was down or cut off: the requests were too slow/);
  t.regex(v.detail, /raise paxos\.window/);
  t.regex(v.detail, /clients re-sent requests \d+ time\(s\) after workload\.timeout_ms = 30 ms/);
});

test('liveness: a network that loses every message says so, not that the requests were too slow', (t) => {
  const cfg = configFrom(`time_limit_ms = 2000
[network]
drop_rate = 1.0
`);
  const result = run(cfg);
  const v = verdictOf(result, 'liveness');
  t.is(v.status, 'fail');
  t.is(result.summary.lost, result.summary.sent);
  t.regex(v.detail, new RegExp(`the network lost every message sent \\(${result.summary.sent} of ${result.summary.sent}, network\\.drop_rate = 1\\): nothing could get through$`));
  t.notRegex(v.detail, /too slow|paxos\.window|nothing was down or cut off/);
});

test('liveness: a lossy network that stalls a run is named first, then what else slowed it', (t) => {
  const cfg = configFrom(`time_limit_ms = 3000
[network]
drop_rate = 0.9
`);
  const result = run(cfg);
  const v = verdictOf(result, 'liveness');
  t.is(v.status, 'fail');
  t.true(result.summary.lost > 0 && result.summary.lost < result.summary.sent);
  t.regex(v.detail, /; the network lost \d+ of \d+ messages sent \(\d+%, network\.drop_rate = 0\.9\); nothing was down or cut off, but lost messages cost retries: the requests were too slow/);
});

test('liveness: when a partition that never heals cuts the clients off from every leader, the failure says so first', (t) => {
  const cfg = configFrom(`time_limit_ms = 2000
[topology]
leaders = 2
clients = 2
[[partitions]]
start_ms = 10
groups = [["leader 1", "leader 2", "acceptor 1", "acceptor 2", "acceptor 3", "replica 1", "replica 2"]]
`);
  const v = verdictOf(run(cfg), 'liveness');
  t.is(v.status, 'fail');
  t.regex(v.detail, /partition still active: \{[^}]*\} \| rest; the clients cannot reach any leader: the partition cuts client 1 off from leader 1; client 2 off from leader 2 \(a client sends only to its own leader\), so no request arrives/);
  t.notRegex(v.detail, /cannot reach a quorum/, 'the leaders have their quorum: that is not the problem');
  // Cut off from its own leader only: said as such.
  const one = verdictOf(run(configFrom(`time_limit_ms = 2000
[topology]
leaders = 2
clients = 2
[[partitions]]
start_ms = 10
groups = [["client 1", "client 2", "leader 2"]]
`)), 'liveness');
  t.regex(one.detail, /the partition cuts client 1 off from leader 1: those clients cannot reach their leader/);
});

test('liveness: a client that crashes with a request in flight and restarts completes everything', (t) => {
  const cfg = configFrom(`[topology]
clients = 3
[workload]
requests = 8
[[crashes]]
node = "client 2"
at_ms = 12
restart_ms = 300
`);
  const result = run(cfg);
  t.deepEqual(notOk(result), []);
  t.is(completedOf(result), 24);
  const resumed = result.trace.find((e) => e.kind === 'note' && e.node === 'client 2' && e.text.startsWith('RESUME'));
  t.truthy(resumed, 'the in-flight request was re-sent after the restart');
  // One operation per request: the re-sent request is not a second invocation.
  t.is(historyEvents(result).filter((e) => e.type === 'invoke').length, 24);
});

// ---- linearizability: unknown is never FAIL; the judge never throws ---------------------------

test('run: when the search runs out of steps the verdict is unknown, exit 3, never FAIL', (t) => {
  const r = mpkv('run', configPath('default.toml'), '--check-steps', '1', '--no-witness');
  t.is(r.status, 3, r.stderr);
  t.regex(r.stdout, /linearizability\s+unknown\s+15 operation\(s\) over \d key\(s\): could not decide \(the step budget ran out \(1 search steps\); key "\w" was undecided/);
  t.notRegex(r.stdout, /FAIL/);
  t.regex(r.stdout, /no check failed, but 1 could not decide \(unknown\)/);
});

test('run: the verdict does not depend on the machine: the same run, the same verdicts, whatever the pace', (t) => {
  const a = run(config('lossy-network.toml'));
  const b = run(config('lossy-network.toml'));
  t.deepEqual(a.verdicts, b.verdicts);
});

test('judge: a get answered OK without a value (a broken client or store) is judged and explained', (t) => {
  const history = [
    invokeEvent(1, { op: 'put', key: 'a', value: 'val_3' }, 1),
    okEvent(1, { op: 'put', key: 'a', value: 'val_3' }, { ok: true }, 2),
    invokeEvent(2, { op: 'get', key: 'a' }, 3),
    okEvent(2, { op: 'get', key: 'a' }, { ok: true }, 4),
  ];
  const v = linearizabilityJudge(history);
  t.is(v.status, 'fail');
  t.regex(v.detail, /NOT linearizable: GET "a" -> \{"ok":true\} \(process 2, t=3\.\.4\) cannot be placed/);
});

test('judge: an answer meant for another key is shown exactly, not as the same words', (t) => {
  const history = [invokeEvent(1, { op: 'get', key: 'a' }, 1), okEvent(1, { op: 'get', key: 'a' }, { ok: false, error: 'key not found: b' }, 2)];
  const v = linearizabilityJudge(history);
  t.is(v.status, 'fail');
  t.regex(v.detail, /GET "a" -> \{"ok":false,"error":"key not found: b"\} \(process 1, t=1\.\.2\) cannot be placed/);
  t.notRegex(v.detail, /NOT FOUND.*NOT FOUND/, 'never "returned NOT FOUND, but would return NOT FOUND"');
});

test('judge: a client history that is not even well-formed fails, explained', (t) => {
  const v = linearizabilityJudge([okEvent(1, { op: 'get', key: 'a' }, { ok: false, error: 'key not found: a' }, 1)]);
  t.is(v.status, 'fail');
  t.regex(v.detail, /the client history is not well-formed \(event 1: "ok" for process 1, which has no operation outstanding\)/);
});

// ---- replays -------------------------------------------------------------------------------------

test('replay: a replay whose recorded run no longer matches says REPLAY DIVERGED; the header says REPLAY', (t) => {
  const replay = path.join(dir, 'mutant.replay.json');
  const found = mpkv('explore', configPath('mutants/two-leaders.toml'), '--mutant', 'quorum-too-small', '--seed', '1', '--runs', '200', '--out', replay);
  t.is(found.status, 1, found.stdout + found.stderr);
  const faithful = mpkv('run', configPath('mutants/two-leaders.toml'), '--replay', replay);
  t.regex(faithful.stdout.split('\n')[0]!, /^mpkv run .*two-leaders\.toml: multipaxos, seed \d+, mutants: quorum-too-small, REPLAY of .*mutant\.replay\.json$/);
  t.notRegex(faithful.stdout + faithful.stderr, /DIVERGED/);
  const file = JSON.parse(readFileSync(replay, 'utf8')) as { expect: { steps: number } };
  file.expect.steps += 1;
  writeFileSync(replay, JSON.stringify(file));
  const diverged = mpkv('run', configPath('mutants/two-leaders.toml'), '--replay', replay);
  t.regex(diverged.stderr, /REPLAY DIVERGED from .*: \d+ steps where the recorded run took \d+/);
  t.regex(diverged.stdout, /REPLAY DIVERGED/);
});

// ---- hard edges -----------------------------------------------------------------------------------

test('a closed pipe (mpkv run | head -1) ends quietly: exit 0, nothing on stderr', async (t) => {
  const child = spawn(process.execPath, [cli, 'run', configPath('lossy-network.toml'), '--verbose'], { env: { ...process.env, CI: 'true' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.is(code, 0);
  t.is(stderr, '');
});

test('configs/kv_store.toml mirrors the original client: gets and puts only', (t) => {
  const result = run(config('kv_store.toml'));
  const fs = new Set(historyEvents(result).map((e) => e.f));
  t.deepEqual([...fs].sort(), ['get', 'put']);
  t.deepEqual(notOk(result), []);
});

// ---- the log as a witness ------------------------------------------------------------------------

test('linearizability is certified by the log order in a correct run', (t) => {
  const v = verdictOf(run(config('two-leaders.toml')), 'linearizability');
  t.is(v.status, 'ok');
  t.regex(v.detail, /linearizable \(certified by the log order\)$/);
});

test('the log order is checked, never trusted: a wrong one neither hides a violation nor invents one', (t) => {
  const put = { op: 'put', key: 'a', value: 'val_3' } as const;
  const get = { op: 'get', key: 'a' } as const;
  // client 1 puts; client 2's get, called after the put returned, saw the key missing: illegal.
  const stale = [invokeEvent(1, put, 1), okEvent(1, put, { ok: true }, 2), invokeEvent(2, get, 3), okEvent(2, get, { ok: false, error: 'key not found: a' }, 4)];
  const claimsGetFirst = [
    { client: 2, request_id: 1 },
    { client: 1, request_id: 1 },
  ];
  t.is(linearizabilityJudge(stale, claimsGetFirst).status, 'fail', 'a plausible log order does not make it linearizable');
  // The same, but the get saw the value: linearizable, though the given order is wrong.
  const fresh = [...stale.slice(0, 3), okEvent(2, get, { ok: true, value: 'val_3' }, 4)];
  const v = linearizabilityJudge(fresh, claimsGetFirst);
  t.is(v.status, 'ok');
  t.regex(v.detail, /found by search: the log order did not certify it/);
});
