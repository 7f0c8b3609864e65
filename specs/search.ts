/**
 * The search over one part of a history: Wing & Gong's (1993) backtracking with Lowe's (2017)
 * memoisation, as Porcupine's `checker.go` does it, over typed arrays, plus reductions that
 * never change a verdict.
 *
 * The search (see also specs/README.md):
 *
 * 1. Each operation becomes two entries, its call and its return, in one doubly linked list
 *    sorted by time (at equal times calls come first, so touching intervals count as
 *    concurrent: the permissive reading, which can never turn a linearizable history into an
 *    illegal one). Entries are integers: 0 is the head, 1 the tail, 2 + 2i the call of
 *    operation i and 3 + 2i its return; `next` and `prev` are Int32Arrays.
 * 2. Walk the list from the head. The calls met before the first return are the operations
 *    that may take effect now (*callable*). At a call, try the operation: if the model accepts
 *    it, *lift* its two entries out of the list, push it, and start again from the head. A
 *    return entry means that operation should already have taken effect but cannot:
 *    *backtrack* — pop the last choice, relink its entries and try the next candidate after
 *    it. An empty list is a linearization (the stack); backtracking with an empty stack means
 *    there is none.
 * 3. Memoise (set of linearized operations, model state): reaching a pair seen before cannot
 *    lead anywhere new (specs/memo.ts). The set is a bitset, hashed by Zobrist hashing (XOR
 *    of one random word per operation in the set, updated in O(1)), mixed with the state's id.
 *
 * States are interned to small integers, and each (state, operation class) transition is asked
 * of the model once and then read from a table, so a step costs a few array reads.
 *
 * The reductions (each a theorem about linearizations, each property-tested against the search
 * without it, test/checker.fastpaths.test.ts):
 *
 * - **Read-only operations are placed at once.** If a callable operation that never changes the
 *   state (`Model.readOnly`) is accepted in the current state, then whenever some linearization
 *   extends the current prefix, one extends it with that operation next: move it to the front;
 *   the operations it jumps over are not yet placed, so none of them returned before it was
 *   called, and it changes no state they see. So before walking, the search scans the callable
 *   operations for an accepted read-only one and places it as a *forced* move: no alternative
 *   is ever tried in its place, and backtracking over it backtracks further. The walk then only
 *   branches on operations that change the state.
 * - **Interchangeable operations are tried once** (symmetry). Operations of one class
 *   (`Model.operationKey`) step identically. If X and Y are both callable, of one class, and Y
 *   returns before X, then any linearization that places X now and Y later still works with the
 *   two swapped (Y is placed where X was; X goes where Y was, which is no later than Y's return,
 *   hence no later than X's). So of each class, only the callable operation that returns first
 *   is tried: the walk meets it (it is callable) and skips the others.
 * - **Lookahead.** A read-only operation R that the current state rejects can only be placed
 *   after some operation turns the state into one it accepts (`Model.enables`), and such an
 *   operation must be called before R returns, or it comes after R in every order. If none is
 *   left unplaced, R can never be placed: after each state-changing move the search checks
 *   this and abandons the move at once (a stale read is then caught where its value is lost,
 *   not hundreds of operations later at its return). Per reader class only its first member
 *   to return matters (later ones have more candidates), and a class is only looked at while
 *   it is *critical* (its first enabler is called after its first reader returns), which the
 *   lifts and unlifts keep up to date in O(1) per list touched.
 * - The search runs on `Model.simplify(part)`, where the model may merge operations into fewer
 *   classes (the kv model renames values no get reads); `ops` keeps the originals.
 *
 * A step is one entry visited or one backtrack (scans for read-only operations count too), so
 * the budget stays a deterministic measure of work. `advance(n)` runs n steps and can be
 * resumed, so that parts can take turns (see linearizability.ts).
 */
import type { Operation } from './history.js';
import { Memo, type MemoryBudget } from './memo.js';
import type { Model } from './model.js';

export type PartStatus = 'searching' | 'ok' | 'illegal' | 'memory';

