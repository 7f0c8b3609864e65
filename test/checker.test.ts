/**
 * Hand-made kv histories, each a small scenario: who called what when, what they saw, and
 * whether some order of the operations explains it all.
 */
import test from 'ava';
import type { KvCommand, KvResult } from '../src/kv/kv.js';
import { countBudget } from '../src/util/budget.js';
import { formatResult } from '../specs/explain.js';
import type { Operation } from '../specs/history.js';
import { checkOperations } from '../specs/linearizability.js';
import { kvModel } from '../specs/models/kv.js';
import { registerModel } from '../specs/models/register.js';
import { plain } from './histories.js';

type KvOp = Operation<KvCommand, KvResult>;

/** One operation: process, [call, ret] (null ret = pending), command, result. */
function op(process: number, call: number, ret: number | null, input: KvCommand, output?: KvResult): Omit<KvOp, 'id'> {
  return { process, call, ret: ret ?? Infinity, input, output: ret === null ? undefined : output };
}
const history = (...ops: Omit<KvOp, 'id'>[]): KvOp[] => ops.map((o, id) => ({ id, ...o }));
const put = (key: string, value: string): KvCommand => ({ op: 'put', key, value });
const get = (key: string): KvCommand => ({ op: 'get', key });
const del = (key: string): KvCommand => ({ op: 'delete', key });
const OK: KvResult = { ok: true };
const value = (v: string): KvResult => ({ ok: true, value: v });
const notFound = (key: string): KvResult => ({ ok: false, error: `key not found: ${key}` });
const exists = (key: string): KvResult => ({ ok: false, error: `key already exists: ${key}` });

/** The kv model without its fast refutation: what the search alone explains. */
const searchOnly = { ...kvModel, refute: undefined };

/**
 * Checks that `ops` is illegal, both by the kv model's refutation and by the search alone, and
 * returns both explanations.
 */
function illegalExplanations(t: import('ava').ExecutionContext, ops: KvOp[]): { refuted: string; searched: string } {
  const refuted = checkOperations(kvModel, ops);
  const searched = checkOperations(searchOnly, ops);
  t.is(refuted.verdict, 'illegal');
  t.is(searched.verdict, 'illegal');
  t.true(refuted.explanation!.refuted);
  t.falsy(searched.explanation!.refuted);
  return { refuted: formatResult(kvModel, refuted), searched: formatResult(kvModel, searched) };
}

test('stale read: a get after a completed put still sees the key absent', (t) => {
  const { refuted, searched } = illegalExplanations(t, history(op(1, 1, 2, put('a', 'val_1'), OK), op(2, 3, 4, get('a'), notFound('a'))));
  t.regex(refuted, /cannot place p2 GET "a" -> NOT FOUND \(3\.\.4\):\n  - it needs "a" absent; no delete of "a" was called before it returned, so it must see the key as it started\n  - but p1 PUT "a" = "val_1" -> OK \(1\.\.2\) returned before it was called/);
  t.regex(searched, /cannot place p2 GET "a" -> NOT FOUND/);
  t.regex(searched, /GET "a" returned NOT FOUND, but with "a" = "val_1" it would return OK "val_1"/);
});

