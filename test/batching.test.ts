/**
 * Batching (`paxos.batch`): a busy leader packs queued requests into one slot, decided in one
 * accept round and applied in order; every check reads batches (a request inside one is still
 * validated, applied at most once, answered once), and exploration explores batched runs. That
 * every mutant is still caught when slots hold batches is a long search: test/long/batching-mutants.test.ts.
 */
import test from 'ava';
import { agreement, factsOf, integrity, validity } from '../src/emulations/kv/log-checks.js';
import { leaderMachine } from '../src/emulations/multipaxos/leader.js';
import type { Fact, LogCommand, RequestCommand } from '../src/emulations/multipaxos/messages.js';
import { replicaMachine } from '../src/emulations/multipaxos/replica.js';
import { correctRules } from '../src/emulations/multipaxos/rules.js';
import type { TraceEvent } from '../src/sim/trace.js';
import { decided } from './batched.js';
import { config, Driven } from './harness.js';

const request = (client: number, request_id: number, key: string, value: string): RequestCommand => ({
  kind: 'request',
  client,
  request_id,
  command: { op: 'put', key, value },
});
const batch = (...requests: RequestCommand[]): LogCommand => ({ kind: 'batch', requests });
const b = (round: number, leader: number) => ({ round, leader });

// ---- the leader and the learners -----------------------------------------------------------

test('leader: requests that queue while the window is full share the next slot, up to paxos.batch', (t) => {
  const input = {
    id: 1,
    acceptors: ['acceptor 1', 'acceptor 2', 'acceptor 3'],
    replicas: ['replica 1'],
    leaders: [],
    paxos: { window: 1, batch: 3, retry_ms: 50, backoff_min_ms: 20, backoff_max_ms: 640, catch_up_ms: 100 },
    rules: correctRules,
  };
  const l = new Driven(leaderMachine, input).start();
  l.deliver('acceptor 1', { type: 'promise', ballot: b(1, 1), accepted: [] });
  l.deliver('acceptor 2', { type: 'promise', ballot: b(1, 1), accepted: [] });
  l.take();
  for (let c = 1; c <= 5; c++) l.deliver(`client ${c}`, { type: 'request', client: c, request_id: 1, command: { op: 'put', key: `k${c}`, value: `v${c}` } });
  const accepts = (): LogCommand[] => l.take().flatMap((s) => (s.msg.type === 'accept' && s.to === 'acceptor 1' ? [s.msg.command] : []));
  t.deepEqual(accepts(), [request(1, 1, 'k1', 'v1')], 'the window has room for one slot: client 1 alone');
  l.deliver('acceptor 1', { type: 'accepted', ballot: b(1, 1), slot: 0 });
  l.deliver('acceptor 2', { type: 'accepted', ballot: b(1, 1), slot: 0 });
  const sent = l.take();
  t.deepEqual(
    sent.filter((s) => s.msg.type === 'reply').map((s) => s.to),
    ['client 1'],
  );
  t.deepEqual(
    sent.flatMap((s) => (s.msg.type === 'accept' && s.to === 'acceptor 1' ? [s.msg.command] : [])),
    [batch(request(2, 1, 'k2', 'v2'), request(3, 1, 'k3', 'v3'), request(4, 1, 'k4', 'v4'))],
    'slot 1 takes the next three queued requests, in order',
  );
  l.deliver('acceptor 2', { type: 'accepted', ballot: b(1, 1), slot: 1 });
  l.deliver('acceptor 3', { type: 'accepted', ballot: b(1, 1), slot: 1 });
  const after = l.take();
  t.deepEqual(
    after.filter((s) => s.msg.type === 'reply').map((s) => s.to),
    ['client 2', 'client 3', 'client 4'],
    'every request of the batch is answered, after the apply',
  );
  t.deepEqual(
    after.flatMap((s) => (s.msg.type === 'accept' && s.to === 'acceptor 1' ? [s.msg.command] : [])),
    [request(5, 1, 'k5', 'v5')],
    'one request waiting: a slot holds just that request',
  );
});

test('replica: applies a batch in its order, each request through the client table; one apply fact per slot', (t) => {
  const r = new Driven(replicaMachine, { id: 1, peers: ['leader 1'], catch_up_ms: 100, rules: correctRules }).start();
  r.deliver('leader 1', { type: 'decision', slot: 0, command: request(1, 1, 'a', 'first') });
  r.deliver('leader 1', { type: 'decision', slot: 1, command: batch(request(2, 1, 'a', 'second'), request(1, 1, 'a', 'first'), request(3, 1, 'b', 'x')) });
  t.is(r.context.applied, 2);
  const applies = r.facts().filter((f) => f.kind === 'apply');
  t.is(applies.length, 2);
  const slot1 = applies[1]!;
  t.true(slot1.kind === 'apply' && slot1.slot === 1);
  t.deepEqual(slot1.kind === 'apply' ? slot1.outcomes : undefined, [
    { result: { ok: false, error: 'key already exists: a' }, fresh: true },
    { result: { ok: true }, fresh: false },
    { result: { ok: true }, fresh: true },
  ]);
  const store = (r.context.rsm as { store: Map<string, string> }).store;
  t.deepEqual(Object.fromEntries(store), { a: 'first', b: 'x' });
});