/** How many distinct rejecting states an explanation lists per operation. */
const MAX_REJECTIONS = 6;
const HEAD = 0;
const TAIL = 1;
const REJECTED = -1;
const UNKNOWN = -2;

export class PartSearch<S, I, O> {
  status: PartStatus = 'searching';
  steps = 0;
  /** The part's operations, renumbered: completed ones in call order, then pending ones. */
  readonly ops: readonly Operation<I, O>[];
  /** The same, as `Model.simplify` rewrote them: what the search steps the model with. */
  private readonly work: readonly Operation<I, O>[];
  private longestPrefix: number[] = [];
  private deepest = 0;
  /** The most operations that are ever open at once in this part. */
  readonly overlap: number;

  private readonly n: number;
  /** Operations [0, completed) returned; the rest are pending. */
  private readonly completed: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** Per operation: its class, and its neighbours in its class's list of unplaced operations,
   *  sorted by return (class c's list starts at the sentinel n + c). */
  private readonly cls: Int32Array;
  private classPrev = EMPTY;
  private classNext = EMPTY;
  /** All unplaced operations sorted by return (sentinel n): the first is the next to return. */
  private readonly byRetPrev: Int32Array;
  private readonly byRetNext: Int32Array;
  /** Per operation: the position of its call entry in the sorted list. */
  private readonly callRank: Int32Array;
  private readonly readOnly: Int32Array;
  /** Per operation: the position of its return entry in the sorted list. */
  private readonly retRank: Int32Array;
  /** One representative operation per class, to ask the model about the class. */
  private readonly representative: number[] = [];
  /** One random word per operation (a shared table, at least n long). */
  private readonly zobrist: Uint32Array;

  private readonly bits: Uint32Array;
  /** Words [0, pendingFrom) of `bits` hold completed operations, the rest pending ones. */
  private readonly pendingFrom: number;
  private loWord = 0;
  private hiWord = -1;
  private key = 0;
  private readonly memo: Memo;

  private readonly stackOp: Int32Array;
  private readonly stackState: Int32Array;
  private readonly stackForced: Int32Array;
  private depth = 0;
  private state: number;
  /** Scanning for a forced read-only operation (true) or walking the candidates (false). */
  private scanning = true;
  private entry: number;

  private readonly states: S[] = [];
  private readonly stateIds = new Map<string | number, number>();
  private readonly sameKey: number[] = [];
  private readonly transitions = new TransitionTable();

  /**
   * Lookahead (see the module doc). A reader class is *critical* when no unplaced operation
   * that enables it (`Model.enables`) is called before its first unplaced member returns; the
   * critical classes are kept in `critical[0, criticalCount)`. Each reader class's enablers
   * are a list sorted by call (node c is class c's sentinel, nodes above are memberships; an
   * operation's memberships are `memberFrom[op]` .. + `memberCount[op]`).
   */
  private isReader = EMPTY;
  private memberOp = EMPTY;
  private memberClass = EMPTY;
  private memberPrev = EMPTY;
  private memberNext = EMPTY;
  private readonly memberFrom: Int32Array;
  private readonly memberCount: Int32Array;
  private critical = EMPTY;
  private criticalAt = EMPTY;
  private criticalCount = 0;
  /** A reader found doomed at the end of the longest prefix, if that is why it ended (-1: no). */
  private longestDoomed = -1;
  private rootChecked = false;

  /** Per class: distinct states it was rejected in (for explanations), capped. */
  private readonly rejectedIn = new Map<number, number[]>();
  private readonly overflowed = new Set<number>();
  private accepted = EMPTY;

  /**
   * A guided search (`guide`: operations in the order a witness gives them) places those
   * operations only in that order, and the others wherever they fit: it may miss
   * linearizations (so only its `ok` counts), but when the witness is nearly right it finds
   * one at once. Per operation its place in the guide (-1: free), and the next place due.
   */
  private readonly guideAt: Int32Array;
  private guideNext = 0;

  constructor(
    private readonly model: Model<S, I, O>,
    partOps: readonly Operation<I, O>[],
    budget: MemoryBudget,
    guide?: readonly Operation<I, O>[],
  ) {
    // The search runs on the model's simplified part; `ops` keeps the originals, index for index.
    const work = model.simplify ? model.simplify(partOps) : partOps;
    const order = sortedBy(partOps.length, (i) => partOps[i]!.call + (partOps[i]!.ret === Infinity ? PENDING_LAST : 0));
    this.ops = order.map((i) => partOps[i]!);
    this.work = order.map((i) => work[i]!);
    const n = (this.n = this.ops.length);
    let completed = 0;
    while (completed < n && this.ops[completed]!.ret !== Infinity) completed++;
    this.completed = completed;
    this.pendingFrom = (completed + 31) >>> 5;
    const words = this.pendingFrom + ((n - completed + 31) >>> 5);
    this.bits = new Uint32Array(words);
    this.memo = new Memo(budget, this.pendingFrom, words);
    this.zobrist = zobristWords(n);
    // Most parts are small: one allocation for all the per-operation arrays.
    [
      this.next,
      this.prev,
      this.retRank,
      this.callRank,
      this.cls,
      this.byRetPrev,
      this.byRetNext,
      this.readOnly,
      this.stackOp,
      this.stackState,
      this.stackForced,
      this.memberFrom,
      this.memberCount,
    ] = carve([2 * n + 2, 2 * n + 2, n, n, n, n + 1, n + 1, n, n, n, n, n, n]) as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
    this.guideAt = new Int32Array(guide === undefined ? 0 : n).fill(-1);
    if (guide !== undefined) {
      const local = new Map(this.ops.map((op, i) => [op.id, i]));
      guide.forEach((op, k) => this.guideAt[local.get(op.id)!] = k);
    }
    this.overlap = this.link();
    this.classify();
    this.linkEnablers();
    this.state = this.intern(model.init());
    this.entry = this.next[HEAD]!;
    if (n === 0) this.status = 'ok';
  }

  /** Runs at most `budget` steps; leaves `status` at ok, illegal or memory when it is over. */
  advance(budget: number): void {
    const { next } = this;
    if (!this.rootChecked) {
      this.rootChecked = true;
      const doomed = this.doomed();
      if (doomed >= 0) {
        this.longestDoomed = doomed;
        this.status = 'illegal';
        return;
      }
    }
    for (let i = 0; i < budget && this.status === 'searching'; i++) {
      if (next[HEAD] === TAIL) {
        this.status = 'ok';
        return;
      }
      this.steps++;
      const entry = this.entry;
      if (entry === TAIL || (entry & 1) === 1) {
        // The first return of the list (or its end): in a scan, nothing is forced, so walk;
        // in a walk, every candidate has been tried.
        if (this.scanning) {
          this.scanning = false;
          this.entry = next[HEAD]!;
        } else this.backtrack();
        continue;
      }
      const op = (entry - 2) >>> 1;
      if (this.scanning) this.scanStep(op, entry);
      else this.walkStep(op, entry);
    }
    if (this.status === 'searching' && next[HEAD] === TAIL) this.status = 'ok';
  }

  /** The longest linearizable prefix found so far, by local index (for explanations). */
  get longest(): number[] {
    return this.depth >= this.longestPrefix.length ? Array.from(this.stackOp.subarray(0, this.depth)) : this.longestPrefix;
  }

  /** The operations in the order the search linearized them (complete once `ok`). */
  linearization(): Operation<I, O>[] {
    return Array.from(this.stackOp.subarray(0, this.depth), (op) => this.ops[op]!);
  }

  /** The distinct states operation `op`'s class was rejected in, and whether there were more. */
  rejections(op: number): { states: S[]; more: boolean } {
    const c = this.cls[op]!;
    return { states: (this.rejectedIn.get(c) ?? []).map((id) => this.states[id]!), more: this.overflowed.has(c) };
  }

  /** When the longest prefix ended because the lookahead found a reader that can never be
   *  placed after it: that reader (local index); -1 otherwise. */
  get doomedAfterLongest(): number {
    return this.longestDoomed;
  }

  /** Whether the model ever accepted operation `op` (or one of its class) in the search. */
  wasAccepted(op: number): boolean {
    return this.accepted[this.cls[op]!] === 1;
  }

  /** Gives the memo's memory back (the part is decided). */
  release(): void {
    this.memo.release();
  }

  get memoBytes(): number {
    return this.memo.byteSize;
  }

  get memoEntries(): number {
    return this.memo.size;
  }

  /** In a scan: places `op` as a forced move if it is read-only and accepted now. */
  private scanStep(op: number, entry: number): void {
    if (this.readOnly[op] === 0 || this.outOfTurn(op)) {
      this.entry = this.next[entry]!;
      return;
    }
    const after = this.transition(op);
    if (after === REJECTED) {
      this.entry = this.next[entry]!;
      return;
    }
    const before = this.prev[entry]!;
    const added = this.push(op, after, 1);
    // Nothing before `op` in the list was accepted in this (unchanged) state: scan on after it
    // (from the head again when `op` was the guide's: the next one in the guide may be before).
    if (added === 1) this.entry = this.guideAt.length > 0 && this.guideAt[op] !== -1 ? this.next[HEAD]! : this.next[before]!;
    else if (added === 0) this.backtrack(); // the only move worth making here is known to fail
  }

  /** In a walk: tries `op` as the next operation to take effect. */
  private walkStep(op: number, entry: number): void {
    if (this.readOnly[op] === 1 || this.outOfTurn(op) || this.dominated(op)) {
      this.entry = this.next[entry]!;
      return;
    }
    const after = this.transition(op);
    if (after === REJECTED || this.push(op, after, 0) !== 1) {
      this.entry = this.next[entry]!;
      return;
    }
    const doomed = this.doomed();
    if (doomed >= 0) {
      this.backtrack(doomed);
      return;
    }
    this.scanning = true;
    this.entry = this.next[HEAD]!;
  }

  /** In a guided search: `op` is in the guide but not next in it. */
  private outOfTurn(op: number): boolean {
    return this.guideAt.length > 0 && this.guideAt[op] !== -1 && this.guideAt[op] !== this.guideNext;
  }

  /**
   * Linearizes `op` next, leading to state `after`, unless (set + op, after) is in the memo.
   * 1: done; 0: seen before, nothing changed; -1: the memory budget ran out (status memory).
   */
  private push(op: number, after: number, forced: number): 1 | 0 | -1 {
    this.flip(op);
    const hash = (this.key ^ Math.imul(after + 1, 0x9e3779b1)) >>> 0;
    const added = this.memo.add(hash, after, this.bits, this.loWord, this.hiWord);
    if (added !== 1) {
      this.flip(op);
      if (added === -1) this.status = 'memory';
      return added;
    }
    const d = this.depth++;
    this.stackOp[d] = op;
    this.stackState[d] = this.state;
    this.stackForced[d] = forced;
    this.state = after;
    this.lift(op);
    if (this.guideAt.length > 0 && this.guideAt[op] !== -1) this.guideNext++;
    if (this.depth > this.deepest) this.deepest = this.depth;
    return 1;
  }

  /**
   * Undoes choices until one leaves an alternative; the history is illegal when none does.
   * `doomed` is the reader that made the lookahead give up here, if that is why.
   */
  private backtrack(doomed = -1): void {
    for (;;) {
      if (this.depth === 0) {
        this.status = 'illegal';
        return;
      }
      // Leaving the deepest point reached so far: remember that prefix (for explanations).
      if (this.depth === this.deepest && this.deepest > this.longestPrefix.length) {
        this.longestPrefix = Array.from(this.stackOp.subarray(0, this.depth));
        this.longestDoomed = doomed;
      }
      doomed = -1;
      const d = --this.depth;
      const op = this.stackOp[d]!;
      this.state = this.stackState[d]!;
      this.flip(op);
      this.unlift(op);
      if (this.guideAt.length > 0 && this.guideAt[op] !== -1) this.guideNext--;
      // A forced move was the only one worth trying where it was made: that node is dead too.
      if (this.stackForced[d] === 0) {
        this.scanning = false;
        this.entry = this.next[2 + 2 * op]!;
        return;
      }
    }
  }

  /** The state after `op`'s class steps from the current state, or REJECTED. */
  private transition(op: number): number {
    const c = this.cls[op]!;
    const after = this.classStep(c);
    if (after === REJECTED) this.noteRejection(c);
    else this.accepted[c] = 1;
    return after;
  }

  /** The state after class `c` steps from the current state, or REJECTED (asked once). */
  private classStep(c: number): number {
    let after = this.transitions.get(this.state, c);
    if (after === UNKNOWN) {
      const rep = this.work[this.representative[c]!]!;
      const result = this.model.step(this.states[this.state]!, rep.input, rep.output);
      after = result.ok ? this.intern(result.state) : REJECTED;
      this.transitions.set(this.state, c, after);
    }
    return after;
  }

  /** A reader that can never be placed from here (see `critical`), or -1. */
  private doomed(): number {
    for (let i = 0; i < this.criticalCount; i++) {
      const c = this.critical[i]!;
      if (this.classStep(c) === REJECTED) return this.classNext[this.n + c]!;
    }
    return -1;
  }

  /** Re-derives whether reader class `c` is critical, after its lists changed. */
  private updateCritical(c: number): void {
    if (this.isReader[c] === 0) return;
    const first = this.classNext[this.n + c]!;
    const enabler = this.memberNext[c]!;
    const isCritical = first < this.n && (enabler === c || this.callRank[this.memberOp[enabler]!]! > this.retRank[first]!);
    const at = this.criticalAt[c]!;
    if (isCritical && at < 0) {
      this.critical[this.criticalCount] = c;
      this.criticalAt[c] = this.criticalCount++;
    } else if (!isCritical && at >= 0) {
      const last = this.critical[--this.criticalCount]!;
      this.critical[at] = last;
      this.criticalAt[last] = at;
      this.criticalAt[c] = -1;
    }
  }

  private noteRejection(c: number): void {
    const seen = this.rejectedIn.get(c);
    if (seen === undefined) {
      this.rejectedIn.set(c, [this.state]);
      return;
    }
    if (seen.includes(this.state)) return;
    if (seen.length < MAX_REJECTIONS) seen.push(this.state);
    else this.overflowed.add(c);
  }

  /** A small integer per distinct state (by `hash`, then `equal` when the model has one). */
  private intern(state: S): number {
    const key = this.model.hash(state);
    const first = this.stateIds.get(key);
    const equal = this.model.equal;
    const id = this.states.length;
    if (first === undefined) this.stateIds.set(key, id);
    else if (equal === undefined) return first;
    else {
      // States sharing a key are chained through `sameKey`, newest last.
      let at = first;
      for (;;) {
        if (equal(this.states[at]!, state)) return at;
        const next = this.sameKey[at]!;
        if (next === -1) break;
        at = next;
      }
      this.sameKey[at] = id;
    }
    this.states.push(state);
    this.sameKey.push(-1);
    return id;
  }

  /** Toggles `op` in the linearized set, its hash, and the window bounds the memo stores. */
  private flip(op: number): void {
    const w = op >>> 5;
    const bits = this.bits;
    bits[w]! ^= 1 << (op & 31);
    this.key = (this.key ^ this.zobrist[op]!) >>> 0;
    if (w >= this.pendingFrom) return;
    if (bits[w] === 0) {
      if (w === this.hiWord) while (this.hiWord >= 0 && bits[this.hiWord] === 0) this.hiWord--;
    } else if (w > this.hiWord) this.hiWord = w;
    if (w < this.loWord && bits[w] !== 0xffffffff) this.loWord = w;
    else while (this.loWord < this.pendingFrom && bits[this.loWord] === 0xffffffff) this.loWord++;
  }

  /** Unlinks operation `op`'s call and return entries, and `op` from its class's and the return order's lists. */
  private lift(op: number): void {
    const { next, prev, classPrev, classNext, byRetPrev, byRetNext } = this;
    const call = 2 + 2 * op;
    const ret = call + 1;
    next[prev[call]!] = next[call]!;
    prev[next[call]!] = prev[call]!;
    next[prev[ret]!] = next[ret]!;
    prev[next[ret]!] = prev[ret]!;
    classNext[classPrev[op]!] = classNext[op]!;
    classPrev[classNext[op]!] = classPrev[op]!;
    byRetNext[byRetPrev[op]!] = byRetNext[op]!;
    byRetPrev[byRetNext[op]!] = byRetPrev[op]!;
    const { memberPrev, memberNext } = this;
    const from = this.memberFrom[op]!;
    for (let m = from, end = from + this.memberCount[op]!; m < end; m++) {
      memberNext[memberPrev[m]!] = memberNext[m]!;
      memberPrev[memberNext[m]!] = memberPrev[m]!;
      this.updateCritical(this.memberClass[m]!);
    }
    if (this.isReader[this.cls[op]!] === 1) this.updateCritical(this.cls[op]!);
  }

  /** Relinks what `lift` unlinked, in reverse order, so the lists are exactly as before. */
  private unlift(op: number): void {
    const { next, prev, classPrev, classNext, byRetPrev, byRetNext, memberPrev, memberNext } = this;
    const from = this.memberFrom[op]!;
    for (let m = from + this.memberCount[op]! - 1; m >= from; m--) {
      memberPrev[memberNext[m]!] = m;
      memberNext[memberPrev[m]!] = m;
      this.updateCritical(this.memberClass[m]!);
    }
    byRetPrev[byRetNext[op]!] = op;
    byRetNext[byRetPrev[op]!] = op;
    classPrev[classNext[op]!] = op;
    classNext[classPrev[op]!] = op;
    const call = 2 + 2 * op;
    const ret = call + 1;
    next[prev[ret]!] = ret;
    prev[next[ret]!] = ret;
    next[prev[call]!] = call;
    prev[next[call]!] = call;
    if (this.isReader[this.cls[op]!] === 1) this.updateCritical(this.cls[op]!);
  }

  /**
   * Whether a callable operation of `op`'s class returns before it (see the module doc): its
   * class's list is sorted by return, so only the members before `op` need looking at, and one
   * is callable when its call comes before the first return still in the list.
   */
  private dominated(op: number): boolean {
    // In a guided search a sibling may be out of turn: no symmetry there.
    if (this.guideAt.length > 0) return false;
    const { classNext, callRank } = this;
    const firstReturn = this.retRank[this.byRetNext[this.n]!]!;
    for (let y = classNext[this.n + this.cls[op]!]!; y !== op; y = classNext[y]!) if (callRank[y]! < firstReturn) return true;
    return false;
  }

  /**
   * Builds the sorted list of entries between head and tail, and each operation's return rank.
   * Returns the most operations open at once.
   */
  private link(): number {
    const { n, ops } = this;
    // Operations are numbered completed-by-call then pending-by-call: merging the two runs
    // orders the calls; the returns need one sort (pending ones, never returning, go last).
    const calls = mergeByCall(ops, this.completed, n);
    const rets = sortedBy(this.completed, (i) => ops[i]!.ret);
    for (let i = this.completed; i < n; i++) rets.push(i);
    // At equal times calls go first: the two operations are then concurrent (see module doc).
    const order: number[] = [];
    let c = 0;
    let r = 0;
    while (c < n || r < n) {
      if (r === n || (c < n && ops[calls[c]!]!.call <= ops[rets[r]!]!.ret)) order.push(2 + 2 * calls[c++]!);
      else order.push(3 + 2 * rets[r++]!);
    }
    let last = HEAD;
    let open = 0;
    let overlap = 0;
    order.forEach((e, rank) => {
      this.next[last] = e;
      this.prev[e] = last;
      last = e;
      if (e & 1) {
        this.retRank[(e - 2) >>> 1] = rank;
        open--;
      } else {
        this.callRank[(e - 2) >>> 1] = rank;
        overlap = Math.max(overlap, ++open);
      }
    });
    this.next[last] = TAIL;
    this.prev[TAIL] = last;
    this.next[TAIL] = -1;
    this.prev[HEAD] = -1;
    let before = n;
    for (let e = this.next[HEAD]!; e !== TAIL; e = this.next[e]!) {
      if ((e & 1) === 0) continue;
      const op = (e - 2) >>> 1;
      this.byRetNext[before] = op;
      this.byRetPrev[op] = before;
      before = op;
    }
    this.byRetNext[before] = n;
    this.byRetPrev[n] = before;
    return overlap;
  }

  /**
   * Builds each reader class's list of enablers (`Model.enables`, asked once per pair of a
   * writing and a reading class), sorted by call, and the initial critical set.
   */
  private linkEnablers(): void {
    const { model, work, n, representative } = this;
    const classes = representative.length;
    this.criticalAt.fill(-1);
    const readers: number[] = [];
    for (let c = 0; c < classes; c++) if (this.readOnly[representative[c]!] === 1) readers.push(c);
    readers.forEach((c) => (this.isReader[c] = 1));
    const enabled: number[][] = representative.map(() => []);
    if (model.enables !== undefined && readers.length > 0) {
      for (let w = 0; w < classes; w++) {
        if (this.isReader[w] === 1) continue;
        const writer = work[representative[w]!]!;
        for (const r of readers) {
          const reader = work[representative[r]!]!;
          if (model.enables(writer.input, writer.output, reader.input, reader.output)) enabled[w]!.push(r);
        }
      }
    }
    let members = 0;
    for (let op = 0; op < n; op++) members += enabled[this.cls[op]!]!.length;
    const nodes = classes + members;
    [this.memberOp, this.memberClass, this.memberPrev, this.memberNext] = carve([nodes, nodes, nodes, nodes]) as [Int32Array, Int32Array, Int32Array, Int32Array];
    this.memberOp.fill(-1);
    const last = new Int32Array(classes);
    for (let c = 0; c < classes; c++) last[c] = c;
    let m = classes;
    for (let e = this.next[HEAD]!; e !== TAIL; e = this.next[e]!) {
      if (e & 1) continue;
      const op = (e - 2) >>> 1;
      const targets = enabled[this.cls[op]!]!;
      this.memberFrom[op] = m;
      this.memberCount[op] = targets.length;
      for (const r of targets) {
        this.memberOp[m] = op;
        this.memberClass[m] = r;
        this.memberNext[last[r]!] = m;
        this.memberPrev[m] = last[r]!;
        last[r] = m++;
      }
    }
    for (let c = 0; c < classes; c++) {
      this.memberNext[last[c]!] = c;
      this.memberPrev[c] = last[c]!;
    }
    // Without `enables` nothing is known about who can satisfy a reader: no lookahead.
    if (model.enables === undefined) this.isReader.fill(0);
    for (const r of readers) this.updateCritical(r);
  }

  /** Groups the operations into classes (`Model.operationKey`), each class's list sorted by return. */
  private classify(): void {
    const { model, work: ops, n } = this;
    const classOf = new Map<string, number>();
    const members: number[][] = [];
    for (let e = this.next[HEAD]!; e !== TAIL; e = this.next[e]!) {
      if ((e & 1) === 0) continue;
      const op = (e - 2) >>> 1;
      const { input, output } = ops[op]!;
      this.readOnly[op] = model.readOnly?.(input, output) ? 1 : 0;
      const key = model.operationKey?.(input, output);
      let c = key === undefined ? undefined : classOf.get(key);
      if (c === undefined) {
        c = this.representative.length;
        this.representative.push(op);
        members.push([]);
        if (key !== undefined) classOf.set(key, c);
      }
      this.cls[op] = c;
      members[c]!.push(op);
    }
    const classes = members.length;
    [this.classPrev, this.classNext, this.accepted, this.isReader, this.critical, this.criticalAt] = carve([n + classes, n + classes, classes, classes, classes, classes]) as [
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
    ];
    members.forEach((list, c) => {
      let before = n + c;
      for (const op of list) {
        this.classNext[before] = op;
        this.classPrev[op] = before;
        before = op;
      }
      this.classNext[before] = n + c;
      this.classPrev[n + c] = before;
    });
  }
}

/** Local indices in call order (ties by index), merging the runs [0, completed) and [completed, n). */
function mergeByCall<I, O>(ops: readonly Operation<I, O>[], completed: number, n: number): number[] {
  const merged: number[] = [];
  let a = 0;
  let b = completed;
  while (a < completed || b < n) {
    if (b === n || (a < completed && (ops[a]!.call < ops[b]!.call || (ops[a]!.call === ops[b]!.call && a < b)))) merged.push(a++);
    else merged.push(b++);
  }
  return merged;
}


/**
 * (state, class) -> the state after, REJECTED, or UNKNOWN when not asked yet: an open-addressing
 * hash table over Int32Arrays, so that a lookup allocates nothing.
 */
class TransitionTable {
  /** Per slot: state + 1 (0: empty) and class. */
  private keys = new Int32Array(2 * 16);
  private values = new Int32Array(16);
  private mask = 15;
  private size = 0;

