/** Unit tests per role: one machine, driven by hand, its effects inspected. */
import test from 'ava';
import { acceptorMachine, type AcceptorDisk } from '../src/emulations/multipaxos/acceptor.js';
import { leaderMachine } from '../src/emulations/multipaxos/leader.js';
import { replicaMachine } from '../src/emulations/multipaxos/replica.js';
import { correctRules } from '../src/emulations/multipaxos/rules.js';
import type { LogCommand, PValue } from '../src/emulations/multipaxos/messages.js';
import { applyRequest, emptyRsm } from '../src/kv/rsm.js';
import { Driven } from './harness.js';

const put = (client: number, request_id: number, key: string, value: string): LogCommand => ({
  kind: 'request',
  client,
  request_id,
  command: { op: 'put', key, value },
});
const b = (round: number, leader: number) => ({ round, leader });

// ---- acceptor ------------------------------------------------------------------------------

test('acceptor: promises a higher ballot and reports what it accepted', (t) => {
  const a = new Driven(acceptorMachine, { id: 1, rules: correctRules }).start();
  a.deliver('leader 1', { type: 'prepare', ballot: b(1, 1), from_slot: 0 });
  a.deliver('leader 1', { type: 'accept', ballot: b(1, 1), slot: 0, command: put(1, 1, 'a', 'val_1') });
  a.take();
  a.deliver('leader 2', { type: 'prepare', ballot: b(2, 2), from_slot: 0 });
  t.deepEqual(a.take(), [
    { to: 'leader 2', msg: { type: 'promise', ballot: b(2, 2), accepted: [{ slot: 0, ballot: b(1, 1), command: put(1, 1, 'a', 'val_1') }] } },
  ]);
});

test('acceptor: rejects a prepare and an accept below its promise, with a nack', (t) => {
  const a = new Driven(acceptorMachine, { id: 1, rules: correctRules }).start();
  a.deliver('leader 2', { type: 'prepare', ballot: b(2, 2), from_slot: 0 });
  a.take();
  a.deliver('leader 1', { type: 'prepare', ballot: b(1, 1), from_slot: 0 });
  a.deliver('leader 1', { type: 'accept', ballot: b(2, 1), slot: 0, command: put(1, 1, 'a', 'val_1') });
  t.deepEqual(a.take(), [
    { to: 'leader 1', msg: { type: 'nack', ballot: b(1, 1), promised: b(2, 2) } },
    { to: 'leader 1', msg: { type: 'nack', ballot: b(2, 1), promised: b(2, 2) } },
  ]);
  t.is((a.context.accepted as Map<number, PValue>).size, 0);
});

test('acceptor: promised and accepted survive a restart (durable); nothing else does', (t) => {
  const before = new Driven(acceptorMachine, { id: 1, rules: correctRules }).start();
  before.deliver('leader 1', { type: 'prepare', ballot: b(3, 1), from_slot: 0 });
  before.deliver('leader 1', { type: 'accept', ballot: b(3, 1), slot: 4, command: put(2, 1, 'b', 'val_2') });
  const disk = before.lastDisk() as AcceptorDisk;
  const after = new Driven(acceptorMachine, { id: 1, rules: correctRules, disk }).start();
  after.deliver('leader 2', { type: 'prepare', ballot: b(2, 2), from_slot: 0 });
  t.deepEqual(after.take(), [{ to: 'leader 2', msg: { type: 'nack', ballot: b(2, 2), promised: b(3, 1) } }]);
  after.deliver('leader 2', { type: 'prepare', ballot: b(4, 2), from_slot: 0 });
  const [promise] = after.take();
  t.deepEqual(promise!.msg, { type: 'promise', ballot: b(4, 2), accepted: [{ slot: 4, ballot: b(3, 1), command: put(2, 1, 'b', 'val_2') }] });
});

// ---- leader --------------------------------------------------------------------------------

const leaderInput = {
  id: 2,
  acceptors: ['acceptor 1', 'acceptor 2', 'acceptor 3'],
  replicas: ['replica 1'],
  leaders: ['leader 1'],
  paxos: { window: 4, batch: 1, retry_ms: 50, backoff_min_ms: 20, backoff_max_ms: 640, catch_up_ms: 100 },
  rules: correctRules,
};

