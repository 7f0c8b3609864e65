/**
 * The linearizability checker: one entry point, `checkOperations(model, ops, options)`, for
 * every model.
 *
 * A history is linearizable when one order of its operations respects real time (an operation
 * that returned before another was called comes first) and is a legal sequential run of the
 * model (Herlihy & Wing 1990). Two ways to decide it, tried in this order:
 *
 * 1. **A witness** (`options.witness`): operation ids in the order the caller says they took
 *    effect — `mpkv run` knows it, the replicated log orders every request. It is verified,
 *    never trusted (specs/witness.ts): in linear time, per part, that it is a linearization.
 *    Each part it certifies is decided; a part it does not is searched, so a wrong witness
 *    costs time, never a verdict. `result.method` is `witness` when it certified every part,
 *    and `result.witnessRejected` says in words why it did not.
 * 2. **A refutation** (`Model.refute`, optional): a fast, sound but incomplete check that
 *    finds an operation no linearization can place (for kv: a read no write explains,
 *    specs/models/kv-support.ts). It decides illegal parts whose fault is local at any scale.
 * 3. **The search** (specs/search.ts): Wing & Gong's backtracking with Lowe's memo, as in
 *    Porcupine, over typed arrays, with two reductions that keep every verdict (read-only
 *    operations are placed without branching; interchangeable operations are tried once).
 *
 * P-compositionality (Horn & Kroening 2015): when the model partitions the history (one part
 * per key), the parts are checked on their own. They are searched round-robin, a slice of steps
 * each, so an illegal part ends the whole check at once even when another part is slow, and a
 * budget is honoured between slices.
 *
 * Budget, all deterministic, so the same history gets the same verdict on any machine (nothing
 * here reads a clock): `max_steps` search steps over all parts (a step is one list entry
 * visited or one backtrack, see specs/search.ts), and `max_memo_bytes` for the memos alive at
 * once. Running out of either gives `unknown` with the reason, naming the part and how many of
 * its operations overlap — never a wrong `ok`, never an out-of-memory crash. A command may add
 * a wall-clock `deadline` of its own (src/util/budget.ts), and then says so when the verdict is
 * unknown.
 */
import { noDeadline, type Deadline } from '../src/util/budget.js';
import type { Operation } from './history.js';
import { MemoryBudget } from './memo.js';
import { defaultRejection, describePart, type Model, type Refutation } from './model.js';
import { PartSearch } from './search.js';
import { verifyWitness, type PartWitness } from './witness.js';

export type Verdict = 'ok' | 'illegal' | 'unknown';

export interface CheckOptions {
  /** Give up with `unknown` after this many search steps over all parts (deterministic;
   *  default DEFAULT_MAX_STEPS). */
  readonly max_steps?: number;
  /** An extra way to give up (a command's wall-clock limit); none by default. */
  readonly deadline?: Deadline;
  /** Search steps given to one part before moving to the next (default 2,000). */
  readonly slice_steps?: number;
  /** Bytes the search's memos may hold at once before the verdict is `unknown`
   *  (default DEFAULT_MAX_MEMO_BYTES). */
  readonly max_memo_bytes?: number;
  /** Operation ids (`Operation.id`) in the order they took effect; pending operations may be
   *  absent (never took effect). Verified, never trusted (see the module doc). */
  readonly witness?: readonly number[];
}

/** Why an illegal history is illegal, for `specs/explain.ts` to render. */
export interface Explanation<I, O> {
  /** Index of the illegal part, in the model's partition order. */
  readonly partition: number;
  /** The part as people know it (`key "a"`), from `Model.describePart`. */
  readonly partName?: string;
  readonly partitionOps: readonly Operation<I, O>[];
  /** The longest sequence of the part's operations that the search could linearize. */
  readonly prefix: readonly Operation<I, O>[];
  readonly stateAfterPrefix: string;
  /** The operation that must come next (it returned first) but cannot be placed. */
  readonly culprit: Operation<I, O>;
  /** Why the culprit was rejected, one line per distinct state it was tried in. */
  readonly rejections: readonly string[];
  /** True when more distinct rejecting states were seen than are listed. */
  readonly moreRejections: boolean;
  /** True when the culprit was accepted in some state, but every such order failed later. */
  readonly placedSomewhere: boolean;
  /** True when the culprit rejects the state after the prefix and no operation left that is
   *  called before the culprit returns could change that (the lookahead's finding). */
  readonly unreachable?: boolean;
  /** True when the model's fast check refuted the part without a search (`Model.refute`):
   *  `rejections` is then its argument, and `prefix` is empty. */
  readonly refuted?: boolean;
  /** The other operations the argument names (when `refuted`). */
  readonly involved?: readonly Operation<I, O>[];
}