  get(state: number, c: number): number {
    const { keys, mask } = this;
    let slot = mix(state, c) & mask;
    for (;;) {
      const k = keys[2 * slot]!;
      if (k === 0) return UNKNOWN;
      if (k === state + 1 && keys[2 * slot + 1] === c) return this.values[slot]!;
      slot = (slot + 1) & mask;
    }
  }

  set(state: number, c: number, value: number): void {
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    this.insert(state + 1, c, value);
    this.size++;
  }

  private insert(k: number, c: number, value: number): void {
    let slot = mix(k - 1, c) & this.mask;
    while (this.keys[2 * slot] !== 0) slot = (slot + 1) & this.mask;
    this.keys[2 * slot] = k;
    this.keys[2 * slot + 1] = c;
    this.values[slot] = value;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.values = new Int32Array(values.length * 2);
    this.mask = values.length * 2 - 1;
    for (let slot = 0; slot < values.length; slot++) if (keys[2 * slot] !== 0) this.insert(keys[2 * slot]!, keys[2 * slot + 1]!, values[slot]!);
  }
}

function mix(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Views of one Int32Array, of the given lengths (zeroed). */
function carve(lengths: readonly number[]): Int32Array[] {
  let total = 0;
  for (const length of lengths) total += length;
  const all = new Int32Array(total);
  const views: Int32Array[] = [];
  let at = 0;
  for (const length of lengths) views.push(all.subarray(at, (at += length)));
  return views;
}

/** Added to a pending operation's call so that it sorts after every completed one. */
const PENDING_LAST = 2 ** 31;
const INDEX_BITS = 2 ** 21;

/**
 * The indices 0..n-1 sorted by `key`, ties by index. Keys that are small non-negative integers
 * (times usually are: line numbers, virtual milliseconds) are packed with their index into one
 * number and sorted natively, which is several times faster than sorting with a comparator;
 * anything else takes the comparator.
 */
function sortedBy(n: number, key: (i: number) => number): number[] {
  const keys = new Float64Array(n);
  let packable = n < INDEX_BITS;
  for (let i = 0; i < n; i++) {
    const k = key(i);
    keys[i] = k;
    if (!(Number.isInteger(k) && k >= 0 && k < 2 ** 32)) packable = false;
  }
  if (!packable) return Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
  for (let i = 0; i < n; i++) keys[i] = keys[i]! * INDEX_BITS + i;
  keys.sort();
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = keys[i]! % INDEX_BITS;
  return order;
}

const EMPTY: Int32Array = new Int32Array(0);

/**
 * One pseudo-random word per operation: a hash mixer (murmur3's finaliser) of the index rather
 * than a linear generator such as xorshift, because Zobrist hashing XORs the words together,
 * and the outputs of a linear generator XOR to each other far more often than chance, which
 * fills buckets. The words depend on the index alone, so one table, grown on demand, serves
 * every part.
 */
let zobristTable = new Uint32Array(0);

function zobristWords(n: number): Uint32Array {
  if (zobristTable.length < n) {
    const words = new Uint32Array(Math.max(n, 2 * zobristTable.length, 1024));
    for (let i = 0; i < words.length; i++) {
      let h = Math.imul(i + 1, 0x9e3779b1);
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      words[i] = h >>> 0;
    }
    zobristTable = words;
  }
  return zobristTable;
}
