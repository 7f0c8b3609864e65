/**
 * Breadth-first search of every interleaving, after Stateright's `bfs.rs` and TLC: level by
 * level from the booted system, every enabled event of every state (./model.ts) is a successor;
 * a successor whose fingerprint was seen before (./fingerprints.ts, ./visited.ts) is not
 * explored again. The judge's safety checks are asked after every step, so the first violation
 * met is one at the least depth: a shortest counterexample. Each distinct state is kept
 * compactly with its parent and the step that reached it (./store.ts), so the path is read back
 * from the violation to the root, and played once more with a judge of its own (./world.ts) for
 * the verdicts as a run would give them.
 *
 * Reduction (on unless `reduction: false`, `mpkv verify --no-reduction`), in three parts.
 * Partial-order reduction (./reduction.ts): a state's sleep set holds the steps it need not
 * take, because the same steps in another order reach what they would; it saves transitions,
 * not states. Deliveries that would change nothing are left out (`Model.prune`): fewer
 * states, those with such a message still in flight standing for those without it. And
 * messages their addressee ignores for good are taken out of flight at once (`Model.dead`):
 * states that differ only in such a message are one. None changes the verdict nor the depth of the first violation: a counterexample found with the
 * reduction is a shortest one, as without it (test/verify.test.ts checks both on every mutant).
 *
 * The search is bounded: paths of at most `max_depth` events, at most `max_states` distinct
 * states, and the per-path fault and timer budget of the config's `[verify]` table. When the
 * frontier empties before the depth bound, every state within the budget was explored (the
 * space is exhausted); otherwise the answer is "no violation within depth N", never "correct".
 *
 * With worker threads (./parallel.ts) each thread runs a `Search` of its own states against a
 * shared set of fingerprints (`Shared`), and between levels gives states to another or takes
 * states another gave (`give`, `take`: ./portable.ts); one thread's search runs alone.
 */
import { getHeapStatistics } from 'node:v8';
import { crashRolesOf, pluralOf, type AnyEmulation, type Config } from '../emulations/api/emulation.js';
import type { Deadline } from '../util/budget.js';
import type { Verdict } from '../../specs/verdict.js';
import { Fingerprinter } from './fingerprints.js';
import { Model } from './model.js';
import { Sleeper, SleepSets } from './reduction.js';
import { commonOf, Exporter, Importer, sortRange, type Common, type Parcel } from './portable.js';
import { StateStore } from './store.js';
import { ABSENT, FingerprintSet, FLAG } from './visited.js';
import { World, type StepRecord } from './world.js';

export interface SearchOptions {
  /** When to stop early (a wall-clock limit, a Ctrl-C: the search never reads a clock itself). */
  readonly deadline?: Deadline;
  /** Called after each level. */
  readonly onLevel?: (p: LevelProgress) => void;
  /** Called every few thousand states within a level, with the counts so far. */
  readonly onProgress?: (p: LevelProgress) => void;
  /** The reduction (sleep sets, no-op deliveries left out, dead messages taken out of flight): default on. */
  readonly reduction?: boolean;
  /** With the reduction, leave out no-op deliveries too (default: yes; no compares sleep sets
   *  alone with the full search: the same distinct states). */
  readonly prune?: boolean;
}

export interface LevelProgress {
  /** The depth being expanded, or just completed (after a level). */
  readonly depth: number;
  readonly explored: number;
  readonly distinct: number;
  /** States at the next depth (so far, during a level). */
  readonly frontier: number;
  /** During a level: states of this depth expanded so far, of how many. */
  readonly done?: number;
  readonly of?: number;
}

export interface Counterexample {
  /** Its length: events after boot. */
  readonly depth: number;
  readonly steps: readonly StepRecord[];
  /** The safety checks that failed at its last step. */
  readonly verdicts: readonly Verdict[];
}