/** How the verdict was reached: every part certified by the witness, or (some) searched. */
export type CheckMethod = 'witness' | 'search';

export interface CheckResult<I, O> {
  readonly verdict: Verdict;
  readonly model: string;
  readonly operations: number;
  readonly partitions: number;
  /** Search steps taken over all parts. */
  readonly steps: number;
  readonly method: CheckMethod;
  /** When a witness was given: how many parts it certified. */
  readonly certifiedParts?: number;
  /** When a witness was given but did not certify every part: why, for the first such part. */
  readonly witnessRejected?: string;
  /** When `ok`: a linearization of each part, in partition order. */
  readonly linearizations?: readonly (readonly Operation<I, O>[])[];
  /** When `illegal`. */
  readonly explanation?: Explanation<I, O>;
  /** When `unknown`: what ran out. */
  readonly reason?: string;
}

/** The default step budget: some seconds of search on one core of the 2-core CI machine, but
 *  the same number of steps, hence the same verdict, everywhere. */
export const DEFAULT_MAX_STEPS = 50_000_000;
/** The default memory cap for the memos alive at once. */
export const DEFAULT_MAX_MEMO_BYTES = 512 * 2 ** 20;
const DEFAULT_SLICE_STEPS = 2_000;

/** Checks that `history` is linearizable with respect to `model` (see the module doc). */
export function checkOperations<S, I, O>(model: Model<S, I, O>, history: readonly Operation<I, O>[], options: CheckOptions = {}): CheckResult<I, O> {
  const deadline = options.deadline ?? noDeadline;
  const maxSteps = options.max_steps ?? DEFAULT_MAX_STEPS;
  const sliceSteps = options.slice_steps ?? DEFAULT_SLICE_STEPS;
  const memory = new MemoryBudget(options.max_memo_bytes ?? DEFAULT_MAX_MEMO_BYTES);
  const parts = model.partition ? model.partition(history) : [history.slice()];
  const witnessed: readonly (PartWitness<I, O> | undefined)[] = options.witness ? verifyWitness(model, parts, options.witness) : parts.map(() => undefined);
  const certifiedParts = witnessed.filter((w) => w?.certified).length;
  const rejected = witnessed.find((w) => w !== undefined && !w.certified);
  const summary = {
    model: model.name,
    operations: history.length,
    partitions: parts.length,
    method: (options.witness && certifiedParts === parts.length ? 'witness' : 'search') as CheckMethod,
    ...(options.witness ? { certifiedParts } : {}),
    ...(rejected !== undefined && !rejected.certified ? { witnessRejected: rejected.reason } : {}),
  };

  // The model's fast refutation first (cheap, and decisive where a search could take forever).
  for (let i = 0; i < parts.length; i++) {
    if (witnessed[i]?.certified) continue;
    const refutation = model.refute?.(parts[i]!);
    if (refutation !== undefined) return { verdict: 'illegal', ...summary, steps: 0, explanation: explainRefutation(model, parts[i]!, i, refutation) };
  }
  const searches = parts.map((ops, i) => (witnessed[i]?.certified ? undefined : new PartSearch(model, ops, memory)));
  const stepsSoFar = (): number => searches.reduce((sum, s) => sum + (s?.steps ?? 0), 0);
  let active = searches.filter((s): s is PartSearch<S, I, O> => s !== undefined && s.status === 'searching');
  while (active.length > 0) {
    for (const search of active) {
      const spent = stepsSoFar();
      if (spent >= maxSteps) {
        return { verdict: 'unknown', ...summary, steps: spent, reason: `the step budget ran out (${maxSteps} search steps); ${hardest(model, searches, active)}` };
      }
      if (deadline.expired()) {
        return { verdict: 'unknown', ...summary, steps: spent, reason: `the time limit ran out (after ${spent} search steps); ${hardest(model, searches, active)}` };
      }
      search.advance(Math.min(sliceSteps, maxSteps - spent));
      if (search.status === 'illegal') {
        const explanation = explainIllegal(model, search, searches.indexOf(search));
        return { verdict: 'illegal', ...summary, steps: stepsSoFar(), explanation };
      }
      if (search.status === 'memory') {
        const where = describePart(model, search.ops, searches.indexOf(search));
        const reason = `the memo of ${where} (${search.ops.length} operations, up to ${search.overlap} overlapping) outgrew the memory cap (${size(memory.cap)}, ${search.memoEntries} entries)`;
        return { verdict: 'unknown', ...summary, steps: stepsSoFar(), reason };
      }
      if (search.status === 'ok') search.release();
    }
    active = active.filter((s) => s.status === 'searching');
  }
  const linearizations = parts.map((_, i) => {
    const w = witnessed[i];
    return w?.certified ? w.linearization : searches[i]!.linearization();
  });
  return { verdict: 'ok', ...summary, steps: stepsSoFar(), linearizations };
}

