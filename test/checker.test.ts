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

function illegalExplanation(t: import('ava').ExecutionContext, ops: KvOp[]): string {
  const result = checkOperations(kvModel, ops);
  t.is(result.verdict, 'illegal');
  return formatResult(kvModel, result);
}

test('stale read: a get after a completed put still sees the key absent', (t) => {
  const text = illegalExplanation(t, history(op(1, 1, 2, put('a', 'val_1'), OK), op(2, 3, 4, get('a'), notFound('a'))));
  t.regex(text, /cannot place p2 GET "a" -> NOT FOUND/);
  t.regex(text, /GET "a" returned NOT FOUND, but with "a" = "val_1" it would return OK "val_1"/);
});

test('lost put: a put reported ok, then a read that never sees it', (t) => {
  const text = illegalExplanation(
    t,
    history(op(1, 1, 2, put('a', 'val_1'), OK), op(1, 3, 4, get('a'), value('val_1')), op(2, 5, 6, get('a'), notFound('a'))),
  );
  t.regex(text, /cannot place p2 GET "a" -> NOT FOUND/);
});

test('a put applied twice: the second put of the same key reports ok with no delete between', (t) => {
  const text = illegalExplanation(t, history(op(1, 1, 2, put('a', 'val_1'), OK), op(2, 3, 4, put('a', 'val_2'), OK)));
  t.regex(text, /cannot place p2 PUT "a" = "val_2" -> OK/);
  t.regex(text, /would return ALREADY EXISTS/);
});

test('a read of a deleted key: the delete completed before the get began', (t) => {
  const text = illegalExplanation(
    t,
    history(op(1, 1, 2, put('b', 'val_1'), OK), op(1, 3, 4, del('b'), OK), op(2, 5, 6, get('b'), value('val_1'))),
  );
  t.regex(text, /cannot place p2 GET "b" -> OK "val_1"/);
  t.regex(text, /"b" absent/);
});

test('a put reports "key already exists" on a key that cannot exist yet', (t) => {
  const text = illegalExplanation(t, history(op(1, 1, 2, put('c', 'val_1'), exists('c')), op(2, 3, 4, put('c', 'val_2'), OK)));
  t.regex(text, /cannot place p1 PUT "c" = "val_1" -> ALREADY EXISTS/);
  t.regex(text, /timeline/);
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
  const ops = history(op(1, 1, 2, put('a', 'val_1'), OK), op(2, 3, 4, get('a'), value('val_1')));
  const result = checkOperations(kvModel, ops, { max_steps: 1 });
  t.is(result.verdict, 'unknown');
  t.regex(formatResult(kvModel, result), /^unknown: the step budget ran out \(1 search steps\); key "a" was undecided \(2 operations, up to 1 overlapping\)/);
  t.is(checkOperations(kvModel, ops, { max_steps: 100 }).verdict, 'ok');
});

test("a command's time limit running out gives unknown too, and says it was the time", (t) => {
  const ops = history(op(1, 1, 2, put('a', 'val_1'), OK), op(2, 3, 4, get('a'), value('val_1')));
  const result = checkOperations(kvModel, ops, { deadline: countBudget(0) });
  t.is(result.verdict, 'unknown');
  t.regex(formatResult(kvModel, result), /^unknown: the time limit ran out/);
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