export interface SearchOutcome {
  /** Transitions taken (successors generated, seen before or not). */
  readonly explored: number;
  /** Distinct states (fingerprints) found, the root included. */
  readonly distinct: number;
  /** The deepest level whose states were generated. */
  readonly depth: number;
  /** States with no event left (everything delivered, no timer or fault budget left). */
  readonly terminal: number;
  /** Every state within the bound's budget was explored, at a depth below max_depth. */
  readonly exhausted: boolean;
  /** Why the search stopped before the depth bound, if it did (`stopped`: asked to, by a
   *  Ctrl-C or a reader gone: ./parallel.ts). */
  readonly cut?: 'max-states' | 'deadline' | 'memory' | 'stopped';
  readonly violation?: Counterexample;
  /** Whether symmetry reduction was on (the emulation declared interchangeable nodes). */
  readonly symmetry: boolean;
  /** Whether the partial-order reduction was on, and the steps it did not take. */
  readonly reduction: boolean;
  readonly asleep: number;
  /** What the search kept (bytes of its tables, and how many of each kind of part). */
  readonly kept: Kept;
  /** With several workers: how evenly they shared the work. */
  readonly balance?: Balance;
}

export interface Kept {
  readonly storeBytes: number;
  readonly visitedBytes: number;
  readonly sleepBytes: number;
  readonly localStates: number;
  readonly judges: number;
  readonly packets: number;
}

/** What the threads of a search share (./parallel.ts); one thread alone shares nothing. */
export interface Shared {
  /** This thread's number, in the high bits of the words of the visited set. */
  readonly worker: number;
  /** How many distinct states there may be, and a claim on one more. */
  claim(): boolean;
  /** How many distinct states all threads have claimed. */
  count(): number;
  /** Where each worker's next level starts, by its own numbering. */
  readonly levelStarts: Int32Array;
}

/** A state's number in the visited set: its worker's number, then its own. */
const WORKER_SHIFT = 26;
const LOCAL = (1 << WORKER_SHIFT) - 1;

/** What expanding one level of one thread found. */
export interface LevelResult {
  readonly explored: number;
  readonly added: number;
  readonly terminal: number;
  readonly asleep: number;
  readonly violation?: Counterexample;
  /** The shared set refused more states (max_states reached). */
  readonly full: boolean;
  readonly cut?: 'deadline' | 'memory';
  /** Stopped because the shared visited set needs to grow (./parallel.ts): expanded up to here. */
  readonly paused?: number;
  /** States of the level expanded (counted per worker, for the balance between workers). */
  readonly expanded: number;
  /** A violation on a path that starts at another worker (a state moved here: ./portable.ts):
   *  what this worker knows of its path. */
  readonly lead?: PathPiece;
}

/** A piece of a path: from the root, or from a state another worker gave (`origin`: that
 *  worker and the state's number there), each step by its place among the enabled steps of the
 *  state it is taken from (a place every worker gives the same step: ./model.ts `steps`). */
export interface PathPiece {
  readonly origin?: { readonly worker: number; readonly id: number };
  readonly places: readonly number[];
}

/** The places of a whole path's steps, from the root: `lead` and the pieces before it, each
 *  asked of the worker that gave the state it starts at (`pieceOf`: its `Search.piece`). */
export async function placesOf(lead: PathPiece, pieceOf: (worker: number, id: number) => PathPiece | Promise<PathPiece>): Promise<number[]> {
  let places = [...lead.places];
  for (let origin = lead.origin; origin; ) {
    const piece = await pieceOf(origin.worker, origin.id);
    places = [...piece.places, ...places];
    origin = piece.origin;
  }
  return places;
}

/** The balance of the work between workers (./parallel.ts). */
export interface Balance {
  /** States each worker expanded. */
  readonly expanded: readonly number[];
  /** Transitions each worker took (the work: a state another worker reached too at its depth
   *  takes every step). */
  readonly explored: readonly number[];
  /** States moved from one worker to another between levels. */
  readonly moved: number;
  /** Over the levels, the mean transitions a worker took / the most one did: 1 when every
   *  level is shared evenly (then no worker waits for another at the end of a level). */
  readonly evenness: number;
}

