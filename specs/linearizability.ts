/**
 * The linearizability checker: one search, for every model.
 *
 * The algorithm is Wing & Gong's (1993) backtracking search with Lowe's (2017) memoisation, as
 * Porcupine's `checker.go` implements it:
 *
 * 1. Each operation becomes two entries, its call and its return, in one doubly linked list
 *    sorted by time (at equal times calls come first, so touching intervals count as
 *    concurrent: the permissive reading, which can never turn a linearizable history into an
 *    illegal one).
 * 2. Walk the list from the head. At a call entry, the operation is a candidate to take effect
 *    now: if the model accepts it from the current state, *lift* it (unlink its call and its
 *    return), push (operation, state before it) on a stack, and restart from the head. A return
 *    entry met during the walk is an operation that must already have taken effect but cannot:
 *    *backtrack* — pop the last choice, *unlift* it (relink its entries where they were) and try
 *    the next candidate after it. An empty list is a linearization (the stack); backtracking
 *    with an empty stack means there is none: the history is illegal.
 * 3. Memoise: the search is at (set of linearized operations, model state); reaching a pair it
 *    has seen before cannot lead anywhere new, so that choice is skipped. The set is a bitset
 *    (`Uint32Array`), bucketed by a Zobrist hash (XOR of one random word per operation in the
 *    set) that is updated in O(1) as operations are lifted and unlifted, mixed with a small id
 *    for the model's state key: one set may be reached with thousands of states (orders of
 *    concurrent appends), and scanning them all, as a bucket per set would, dominates.
 *
 * P-compositionality (Horn & Kroening 2015): when the model partitions the history (one part
 * per key), the parts are checked on their own. They are searched round-robin, a slice of steps
 * each, so an illegal part ends the whole check at once even when another part is slow, and a
 * budget is honoured between slices. Running out of budget gives `unknown`, never `ok`.
 *
 * Budget: `max_steps` (search steps over all parts) is deterministic, so the same history gets
 * the same verdict on any machine; nothing here reads a clock. A command may add a wall-clock
 * `deadline` of its own (src/util/budget.ts), and then says so when the verdict is unknown.
 *
 * Memory: the memo cache is the only thing that grows. It is an optimisation, so when one
 * part's cache passes `max_cache_entries`, or its bitsets pass its share of
 * `max_cache_words` (a part of n operations stores n/32 words per entry: for a history of
 * 100,000 operations a million entries were gigabytes), it is dropped and the search goes on
 * without it.
 */
import { noDeadline, type Deadline } from '../src/util/budget.js';
import type { Operation } from './history.js';
import { defaultRejection, type Model } from './model.js';

export type Verdict = 'ok' | 'illegal' | 'unknown';

export interface CheckOptions {
  /** Give up with `unknown` after this many search steps over all parts (deterministic;
   *  default DEFAULT_MAX_STEPS). */
  readonly max_steps?: number;
  /** An extra way to give up (a command's wall-clock limit); none by default. */
  readonly deadline?: Deadline;
  /** Search steps given to one part before moving to the next (default 2,000). */
  readonly slice_steps?: number;
  /** Memo entries one part may hold before its cache is dropped (default 1,000,000). */
  readonly max_cache_entries?: number;
  /** Bitset words all parts' memos may hold together, shared out equally (default 2^23: 32 MB). */
  readonly max_cache_words?: number;
}

/** Why an illegal history is illegal, for `specs/explain.ts` to render. */
export interface Explanation<I, O> {
  /** Index of the illegal part, in the model's partition order. */
  readonly partition: number;
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
}

export interface CheckResult<I, O> {
  readonly verdict: Verdict;
  readonly model: string;
  readonly operations: number;
  readonly partitions: number;
  /** Search steps taken over all parts. */
  readonly steps: number;
  /** When `ok`: a linearization of each part, in partition order. */
  readonly linearizations?: readonly (readonly Operation<I, O>[])[];
  /** When `illegal`. */
  readonly explanation?: Explanation<I, O>;
  /** When `unknown`: what ran out. */
  readonly reason?: string;
}

/** The default step budget: about 15 s of search on one core of the 2-core CI machine (3M steps/s
 *  measured on kv/c50-ok), but the same number of steps, hence the same verdict, everywhere. */
export const DEFAULT_MAX_STEPS = 50_000_000;
const DEFAULT_SLICE_STEPS = 2_000;
const DEFAULT_MAX_CACHE_ENTRIES = 1_000_000;
const DEFAULT_MAX_CACHE_WORDS = 2 ** 23;
/** How many distinct rejecting states an explanation lists per operation. */
const MAX_REJECTIONS = 6;

