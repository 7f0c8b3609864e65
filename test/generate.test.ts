/**
 * The generator of many-client histories (specs/generate.ts `serviceKvHistory`): seeded and
 * deterministic, as concurrent as real runs of that many clients, and its stale reads are
 * real violations.
 */
import test from 'ava';
import { serviceKvHistory } from '../specs/generate.js';
import { checkOperations } from '../specs/linearizability.js';
import { kvModel } from '../specs/models/kv.js';

/** The most operations of one key open at once. */
function overlapPerKey(ops: readonly { call: number; ret: number; input: { key: string } }[]): number {
  let most = 0;
  for (const part of kvModel.partition!(ops as never) as unknown as { call: number; ret: number }[][]) {
    const events = part.flatMap((op) => [
      [op.call, 1],
      [op.ret, -1],
    ]);
    events.sort((a, b) => a[0]! - b[0]! || b[1]! - a[1]!);
    let open = 0;
    for (const [, delta] of events) most = Math.max(most, (open += delta!));
  }
  return most;
}

test('the same seed gives the same history, another seed another one', (t) => {
  const a = serviceKvHistory({ seed: 5, clients: 20, requests: 5, lostReplies: 0.05, staleReads: 2 });
  const b = serviceKvHistory({ seed: 5, clients: 20, requests: 5, lostReplies: 0.05, staleReads: 2 });
  const c = serviceKvHistory({ seed: 6, clients: 20, requests: 5, lostReplies: 0.05, staleReads: 2 });
  t.deepEqual(a, b);
  t.notDeepEqual(a.ops, c.ops);
  t.is(a.ops.length, 100);
  t.is(a.witness.length, 100);
});

test('each client makes its requests one at a time, and lost replies leave operations pending', (t) => {
  const run = serviceKvHistory({ seed: 2, clients: 30, requests: 10, lostReplies: 0.1 });
  const byProcess = new Map<number, { call: number; ret: number }[]>();
  for (const op of run.ops) byProcess.set(op.process, [...(byProcess.get(op.process) ?? []), op]);
  t.is(byProcess.size, 30);
  for (const ops of byProcess.values()) {
    t.is(ops.length, 10);
    // The next request starts after the previous one's reply, or after it was given up on.
    for (let k = 1; k < ops.length; k++) t.true(ops[k]!.call > ops[k - 1]!.call);
  }
  const pending = run.ops.filter((op) => op.ret === Infinity).length;
  t.true(pending > 5 && pending < 60, `${pending} pending`);
  t.is(checkOperations(kvModel, run.ops, { witness: run.witness }).method, 'witness');
});

test('overlap per key grows with the clients as in real runs: about 30 at 100 clients, 130 at 500', (t) => {
  const overlap = (clients: number): number => overlapPerKey(serviceKvHistory({ seed: 1, clients, requests: 10 }).ops);
  t.true(overlap(10) <= 8, `10 clients: ${overlap(10)}`);
  t.true(overlap(100) >= 25 && overlap(100) <= 45, `100 clients: ${overlap(100)}`);
  t.true(overlap(500) >= 110 && overlap(500) <= 150, `500 clients: ${overlap(500)}`);
});

test('every stale read it makes is a violation the checker finds, and the stale get is the culprit', (t) => {
  for (let seed = 1; seed <= 20; seed++) {
    const run = serviceKvHistory({ seed, clients: 50, requests: 10, staleReads: 1 });
    t.is(run.staleReads.length, 1, `seed ${seed}`);
    const result = checkOperations(kvModel, run.ops);
    t.is(result.verdict, 'illegal', `seed ${seed}`);
    t.is(result.explanation!.culprit.id, run.staleReads[0], `seed ${seed}`);
    t.is(checkOperations(kvModel, serviceKvHistory({ seed, clients: 50, requests: 10 }).ops).verdict, 'ok', `seed ${seed} without stale reads`);
  }
});
