/**
 * Witnesses: an order the caller claims the operations took effect in (for `mpkv run`, the
 * replicated log's). A witness that is a linearization decides the history at once; any other
 * is rejected with a reason and the search decides: a wrong witness never changes a verdict.
 */
import test from 'ava';
import fc from 'fast-check';
import type { KvCommand, KvResult } from '../src/kv/kv.js';
import { serviceKvHistory } from '../specs/generate.js';
import type { Operation } from '../specs/history.js';
import { checkOperations } from '../specs/linearizability.js';
import { witnessByProcess } from '../specs/witness.js';
import { kvModel } from '../specs/models/kv.js';
import { bruteForce, kvHistories, plain } from './histories.js';

type KvOp = Operation<KvCommand, KvResult>;

function op(id: number, process: number, call: number, ret: number | null, input: KvCommand, output?: KvResult): KvOp {
  return { id, process, call, ret: ret ?? Infinity, input, output: ret === null ? undefined : output };
}
const put = (key: string, value: string): KvCommand => ({ op: 'put', key, value });
const get = (key: string): KvCommand => ({ op: 'get', key });
const OK: KvResult = { ok: true };
const value = (v: string): KvResult => ({ ok: true, value: v });

// p1 puts a=1 while p2 reads it, then p3 reads it after both: linearizable as 0, 1, 2.
const concurrent = [op(0, 1, 1, 10, put('a', 'val_1'), OK), op(1, 2, 2, 5, get('a'), value('val_1')), op(2, 3, 11, 12, get('a'), value('val_1'))];

test('the order of application certifies a run of 100 clients in one pass, without a search step', (t) => {
  const run = serviceKvHistory({ seed: 7, clients: 100, requests: 10 });
  const result = checkOperations(kvModel, run.ops, { witness: run.witness });
  t.is(result.verdict, 'ok');
  t.is(result.method, 'witness');
  t.is(result.steps, 0);
  t.is(result.certifiedParts, result.partitions);
  t.is(result.witnessRejected, undefined);
  t.deepEqual(result.linearizations!.flat().map((o) => o.id).sort((a, b) => a - b), run.ops.map((o) => o.id));
});

test('a wrong witness for a linearizable history is rejected for real time, and the search still says ok', (t) => {
  const result = checkOperations(kvModel, concurrent, { witness: [0, 2, 1] });
  t.is(result.verdict, 'ok');
  t.is(result.method, 'search');
  t.regex(result.witnessRejected!, /key "a": p2 GET "a" -> OK "val_1" \(2\.\.5\) is placed after p3 GET "a" -> OK "val_1" \(11\.\.12\), which was called after it returned/);
});

test('a witness in real-time order that the model rejects is rejected by the replay, and the search still says ok', (t) => {
  const result = checkOperations(kvModel, concurrent, { witness: [1, 0, 2] });
  t.is(result.verdict, 'ok');
  t.is(result.method, 'search');
  t.regex(result.witnessRejected!, /replaying the witness, p2 GET "a" -> OK "val_1" \(2\.\.5\) \(number 1 of the part\) does not fit: GET "a" returned OK "val_1", but with "a" absent it would return NOT FOUND/);
});

test('the plausible witness of a history with a stale read (its real order of application) fails, and the verdict is illegal', (t) => {
  const run = serviceKvHistory({ seed: 3, clients: 20, requests: 20, staleReads: 1 });
  t.is(run.staleReads.length, 1);
  const result = checkOperations(kvModel, run.ops, { witness: run.witness });
  t.is(result.verdict, 'illegal');
  t.is(result.method, 'search');
  t.regex(result.witnessRejected!, /replaying the witness, .* does not fit/);
  t.is(result.explanation!.culprit.id, run.staleReads[0]);
});

test('a malformed witness (an unknown operation, one named twice) is rejected as such', (t) => {
  for (const [witness, problem] of [
    [[0, 1, 2, 9], /names operation 9, which is not in the history/],
    [[0, 1, 1, 2], /names operation 1 twice/],
  ] as const) {
    const result = checkOperations(kvModel, concurrent, { witness });
    t.is(result.verdict, 'ok');
    t.is(result.method, 'search');
    t.regex(result.witnessRejected!, problem);
  }
});