/** Checks that `history` is linearizable with respect to `model`. */
export function checkOperations<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  options: CheckOptions = {},
): CheckResult<I, O> {
  const deadline = options.deadline ?? noDeadline;
  const maxSteps = options.max_steps ?? DEFAULT_MAX_STEPS;
  const sliceSteps = options.slice_steps ?? DEFAULT_SLICE_STEPS;
  const maxCache = options.max_cache_entries ?? DEFAULT_MAX_CACHE_ENTRIES;
  const parts = model.partition ? model.partition(history) : [history.slice()];
  const wordsEach = (options.max_cache_words ?? DEFAULT_MAX_CACHE_WORDS) / Math.max(1, parts.length);
  const memoFor = (ops: readonly unknown[]): number => Math.max(1, Math.min(maxCache, Math.floor(wordsEach / Math.ceil(Math.max(1, ops.length) / 32))));
  const searches = parts.map((ops) => new PartSearch(model, ops, memoFor(ops)));
  const summary = { model: model.name, operations: history.length, partitions: parts.length };
  const stepsSoFar = (): number => searches.reduce((sum, s) => sum + s.steps, 0);

  let active = searches.filter((s) => s.status === 'searching');
  while (active.length > 0) {
    for (const search of active) {
      const spent = stepsSoFar();
      if (spent >= maxSteps) {
        return { verdict: 'unknown', ...summary, steps: spent, reason: `the step budget ran out (${maxSteps} search steps)` };
      }
      if (deadline.expired()) {
        return { verdict: 'unknown', ...summary, steps: spent, reason: `the time limit ran out (after ${spent} search steps)` };
      }
      search.advance(Math.min(sliceSteps, maxSteps - spent));
      if (search.status === 'illegal') {
        const explanation = explainIllegal(model, search, searches.indexOf(search));
        return { verdict: 'illegal', ...summary, steps: stepsSoFar(), explanation };
      }
    }
    active = active.filter((s) => s.status === 'searching');
  }
  const linearizations = searches.map((s) => s.linearization());
  return { verdict: 'ok', ...summary, steps: stepsSoFar(), linearizations };
}

/** One entry of the linked list: the call or the return of operation `op`. */
interface Entry {
  readonly op: number;
  /** For a call entry, its return entry; null for a return entry. */
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

interface MemoEntry<S> {
  readonly linearized: Uint32Array;
  readonly stateId: number;
  readonly state: S;
}

type PartStatus = 'searching' | 'ok' | 'illegal';

/** The search over one part, resumable so that parts can take turns. */
class PartSearch<S, I, O> {
  status: PartStatus = 'searching';
  steps = 0;
  /** The operations of the longest linearizable prefix found so far, by local index. */
  longest: number[] = [];
  /** Distinct states in which each operation's step was rejected (capped). */
  readonly rejected = new Map<number, S[]>();
  readonly overflowed = new Set<number>();
  /** Operations the model accepted at least once. */
  readonly placed: Uint8Array;

  private readonly head: Entry;
  private entry: Entry | null;
  private state: S;
  private readonly stack: { entry: Entry; state: S }[] = [];
  private readonly linearized: Uint32Array;
  private readonly zobrist: Uint32Array;
  private key = 0;
  /** Hash of (linearized set, state id) -> entries with that hash. */
  private memo = new Map<number, MemoEntry<S>[]>();
  private stateIds = new Map<string | number, number>();
  private memoSize = 0;

  constructor(
    private readonly model: Model<S, I, O>,
    readonly ops: readonly Operation<I, O>[],
    private readonly maxMemo: number,
  ) {
    this.head = linkEntries(ops);
    this.entry = this.head.next;
    this.state = model.init();
    this.linearized = new Uint32Array((ops.length + 31) >>> 5);
    this.zobrist = zobristWords(ops.length);
    this.placed = new Uint8Array(ops.length);
    if (this.head.next === null) this.status = 'ok';
  }

  /** Runs at most `budget` steps; leaves `status` at ok or illegal when the search is over. */
  advance(budget: number): void {
    const { model, ops, head } = this;
    for (let i = 0; i < budget; i++) {
      const entry = this.entry;
      if (head.next === null || entry === null) {
        this.status = 'ok';
        return;
      }
      this.steps++;
      if (entry.match === null) {
        if (!this.backtrack()) return;
        continue;
      }
      const op = ops[entry.op]!;
      const next = model.step(this.state, op.input, op.output);
      if (!next.ok) {
        this.noteRejection(entry.op, this.state);
        this.entry = entry.next;
      } else if (this.remember(entry.op, next.state)) {
        this.placed[entry.op] = 1;
        this.stack.push({ entry, state: this.state });
        this.state = next.state;
        lift(entry);
        this.entry = head.next;
        if (this.stack.length > this.longest.length) this.longest = this.stack.map((s) => s.entry.op);
      } else {
        this.placed[entry.op] = 1;
        this.entry = entry.next;
      }
    }
    if (head.next === null) this.status = 'ok';
  }

  /** The operations in the order the search linearized them (complete once `ok`). */
  linearization(): Operation<I, O>[] {
    return this.stack.map((s) => this.ops[s.entry.op]!);
  }

  /** Undoes the last choice and moves to the next candidate; false when there is none left. */
  private backtrack(): boolean {
    const top = this.stack.pop();
    if (top === undefined) {
      this.status = 'illegal';
      return false;
    }
    this.state = top.state;
    this.flip(top.entry.op);
    unlift(top.entry);
    this.entry = top.entry.next;
    return true;
  }