export class Search {
  readonly model: Model;
  readonly prints: Fingerprinter;
  readonly store = new StateStore();
  visited: FingerprintSet;
  readonly reduction: boolean;
  /** The current level: states [levelStart, levelEnd) of this thread; the next level's are
   *  numbered from `nextStart` on (states given away to other workers lie between). */
  levelStart = 0;
  levelEnd = 1;
  nextStart = 1;
  private sleepNow = new SleepSets();
  private sleepNext = new SleepSets();
  private readonly sleeper: Sleeper;
  private current: Int32Array;
  private scratch: Int32Array;
  private steps = new Int32Array(256);
  private sleepOut = new Int32Array(256);
  private distinct = 1;
  /** What it shares with other threads, once it does (./parallel.ts). */
  private shared: Shared | undefined;
  /** States moved here from other workers: by import, the giver and the state's number there
   *  (such a state's parent in the store is -2 - its import's number). */
  private importedFrom = new Int32Array(0);
  private importedId = new Int32Array(0);
  private imports = 0;
  private exporter: Exporter | undefined;
  private readonly importers = new Map<number, Importer>();
  private common: Common | undefined;

  constructor(
    emulation: AnyEmulation,
    readonly config: Config,
    options: { reduction?: boolean; prune?: boolean; model?: Model } = {},
  ) {
    this.model = options.model ?? new Model(emulation, config);
    this.prints = new Fingerprinter(this.model);
    this.reduction = options.reduction ?? true;
    this.model.prune(this.reduction && options.prune !== false);
    this.sleeper = new Sleeper(this.model);
    this.visited = new FingerprintSet(FingerprintSet.buffer(4096, false));
    const root = this.model.root;
    this.current = new Int32Array(this.model.length(64));
    this.scratch = new Int32Array(this.model.length(64));
    this.prints.of(root);
    this.visited.add(this.prints.hi, this.prints.lo, this.tag(0));
    this.store.add(root, root.length, -1, -1, this.prints.hi, this.prints.lo);
    this.sleepNow.reset(0);
    this.sleepNow.push(this.sleepOut, 0);
    this.sleepNext.reset(1);
  }

  /**
   * The frontier shared out among `workers` workers that all built the same first levels
   * (./worker.ts): every state so far goes into the shared set `visited`, the current level
   * cut in `workers` runs of consecutive states, each owned by one worker, the states before
   * it by worker 0; from now on the visited set is the shared one, and this worker's level is
   * its run. (Runs, not every K-th state: states found one after the other are mostly
   * siblings, whose successors are often the same states, reached in another order; one worker
   * reaching them all keeps their sleep sets, where two would each take every step of them.)
   */
  shareOut(visited: FingerprintSet, shared: Shared, workers: number): void {
    const size = this.levelEnd - this.levelStart;
    const runStart = (w: number): number => this.levelStart + Math.floor((w * size) / workers);
    let owner = 0;
    for (let id = 0; id < this.store.size; id++) {
      while (owner + 1 < workers && id >= runStart(owner + 1)) owner++;
      visited.add(this.store.hiOf(id), this.store.loOf(id), (owner << WORKER_SHIFT) | id);
    }
    [this.levelStart, this.levelEnd] = [runStart(shared.worker), runStart(shared.worker + 1)];
    this.share(visited, shared);
  }

  /** From now on, the visited set is `visited`, shared with other threads. */
  share(visited: FingerprintSet, shared: Shared): void {
    this.visited = visited;
    this.shared = shared;
    this.common = commonOf(this.model);
    this.exporter = new Exporter(this.model, this.common);
    Atomics.store(shared.levelStarts, shared.worker, this.nextStart);
  }

  /** The violation at the root, if the booted system already fails a check. */
  rootViolation(): Counterexample | undefined {
    return this.model.failed(this.model.root).length > 0 ? this.counterexample([]) : undefined;
  }

  get symmetric(): boolean {
    return this.prints.symmetric;
  }