test('a witness must list every completed operation, and may leave out a pending one (it never took effect)', (t) => {
  const withPending = [...concurrent, op(3, 4, 3, null, put('a', 'val_9'))];
  const missing = checkOperations(kvModel, withPending, { witness: [0, 1] });
  t.is(missing.method, 'witness+search', 'the search placed the operation the witness left out');
  t.regex(missing.witnessRejected!, /p3 GET "a" -> OK "val_1" \(11\.\.12\) completed but is not in the witness/);
  const pendingLeftOut = checkOperations(kvModel, withPending, { witness: [0, 1, 2] });
  t.is(pendingLeftOut.method, 'witness');
  t.deepEqual(pendingLeftOut.linearizations![0]!.map((o) => o.id), [0, 1, 2, 3]);
});

test('a witness that fits one key but not another certifies that key; the search decides the other', (t) => {
  const ops = [...concurrent, op(3, 4, 1, 2, put('b', 'val_2'), OK), op(4, 5, 3, 4, get('b'), value('val_2'))];
  const result = checkOperations(kvModel, ops, { witness: [4, 3, 0, 1, 2] });
  t.is(result.verdict, 'ok');
  t.is(result.method, 'search');
  t.is(result.certifiedParts, 1);
  t.regex(result.witnessRejected!, /^key "b": /);
});

test('property: any order given as a witness leaves the verdict as it is without one; a certifying one is a real linearization', (t) => {
  let certified = 0;
  fc.assert(
    fc.property(kvHistories(10), fc.infiniteStream(fc.nat()), (ops, draws) => {
      // A random permutation of the operations, with some pending ones dropped.
      const shuffled = ops.map((o) => ({ o, k: draws.next().value })).sort((a, b) => a.k - b.k).map(({ o }) => o);
      // Some operations left out: pending ones (never took effect) and completed ones (reads
      // that never went through the log, say: the search must place them).
      const witness = shuffled.filter(() => draws.next().value % 4 !== 0).map((o) => o.id);
      const result = checkOperations(kvModel, ops, { witness });
      if (result.method === 'witness') certified++;
      const expected = bruteForce(kvModel, ops) ? 'ok' : 'illegal';
      return result.verdict === expected && result.verdict === checkOperations(plain(kvModel), ops).verdict && (result.method === 'search' || expected === 'ok');
    }),
    { numRuns: 2000 },
  );
  t.true(certified > 50, `${certified} certified`);
});

test('a witness can name operations as (process, nth operation of that process), as a run knows its requests', (t) => {
  const run = serviceKvHistory({ seed: 11, clients: 30, requests: 5 });
  const nth = new Map(run.ops.map((o) => [o.id, run.ops.filter((p) => p.process === o.process && p.call < o.call).length]));
  const byRequest = run.witness.map((id) => ({ process: run.ops[id]!.process, nth: nth.get(id)! }));
  t.deepEqual(witnessByProcess(run.ops, byRequest), run.witness);
  t.is(checkOperations(kvModel, run.ops, { witness: witnessByProcess(run.ops, byRequest) }).method, 'witness');
  const wrong = checkOperations(kvModel, run.ops, { witness: witnessByProcess(run.ops, [...byRequest, { process: 99, nth: 0 }]) });
  t.is(wrong.method, 'search');
  t.regex(wrong.witnessRejected!, /^the witness is malformed: it names operation \d+, which is not in the history$/);
});

test('reads the witness leaves out (they never went through the log) are placed by a search that keeps its order', (t) => {
  const run = serviceKvHistory({ seed: 4, clients: 100, requests: 10 });
  const logged = run.witness.filter((id) => run.ops[id]!.input.op !== 'get');
  const result = checkOperations(kvModel, run.ops, { witness: logged });
  t.is(result.verdict, 'ok');
  t.is(result.method, 'witness+search');
  t.regex(result.witnessRejected!, /GET .* completed but is not in the witness$/);
});

test("when no linearization keeps the witness's order, the free search decides, and the rejection says so", (t) => {
  const del: KvCommand = { op: 'delete', key: 'a' };
  // Named: put 1, delete, put 2 (in that order). Left out: a read of 2, then a read of 1.
  // Only put 2, read 2, delete, put 1, read 1 explains them: not the witness's order.
  const ops = [op(0, 1, 1, 20, put('a', 'val_1'), OK), op(1, 2, 1, 20, del, OK), op(2, 3, 1, 20, put('a', 'val_2'), OK), op(3, 4, 2, 3, get('a'), value('val_2')), op(4, 5, 4, 5, get('a'), value('val_1'))];
  const result = checkOperations(kvModel, ops, { witness: [0, 1, 2] });
  t.is(result.verdict, 'ok');
  t.is(result.method, 'search');
  t.regex(result.witnessRejected!, /; and for key "a" no linearization keeps the witness's order of the operations it names$/);
  t.deepEqual(result.linearizations![0]!.map((o) => o.id), [2, 3, 1, 0, 4]);
});