  /**
   * Marks `op` linearized and records (linearized set, state) in the memo. Returns false, and
   * leaves nothing changed, when the pair was seen before: that choice cannot lead anywhere new.
   */
  private remember(op: number, state: S): boolean {
    this.flip(op);
    const stateId = this.internState(state);
    const key = (this.key ^ Math.imul(stateId + 1, 0x9e3779b1)) >>> 2;
    const bucket = this.memo.get(key);
    if (bucket?.some((m) => m.stateId === stateId && sameWords(m.linearized, this.linearized) && (this.model.equal?.(m.state, state) ?? true))) {
      this.flip(op);
      return false;
    }
    const entry = { linearized: this.linearized.slice(), stateId, state };
    if (bucket) bucket.push(entry);
    else this.memo.set(key, [entry]);
    if (++this.memoSize >= this.maxMemo) this.forget();
    return true;
  }

  /** A small integer per distinct state key, so that memo keys mix the state in cheaply. */
  private internState(state: S): number {
    const stateKey = this.model.hash(state);
    let id = this.stateIds.get(stateKey);
    if (id === undefined) this.stateIds.set(stateKey, (id = this.stateIds.size));
    return id;
  }

  /** Drops the memo: it only prunes the search, so the answer stays right (see module doc). */
  private forget(): void {
    this.memo = new Map();
    this.stateIds = new Map();
    this.memoSize = 0;
  }

  /** Toggles `op` in the linearized set and in its hash. */
  private flip(op: number): void {
    this.linearized[op >>> 5]! ^= 1 << (op & 31);
    this.key = (this.key ^ this.zobrist[op]!) >>> 0;
  }

  private sameState(a: S, b: S): boolean {
    const { model } = this;
    return model.equal ? model.equal(a, b) : model.hash(a) === model.hash(b);
  }

  private noteRejection(op: number, state: S): void {
    const states = this.rejected.get(op) ?? [];
    if (states.some((s) => this.sameState(s, state))) return;
    if (states.length >= MAX_REJECTIONS) {
      this.overflowed.add(op);
      return;
    }
    states.push(state);
    this.rejected.set(op, states);
  }
}

/** Builds the sorted, doubly linked list of call and return entries behind a sentinel head. */
function linkEntries<I, O>(ops: readonly Operation<I, O>[]): Entry {
  type Timed = { entry: Entry; time: number; isCall: boolean };
  const timed: Timed[] = [];
  ops.forEach((op, index) => {
    const ret: Entry = { op: index, match: null, prev: null, next: null };
    const call: Entry = { op: index, match: ret, prev: null, next: null };
    timed.push({ entry: call, time: op.call, isCall: true }, { entry: ret, time: op.ret, isCall: false });
  });
  // At equal times calls go first: the two operations are then concurrent (see module doc).
  timed.sort((a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall) || a.entry.op - b.entry.op || 0);
  const head: Entry = { op: -1, match: null, prev: null, next: null };
  let last = head;
  for (const { entry } of timed) {
    last.next = entry;
    entry.prev = last;
    last = entry;
  }
  return head;
}

/** Unlinks a call entry and its return. */
function lift(call: Entry): void {
  call.prev!.next = call.next;
  call.next!.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

/** Relinks what `lift` unlinked, in reverse order, so the list is exactly as before. */
function unlift(call: Entry): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  call.next!.prev = call;
}

/**
 * One pseudo-random word per operation. A hash mixer (murmur3's finaliser) rather than a
 * linear generator such as xorshift: Zobrist hashing XORs the words together, and the outputs
 * of a linear generator XOR to each other far more often than chance, which fills buckets.
 */
function zobristWords(n: number): Uint32Array {
  const words = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let h = Math.imul(i + 1, 0x9e3779b1);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    words[i] = h >>> 0;
  }
  return words;
}

function sameWords(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Turns the state of an illegal search into an explanation (see `Explanation`). */
function explainIllegal<S, I, O>(model: Model<S, I, O>, search: PartSearch<S, I, O>, partition: number): Explanation<I, O> {
  const ops = search.ops;
  const prefixIds = new Set(search.longest);
  const prefix = search.longest.map((i) => ops[i]!);
  let state = model.init();
  for (const op of prefix) state = model.step(state, op.input, op.output).state;
  const culpritIndex = firstToReturn(ops, prefixIds);
  const culprit = ops[culpritIndex]!;
  const explain = model.explainRejection?.bind(model) ?? ((s: S, i: I, o: O | undefined) => defaultRejection(model, s, i, o));
  const rejections = (search.rejected.get(culpritIndex) ?? []).map((s) => explain(s, culprit.input, culprit.output));
  return {
    partition,
    partitionOps: ops,
    prefix,
    stateAfterPrefix: model.describeState(state),
    culprit,
    rejections,
    moreRejections: search.overflowed.has(culpritIndex),
    placedSomewhere: search.placed[culpritIndex] === 1,
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