  /**
   * Expands this thread's states of the current level (at depth `depth`), from state `from`
   * on: their successors at depth + 1 not seen before become the next level.
   */
  expand(depth: number, deadline?: Deadline, from = this.levelStart, onProgress?: (done: number, explored: number, added: number) => void): LevelResult {
    const model = this.model;
    const nextStart = this.nextStart;
    let explored = 0;
    let added = 0;
    let terminal = 0;
    let asleep = 0;
    let n = 0;
    for (let id = from; id < this.levelEnd; id++, n++) {
      if ((n & 63) === 0) {
        if (this.shared && this.visited.full(this.shared.count())) return { explored, added, terminal, asleep, full: false, paused: id, expanded: n };
        const done = id - this.levelStart;
        if ((n & 1023) === 0 && n > 0) {
          if (deadline?.expired()) return { explored, added, terminal, asleep, full: false, cut: 'deadline', expanded: n };
          if (memoryShort()) return { explored, added, terminal, asleep, full: false, cut: 'memory', expanded: n };
          onProgress?.(done, explored, added);
        }
      }
      const words = this.read(id);
      const count = this.enabled(words);
      if (count === 0) terminal++;
      const sleep = this.sleepNow;
      const flagged = this.shared !== undefined && (this.visited.get(this.store.hiOf(id), this.store.loOf(id)) & FLAG) !== 0;
      if (this.reduction) {
        const full = flagged || sleep.end(id) === sleep.start(id);
        this.sleeper.prepare(words, this.steps, count, sleep.array, full ? 0 : sleep.start(id), full ? 0 : sleep.end(id));
      }
      for (let i = 0; i < count; i++) {
        if (this.reduction && this.sleeper.isAsleep(i)) {
          asleep++;
          continue;
        }
        const code = this.steps[i]!;
        const size = this.successor(words, code);
        explored++;
        if (model.failed(this.scratch).length > 0) {
          return { explored, added, terminal, asleep, full: false, expanded: n, ...this.violationAt(id, code) };
        }
        const handed = this.reduction ? this.sleeper.handDown(i, count, this.ensureSleepOut(count)) : 0;
        this.prints.of(this.scratch);
        const { hi, lo } = this.prints;
        const known = this.visited.add(hi, lo, this.tag(this.store.size));
        if (known === ABSENT) {
          if (!this.claim()) return { explored, added, terminal, asleep, full: true, expanded: n };
          this.store.add(this.scratch, size, id, code, hi, lo);
          this.sleepNext.push(this.sleepOut, handed);
          added++;
        } else if (this.reduction) this.again(known, hi, lo, handed, nextStart, size);
      }
    }
    return { explored, added, terminal, asleep, full: false, expanded: n };
  }

  /** The level expanded: its successors are the next. */
  advance(): void {
    this.levelStart = this.nextStart;
    this.levelEnd = this.nextStart = this.store.size;
    [this.sleepNow, this.sleepNext] = [this.sleepNext, this.sleepNow];
    this.sleepNext.reset(this.nextStart);
    if (this.shared) Atomics.store(this.shared.levelStarts, this.shared.worker, this.nextStart);
  }

  /**
   * Between levels: gives the last `count` states of the current level to worker `peer`
   * (./portable.ts), who expands them instead. They stay in this store, unexpanded.
   */
  give(count: number, peer: number): Parcel {
    const exporter = this.exporter!;
    const from = this.levelEnd - count;
    let total = 0;
    let sleeping = 0;
    for (let id = from; id < this.levelEnd; id++) {
      total += this.store.lengthOf(id);
      sleeping += this.sleepNow.end(id) - this.sleepNow.start(id);
    }
    const parcel = {
      from: this.shared!.worker,
      count,
      words: new Int32Array(total),
      lengths: new Int32Array(count),
      prints: new Int32Array(2 * count),
      ids: new Int32Array(count),
      sleep: new Int32Array(sleeping),
      sleepLengths: new Int32Array(count),
    };
    exporter.begin(peer);
    let at = 0;
    let z = 0;
    for (let k = 0; k < count; k++) {
      const id = from + k;
      const words = this.read(id);
      const length = this.store.lengthOf(id);
      exporter.state(words);
      parcel.words.set(words.subarray(0, length), at);
      at += length;
      parcel.lengths[k] = length;
      parcel.prints[2 * k] = this.store.hiOf(id);
      parcel.prints[2 * k + 1] = this.store.loOf(id);
      parcel.ids[k] = id;
      const codes = this.sleepNow.array;
      for (let c = this.sleepNow.start(id); c < this.sleepNow.end(id); c++) {
        exporter.code(codes[c]!);
        parcel.sleep[z++] = codes[c]!;
      }
      parcel.sleepLengths[k] = this.sleepNow.end(id) - this.sleepNow.start(id);
    }
    this.levelEnd = from;
    return { ...parcel, ...exporter.end() };
  }

