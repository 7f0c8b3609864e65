/**
 * A sequential specification as data, after Porcupine's `model.go`: the checker knows nothing
 * about key-value stores or registers, it only asks a model what one operation does to a state.
 *
 * - `init` is the state before any operation;
 * - `step(state, input, output)` says whether the operation could have produced `output`
 *   from `state`, and the state after it. `output === undefined` means the output is unknown,
 *   and `step` must accept it (the operation may have done anything it could do). `step` must
 *   be a pure function of its arguments: the checker calls it once per (state, operation
 *   class) and remembers the answer;
 * - `partition` splits a history into independent sub-histories (one per key) that can be
 *   checked on their own: linearizability is compositional (Herlihy & Wing's locality), so
 *   the whole history is linearizable exactly when every part is;
 * - `hash` gives each state a primitive key: the search interns states by it, so two states
 *   with the same key must be the same state (unless `equal` is given, in which case the key
 *   only buckets and `equal` decides);
 * - the `describe*` functions make explanations a person can read.
 *
 * Two optional hooks let the search skip work without changing any verdict. Both are promises
 * about `step`, and a wrong promise gives wrong verdicts, so each model's hooks are
 * property-tested against the plain search (test/checker.fastpaths.test.ts):
 *
 * - `operationKey(input, output)`: operations with equal keys behave identically in every
 *   state (same acceptance, same next state). Concurrent operations of one class are
 *   interchangeable, so the search tries only one of them at a time (symmetry), and it learns
 *   each (state, class) transition once;
 * - `readOnly(input, output)`: whenever `step` accepts the operation it returns the state
 *   unchanged (a get, a failed put, a failed cas). Such an operation, once callable and
 *   accepted, can be linearized at once without losing any linearization, so the search does
 *   not branch on it;
 * - `enables(writer, reader)`: whether a step of `writer` can turn a state that rejects the
 *   read-only operation `reader` into one that accepts it (true when unsure). When the state
 *   rejects a reader and no unplaced operation called before the reader returns enables it,
 *   the reader can never be placed: the search abandons that order at once (lookahead),
 *   instead of finding out when the reader's return comes up, perhaps hundreds of operations
 *   later and after trying every order of the operations in between;
 * - `refute(part)`: a fast check, sound but incomplete, that finds an operation no
 *   linearization of the part can place (the kv model's: a read that no write can explain,
 *   specs/models/kv-support.ts). When it finds one the part is illegal without a search;
 *   when it finds none the search decides;
 * - `simplify(part)`: the part with operations rewritten (same ids, same times) so that more
 *   of them fall into one class, under a promise: an order of the rewritten operations is a
 *   linearization exactly when the same order of the original ones is. The kv model renames
 *   the values that no get of the part reads to one stand-in value: nothing in the part can tell
 *   them apart, and puts of them become interchangeable.
 */
import type { Operation } from './history.js';

export interface StepResult<S> {
  readonly ok: boolean;
  readonly state: S;
}

/** Why an operation cannot be placed in any linearization of its part (`Model.refute`). */
export interface Refutation<I, O> {
  readonly culprit: Operation<I, O>;
  /** The argument, in words, one line each. */
  readonly reasons: readonly string[];
  /** The other operations the argument names. */
  readonly involved: readonly Operation<I, O>[];
}

export interface Model<S, I, O> {
  readonly name: string;
  init(): S;
  step(state: S, input: I, output: O | undefined): StepResult<S>;
  partition?(ops: readonly Operation<I, O>[]): Operation<I, O>[][];
  hash(state: S): string | number;
  equal?(a: S, b: S): boolean;
  /** Equal keys promise identical steps in every state (see the module doc). */
  operationKey?(input: I, output: O | undefined): string;
  /** True promises that an accepted step never changes the state (see the module doc). */
  readOnly?(input: I, output: O | undefined): boolean;
  /** Whether `writer` can make a state that rejects the read-only `reader` accept it (see the
   *  module doc); must be true whenever that can happen. */
  enables?(writerInput: I, writerOutput: O | undefined, readerInput: I, readerOutput: O | undefined): boolean;
  /** An operation no linearization of `part` can place, if this fast check finds one (see
   *  the module doc); never one when the part is linearizable. */
  refute?(part: readonly Operation<I, O>[]): Refutation<I, O> | undefined;
  /** Rewrites a part without changing which orders linearize it (see the module doc); the
   *  result has the part's length, operation i rewritten from operation i. */
  simplify?(part: readonly Operation<I, O>[]): Operation<I, O>[];
  describeOperation(input: I, output: O | undefined): string;
  describeState(state: S): string;
  /** Names one part of a partition for people, e.g. `key "a"`; the checker has a default. */
  describePart?(ops: readonly Operation<I, O>[]): string;
  /** Why `step(state, input, output)` is rejected, in words; the checker has a default. */
  explainRejection?(state: S, input: I, output: O | undefined): string;
}

/** Partitions by a key of the input, in sorted key order so results are stable. */
export function partitionByKey<I, O>(ops: readonly Operation<I, O>[], keyOf: (input: I) => string): Operation<I, O>[][] {
  const byKey = new Map<string, Operation<I, O>[]>();
  for (const op of ops) {
    const key = keyOf(op.input);
    const list = byKey.get(key);
    if (list) list.push(op);
    else byKey.set(key, [op]);
  }
  return [...byKey.keys()].sort().map((key) => byKey.get(key)!);
}

/** The rejection message used when a model has no `explainRejection`. */
export function defaultRejection<S, I, O>(model: Model<S, I, O>, state: S, input: I, output: O | undefined): string {
  return `${model.describeOperation(input, output)} is impossible when ${model.describeState(state)}`;
}

/** How an explanation or an `unknown` reason names part `index` of the model's partition. */
export function describePart<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[], index: number): string {
  return model.describePart?.(ops) ?? `part ${index + 1}`;
}