/** Names the part still searching that has spent the most steps, for an `unknown` reason. */
function hardest<S, I, O>(model: Model<S, I, O>, searches: readonly (PartSearch<S, I, O> | undefined)[], active: readonly PartSearch<S, I, O>[]): string {
  const worst = active.reduce((a, b) => (b.steps > a.steps ? b : a));
  const where = describePart(model, worst.ops, searches.indexOf(worst));
  return `${where} was undecided (${worst.ops.length} operations, up to ${worst.overlap} overlapping)`;
}

const size = (bytes: number): string => (bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(0)} KiB` : `${bytes} bytes`);

/** Turns the state of an illegal search into an explanation (see `Explanation`). */
function explainIllegal<S, I, O>(model: Model<S, I, O>, search: PartSearch<S, I, O>, partition: number): Explanation<I, O> {
  const ops = search.ops;
  const prefixIds = new Set(search.longest);
  const prefix = search.longest.map((i) => ops[i]!);
  let state = model.init();
  for (const op of prefix) state = model.step(state, op.input, op.output).state;
  const explain = model.explainRejection?.bind(model) ?? ((s: S, i: I, o: O | undefined) => defaultRejection(model, s, i, o));
  const common = { partition, partName: describePart(model, ops, partition), partitionOps: ops, prefix, stateAfterPrefix: model.describeState(state) };
  const doomed = search.doomedAfterLongest;
  if (doomed >= 0) {
    // The lookahead ended the prefix: this reader rejects the state after it, and nothing left
    // can change that before the reader returns.
    const culprit = ops[doomed]!;
    return { ...common, culprit, rejections: [explain(state, culprit.input, culprit.output)], moreRejections: false, placedSomewhere: false, unreachable: true };
  }
  const culpritIndex = firstToReturn(ops, prefixIds);
  const culprit = ops[culpritIndex]!;
  const { states, more } = search.rejections(culpritIndex);
  return {
    ...common,
    culprit,
    rejections: states.map((s) => explain(s, culprit.input, culprit.output)),
    moreRejections: more,
    placedSomewhere: search.wasAccepted(culpritIndex),
  };
}

/** The explanation of a part the model refuted without a search (`Model.refute`). */
function explainRefutation<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[], partition: number, refutation: Refutation<I, O>): Explanation<I, O> {
  return {
    partition,
    partName: describePart(model, ops, partition),
    partitionOps: ops,
    prefix: [],
    stateAfterPrefix: model.describeState(model.init()),
    culprit: refutation.culprit,
    rejections: refutation.reasons,
    moreRejections: false,
    placedSomewhere: false,
    refuted: true,
    involved: refutation.involved,
  };
}

/**
 * The operation outside the prefix that returned first: every linearization extending the
 * prefix must place it before anything called after its return, so it is the one that is stuck.
 */
function firstToReturn<I, O>(ops: readonly Operation<I, O>[], exclude: ReadonlySet<number>): number {
  let best = -1;
  ops.forEach((op, i) => {
    if (exclude.has(i)) return;
    const b = ops[best];
    if (b === undefined || op.ret < b.ret || (op.ret === b.ret && op.call < b.call)) best = i;
  });
  return best;
}