test('leader: adopts the highest-ballot value per slot from the promises and fills holes with no-ops', (t) => {
  const l = new Driven(leaderMachine, leaderInput).start();
  const prepare = l.take().find((s) => s.msg.type === 'prepare')!.msg;
  t.deepEqual(prepare, { type: 'prepare', ballot: b(1, 2), from_slot: 0 });
  // acceptor 1 accepted slot 0 under 1.1 and slot 3 under 1.1; acceptor 2 accepted slot 0 under a higher ballot.
  l.deliver('acceptor 1', {
    type: 'promise',
    ballot: b(1, 2),
    accepted: [
      { slot: 0, ballot: b(0, 1), command: put(1, 1, 'a', 'old') },
      { slot: 3, ballot: b(0, 1), command: put(1, 2, 'c', 'val_3') },
    ],
  });
  l.deliver('acceptor 2', { type: 'promise', ballot: b(1, 2), accepted: [{ slot: 0, ballot: b(0, 3), command: put(3, 1, 'a', 'new') }] });
  t.is(l.state, 'leading');
  const accepts = l.take().filter((s) => s.msg.type === 'accept' && s.to === 'acceptor 1').map((s) => s.msg);
  t.deepEqual(accepts, [
    { type: 'accept', ballot: b(1, 2), slot: 0, command: put(3, 1, 'a', 'new') },
    { type: 'accept', ballot: b(1, 2), slot: 1, command: { kind: 'noop' } },
    { type: 'accept', ballot: b(1, 2), slot: 2, command: { kind: 'noop' } },
    { type: 'accept', ballot: b(1, 2), slot: 3, command: put(1, 2, 'c', 'val_3') },
  ]);
});

test('leader: a quorum of accepted decides, applies, replies after the apply, and tells the learners', (t) => {
  const l = new Driven(leaderMachine, leaderInput).start();
  l.deliver('acceptor 1', { type: 'promise', ballot: b(1, 2), accepted: [] });
  l.deliver('acceptor 2', { type: 'promise', ballot: b(1, 2), accepted: [] });
  l.take();
  l.deliver('client 1', { type: 'request', client: 1, request_id: 1, command: { op: 'put', key: 'a', value: 'val_1' } });
  t.deepEqual(l.take().map((s) => s.to), ['acceptor 1', 'acceptor 2', 'acceptor 3']);
  l.deliver('acceptor 3', { type: 'accepted', ballot: b(1, 2), slot: 0 });
  t.deepEqual(l.take(), [], 'one accepted is not a quorum');
  l.deliver('acceptor 1', { type: 'accepted', ballot: b(1, 2), slot: 0 });
  t.deepEqual(l.take(), [
    { to: 'replica 1', msg: { type: 'decision', slot: 0, command: put(1, 1, 'a', 'val_1') } },
    { to: 'leader 1', msg: { type: 'decision', slot: 0, command: put(1, 1, 'a', 'val_1') } },
    { to: 'client 1', msg: { type: 'reply', request_id: 1, result: { ok: true } } },
  ]);
});

test('leader: a retried request already applied is answered from the client table, not proposed again', (t) => {
  const l = new Driven(leaderMachine, leaderInput).start();
  l.deliver('acceptor 1', { type: 'promise', ballot: b(1, 2), accepted: [] });
  l.deliver('acceptor 2', { type: 'promise', ballot: b(1, 2), accepted: [] });
  const request = { type: 'request', client: 1, request_id: 1, command: { op: 'put', key: 'a', value: 'val_1' } } as const;
  l.deliver('client 1', request);
  l.deliver('acceptor 1', { type: 'accepted', ballot: b(1, 2), slot: 0 });
  l.deliver('acceptor 2', { type: 'accepted', ballot: b(1, 2), slot: 0 });
  l.take();
  l.deliver('client 1', request);
  t.deepEqual(l.take(), [{ to: 'client 1', msg: { type: 'reply', request_id: 1, result: { ok: true } } }], 'not "key already exists"');
});

