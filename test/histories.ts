/**
 * Test helpers for the checker: random small histories (linearizable or not) for each model,
 * a brute-force linearizability decision to hold the checker to, and the plain model (no
 * fast-path hooks) that the fast paths are compared with.
 */
import fc from 'fast-check';
import type { KvCommand, KvResult } from '../src/kv/kv.js';
import type { Operation } from '../specs/history.js';
import type { Model } from '../specs/model.js';
import type { KvAppendInput, KvAppendOutput } from '../specs/models/kv-append.js';
import type { RegisterInput, RegisterOutput } from '../specs/models/register.js';

/** The model with none of the optional hooks: what the search does without its fast paths. */
export function plain<S, I, O>(model: Model<S, I, O>): Model<S, I, O> {
  const { operationKey: _key, readOnly: _readOnly, enables: _enables, simplify: _simplify, refute: _refute, ...rest } = model;
  return rest;
}

/** The model with only the named hooks kept. */
export function only<S, I, O>(model: Model<S, I, O>, ...hooks: ('operationKey' | 'readOnly' | 'enables' | 'simplify' | 'refute')[]): Model<S, I, O> {
  const kept: Partial<Model<S, I, O>> = {};
  for (const hook of hooks) Object.assign(kept, { [hook]: model[hook] });
  return { ...plain(model), ...kept };
}

/** True when `order` respects real time and every operation fits where it is. */
export function isLinearization<S, I, O>(model: Model<S, I, O>, order: readonly Operation<I, O>[]): boolean {
  let state = model.init();
  let latestCall = -Infinity;
  for (const op of order) {
    if (op.ret < latestCall) return false;
    latestCall = Math.max(latestCall, op.call);
    const step = model.step(state, op.input, op.output);
    if (!step.ok) return false;
    state = step.state;
  }
  return true;
}

/**
 * Decides linearizability by trying every order (per part), with no memo and no pruning but
 * real time: for tiny histories only. Pending operations may be left out (never took effect).
 */
export function bruteForce<S, I, O>(model: Model<S, I, O>, history: readonly Operation<I, O>[]): boolean {
  const parts = model.partition ? model.partition(history) : [history.slice()];
  return parts.every((part) => someOrder(model, part, model.init(), new Set()));
}

function someOrder<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[], state: S, placed: Set<Operation<I, O>>): boolean {
  const left = ops.filter((op) => !placed.has(op));
  if (left.every((op) => op.ret === Infinity)) return true;
  for (const op of left) {
    // op may go next unless another operation left returned before op was called.
    if (left.some((other) => other !== op && other.ret < op.call)) continue;
    const step = model.step(state, op.input, op.output);
    if (!step.ok) continue;
    placed.add(op);
    const found = someOrder(model, ops, step.state, placed);
    placed.delete(op);
    if (found) return true;
  }
  return false;
}

/** Numbers the operations of a drawn history (processes may overlap: the checker does not look). */
interface Drawn<I, O> {
  readonly process: number;
  readonly call: number;
  readonly length: number;
  readonly input: I;
  readonly output: O | undefined;
}

function history<I, O>(drawn: readonly Drawn<I, O>[]): Operation<I, O>[] {
  return drawn.map((d, id) => ({ id, process: d.process, call: d.call, ret: d.output === undefined ? Infinity : d.call + d.length, input: d.input, output: d.output }));
}

const timing = { process: fc.integer({ min: 1, max: 4 }), call: fc.integer({ min: 0, max: 40 }), length: fc.integer({ min: 0, max: 15 }) };

/** Random kv histories over two keys and three values, answers drawn from what the store could say. */
export function kvHistories(maxLength: number): fc.Arbitrary<Operation<KvCommand, KvResult>[]> {
  const key = fc.constantFrom('a', 'b');
  const value = fc.constantFrom('v0', 'v1', 'v2');
  const pending = fc.constant(undefined);
  const op: fc.Arbitrary<Drawn<KvCommand, KvResult>> = fc.oneof(
    fc.record({ ...timing, input: fc.record({ op: fc.constant('put' as const), key, value }), output: fc.oneof({ weight: 8, arbitrary: fc.constantFrom<KvResult | undefined>({ ok: true }, { ok: true }, { ok: false, error: 'exists' }) }, { weight: 1, arbitrary: pending }) }),
    fc.record({ ...timing, input: fc.record({ op: fc.constant('get' as const), key }), output: fc.oneof({ weight: 8, arbitrary: fc.oneof(value.map<KvResult>((v) => ({ ok: true, value: v })), fc.constant<KvResult>({ ok: false, error: 'not found' })) }, { weight: 1, arbitrary: pending }) }),
    fc.record({ ...timing, input: fc.record({ op: fc.constant('delete' as const), key }), output: fc.oneof({ weight: 8, arbitrary: fc.constantFrom<KvResult | undefined>({ ok: true }, { ok: false, error: 'not found' }) }, { weight: 1, arbitrary: pending }) }),
  );
  // The store's exact error texts name the key.
  return fc.array(op, { minLength: 1, maxLength }).map((drawn) =>
    history(
      drawn.map((d) => {
        const output: KvResult | undefined = d.output !== undefined && !d.output.ok ? { ok: false, error: d.output.error === 'exists' ? `key already exists: ${d.input.key}` : `key not found: ${d.input.key}` } : d.output;
        return { ...d, output };
      }),
    ),
  );
}

/** Random register histories over the values 0..2. */
export function registerHistories(maxLength: number): fc.Arbitrary<Operation<RegisterInput, RegisterOutput>[]> {
  const v = fc.integer({ min: 0, max: 2 });
  const op = fc.oneof(
    fc.record({ ...timing, input: fc.constant<RegisterInput>({ f: 'read' }), output: fc.option(fc.option(v, { nil: null }).map<RegisterOutput>((value) => ({ f: 'read', value })), { nil: undefined, freq: 8 }) }),
    fc.record({ ...timing, input: v.map<RegisterInput>((value) => ({ f: 'write', value })), output: fc.option(fc.constant<RegisterOutput>({ f: 'write' }), { nil: undefined, freq: 8 }) }),
    fc.record({ ...timing, input: fc.tuple(v, v).map<RegisterInput>(([from, to]) => ({ f: 'cas', from, to })), output: fc.option(fc.boolean().map<RegisterOutput>((ok) => ({ f: 'cas', ok })), { nil: undefined, freq: 8 }) }),
  );
  return fc.array(op, { minLength: 1, maxLength }).map(history);
}

/** Random kv-append histories over one key: appends of x / y, puts, gets of short strings. */
export function kvAppendHistories(maxLength: number): fc.Arbitrary<Operation<KvAppendInput, KvAppendOutput>[]> {
  const text = fc.constantFrom('', 'x', 'y', 'xy', 'yx', 'xx');
  const op = fc.oneof(
    fc.record({ ...timing, input: fc.constant<KvAppendInput>({ op: 'get', key: 'k' }), output: fc.option(text.map<KvAppendOutput>((value) => ({ value })), { nil: undefined, freq: 8 }) }),
    fc.record({ ...timing, input: fc.constantFrom('x', 'y').map<KvAppendInput>((value) => ({ op: 'append', key: 'k', value })), output: fc.option(fc.constant<KvAppendOutput>({}), { nil: undefined, freq: 8 }) }),
    fc.record({ ...timing, input: fc.constantFrom('', 'x').map<KvAppendInput>((value) => ({ op: 'put', key: 'k', value })), output: fc.option(fc.constant<KvAppendOutput>({}), { nil: undefined, freq: 8 }) }),
  );
  return fc.array(op, { minLength: 1, maxLength }).map(history);
}