// ---- the checks ----------------------------------------------------------------------------

type KvTraceEvent = TraceEvent<never, Fact>;
const note = (t: number, node: string, fact: Fact): KvTraceEvent => ({ t, kind: 'note', node, text: '', fact });
const invoke = (t: number, r: RequestCommand): KvTraceEvent => note(t, `client ${r.client}`, { kind: 'invoke', client: r.client, request_id: r.request_id, command: r.command });

test('validity: a request inside a batch that no client sent fails, naming the batch', (t) => {
  const [x, y] = [request(1, 1, 'a', 'v1'), request(2, 1, 'b', 'v2')];
  const ok = [invoke(1, x), invoke(2, y), note(5, 'leader 1', { kind: 'decide', slot: 0, command: batch(x, y) })];
  t.is(validity(factsOf(ok)).status, 'ok');
  const forged = [invoke(1, x), note(5, 'leader 1', { kind: 'decide', slot: 0, command: batch(x, request(2, 1, 'b', 'v9')) })];
  const v = validity(factsOf(forged));
  t.is(v.status, 'fail');
  t.regex(v.detail, /leader 1 decided PUT "b" = "v9" \(client 2 request 1\) \(in a batch of 2 in slot 0\) at t=5, which no client sent/);
});

test('integrity: a request applied in two batches fails; answered from the client table it does not', (t) => {
  const [x, y, z] = [request(1, 1, 'a', 'v1'), request(2, 1, 'b', 'v2'), request(3, 1, 'c', 'v3')];
  const fresh = { result: { ok: true } as const, fresh: true };
  const twice = [
    note(5, 'replica 1', { kind: 'apply', slot: 0, command: batch(x, y), fresh: true, outcomes: [fresh, fresh] }),
    note(9, 'replica 1', { kind: 'apply', slot: 1, command: batch(z, x), fresh: true, outcomes: [fresh, fresh] }),
  ];
  const v = integrity(factsOf(twice));
  t.is(v.status, 'fail');
  t.regex(v.detail, /replica 1 applied PUT "a" = "v1" \(client 1 request 1\) twice: slot 0 at t=5 and slot 1 at t=9/);
  const skipped = [twice[0]!, note(9, 'replica 1', { kind: 'apply', slot: 1, command: batch(z, x), fresh: true, outcomes: [fresh, { result: { ok: true }, fresh: false }] })];
  t.is(integrity(factsOf(skipped)).status, 'ok');
});

test('agreement: two different batches for one slot fail; the same batch twice does not', (t) => {
  const [x, y] = [request(1, 1, 'a', 'v1'), request(2, 1, 'b', 'v2')];
  const same = [note(5, 'leader 1', { kind: 'decide', slot: 0, command: batch(x, y) }), note(7, 'replica 1', { kind: 'apply', slot: 0, command: batch(x, y), fresh: true })];
  t.is(agreement(factsOf(same)).status, 'ok');
  const reordered = [same[0]!, note(7, 'replica 1', { kind: 'apply', slot: 0, command: batch(y, x), fresh: true })];
  t.is(agreement(factsOf(reordered)).status, 'fail', 'the same requests in another order are another command');
});

// ---- whole runs ----------------------------------------------------------------------------

test('configs/batching.toml: slots hold batches, every check passes, fewer messages per request than without', (t) => {
  const batched = decided(config('batching.toml'));
  t.deepEqual(batched.ok, []);
  t.true(batched.batches > 0 && batched.slots < batched.requests, `${batched.batches} batch(es) in ${batched.slots} slots for ${batched.requests} requests`);
  const base = config('batching.toml');
  const unbatched = decided({ ...base, paxos: { ...base.paxos, batch: 1 } });
  t.deepEqual(unbatched.ok, []);
  t.is(unbatched.batches, 0);
  t.is(unbatched.slots, unbatched.requests);
  // 2 + 2A + R + (L - 1) = 10 messages per request without batching, in the best case.
  t.true(batched.sent / batched.requests < 10, `${(batched.sent / batched.requests).toFixed(2)} messages per request`);
  t.true(batched.sent < unbatched.sent);
});
