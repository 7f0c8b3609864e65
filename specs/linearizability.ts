/**
 * The linearizability checker: one entry point, `checkOperations(model, ops, options)`, for
 * every model.
 *
 * A history is linearizable when one order of its operations respects real time (an operation
 * that returned before another was called comes first) and is a legal sequential run of the
 * model (Herlihy & Wing 1990). Per part of the model's partition, tried in this order:
 *
 * 1. **A witness** (`options.witness`): operation ids in the order the caller says they took
 *    effect — `mpkv run` knows it, the replicated log orders every request. It is verified,
 *    never trusted (specs/witness.ts): in linear time, per part, that it is a linearization.
 *    Each part it certifies is decided. A part it does not is first searched *guided* by it:
 *    the operations the witness names keep its order, the others (reads that never went
 *    through the log, say) are placed wherever they fit; only an `ok` of that search counts.
 *    Otherwise the part is searched freely, so a wrong witness costs time, never a verdict.
 *    `result.method` says which (`witness`, `witness+search`, `search`), and
 *    `result.witnessRejected` says in words why the witness did not certify a part.
 * 2. **A refutation** (`Model.refute`, optional): a fast, sound but incomplete check that
 *    finds an operation no linearization can place (for kv: a read no write explains,
 *    specs/models/kv-support.ts). It decides illegal parts whose fault is local at any scale.
 * 3. **A replay**: a part whose operations never overlap has only one order.
 * 4. **The search** (specs/search.ts): Wing & Gong's backtracking with Lowe's memo, as in
 *    Porcupine, over typed arrays, with reductions that keep every verdict (read-only
 *    operations are placed without branching, interchangeable operations are tried once, a
 *    lookahead abandons orders in which some read can never fit again).
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

/**
 * How an `ok` was reached: every part certified by the witness (`witness`); every part either
 * certified or linearized by a search that kept the witness's order and only placed the
 * operations it left out (`witness+search`: reads that never went through the log, say); or
 * by the search (`search`, also for every `illegal` and `unknown`).
 */
export type CheckMethod = 'witness' | 'witness+search' | 'search';

export interface CheckResult<I, O> {
  readonly verdict: Verdict;
  readonly model: string;
  readonly operations: number;
  readonly partitions: number;
  /** Search steps taken over all parts. */
  readonly steps: number;
  /** The most bytes the search's memos held at once. */
  readonly memoBytes?: number;
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
  // Parts the witness did not certify are first searched with its order as a guide.
  const guides = witnessed.map((w) => (w !== undefined && !w.certified && w.order.length > 0 ? w.order : undefined));
  let guided = 0;
  /** Parts where no linearization keeps the witness's order of the operations it names. */
  const unguidable: string[] = [];
  const withGuideNote = <R extends CheckResult<I, O>>(result: R): R =>
    unguidable.length === 0 || result.witnessRejected === undefined
      ? result
      : { ...result, witnessRejected: `${result.witnessRejected}; and for ${unguidable.join(', ')} no linearization keeps the witness's order of the operations it names` };