  /** Between levels: takes states another worker gave (`give`) into the current level. */
  take(parcel: Parcel): void {
    if (this.levelStart === this.levelEnd) {
      // It gave all it had: its level starts afresh after everything stored.
      this.levelStart = this.levelEnd = this.store.size;
      this.sleepNow.reset(this.levelStart);
    }
    if (this.levelEnd !== this.store.size) throw new Error('a worker takes states only at the end of its level, having given none or all');
    let importer = this.importers.get(parcel.from);
    if (!importer) this.importers.set(parcel.from, (importer = new Importer(this.model, this.common!)));
    importer.follow(parcel);
    this.growImports(parcel.count);
    let at = 0;
    let z = 0;
    for (let k = 0; k < parcel.count; k++) {
      const length = parcel.lengths[k]!;
      if (length > this.scratch.length) this.scratch = new Int32Array(length * 2);
      importer.state(parcel.words, at, length, this.scratch);
      at += length;
      this.prints.of(this.scratch);
      if (this.prints.hi !== parcel.prints[2 * k] || this.prints.lo !== parcel.prints[2 * k + 1]) {
        throw new Error(`worker ${this.shared!.worker} rebuilt a state of worker ${parcel.from} with another fingerprint: the model is not deterministic`);
      }
      this.importedFrom[this.imports] = parcel.from;
      this.importedId[this.imports] = parcel.ids[k]!;
      this.store.add(this.scratch, length, -2 - this.imports++, -1, this.prints.hi, this.prints.lo);
      const sleeping = parcel.sleepLengths[k]!;
      const out = this.ensureSleepOut(sleeping);
      for (let c = 0; c < sleeping; c++) out[c] = importer.code(parcel.sleep[z++]!);
      sortRange(out, 0, sleeping);
      this.sleepNow.push(out, sleeping);
    }
    this.levelEnd = this.nextStart = this.store.size;
    this.sleepNext.reset(this.nextStart);
    if (this.shared) Atomics.store(this.shared.levelStarts, this.shared.worker, this.nextStart);
  }

  private growImports(more: number): void {
    if (this.imports + more <= this.importedId.length) return;
    const size = Math.max(2 * this.importedId.length, this.imports + more);
    const [from, id] = [new Int32Array(size), new Int32Array(size)];
    from.set(this.importedFrom);
    id.set(this.importedId);
    [this.importedFrom, this.importedId] = [from, id];
  }

  /** The violation found by step `code` of state `id`: its counterexample, or, if its path
   *  starts at another worker, the piece of it this worker knows. */
  private violationAt(id: number, code: number): { violation: Counterexample } | { lead: PathPiece } {
    const piece = this.piece(id);
    if (!piece.origin) return { violation: this.counterexample([...this.store.path(id), code]) };
    const words = this.read(id);
    const count = this.enabled(words);
    return { lead: { origin: piece.origin, places: [...piece.places, this.steps.subarray(0, count).indexOf(code)] } };
  }

  /** The path to state `id`, from the root or from the state another worker gave that it
   *  starts at. */
  piece(id: number): PathPiece {
    const chain: number[] = [];
    let at = id;
    while (this.store.parentOf(at) >= 0) {
      chain.push(at);
      at = this.store.parentOf(at);
    }
    chain.reverse();
    const places = chain.map((state) => {
      const words = this.read(this.store.parentOf(state));
      const count = this.enabled(words);
      return this.steps.subarray(0, count).indexOf(this.store.stepOf(state));
    });
    const parent = this.store.parentOf(at);
    if (parent === -1) return { places };
    const k = -2 - parent;
    return { origin: { worker: this.importedFrom[k]!, id: this.importedId[k]! }, places };
  }

  /** The counterexample along a path given by the places of its steps (`PathPiece`). */
  replay(places: readonly number[]): Counterexample {
    let words = this.model.root;
    const codes: number[] = [];
    for (const place of places) {
      const count = this.enabled(words);
      if (place < 0 || place >= count) throw new Error(`a path's step ${codes.length + 1} is not among the enabled steps`);
      const code = this.steps[place]!;
      codes.push(code);
      const size = this.successor(words, code);
      words = this.scratch.slice(0, size);
    }
    return this.counterexample(codes);
  }

