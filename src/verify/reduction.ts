/**
 * Partial-order reduction with sleep sets (Godefroid, "Partial-Order Methods for the
 * Verification of Concurrent Systems", 1996, chapter 5). Steps at different nodes commute: a
 * delivery to one node and a delivery to another reach the same state in either order, so a
 * search need not take both orders. A state's sleep set holds the steps it need not take: at a
 * state expanded with sleep set Z, the steps t1, t2, ... it takes, in order, hand down to the
 * state after ti the steps of Z ∪ {t1 .. ti-1} that are independent of ti — whatever those lead
 * to from there, the same steps in the other order reach from a sibling, already taken.
 *
 * Independence (./model.ts `footprint`): two steps are independent when they happen at
 * different nodes (a drop or duplicate counts as happening at the message's addressee), take or
 * copy different packets, do not spend the same budget (two timer firings, two drops...), are
 * not both crashes or restarts (which may disable each other through [faults] max_crashed), and
 * do not both tell the judge something whose order matters (`Emulation.verify.orderedFacts`;
 * without it, any two steps the judge reads are dependent). Such steps change disjoint parts of
 * the state and never disable each other, in every state where both are enabled.
 *
 * With the visited set: a state found again at the same depth (before it is expanded) keeps
 * the intersection of the sleep sets it was reached with; a state found again at a greater
 * depth is left alone. Breadth first, this explores every state the full search explores, each
 * at its least depth: take a shortest path to a state; sleep sets never prune every path of a
 * class of paths equal up to commuting independent steps (Godefroid's theorem 5.3), so the
 * search without a visited set takes one of the shortest path's class — a path of the same
 * length whose every prefix is a shortest path to its state; by induction on its length, the
 * breadth-first search reaches each of those states at its depth with a sleep set that is a
 * subset of that path's (more is expanded, never less), so it takes each of its steps. The
 * reduction thus saves transitions (and the fingerprints and lookups they cost), not states:
 * the distinct states and the depth of the first violation are those of the full search.
 * (The search's other reductions, leaving out no-op deliveries, `Model.prune`, and taking dead
 * messages out of flight, `Model.dead`, do change the distinct states; test/verify.test.ts checks the verdicts and the depth of the first violation
 * of every mutant with and without both, `--no-reduction`, and pins both counts of every config.)
 */
import { BUDGET_SHIFT, CRASH_CLASS, NO_NODE, ORDERED, type Model } from './model.js';

/** Are two steps, with these footprints and packets, independent? */
export function independent(a: number, packetA: number, b: number, packetB: number): boolean {
  if (a & b & (CRASH_CLASS | ORDERED)) return false;
  const nodeA = a & 0xffff;
  if (nodeA !== NO_NODE && nodeA === (b & 0xffff)) return false;
  if (packetA >= 0 && packetA === packetB) return false;
  const budget = (a >>> BUDGET_SHIFT) & 7;
  return budget === 0 || budget !== ((b >>> BUDGET_SHIFT) & 7);
}

/** The footprints of a state's enabled steps, and the sleep sets they hand down. */
export class Sleeper {
  private footprints = new Int32Array(64);
  private packets = new Int32Array(64);
  private asleep = new Uint8Array(64);
  private steps: Int32Array = new Int32Array(0);

  constructor(private readonly model: Model) {}

  /** Works out the footprints of `count` enabled `steps` of `words`, and which of them are in
   *  sleep set `sleep[from, to)`. */
  prepare(words: Int32Array, steps: Int32Array, count: number, sleep: Int32Array, from: number, to: number): void {
    if (count > this.footprints.length) {
      this.footprints = new Int32Array(count * 2);
      this.packets = new Int32Array(count * 2);
      this.asleep = new Uint8Array(count * 2);
    }
    this.steps = steps;
    for (let i = 0; i < count; i++) {
      const code = steps[i]!;
      this.footprints[i] = this.model.footprint(words, code);
      this.packets[i] = this.model.packetOf(code);
      let sleeping = 0;
      for (let z = from; z < to; z++) if (sleep[z] === code) sleeping = 1;
      this.asleep[i] = sleeping;
    }
  }

  isAsleep(i: number): boolean {
    return this.asleep[i] === 1;
  }

  /** The sleep set the state after step `i` gets, sorted, into `out`; returns its length. */
  handDown(i: number, count: number, out: Int32Array): number {
    const a = this.footprints[i]!;
    const packet = this.packets[i]!;
    let length = 0;
    for (let u = 0; u < count; u++) {
      if (u === i || (u > i && this.asleep[u] === 0)) continue;
      if (!independent(this.footprints[u]!, this.packets[u]!, a, packet)) continue;
      const code = this.steps[u]!;
      let at = length++;
      while (at > 0 && out[at - 1]! > code) {
        out[at] = out[at - 1]!;
        at--;
      }
      out[at] = code;
    }
    return length;
  }
}

/**
 * The sleep sets of one depth's states, by state number (the numbers of one depth are a range:
 * ./store.ts): sorted lists of step codes in one array.
 */
export class SleepSets {
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private codes = new Int32Array(4096);
  private used = 0;
  private base = 0;
  private count = 0;

  /** Forgets every set; the next states are numbered from `base`. */
  reset(base: number): void {
    this.base = base;
    this.count = 0;
    this.used = 0;
  }

  /** The sleep set of the next state (numbered base + count), `length` codes of `codes`. */
  push(codes: Int32Array, length: number): void {
    if (this.count === this.starts.length) {
      this.starts = grow(this.starts);
      this.lengths = grow(this.lengths);
    }
    while (this.used + length > this.codes.length) this.codes = grow(this.codes);
    for (let k = 0; k < length; k++) this.codes[this.used + k] = codes[k]!;
    this.starts[this.count] = this.used;
    this.lengths[this.count] = length;
    this.used += length;
    this.count++;
  }

  /** State `id` was reached again, with sleep set `codes[0, length)`: it keeps the intersection. */
  intersect(id: number, codes: Int32Array, length: number): void {
    const k = id - this.base;
    const start = this.starts[k]!;
    const end = start + this.lengths[k]!;
    let kept = start;
    let j = 0;
    for (let at = start; at < end; at++) {
      const code = this.codes[at]!;
      while (j < length && codes[j]! < code) j++;
      if (j < length && codes[j] === code) this.codes[kept++] = code;
    }
    this.lengths[k] = kept - start;
  }

  /** Empties state `id`'s sleep set (it must be expanded in full). */
  clear(id: number): void {
    this.lengths[id - this.base] = 0;
  }

  /** The codes array and range of state `id`'s sleep set. */
  get array(): Int32Array {
    return this.codes;
  }

  start(id: number): number {
    return this.starts[id - this.base]!;
  }

  end(id: number): number {
    const k = id - this.base;
    return this.starts[k]! + this.lengths[k]!;
  }

  get bytes(): number {
    return this.starts.byteLength + this.lengths.byteLength + this.codes.byteLength;
  }
}

function grow(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