  // The model's fast refutation first (cheap, and decisive where a search could take forever).
  for (let i = 0; i < parts.length; i++) {
    if (witnessed[i]?.certified) continue;
    const refutation = model.refute?.(parts[i]!);
    if (refutation !== undefined) return { verdict: 'illegal', ...summary, steps: 0, explanation: explainRefutation(model, parts[i]!, i, refutation) };
  }
  // A part whose operations never overlap has one order: replay it (no search needed).
  const replayed = parts.map((ops, i) => (witnessed[i]?.certified ? undefined : replaySequential(model, ops)));
  const stuck = replayed.findIndex((r) => r !== undefined && !r.ok);
  if (stuck >= 0) {
    const r = replayed[stuck] as { ok: false; at: number; order: readonly Operation<I, O>[] };
    return { verdict: 'illegal', ...summary, steps: 0, explanation: explainReplay(model, r.order, stuck, r.at) };
  }
  // Searches start on their part's first turn: an illegal part found early spares the rest.
  const searches: (PartSearch<S, I, O> | undefined)[] = parts.map(() => undefined);
  const searchOf = (i: number): PartSearch<S, I, O> => (searches[i] ??= new PartSearch(model, parts[i]!, memory, guides[i]));
  let active = parts.map((_, i) => i).filter((i) => !witnessed[i]?.certified && replayed[i] === undefined);
  let spent = 0;
  while (active.length > 0) {
    for (const i of active) {
      if (spent >= maxSteps) {
        return withGuideNote({ verdict: 'unknown', ...summary, steps: spent, memoBytes: memory.peak, reason: `the step budget ran out (${maxSteps} search steps); ${hardest(model, active.map(searchOf), active)}` });
      }
      if (deadline.expired()) {
        return withGuideNote({ verdict: 'unknown', ...summary, steps: spent, memoBytes: memory.peak, reason: `the time limit ran out (after ${spent} search steps); ${hardest(model, active.map(searchOf), active)}` });
      }
      const search = searchOf(i);
      const before = search.steps;
      search.advance(Math.min(sliceSteps, maxSteps - spent));
      spent += search.steps - before;
      if (guides[i] !== undefined) {
        // A guided search only decides ok; when it fails or takes long, search without the guide.
        if (search.status === 'ok') {
          guided++;
          search.release();
        } else if (search.status !== 'searching' || search.steps >= guidedSteps(search.ops.length)) {
          if (search.status === 'illegal') unguidable.push(describePart(model, search.ops, i));
          search.release();
          searches[i] = guides[i] = undefined;
        }
        continue;
      }
      if (search.status === 'illegal') {
        const explanation = explainIllegal(model, search, i);
        return withGuideNote({ verdict: 'illegal', ...summary, steps: spent, memoBytes: memory.peak, explanation });
      }
      if (search.status === 'memory') {
        const where = describePart(model, search.ops, i);
        const reason = `the memo of ${where} (${search.ops.length} operations, up to ${search.overlap} overlapping) outgrew the memory cap (${size(memory.cap)}, ${search.memoEntries} entries)`;
        return withGuideNote({ verdict: 'unknown', ...summary, steps: spent, memoBytes: memory.peak, reason });
      }
      if (search.status === 'ok') search.release();
    }
    active = active.filter((i) => searches[i]?.status !== 'ok');
  }
  const linearizations = parts.map((_, i) => {
    const w = witnessed[i];
    const r = replayed[i];
    return w?.certified ? w.linearization : r !== undefined ? r.order : searches[i]!.linearization();
  });
  const method: CheckMethod = options.witness === undefined || certifiedParts + guided < parts.length ? 'search' : guided > 0 ? 'witness+search' : 'witness';
  return withGuideNote({ verdict: 'ok', ...summary, method, steps: spent, memoBytes: memory.peak, linearizations });
}

/** Steps a guided search may take before the part is searched without its guide. */
const guidedSteps = (operations: number): number => Math.max(100_000, 50 * operations);

/** Names the part still searching that has spent the most steps, for an `unknown` reason. */
function hardest<S, I, O>(model: Model<S, I, O>, active: readonly PartSearch<S, I, O>[], indices: readonly number[]): string {
  let worst = 0;
  active.forEach((s, k) => {
    if (s.steps > active[worst]!.steps) worst = k;
  });
  const search = active[worst]!;
  return `${describePart(model, search.ops, indices[worst]!)} was undecided (${search.ops.length} operations, up to ${search.overlap} overlapping)`;
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

type Replay<I, O> = { readonly ok: true; readonly order: readonly Operation<I, O>[] } | { readonly ok: false; readonly order: readonly Operation<I, O>[]; readonly at: number };

/**
 * When no two operations of a part overlap (each returned before the next was called; a
 * pending one can only be last), real time leaves one order: replays it through the model.
 * Undefined when operations overlap (the search decides then).
 */
function replaySequential<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[]): Replay<I, O> | undefined {
  const order = [...ops].sort((a, b) => a.call - b.call || a.id - b.id);
  for (let k = 1; k < order.length; k++) if (!(order[k - 1]!.ret < order[k]!.call)) return undefined;
  let state = model.init();
  for (let k = 0; k < order.length; k++) {
    const step = model.step(state, order[k]!.input, order[k]!.output);
    if (!step.ok) return { ok: false, order, at: k };
    state = step.state;
  }
  return { ok: true, order };
}

/** The explanation of a sequential part whose one order fails at operation `at`. */
function explainReplay<S, I, O>(model: Model<S, I, O>, order: readonly Operation<I, O>[], partition: number, at: number): Explanation<I, O> {
  const prefix = order.slice(0, at);
  let state = model.init();
  for (const op of prefix) state = model.step(state, op.input, op.output).state;
  const culprit = order[at]!;
  const why = model.explainRejection?.(state, culprit.input, culprit.output) ?? defaultRejection(model, state, culprit.input, culprit.output);
  return {
    partition,
    partName: describePart(model, order, partition),
    partitionOps: order,
    prefix,
    stateAfterPrefix: model.describeState(state),
    culprit,
    rejections: [why],
    moreRejections: false,
    placedSomewhere: false,
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