  /**
   * A state found again (stored word `known`; its words, `size` of them, in the scratch buffer)
   * with sleep set `sleepOut[0, handed)`. A sleep set names steps in the numbering of the words
   * it came with: a mirror image of the stored state (symmetry: the same fingerprint, other
   * words) names other steps by the same codes, so the stored state is then expanded in full.
   */
  private again(known: number, hi: number, lo: number, handed: number, nextStart: number, size: number): void {
    const worker = (known & ~FLAG) >>> WORKER_SHIFT;
    const id = known & LOCAL;
    if (!this.shared || worker === this.shared.worker) {
      if (id < nextStart) return;
      if (this.store.holds(id, this.scratch, size)) this.sleepNext.intersect(id, this.sleepOut, handed);
      else this.sleepNext.clear(id);
      return;
    }
    // Another thread's state of the next level: it must take every step (its sleep set is not
    // ours to intersect).
    if (id >= this.shared.levelStarts[worker]! && (known & FLAG) === 0) this.visited.flag(hi, lo);
  }

  private enabled(words: Int32Array): number {
    const needed = this.model.maxSteps(words[this.model.countAt]!);
    if (needed > this.steps.length) this.steps = new Int32Array(needed * 2);
    return this.model.steps(words, this.steps);
  }

  /** State `id`'s words, into the buffer of the state being expanded. */
  private read(id: number): Int32Array {
    const length = this.store.lengthOf(id);
    if (length > this.current.length) this.current = new Int32Array(length * 2);
    this.store.read(id, this.current);
    return this.current;
  }

  /** The state after step `code` from `words`, into the scratch buffer (grown if need be). */
  private successor(words: Int32Array, code: number): number {
    let size = this.model.successor(words, code, this.scratch);
    if (size < 0) {
      this.scratch = new Int32Array(-size * 2);
      size = this.model.successor(words, code, this.scratch);
    }
    return size;
  }

  private ensureSleepOut(count: number): Int32Array {
    if (count > this.sleepOut.length) this.sleepOut = new Int32Array(count * 2);
    return this.sleepOut;
  }

  private tag(id: number): number {
    return this.shared ? (this.shared.worker << WORKER_SHIFT) | id : id;
  }

  private claim(): boolean {
    if (this.shared) return this.shared.claim();
    if (this.distinct >= this.config.verify.max_states) return false;
    this.distinct++;
    if (this.visited.full(this.visited.added)) this.visited = this.visited.grown(this.visited.added);
    return true;
  }

  /** The path of step codes from the root, played once more with a judge of its own. */
  counterexample(codes: readonly number[]): Counterexample {
    const world = new World(this.model.emulation, this.config, this.model);
    let state = world.initial();
    const steps: StepRecord[] = [];
    codes.forEach((code, i) => {
      const step = world.stepOf(state, code);
      steps.push(world.record(step));
      state = world.apply(state, step, i + 1);
    });
    const verdicts = state.judge.violations();
    if (verdicts.length === 0) throw new Error(`the counterexample of ${codes.length} step(s) does not fail when played again: the model is not deterministic`);
    return { depth: codes.length, steps, verdicts };
  }

  /** State `id`'s words (a new array). */
  state(id: number): Int32Array {
    return this.store.state(id);
  }

  /**
   * The states state `id`'s enabled steps lead to (a later pass over the explored graph, such as
   * a liveness check, walks it this way): each step's code and the number of the state it
   * leads to, or -1 if that state was not explored (beyond the bound). A thread's own states
   * only, on one thread. With the reduction, deliveries that change nothing are not among the
   * steps (`Model.prune`): a pass that needs every enabled step (fairness) searches with
   * `reduction: false`.
   */
  successors(id: number): { code: number; to: number }[] {
    const words = this.store.state(id);
    const count = this.enabled(words);
    const out: { code: number; to: number }[] = [];
    for (let i = 0; i < count; i++) {
      const code = this.steps[i]!;
      this.successor(words, code);
      this.prints.of(this.scratch);
      const known = this.visited.get(this.prints.hi, this.prints.lo);
      out.push({ code, to: known === ABSENT ? -1 : known & LOCAL });
    }
    return out;
  }