test('leader: a nack with a higher ballot preempts it; it backs off, then prepares above that ballot', (t) => {
  const l = new Driven(leaderMachine, leaderInput).start();
  l.deliver('client 1', { type: 'request', client: 1, request_id: 1, command: { op: 'get', key: 'a' } });
  l.deliver('acceptor 1', { type: 'nack', ballot: b(1, 2), promised: b(5, 1) });
  t.deepEqual(l.state, { preempted: 'backingOff' });
  const backoff = l.effects.find((e) => e.type === 'set-timer' && e.timer === 'backoff');
  t.truthy(backoff);
  l.take();
  l.timeout('backoff');
  t.is(l.state, 'preparing');
  t.deepEqual(l.take()[0]!.msg, { type: 'prepare', ballot: b(6, 2), from_slot: 0 });
});

// ---- replica -------------------------------------------------------------------------------

test('replica: applies out-of-order decisions in slot order', (t) => {
  const r = new Driven(replicaMachine, { id: 1, peers: ['leader 1'], catch_up_ms: 100, rules: correctRules }).start();
  r.deliver('leader 1', { type: 'decision', slot: 1, command: put(1, 2, 'a', 'second') });
  t.is(r.context.applied, 0, 'slot 1 waits for slot 0');
  r.deliver('leader 1', { type: 'decision', slot: 0, command: { kind: 'request', client: 1, request_id: 1, command: { op: 'delete', key: 'a' } } });
  t.is(r.context.applied, 2);
  const applied = r.effects.flatMap((e) => (e.type === 'note' && e.fact?.kind === 'apply' ? [e.fact.slot] : []));
  t.deepEqual(applied, [0, 1]);
  t.deepEqual(Object.fromEntries((r.context.rsm as typeof emptyRsm).store), { a: 'second' });
});

test('replica: asks for missed decisions when it sees a gap, and learns them', (t) => {
  const r = new Driven(replicaMachine, { id: 1, peers: ['leader 1'], catch_up_ms: 100, rules: correctRules }).start();
  r.deliver('leader 1', { type: 'decision', slot: 2, command: { kind: 'noop' } });
  r.take();
  r.timeout('catch-up');
  t.deepEqual(r.take(), [{ to: 'leader 1', msg: { type: 'catch-up', from_slot: 0 } }]);
  r.deliver('leader 1', { type: 'decisions', from_slot: 0, entries: [{ slot: 0, command: { kind: 'noop' } }, { slot: 1, command: { kind: 'noop' } }] });
  t.is(r.context.applied, 3);
});

// ---- the replicated state machine ----------------------------------------------------------

test('rsm: a retried request is applied once; its answer is the first one', (t) => {
  const put1 = { op: 'put', key: 'a', value: 'val_1' } as const;
  const first = applyRequest(emptyRsm, 1, 1, put1);
  const retry = applyRequest(first.rsm, 1, 1, put1);
  t.true(first.fresh);
  t.false(retry.fresh);
  t.deepEqual(retry.result, { ok: true });
  t.is(retry.rsm, first.rsm);
  t.deepEqual(applyRequest(first.rsm, 1, 1, put1, false).result, { ok: false, error: 'key already exists: a' }, 'without dedup it would fail');
});

test('replica: a quiet replica asks for missed decisions each tick (a lost tail leaves no gap); a busy one does not', (t) => {
  // Found by `mpkv explore`: a replica restarted after the last decision, or one whose last
  // decisions were lost, never learned them while it waited to see a gap.
  const r = new Driven(replicaMachine, { id: 1, peers: ['leader 1', 'replica 2'], catch_up_ms: 100, rules: correctRules }).start();
  r.take();
  r.timeout('catch-up');
  t.deepEqual(r.take(), [{ to: 'leader 1', msg: { type: 'catch-up', from_slot: 0 } }]);
  r.deliver('replica 2', { type: 'decisions', from_slot: 0, entries: [] });
  r.timeout('catch-up');
  t.deepEqual(r.take(), [{ to: 'replica 2', msg: { type: 'catch-up', from_slot: 0 } }], 'still quiet: asks the next peer');
  r.deliver('leader 1', { type: 'decision', slot: 0, command: { kind: 'noop' } });
  r.timeout('catch-up');
  t.deepEqual(r.take(), [], 'decisions are flowing: no need to ask');
});