test('lost put: a put reported ok, then a read that never sees it', (t) => {
  const { refuted, searched } = illegalExplanations(
    t,
    history(op(1, 1, 2, put('a', 'val_1'), OK), op(1, 3, 4, get('a'), value('val_1')), op(2, 5, 6, get('a'), notFound('a'))),
  );
  t.regex(refuted, /cannot place p2 GET "a" -> NOT FOUND/);
  t.regex(searched, /cannot place p2 GET "a" -> NOT FOUND/);
  // No two operations overlap: the one order real time allows is replayed, up to the get.
  t.regex(searched, /the longest linearizable prefix has 2:\n  #1 p1 PUT "a" = "val_1" -> OK\n  #2 p1 GET "a" -> OK "val_1"\n  after it: "a" = "val_1"\n/);
});

test('a put applied twice: the second put of the same key reports ok with no delete between', (t) => {
  const { refuted, searched } = illegalExplanations(t, history(op(1, 1, 2, put('a', 'val_1'), OK), op(2, 3, 4, put('a', 'val_2'), OK)));
  t.regex(refuted, /cannot place p2 PUT "a" = "val_2" -> OK \(3\.\.4\):\n  - it needs "a" absent/);
  t.regex(searched, /cannot place p2 PUT "a" = "val_2" -> OK/);
  t.regex(searched, /would return ALREADY EXISTS/);
});

test('a read of a deleted key: the delete completed before the get began', (t) => {
  const { refuted, searched } = illegalExplanations(
    t,
    history(op(1, 1, 2, put('b', 'val_1'), OK), op(1, 3, 4, del('b'), OK), op(2, 5, 6, get('b'), value('val_1'))),
  );
  t.regex(refuted, /it needs "b" = "val_1"; the last write it could see is p1 PUT "b" = "val_1" -> OK \(1\.\.2\)\n  - but p1 DELETE "b" -> OK \(3\.\.4\) comes between them in every order/);
  t.regex(refuted, /\* p1 +3\.\.4 .* DELETE "b" -> OK/);
  t.regex(searched, /cannot place p2 GET "b" -> OK "val_1"/);
  t.regex(searched, /"b" absent/);
});

test('a put reports "key already exists" on a key that cannot exist yet', (t) => {
  const { refuted, searched } = illegalExplanations(t, history(op(1, 1, 2, put('c', 'val_1'), exists('c')), op(2, 3, 4, put('c', 'val_2'), OK)));
  t.regex(refuted, /cannot place p1 PUT "c" = "val_1" -> ALREADY EXISTS \(1\.\.2\):\n  - it needs "c" present, but no put to "c" that succeeded \(or may have\) was called before it returned/);
  t.regex(searched, /cannot place p1 PUT "c" = "val_1" -> ALREADY EXISTS/);
  t.regex(searched, /timeline/);
});

test('a read that nothing left can explain ends the search at once, and says so', (t) => {
  // p3 reads val_1 after the only put of it was deleted; without the refutation, the search's
  // lookahead abandons every order as soon as the delete is placed.
  const ops = history(op(1, 1, 2, put('a', 'val_1'), OK), op(2, 3, 4, del('a'), OK), op(3, 5, 9, get('a'), value('val_1')), op(1, 5, 6, put('a', 'val_2'), OK));
  const result = checkOperations(searchOnly, ops);
  t.is(result.verdict, 'illegal');
  t.true(result.explanation!.unreachable);
  const text = formatResult(kvModel, result);
  t.regex(text, /prefix has 2:\n  #1 p1 PUT "a" = "val_1" -> OK\n  #2 p2 DELETE "a" -> OK\n  after it: the store is empty/);
  t.regex(text, /cannot place p3 GET "a" -> OK "val_1" \(5\.\.9\):\n  - GET "a" returned OK "val_1", but with "a" absent it would return NOT FOUND\n  and no operation left that is called before it returns can change that/);
});

test('a memo that outgrows the memory cap gives unknown, naming the key and its overlap, never a crash', (t) => {
  // 36 concurrent operations and a read of a value nobody wrote: the plain search (no fast
  // paths) must try orders of the others until its memo is full.
  const concurrentOps = [...Array.from({ length: 24 }, (_, i) => op(i + 1, 1, 100, put('k', `val_${i}`), i % 2 ? exists('k') : OK)), ...Array.from({ length: 12 }, (_, i) => op(i + 30, 1, 100, del('k'), OK))];
  const ops = history(...concurrentOps, op(99, 101, 102, get('k'), value('val_nobody')));
  const plainKv = plain(kvModel);
  for (const max_memo_bytes of [1, 256 * 1024]) {
    const result = checkOperations(plainKv, ops, { max_memo_bytes });
    t.is(result.verdict, 'unknown');
    t.regex(result.reason!, /^the memo of key "k" \(37 operations, up to 36 overlapping\) outgrew the memory cap \((1 bytes|256 KiB), \d+ entries\)$/);
  }
  // With every fast path, the kv model refutes it at once.
  t.is(checkOperations(kvModel, ops).verdict, 'illegal');
});

test('concurrent puts and gets that some order explains are linearizable', (t) => {
  const ops = history(
    op(1, 1, 10, put('a', 'val_1'), OK),
    op(2, 2, 5, get('a'), value('val_1')),
    op(3, 3, 4, get('a'), notFound('a')),
    op(4, 6, 12, del('a'), OK),
    op(3, 7, 13, get('a'), notFound('a')),
    op(2, 8, 9, put('b', 'val_2'), OK),
  );
  const result = checkOperations(kvModel, ops);
  t.is(result.verdict, 'ok');
  t.is(result.partitions, 2);
  t.deepEqual(result.linearizations![0]!.map((o) => o.id), [2, 0, 1, 3, 4]);
});

test('a pending put that must have happened explains a later read', (t) => {
  const ops = history(op(1, 1, null, put('a', 'val_7')), op(2, 5, 6, get('a'), value('val_7')));
  t.is(checkOperations(kvModel, ops).verdict, 'ok');
});

test('a pending put that never happens is fine too', (t) => {
  const ops = history(op(1, 1, null, put('a', 'val_7')), op(2, 5, 6, get('a'), notFound('a')), op(2, 7, 8, put('a', 'val_8'), OK));
  t.is(checkOperations(kvModel, ops).verdict, 'ok');
});

test('a pending put cannot take effect before its call', (t) => {
  const ops = history(op(2, 1, 2, get('a'), value('val_7')), op(1, 3, null, put('a', 'val_7')));
  t.is(checkOperations(kvModel, ops).verdict, 'illegal');
});

test('one illegal key ends the check, however many keys are still being searched', (t) => {
  const slow = Array.from({ length: 12 }, (_, i) => op(i + 10, 1, 100, put(`k${i}`, 'v'), OK));
  const ops = history(...slow, op(1, 1, 2, put('a', 'val_1'), OK), op(2, 3, 4, get('a'), notFound('a')));
  const result = checkOperations(kvModel, ops, { slice_steps: 1 });
  t.is(result.verdict, 'illegal');
  t.is(result.explanation!.culprit.id, 13);
});

test('running out of steps gives unknown, never ok, and names the part still undecided', (t) => {
  // Touching intervals are concurrent: a search, not a replay.
  const ops = history(op(1, 1, 2, put('a', 'val_1'), OK), op(2, 2, 4, get('a'), value('val_1')));
  const result = checkOperations(kvModel, ops, { max_steps: 1 });
  t.is(result.verdict, 'unknown');
  t.regex(formatResult(kvModel, result), /^unknown: the step budget ran out \(1 search steps\); key "a" was undecided \(2 operations, up to 2 overlapping\)/);
  t.is(checkOperations(kvModel, ops, { max_steps: 100 }).verdict, 'ok');
});

test("a command's time limit running out gives unknown too, and says it was the time", (t) => {
  const ops = history(op(1, 1, 2, put('a', 'val_1'), OK), op(2, 2, 4, get('a'), value('val_1')));
  const result = checkOperations(kvModel, ops, { deadline: countBudget(0) });
  t.is(result.verdict, 'unknown');
  t.regex(formatResult(kvModel, result), /^unknown: the time limit ran out/);
});

test('the step budget is deterministic: the same history stops at the same step, with the same verdict', (t) => {
  const slow = Array.from({ length: 14 }, (_, i) => op(1 + i, 1, 100, put('a', `v${i}`), i === 0 ? OK : { ok: false, error: 'key already exists: a' }));
  const ops = history(...slow);
  const needed = checkOperations(kvModel, ops).steps;
  t.true(needed > 1);
  const a = checkOperations(kvModel, ops, { max_steps: needed - 1 });
  const b = checkOperations(kvModel, ops, { max_steps: needed - 1 });
  t.is(a.verdict, 'unknown');
  t.deepEqual([a.verdict, a.steps], [b.verdict, b.steps]);
  t.is(checkOperations(kvModel, ops, { max_steps: needed }).verdict, 'ok');
});

test('register: a failed cas must be explained by the value, a timed-out read by nothing', (t) => {
  const write = (process: number, call: number, ret: number, v: number) => ({ process, call, ret, input: { f: 'write', value: v } as const, output: { f: 'write' } as const });
  const cas = (process: number, call: number, ret: number, ok: boolean) => ({ process, call, ret, input: { f: 'cas', from: 1, to: 2 } as const, output: { f: 'cas', ok } as const });
  const timedOutRead = { process: 3, call: 5, ret: 6, input: { f: 'read' } as const, output: undefined };
  const failedWhileOne = [write(1, 1, 2, 1), cas(2, 3, 4, false), timedOutRead].map((o, id) => ({ id, ...o }));
  const failedWhileZero = [write(1, 1, 2, 0), cas(2, 3, 4, false), timedOutRead].map((o, id) => ({ id, ...o }));
  t.is(checkOperations(registerModel, failedWhileOne).verdict, 'illegal');
  t.is(checkOperations(registerModel, failedWhileZero).verdict, 'ok');
});