  kept(sleep = true): Kept {
    return {
      storeBytes: this.store.bytes,
      visitedBytes: this.visited.bytes,
      sleepBytes: sleep ? this.sleepNow.bytes + this.sleepNext.bytes : 0,
      localStates: this.model.locals.size,
      judges: this.model.judges.size,
      packets: this.model.packets.size,
    };
  }
}

/** The whole search on one thread. */
export function search(emulation: AnyEmulation, config: Config, options: SearchOptions = {}): SearchOutcome {
  const { max_depth } = config.verify;
  const s = new Search(emulation, config, { ...(options.reduction === undefined ? {} : { reduction: options.reduction }), ...(options.prune === undefined ? {} : { prune: options.prune }) });
  const base = { symmetry: s.symmetric, reduction: s.reduction };
  let explored = 0;
  let terminal = 0;
  let asleep = 0;
  const outcome = (rest: Pick<SearchOutcome, 'depth' | 'exhausted'> & Partial<SearchOutcome>): SearchOutcome => ({
    ...base,
    explored,
    distinct: s.store.size,
    terminal,
    asleep,
    kept: s.kept(),
    ...rest,
  });
  const rootViolation = s.rootViolation();
  if (rootViolation) return outcome({ depth: 0, exhausted: false, violation: rootViolation });
  let depth = 0;
  for (; depth < max_depth && s.levelEnd > s.levelStart; depth++) {
    const onProgress = options.onProgress
      ? (done: number, e: number, a: number) => options.onProgress!({ depth, explored: explored + e, distinct: s.store.size, frontier: a, done, of: s.levelEnd - s.levelStart })
      : undefined;
    const result = s.expand(depth, options.deadline, s.levelStart, onProgress);
    explored += result.explored;
    terminal += result.terminal;
    asleep += result.asleep;
    if (result.violation) return outcome({ depth: depth + 1, exhausted: false, violation: result.violation });
    if (result.full) return outcome({ depth: depth + 1, exhausted: false, cut: 'max-states' });
    if (result.cut) return outcome({ depth, exhausted: false, cut: result.cut });
    s.advance();
    options.onLevel?.({ depth: depth + 1, explored, distinct: s.store.size, frontier: s.levelEnd - s.levelStart });
  }
  const exhausted = s.levelEnd === s.levelStart;
  return outcome({ depth: exhausted ? depth - 1 : depth, exhausted });
}

/**
 * Is the heap nearly full? Objects the search keeps (local states, judges) live on the heap;
 * the search stops before the process would end and says so (a safety net beside the
 * command's --max-memory: when it trips depends on the garbage collector).
 */
function memoryShort(): boolean {
  const heap = getHeapStatistics();
  return heap.used_heap_size > 0.85 * heap.heap_size_limit;
}

/** The odds that two of `states` distinct states share a fingerprint of `bits` bits (TLC's
 *  estimate: n(n-1)/2 pairs, each 2^-bits). */
export function collisionOdds(states: number, bits = 63): number {
  return (states * (states - 1)) / 2 / 2 ** bits;
}

/** The bound, in words, for reports. */
export function boundText(emulation: AnyEmulation, config: Config): string[] {
  const v = config.verify;
  const crashRoles = crashRolesOf(emulation, config).map(pluralOf);
  const per = [
    `${v.drops} drop(s)`,
    `${v.duplicates} duplicate(s)`,
    v.crashes > 0 && crashRoles.length === 0
      ? `no crash-recovery (no role of ${config.emulation} may crash)`
      : `${v.crashes} crash-recovery(ies)${v.crashes > 0 ? ` of ${crashRoles.join('/')}, at most ${config.faults.max_crashed} down at once` : ''}`,
    `${v.timeouts} timer firing(s)${v.timers.length > 0 ? ` (only ${v.timers.join(', ')})` : ''}`,
  ];
  const symmetric = emulation.verify?.symmetric ?? [];
  return [
    `bound: paths of at most ${v.max_depth} events, at most ${v.max_states.toLocaleString('en-US')} distinct states; per path at most ${per.join(', ')}`,
    `time is abstract: messages arrive in any order, any armed timer may fire at any step${symmetric.length ? `; ${symmetric.map((r) => `${r}s`).join(', ')} are interchangeable (symmetry)` : ''}`,
  ];
}
