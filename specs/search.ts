/**
 * The search over one part of a history: Wing & Gong's (1993) backtracking with Lowe's (2017)
 * memoisation, as Porcupine's `checker.go` does it, over typed arrays, plus two reductions that
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
 *   hence no later than X's). So X need not be tried when such a Y is callable: the walk skips
 *   X when the nearest not-yet-placed operation of its class called before it returns before
 *   it (that one was met earlier in the same walk, so it is callable and was tried).
 *
 * A step is one entry visited or one backtrack. `advance(n)` runs n steps and can be resumed,
 * so that parts can take turns (see linearizability.ts).
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
  /** The operations of the longest linearizable prefix found so far, by local index. */
  longest: number[] = [];
  /** The most operations that are ever open at once in this part. */
  readonly overlap: number;

  private readonly n: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** Per operation: its class, the neighbours in its class's list of unplaced operations (call order). */
  private readonly cls: Int32Array;
  private readonly classPrev: Int32Array;
  private readonly classNext: Int32Array;
  private readonly readOnly: Uint8Array;
  /** Per operation: the position of its return entry in the sorted list. */
  private readonly retRank: Int32Array;
  /** One representative operation per class, to ask the model about the class. */
  private readonly representative: number[] = [];
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
  private readonly stackForced: Uint8Array;
  private depth = 0;
  private state: number;
  /** Scanning for a forced read-only operation (true) or walking the candidates (false). */
  private scanning = true;
  private entry: number;

  private readonly states: S[] = [];
  private readonly stateIds = new Map<string | number, number>();
  private readonly sameKey: number[] = [];
  private readonly transitions = new TransitionTable();

  /** Per class: distinct states it was rejected in (for explanations), capped. */
  private readonly rejectedIn = new Map<number, number[]>();
  private readonly overflowed = new Set<number>();
  private readonly accepted: Uint8Array;

  constructor(
    private readonly model: Model<S, I, O>,
    partOps: readonly Operation<I, O>[],
    budget: MemoryBudget,
  ) {
    const completed = partOps.filter((op) => op.ret !== Infinity).sort(byCall);
    const pending = partOps.filter((op) => op.ret === Infinity).sort(byCall);
    this.ops = [...completed, ...pending];
    const n = (this.n = this.ops.length);
    this.pendingFrom = (completed.length + 31) >>> 5;
    const words = this.pendingFrom + ((pending.length + 31) >>> 5);
    this.bits = new Uint32Array(words);
    this.memo = new Memo(budget, this.pendingFrom, words);
    this.zobrist = zobristWords(n);
    this.next = new Int32Array(2 * n + 2);
    this.prev = new Int32Array(2 * n + 2);
    this.retRank = new Int32Array(n);
    this.cls = new Int32Array(n);
    this.classPrev = new Int32Array(n).fill(-1);
    this.classNext = new Int32Array(n).fill(-1);
    this.readOnly = new Uint8Array(n);
    this.stackOp = new Int32Array(n);
    this.stackState = new Int32Array(n);
    this.stackForced = new Uint8Array(n);
    this.overlap = this.link();
    this.classify();
    this.accepted = new Uint8Array(this.representative.length);
    this.state = this.intern(model.init());
    this.entry = this.next[HEAD]!;
    if (n === 0) this.status = 'ok';
  }

  /** Runs at most `budget` steps; leaves `status` at ok, illegal or memory when it is over. */
  advance(budget: number): void {
    const { next } = this;
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

  /** The operations in the order the search linearized them (complete once `ok`). */
  linearization(): Operation<I, O>[] {
    return Array.from(this.stackOp.subarray(0, this.depth), (op) => this.ops[op]!);
  }

  /** The distinct states operation `op`'s class was rejected in, and whether there were more. */
  rejections(op: number): { states: S[]; more: boolean } {
    const c = this.cls[op]!;
    return { states: (this.rejectedIn.get(c) ?? []).map((id) => this.states[id]!), more: this.overflowed.has(c) };
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
    if (this.readOnly[op] === 0) {
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
    // Nothing before `op` in the list was accepted in this (unchanged) state: scan on after it.
    if (added === 1) this.entry = this.next[before]!;
    else if (added === 0) this.backtrack(); // the only move worth making here is known to fail
  }

  /** In a walk: tries `op` as the next operation to take effect. */
  private walkStep(op: number, entry: number): void {
    const sibling = this.classPrev[op]!;
    if (this.readOnly[op] === 1 || (sibling >= 0 && this.retRank[sibling]! < this.retRank[op]!)) {
      this.entry = this.next[entry]!;
      return;
    }
    const after = this.transition(op);
    if (after === REJECTED || this.push(op, after, 0) !== 1) {
      this.entry = this.next[entry]!;
      return;
    }
    this.scanning = true;
    this.entry = this.next[HEAD]!;
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
    if (this.depth > this.longest.length) this.longest = Array.from(this.stackOp.subarray(0, this.depth));
    return 1;
  }

  /** Undoes choices until one leaves an alternative; the history is illegal when none does. */
  private backtrack(): void {
    for (;;) {
      if (this.depth === 0) {
        this.status = 'illegal';
        return;
      }
      const d = --this.depth;
      const op = this.stackOp[d]!;
      this.state = this.stackState[d]!;
      this.flip(op);
      this.unlift(op);
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
    let after = this.transitions.get(this.state, c);
    if (after === UNKNOWN) {
      const rep = this.ops[this.representative[c]!]!;
      const result = this.model.step(this.states[this.state]!, rep.input, rep.output);
      after = result.ok ? this.intern(result.state) : REJECTED;
      this.transitions.set(this.state, c, after);
    }
    if (after === REJECTED) this.noteRejection(c);
    else this.accepted[c] = 1;
    return after;
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

  /** Unlinks operation `op`'s call and return entries, and `op` from its class's list. */
  private lift(op: number): void {
    const { next, prev, classPrev, classNext } = this;
    const call = 2 + 2 * op;
    const ret = call + 1;
    next[prev[call]!] = next[call]!;
    prev[next[call]!] = prev[call]!;
    next[prev[ret]!] = next[ret]!;
    prev[next[ret]!] = prev[ret]!;
    const p = classPrev[op]!;
    const q = classNext[op]!;
    if (p >= 0) classNext[p] = q;
    if (q >= 0) classPrev[q] = p;
  }

  /** Relinks what `lift` unlinked, in reverse order, so the lists are exactly as before. */
  private unlift(op: number): void {
    const { next, prev, classPrev, classNext } = this;
    const p = classPrev[op]!;
    const q = classNext[op]!;
    if (p >= 0) classNext[p] = op;
    if (q >= 0) classPrev[q] = op;
    const call = 2 + 2 * op;
    const ret = call + 1;
    next[prev[ret]!] = ret;
    prev[next[ret]!] = ret;
    next[prev[call]!] = call;
    prev[next[call]!] = call;
  }

  /**
   * Builds the sorted list of entries between head and tail, and each operation's return rank.
   * Returns the most operations open at once.
   */
  private link(): number {
    const { n, ops } = this;
    const order = Array.from({ length: 2 * n }, (_, k) => 2 + k);
    const time = (e: number): number => (e & 1 ? ops[(e - 2) >>> 1]!.ret : ops[(e - 2) >>> 1]!.call);
    // At equal times calls go first: the two operations are then concurrent (see module doc).
    order.sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1) || a - b);
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
      } else overlap = Math.max(overlap, ++open);
    });
    this.next[last] = TAIL;
    this.prev[TAIL] = last;
    this.next[TAIL] = -1;
    this.prev[HEAD] = -1;
    return overlap;
  }

  /** Groups the operations into classes (`Model.operationKey`), each class's list in call order. */
  private classify(): void {
    const { model, ops } = this;
    const classOf = new Map<string, number>();
    const lastOfClass: number[] = [];
    for (let e = this.next[HEAD]!; e !== TAIL; e = this.next[e]!) {
      if (e & 1) continue;
      const op = (e - 2) >>> 1;
      const { input, output } = ops[op]!;
      this.readOnly[op] = model.readOnly?.(input, output) ? 1 : 0;
      const key = model.operationKey?.(input, output);
      let c = key === undefined ? undefined : classOf.get(key);
      if (c === undefined) {
        c = this.representative.length;
        this.representative.push(op);
        lastOfClass.push(-1);
        if (key !== undefined) classOf.set(key, c);
      }
      this.cls[op] = c;
      const last = lastOfClass[c]!;
      if (last >= 0) {
        this.classNext[last] = op;
        this.classPrev[op] = last;
      }
      lastOfClass[c] = op;
    }
  }
}

function byCall<I, O>(a: Operation<I, O>, b: Operation<I, O>): number {
  return a.call - b.call || a.id - b.id;
}

/**
 * (state, class) -> the state after, REJECTED, or UNKNOWN when not asked yet: an open-addressing
 * hash table over Int32Arrays, so that a lookup allocates nothing.
 */
class TransitionTable {
  /** Per slot: state + 1 (0: empty) and class. */
  private keys = new Int32Array(2 * 1024);
  private values = new Int32Array(1024);
  private mask = 1023;
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
