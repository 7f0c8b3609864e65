/**
 * Breadth-first search of every interleaving, after Stateright's `bfs.rs` and TLC: level by
 * level from the booted system, every enabled event of every state (./world.ts) is a successor;
 * a successor whose fingerprint was seen before (./fingerprints.ts) is not explored again. The
 * judge's safety checks are asked after every step, so the first violation met is one at the
 * least depth: a shortest counterexample. Each distinct state remembers its parent and the step
 * that reached it, so the path is read back from the violation to the root.
 *
 * The search is bounded: paths of at most `max_depth` events, at most `max_states` distinct
 * states, and the per-path fault and timer budget of the config's `[verify]` table. When the
 * frontier empties before the depth bound, every state within the budget was explored (the
 * space is exhausted); otherwise the answer is "no violation within depth N", never "correct".
 *
 * One `Level` expands one slice of a frontier: a single search runs one slice per level; with
 * worker threads (./parallel.ts) each thread runs its own slice against a shared fingerprint set.
 */
import { getHeapStatistics } from 'node:v8';
import { crashRolesOf, pluralOf, type AnyEmulation, type Config } from '../emulations/api/emulation.js';
import type { Deadline } from '../util/budget.js';
import type { Verdict } from '../../specs/verdict.js';
import { Fingerprinter } from './fingerprints.js';
import { FingerprintSet } from './visited.js';
import { World, type Step, type StepRecord, type WorldState } from './world.js';

export interface SearchOptions {
  /** Wall-clock limit, if the command passes one (the search never reads a clock itself). */
  readonly deadline?: Deadline;
  /** Called after each level. */
  readonly onLevel?: (p: LevelProgress) => void;
}

export interface LevelProgress {
  /** The depth just completed. */
  readonly depth: number;
  readonly explored: number;
  readonly distinct: number;
  /** States at the next depth. */
  readonly frontier: number;
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
}

/** A frontier entry: a state and its number in the parent table. */
export interface Entry {
  readonly state: WorldState;
  readonly id: number;
}

/**
 * Who reached each distinct state: its parent's number and the step's place among the parent's
 * enabled steps (number 0 is the root). Two integers a state: the path to any state is found
 * again by replaying those choices from the root.
 */
export class Parents {
  private parent = new Int32Array(1 << 16);
  private choice = new Int32Array(1 << 16);
  private size = 1;

  add(parent: number, choice: number): number {
    if (this.size === this.parent.length) {
      this.parent = grow(this.parent);
      this.choice = grow(this.choice);
    }
    this.parent[this.size] = parent;
    this.choice[this.size] = choice;
    return this.size++;
  }

  /** The choices from the root to state `id`. */
  choices(id: number): number[] {
    const out: number[] = [];
    for (let at = id; at > 0; at = this.parent[at]!) out.push(this.choice[at]!);
    return out.reverse();
  }
}

function grow(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** The steps a list of choices takes from the root (each choice: a place among the enabled steps). */
export function replayChoices(world: World, choices: readonly number[]): Step[] {
  const steps: Step[] = [];
  let state = world.initial();
  choices.forEach((choice, depth) => {
    const step = world.enabled(state)[choice];
    if (!step) throw new Error(`the path to a state cannot be replayed (step ${depth + 1}): the world is not deterministic`);
    steps.push(step);
    state = world.apply(state, step, depth + 1);
  });
  return steps;
}

/** What expanding one slice of a level found. */
export interface LevelResult {
  readonly next: Entry[];
  readonly explored: number;
  readonly added: number;
  readonly terminal: number;
  readonly violation?: Counterexample;
  /** The shared set refused more states (max_states reached). */
  readonly full: boolean;
}

export class Level {
  constructor(
    readonly world: World,
    readonly fingerprints: Fingerprinter,
    readonly visited: FingerprintSet,
    readonly parents: Parents,
    /** How many distinct states there may be, and how many there are (shared counter or local). */
    private readonly states: { limit: number; claim(): boolean },
  ) {}

  /** Expands `frontier` (states at `depth`): their successors at depth + 1 not seen before. */
  expand(frontier: readonly Entry[], depth: number, deadline?: Deadline): LevelResult & { cut?: 'deadline' | 'memory' } {
    const next: Entry[] = [];
    let explored = 0;
    let added = 0;
    let terminal = 0;
    for (let n = 0; n < frontier.length; n++) {
      if ((n & 1023) === 1023) {
        if (deadline?.expired()) return { next, explored, added, terminal, full: false, cut: 'deadline' };
        if (memoryShort()) return { next, explored, added, terminal, full: false, cut: 'memory' };
      }
      const { state, id } = frontier[n]!;
      const steps = this.world.enabled(state);
      if (steps.length === 0) terminal++;
      for (let choice = 0; choice < steps.length; choice++) {
        const child = this.world.apply(state, steps[choice]!, depth + 1);
        explored++;
        const failed = child.judge.violations();
        if (failed.length > 0) {
          const path = replayChoices(this.world, [...this.parents.choices(id), choice]).map((s) => this.world.record(s));
          return { next, explored, added, terminal, full: false, violation: { depth: depth + 1, steps: path, verdicts: failed } };
        }
        if (!this.visited.add(this.fingerprints.of(child))) continue;
        if (!this.states.claim()) return { next, explored, added, terminal, full: true };
        added++;
        next.push({ state: child, id: this.parents.add(id, choice) });
      }
    }
    return { next, explored, added, terminal, full: false };
  }
}

/** The whole search on one thread. */
export function search(emulation: AnyEmulation, config: Config, options: SearchOptions = {}): SearchOutcome {
  const { max_depth, max_states } = config.verify;
  const world = new World(emulation, config);
  const fingerprints = new Fingerprinter(world);
  const visited = new FingerprintSet(FingerprintSet.buffer(max_states, false));
  const parents = new Parents();
  let distinct = 1;
  const level = new Level(world, fingerprints, visited, parents, {
    limit: max_states,
    claim: () => (distinct < max_states ? (distinct++, true) : false),
  });
  const root = world.initial();
  visited.add(fingerprints.of(root));
  const base = { symmetry: fingerprints.symmetric };
  const rootFailed = root.judge.violations();
  if (rootFailed.length > 0) return { ...base, explored: 0, distinct, depth: 0, terminal: 0, exhausted: false, violation: { depth: 0, steps: [], verdicts: rootFailed } };
  let frontier: Entry[] = [{ state: root, id: 0 }];
  let explored = 0;
  let terminal = 0;
  let depth = 0;
  for (; depth < max_depth && frontier.length > 0; depth++) {
    const result = level.expand(frontier, depth, options.deadline);
    explored += result.explored;
    terminal += result.terminal;
    const tally = { ...base, explored, distinct, terminal, exhausted: false };
    if (result.violation) return { ...tally, depth: depth + 1, violation: result.violation };
    if (result.full) return { ...tally, depth: depth + 1, cut: 'max-states' };
    if (result.cut) return { ...tally, depth, cut: result.cut };
    frontier = result.next;
    options.onLevel?.({ depth: depth + 1, explored, distinct, frontier: frontier.length });
  }
  const exhausted = frontier.length === 0;
  return { ...base, explored, distinct, depth: exhausted ? depth - 1 : depth, terminal, exhausted };
}

/**
 * Is the heap nearly full? A frontier that no longer fits would end the process; the search
 * stops first and says so (a safety net: when it trips depends on the garbage collector).
 */
function memoryShort(): boolean {
  const heap = getHeapStatistics();
  return heap.used_heap_size > 0.85 * heap.heap_size_limit;
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
