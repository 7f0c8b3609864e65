/**
 * Liveness in the model checker: lassos. "Whatever the system owes, it eventually delivers",
 * under fairness, checked over the whole explored graph of a small configuration, after the
 * SCC-based checks of TLC and SPIN's fair-cycle search.
 *
 * What is owed. The emulation's temperature (Emulation.temperature, as `mpkv explore` uses
 * it): in each state, the obligations that are hot, each named by a key (`client 2 request 1`,
 * `server 2 below 7`). A key hot in every state of an infinite path's
 * suffix is owed for ever.
 *
 * The graph. The model's states and steps (./model.ts, the safety search's: deliveries in any
 * order, drops, duplicates and crashes within the `[verify]` budget, restarts, and timers
 * firing early, at any step, within the budget of timer firings), plus one kind of step of its
 * own: **time passes**. In a state with no message in flight, any armed timer of a live node
 * may fire, and that firing spends no budget (an early firing there would only spend budget
 * for the same effect, so there is none). This is the partial synchrony under which
 * consensus protocols are proved live (Dwork, Lynch and Stockmeyer): once the faults are
 * over, messages arrive before timeouts expire. It keeps the graph finite where the budget
 * alone would end every path (a retry loop is a cycle, not a path that runs out of timer
 * firings), and it is what the correct protocol needs: without it a client whose request was
 * lost waits for ever once the budget of timer firings is spent. Which armed timer expires
 * first is the emulation's to say where its timeouts give an order (`VerifySpec.expiresFirst`:
 * Raft's heartbeat before an election timeout, src/emulations/raft/timing.ts); a timer it holds
 * back in a state is not enabled there, for fairness too. Without it, any armed timer may.
 *
 * States are compared by what decides their future: the nodes (as the emulation's
 * `VerifySpec.behaviour` sees them: a retry counter left out), the messages in flight and the
 * budget left — not the judge's memory, which only the safety checks read. Dead messages (a
 * message its addressee ignores for good, `VerifySpec.ignoresForGood`; ./model.ts `dead`) are
 * taken out of flight at once, as the safety search takes them: that is their delivery, a
 * no-op, taken at once, and fairness would have it taken. Every path of the graph is then a
 * path of the graph that keeps them (insert their no-op deliveries where they arise), with the
 * same nodes, hot keys and armed timers; and a fair cycle that keeps them is fair with them
 * taken out (a message delivered for nothing is a self-loop), so the lassos are the same;
 * "no message in flight" (time passes, stuck) counts live messages only. The sleep-set
 * reduction is off: sleep sets drop edges a cycle may need. Symmetry is on where the emulation
 * says its hot keys are the same in a mirror image (`TemperatureSpec.symmetric`), or name the
 * interchangeable nodes by id alone and are renamed with them (`TemperatureSpec.namesNodes`):
 * one state per mirror image, the renaming kept on each edge, and fairness judged on each hot
 * component's concrete image lifted back out (./lift.ts: why that is the concrete graph's
 * verdict) — with named keys, split by key there, each lifted state's keys renamed.
 *
 * Fairness (weak, on each step): a step continuously enabled from some point on is eventually
 * taken. The steps it covers: delivering each message in flight (to a live node, or lost at a
 * crashed one), each crashed node's restart, each armed timer of a live node firing (early or
 * when time passes). Faults need no fairness rule: the budget makes them finitely many on any
 * path, so every infinite path ends in a fault-free suffix. On a cycle, weak fairness means:
 * every step enabled in all of the cycle's states is taken somewhere on it.
 *
 * A violation is a lasso: a path from the root (the stem) and then
 *   - a state where nothing can happen any more (no message, no armed timer, no crashed node)
 *     while something is hot: stuck; or
 *   - a fair cycle on which some key stays hot in every state.
 * Found so: the strongly connected components of the hot states' subgraph (./graph.ts,
 * Tarjan's, iterative); in each, the keys hot throughout; if none, the component is split by
 * key (the states where that key is hot) and searched again; if one, the component is fair
 * when every step enabled in all its states is taken by one of its edges — then a fair cycle
 * runs through it (a walk through all of it), and if not, no cycle inside it is fair (a
 * smaller cycle has more steps enabled throughout and fewer taken). The shortest stem is the
 * breadth-first path to the component's first-found state; the loop is built inside the
 * component by shortest paths through one edge of each step fairness asks for, checked fair
 * as a cycle of its own.
 *
 * With symmetry, a component with a key hot throughout is judged on its concrete image (the
 * lift: ./lift.ts), the lasso's stem is the path of first discovery renamed step by step, and
 * its loop the lifted one renamed to start where the stem ends, both played through the model.
 *
 * The verdict: fail with the lasso; ok when the graph was explored to the end and has no
 * violation; unknown when it was cut (its depth or state bound, the deadline) — a lasso found
 * in a cut graph is still a lasso, since every state it passes was expanded.
 */
import type { AnyEmulation, ArmedTimers, Config, ExpiryRule, Hot, TemperatureSpec } from '../emulations/api/emulation.js';
import type { NodeView } from '../sim/router.js';
import type { Verdict } from '../../specs/verdict.js';
import type { Counterexample } from './search.js';
import type { Deadline } from '../util/budget.js';
import { Fingerprinter } from './fingerprints.js';
import { IntLog, StateGraph } from './graph.js';
import { lift, renameText, Renamings, stepIdentity, type Lifted, type Quotient } from './lift.js';
import { hashOf, hashText, mix } from './hash.js';
import { codeOf, DELIVER, kindOf, Model, RESTART, TIMER } from './model.js';
import { StateStore } from './store.js';
import { ABSENT, FingerprintSet } from './visited.js';
import { World, type StepRecord } from './world.js';

/** The budget word of timer firings, after the judge's (./model.ts's layout). */
const TIMEOUTS_WORD = 4;

export interface LivenessOptions {
  /** The longest stem explored, in events after boot. */
  readonly maxDepth: number;
  /** Stop after this many distinct states. */
  readonly maxStates: number;
  readonly deadline?: Deadline;
  /** Asked every few thousand states: has the command been interrupted (Ctrl-C)? */
  readonly interrupted?: () => boolean;
  /** Use the emulation's symmetry where it may (./lift.ts; default: yes). */
  readonly symmetry?: boolean;
  /** Take dead messages out of flight (default: yes; ./model.ts `bury`). */
  readonly bury?: boolean;
  /** The pass's own budget of early timer firings per path (default: `verify.timeouts`). */
  readonly timeouts?: number;
}

/** A safety violation the liveness pass met, and whether its path has a timer firing as time
 *  passes (a step the safety search never takes); if not, it is deeper than the safety
 *  search went. */
export interface UnsafePath extends Counterexample {
  readonly timePassed: boolean;
}

/** Where the pass met a state whose judge failed: the state it stepped from, the step, and the
 *  checks that failed. */
interface UnsafeStep {
  readonly parent: number;
  readonly code: number;
  readonly verdicts: readonly Verdict[];
}

/** A lasso: the path to the loop, then the loop (empty: stuck, nothing can happen). */
export interface Lasso {
  readonly stem: readonly StepRecord[];
  readonly loop: readonly StepRecord[];
  /** The obligation hot throughout the loop (or at the stuck state), and in words. */
  readonly key: string;
  readonly what: string;
  /** Other keys hot throughout too. */
  readonly others: number;
  /** The states of the strongly connected component the loop runs in (1 when stuck). */
  readonly component: number;
}

export interface LivenessOutcome {
  readonly verdict: 'ok' | 'fail' | 'unknown';
  readonly lasso?: Lasso;
  /** A state the safety checks fail in, met by this pass: the path to it, the first met
   *  breadth first. The pass stops there; liveness is then unknown. */
  readonly unsafe?: UnsafePath;
  /** Why the verdict is unknown (the graph cut, or a hot cycle the model could not judge). */
  readonly why?: string;
  readonly distinct: number;
  readonly edges: number;
  /** The deepest level reached, and whether the graph was explored to the end. */
  readonly depth: number;
  readonly complete: boolean;
  readonly hotStates: number;
  /** Strongly connected components of hot states looked at. */
  readonly components: number;
  readonly bytes: number;
  /** Whether the pass used the emulation's symmetry, or why not (`symmetryOff`). */
  readonly symmetric: boolean;
}

/** Why the liveness pass may not use the emulation's symmetry (undefined: it may). */
export function symmetryOff(emulation: AnyEmulation): string | undefined {
  const roles = emulation.verify?.symmetric ?? [];
  if (roles.length === 0) return `${emulation.name} declares no interchangeable nodes`;
  const temperature = emulation.temperature;
  if (!temperature?.symmetric && !temperature?.namesNodes) return `${emulation.name}'s hot keys may name its ${roles.join(', ')} nodes: a mirror image would name other obligations`;
  return undefined;
}

/** What the liveness pass does with symmetry on `config`, in words for the report. */
export function livenessSymmetry(emulation: AnyEmulation, config: Config, asked = true): string {
  const roles = new Set(emulation.verify?.symmetric ?? []);
  const counts = new Map<string, number>();
  for (const spec of emulation.nodes(config)) if (roles.has(spec.role)) counts.set(spec.role, (counts.get(spec.role) ?? 0) + 1);
  const groups = [...counts].filter(([, n]) => n > 1).map(([role]) => `${role}s`);
  if (groups.length === 0) return 'symmetry: none here (no two nodes interchangeable)';
  if (!asked) return 'symmetry off (asked)';
  const off = symmetryOff(emulation);
  if (off) return `symmetry off for this pass (${off})`;
  const keys = emulation.temperature?.symmetric ? 'no hot key names one' : `hot keys renamed with the ${groups.join(', ')} they name`;
  return `symmetry on: ${groups.join(', ')} interchangeable, one state kept per mirror image, fairness judged on each hot cycle's concrete states (${keys})`;
}

/** Runs the liveness pass: builds the graph, then looks for a lasso. */
export function checkLiveness(emulation: AnyEmulation, config: Config, options: LivenessOptions): LivenessOutcome {
  const pass = new LivenessPass(emulation, config, options);
  return pass.judge(pass.explore());
}

/** The same, a slice of states at a time, letting the event loop run between slices (so that
 *  a command hears a Ctrl-C: `options.interrupted`). */
export async function checkLivenessAsync(emulation: AnyEmulation, config: Config, options: LivenessOptions): Promise<LivenessOutcome> {
  const pass = new LivenessPass(emulation, config, options);
  while (pass.exploreSome(SLICE) === 'paused') await new Promise((resolve) => setImmediate(resolve));
  return pass.judge(pass.cut);
}

/** States expanded between two looks at the event loop. */
const SLICE = 4096;

/** What an SCC search found: a violating component (and, with symmetry, its concrete image
 *  through its first state: ./lift.ts). */
interface Found {
  readonly component: Int32Array;
  readonly key: number;
  readonly others: number;
  readonly lifted?: Lifted;
  /** With hot keys that name nodes: the fair component inside `lifted` (its states), and
   *  `key` is in the lifted states' naming. */
  readonly within?: Int32Array;
}

/** A graph to judge fairness on: the pass's own, or a component lifted out of the quotient. */
interface Walk {
  readonly graph: StateGraph;
  /** The steps weak fairness covers in state `s`, as the graph's edge codes. */
  obligations(s: number): number[];
  /** Does state `s` let time pass (no message in flight)? */
  timePasses(s: number): boolean;
  /** Is step `code` a timer, and may it fire early in state `s`? */
  early(s: number, code: number): 'not a timer' | 'early' | 'never';
}

export class LivenessPass {
  readonly model: Model;
  readonly graph = new StateGraph();
  readonly store = new StateStore();
  private readonly prints: Fingerprinter;
  private visited = new FingerprintSet(FingerprintSet.buffer(1 << 14, false));
  private readonly temperature: TemperatureSpec<unknown>;
  /** Per state: its hot keys, [hotStarts[s], hotStarts[s + 1]) of `hotKeys`. */
  private readonly hotStarts: number[] = [0];
  private readonly hotKeys: number[] = [];
  private readonly keys: string[] = [];
  private readonly keyIds = new Map<string, number>();
  /** Per local state: the local state standing for all with the same behaviour. */
  private readonly standIn: number[] = [];
  private readonly byBehaviour = new Map<number, number>();
  private steps = new Int32Array(256);
  private scratch: Int32Array;
  private probe: Int32Array;
  /** Levels: the first state of each depth. */
  private readonly levels: number[] = [0, 1];
  /** With symmetry: per state, the renaming it is fingerprinted under (its least), and per
   *  edge, the renaming π with (the step's successor) = π(the state the edge leads to). */
  readonly symmetric: boolean;
  private readonly canon = new IntLog(1 << 12);
  private readonly edgeRenamings = new IntLog(1 << 12);
  private renamings: Renamings | undefined;
  private reached = 0;
  /** The hot keys of each tuple of local states met (they decide them). */
  private readonly hotByLocals = new Map<number, { readonly locals: Int32Array; readonly keys: readonly number[] }>();
  private groupNames: readonly string[] = [];
  /** With symmetry: do the hot keys name interchangeable nodes (renamed with them)? */
  private namedKeys = false;
  /** Per (key, renaming): the key renamed (./lift.ts: a lifted state's keys). */
  private readonly renamedKeys = new Map<number, number>();
  /** The emulation's timing: which armed timers may expire first as time passes (all if none). */
  private readonly expiry: ExpiryRule | undefined;
  /** The first state met (breadth first) whose judge failed a safety check: its parent and step. */
  private unsafe: UnsafeStep | undefined;

  /** The config the graph is built on: the given one, with the pass's budget of early timer
   *  firings (`options.timeouts`) where it has one. */
  readonly config: Config;

  constructor(
    readonly emulation: AnyEmulation,
    given: Config,
    private readonly options: LivenessOptions,
  ) {
    const config = options.timeouts === undefined ? given : { ...given, verify: { ...given.verify, timeouts: options.timeouts } };
    this.config = config;
    if (!emulation.temperature) throw new Error(`${emulation.name} declares nothing hot: no liveness to check`);
    this.temperature = emulation.temperature as TemperatureSpec<unknown>;
    this.expiry = emulation.verify?.expiresFirst?.(config);
    // Symmetry only where the emulation says what its hot keys do in a mirror image (./lift.ts).
    const symmetric = options.symmetry !== false && symmetryOff(emulation) === undefined;
    this.model = new Model(symmetric ? emulation : { ...emulation, verify: { ...emulation.verify, symmetric: [] } }, config);
    this.model.bury(options.bury !== false);
    this.symmetric = symmetric && this.model.symmetry.symmetric;
    if (this.symmetric) {
      this.renamings = new Renamings(this.model);
      this.groupNames = this.model.symmetry.groups.flat().map((i) => this.model.ids[i]!);
      this.namedKeys = this.temperature.symmetric !== true;
    }
    this.prints = new Fingerprinter(this.model);
    this.scratch = new Int32Array(this.model.length(64));
    this.probe = new Int32Array(this.model.length(64));
    this.add(this.model.root, this.model.root.length, -1, -1);
  }

  get size(): number {
    return this.store.size;
  }

  /** Why the exploration stopped early, once it has stopped (undefined: it explored all). */
  cut: string | undefined;
  private done = false;
  private words = new Int32Array(64);

  /** Explores breadth first, to the end; returns why it stopped early, if it did. */
  explore(): string | undefined {
    while (this.exploreSome(Number.POSITIVE_INFINITY) === 'paused') {
      /* one slice after another */
    }
    return this.cut;
  }

  /** Expands up to `slice` more states: `paused` if there is more to do, `done` once the graph
   *  is explored or cut (`cut` says why). */
  exploreSome(slice: number): 'paused' | 'done' {
    const stop = (why: string): 'done' => {
      this.cut = why;
      this.done = true;
      return 'done';
    };
    const { maxDepth, maxStates, deadline, interrupted } = this.options;
    for (let n = 0; !this.done; n++) {
      const s = this.graph.expanded;
      if (s === this.store.size) {
        this.done = true;
        break;
      }
      if (n >= slice) return 'paused';
      if (s === this.levels[this.levels.length - 1]) {
        if (this.levels.length - 1 >= maxDepth) return stop(`paths longer than ${maxDepth} events were not explored (${this.store.size - s} state(s) left unexpanded)`);
        this.levels.push(this.store.size);
      }
      if ((s & 1023) === 0 && interrupted?.()) return stop(`interrupted (Ctrl-C) after ${s.toLocaleString('en-US')} state(s) expanded`);
      if ((s & 1023) === 0 && deadline?.expired()) return stop(`the time ran out after ${s.toLocaleString('en-US')} state(s) expanded`);
      if (!this.expandOne(s)) return stop(`max_states (${maxStates.toLocaleString('en-US')}) reached`);
      if (this.unsafe) return stop(`a safety check failed on a path it explored (${this.unsafe.verdicts.map((v) => v.name).join(', ')})`);
    }
    return 'done';
  }

  /** Expands state `s` (the next by number): its edges; false if the state bound refused a
   *  successor (the state then stays unexpanded: its edges so far are not counted). */
  private expandOne(s: number): boolean {
    if (this.store.lengthOf(s) > this.words.length) this.words = new Int32Array(this.store.lengthOf(s) * 2);
    const words = this.words;
    this.store.read(s, words);
    const count = this.enabled(words);
    for (let i = 0; i < count; i++) {
      const code = this.steps[i]!;
      const size = this.successor(words, code);
      const failed = this.unsafe ? [] : this.model.failed(this.scratch);
      if (failed.length > 0) this.unsafe = { parent: s, code, verdicts: failed };
      const to = this.find(this.scratch, size, s, code);
      if (to < 0) return false;
      this.graph.edge(to, code);
      if (this.symmetric) this.edgeRenamings.push(this.renamings!.between(this.reached, this.canon.at(to)));
    }
    this.graph.close();
    return true;
  }

  /** The steps of state `words` in the liveness graph: the model's, and, when no message is
   *  in flight, every armed timer of a live node firing as time passes (no budget spent). */
  private enabled(words: Int32Array): number {
    const model = this.model;
    const needed = model.maxSteps(words[model.countAt]!) + model.timers.length + 64;
    if (needed > this.steps.length) this.steps = new Int32Array(needed * 2);
    let count = model.steps(words, this.steps);
    if (words[model.countAt]! > 0) return count;
    let k = 0;
    for (let i = 0; i < count; i++) if (kindOf(this.steps[i]!) !== TIMER) this.steps[k++] = this.steps[i]!;
    count = k;
    const expires = this.expiresFirst(words);
    let armed = 0;
    const before = count;
    for (let i = 0; i < model.n; i++) {
      const local = model.node(words, i);
      if (local.status !== 'up') continue;
      armed += local.timers.length;
      for (const timer of local.timers) if (expires(i, timer)) this.steps[count++] = codeOf(TIMER, model.timerId(i, timer));
    }
    if (armed > 0 && count === before) throw new Error(`${this.emulation.name}'s timing (VerifySpec.expiresFirst) lets none of the ${armed} armed timer(s) expire as time passes: it must let at least one`);
    return count;
  }

  /** Which armed timers of state `words` may expire first as time passes: the emulation's
   *  timing (`VerifySpec.expiresFirst`), or any. */
  private expiresFirst(words: Int32Array): (node: number, timer: string) => boolean {
    const rule = this.expiry;
    if (!rule) return () => true;
    const views = this.views(words);
    const armed: ArmedTimers[] = views.map((view, i) => {
      const local = this.model.node(words, i);
      return { view, timers: local.status === 'up' ? local.timers : [] };
    });
    return (node, timer) => rule.mayExpire(node, timer, armed);
  }

  /** The state after step `code` into `scratch`; a timer firing as time passes spends nothing. */
  private successor(words: Int32Array, code: number): number {
    const model = this.model;
    let size = model.successor(words, code, this.scratch);
    if (size < 0) {
      this.scratch = new Int32Array(-size * 2);
      size = model.successor(words, code, this.scratch);
    }
    if (kindOf(code) === TIMER && words[model.countAt] === 0) this.scratch[model.judgeAt + TIMEOUTS_WORD] = words[model.judgeAt + TIMEOUTS_WORD]!;
    return size;
  }

  /** The number of the state `words` (added if new; -1 if the state bound refuses it). */
  private find(words: Int32Array, size: number, parent: number, code: number): number {
    this.fingerprint(words, size);
    this.reached = this.prints.renaming;
    const known = this.visited.get(this.prints.hi, this.prints.lo);
    if (known !== ABSENT) return known;
    if (this.store.size >= this.options.maxStates) return -1;
    return this.add(words, size, parent, code, true);
  }

  /** Adds state `words` (`fingerprinted`: its fingerprint is the last one taken). */
  private add(words: Int32Array, size: number, parent: number, code: number, fingerprinted = false): number {
    if (!fingerprinted) this.fingerprint(words, size);
    const id = this.store.add(words, size, parent, code, this.prints.hi, this.prints.lo);
    this.visited.add(this.prints.hi, this.prints.lo, id);
    if (this.visited.full(this.visited.added)) this.visited = this.visited.grown(this.visited.added);
    if (this.symmetric) this.canon.push(this.prints.renaming);
    for (const key of this.hotKeyIds(words)) this.hotKeys.push(key);
    this.hotStarts.push(this.hotKeys.length);
    return id;
  }

  /** Fingerprints what decides the state's future: local states by behaviour, no judge. */
  private fingerprint(words: Int32Array, size: number): void {
    const model = this.model;
    if (this.probe.length < size) this.probe = new Int32Array(size * 2);
    this.probe.set(words.subarray(0, size));
    for (let i = 0; i < model.n; i++) this.probe[i] = this.standInOf(words[i]!);
    this.probe[model.judgeAt] = 0;
    this.prints.of(this.probe);
  }

  /** The first local state met that behaves as local state `local` does. */
  private standInOf(local: number): number {
    const known = this.standIn[local];
    if (known !== undefined) return known;
    const state = this.model.locals.states[local]!;
    const behaviour = this.emulation.verify?.behaviour?.[this.model.specs[state.node]!.role];
    let stand = local;
    if (behaviour && state.snapshot) {
      const context = behaviour(state.snapshot.context) as Record<string, unknown>;
      const omit = new Set(this.emulation.verify?.setting?.[this.model.specs[state.node]!.role] ?? []);
      let h = mix(hashText(state.status), hashOf(state.snapshot.value));
      h = mix(mix(mix(h, hashOf(context, undefined, omit)), hashOf(state.disk)), hashText(state.timers.join(',')));
      h = mix(h, state.node + 1);
      const first = this.byBehaviour.get(h);
      if (first === undefined) this.byBehaviour.set(h, local);
      else stand = first;
    }
    this.standIn[local] = stand;
    return stand;
  }

  /** The node views of state `words`, as a run's views (crashed nodes without a context). */
  views(words: Int32Array): NodeView[] {
    const model = this.model;
    return model.specs.map((spec, i) => {
      const local = model.node(words, i);
      const context = local.status === 'crashed' ? undefined : local.snapshot?.context;
      return { id: spec.id, role: spec.role, status: local.status, restartPending: false, state: local.snapshot?.value, context };
    });
  }

  private hotOf(words: Int32Array): readonly Hot[] {
    return this.temperature.hot(this.views(words));
  }

  /** The hot keys of state `words`, by number (worked out once per tuple of local states). */
  private hotKeyIds(words: Int32Array): readonly number[] {
    let tuple = 0;
    for (let i = 0; i < this.model.n; i++) tuple = mix(tuple, words[i]! + 1);
    const known = this.hotByLocals.get(tuple);
    if (known && known.locals.every((local, i) => words[i] === local)) return known.keys;
    const keys = this.hotOf(words).map((hot) => this.keyId(hot.key));
    if (!known) this.hotByLocals.set(tuple, { locals: words.slice(0, this.model.n), keys });
    return keys;
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      const named = this.namedKeys ? undefined : this.groupNames.find((name) => new RegExp(`\\b${name}\\b`).test(key));
      if (named) throw new Error(`${this.emulation.name} says its hot keys are the same in a mirror image, but key '${key}' names ${named}`);
      this.keyIds.set(key, (id = this.keys.length));
      this.keys.push(key);
    }
    return id;
  }

  /** Key `key` of a state, as the same obligation reads in its image by `renaming`: each
   *  interchangeable node's id replaced by its image's (TemperatureSpec.namesNodes). */
  private renamedKey(key: number, renaming: number): number {
    if (renaming === 0) return key;
    const pair = key * this.renamings!.count + renaming;
    let renamed = this.renamedKeys.get(pair);
    if (renamed === undefined) {
      renamed = this.keyId(renameText(this.keys[key]!, this.model, renaming));
      this.renamedKeys.set(pair, renamed);
    }
    return renamed;
  }

  private hotCount(s: number): number {
    return this.hotStarts[s + 1]! - this.hotStarts[s]!;
  }

  // ---- the verdict -------------------------------------------------------------------------------

  /** Looks for a lasso in the graph explored (`cut`: why the exploration stopped early). */
  judge(cut: string | undefined): LivenessOutcome {
    const expanded = this.graph.expanded;
    let hotStates = 0;
    let stuck = -1;
    const hot: number[] = [];
    for (let s = 0; s < expanded; s++) {
      if (this.hotCount(s) === 0) continue;
      hotStates++;
      hot.push(s);
      if (stuck < 0 && this.graph.start(s) === this.graph.end(s)) stuck = s;
    }
    const base = {
      distinct: this.store.size,
      edges: this.graph.edges,
      depth: this.depth(),
      complete: cut === undefined,
      hotStates,
      bytes: this.graph.bytes + this.store.bytes + this.visited.bytes + this.canon.bytes + this.edgeRenamings.bytes,
      symmetric: this.symmetric,
    };
    if (this.unsafe) return { ...base, components: 0, verdict: 'unknown', why: `the graph was cut: ${cut}`, unsafe: this.unsafePath(this.unsafe) };
    const { found, unjudged, components } = this.cycles(Int32Array.from(hot));
    const stuckFirst = stuck >= 0 && (!found || stuck <= firstOf(found));
    if (stuck >= 0 && stuckFirst) return { ...base, components, verdict: 'fail', lasso: this.stuckLasso(stuck) };
    if (found) return { ...base, components, verdict: 'fail', lasso: this.cycleLasso(found) };
    if (unjudged) return { ...base, components, verdict: 'unknown', why: unjudged };
    if (cut) return { ...base, components, verdict: 'unknown', why: `the graph was cut: ${cut}; no lasso among the states explored` };
    return { ...base, components, verdict: 'ok' };
  }

  /** The deepest level with a state. */
  private depth(): number {
    let depth = this.levels.length - 1;
    while (depth > 0 && this.levels[depth]! >= this.store.size) depth--;
    return depth;
  }

  /**
   * The fair cycles of hot states on which a key stays hot: components of `members`, split by
   * key until one key is hot throughout. Returns the violating component first reached (least
   * state number: the shortest stem), and a reason when a hot component could not be judged.
   * With hot keys that name interchangeable nodes, a quotient state's keys are in its own
   * naming only, so each hot component is lifted first and split by key there (`namedCycles`).
   */
  private cycles(members: Int32Array): { found?: Found; unjudged?: string; components: number } {
    let found: Found | undefined;
    let unjudged: string | undefined;
    let inner = 0;
    const consider = (candidate: Found | 'timeless', size: number, first: number): void => {
      if (candidate === 'timeless') unjudged ??= timelessWhy(size);
      else if (!found || first < firstOf(found)) found = candidate;
    };
    const keysOf = this.namedKeys ? () => HOT : (s: number) => this.hotKeysOf(s);
    const components = splitByKey(this.graph, members, keysOf, (component, throughout) => {
      if (this.namedKeys) {
        inner += this.namedCycles(component, consider);
        return;
      }
      const lifted = this.symmetric ? lift(this.quotient(), component, minOf(component)) : undefined;
      const fairness = lifted ? this.fairness(this.liftedWalk(lifted), allOf(lifted.graph.expanded)) : this.fairness(this.walk(), component);
      if (fairness === 'fair') consider({ component, key: throughout[0]!, others: throughout.length - 1, ...(lifted ? { lifted } : {}) }, component.length, minOf(component));
      else if (fairness === 'timeless') consider('timeless', component.length, 0);
    });
    return { ...(found ? { found } : {}), ...(unjudged ? { unjudged } : {}), components: components + inner };
  }

  /** A hot component of the quotient, with hot keys that name nodes: lifted (its concrete
   *  image, ./lift.ts), each lifted state given its keys renamed as it is, and split by key
   *  there. Returns the number of lifted components looked at. */
  private namedCycles(component: Int32Array, consider: (found: Found | 'timeless', size: number, first: number) => void): number {
    const lifted = lift(this.quotient(), component, minOf(component));
    const keys = this.liftedKeys(lifted);
    const walk = this.liftedWalk(lifted);
    return splitByKey(lifted.graph, allOf(lifted.graph.expanded), (k) => keys[k]!, (within, throughout) => {
      const first = leastQuotient(lifted, within);
      const fairness = this.fairness(walk, within);
      if (fairness === 'fair') consider({ component, key: throughout[0]!, others: throughout.length - 1, lifted, within }, within.length, first);
      else if (fairness === 'timeless') consider('timeless', within.length, first);
    });
  }

  /** A hot key's words, by its number. */
  keyOf(id: number): string {
    return this.keys[id]!;
  }

  /** The hot keys of each state (q, g) of a lifted component: q's, renamed by g. */
  liftedKeys(lifted: Lifted): number[][] {
    return Array.from({ length: lifted.graph.expanded }, (_, k) => this.hotKeysOf(lifted.quotient[k]!).map((key) => this.renamedKey(key, lifted.renaming[k]!)));
  }

  /** The hot keys of state `s`. */
  private hotKeysOf(s: number): number[] {
    return this.hotKeys.slice(this.hotStarts[s]!, this.hotStarts[s + 1]!);
  }

  /**
   * Is a walk through all of `component` weakly fair: is every step enabled in all its states
   * taken by one of its edges? `timeless`: not, but only for want of a timer the model cannot
   * fire there (no state of it lets time pass, and no early firing of that timer is left: the
   * budget is spent, or `[verify] timers` leaves it out).
   */
  private fairness(walk: Walk, component: Int32Array): 'fair' | 'unfair' | 'timeless' {
    const unmet = unmetIn(walk, component, component);
    if (unmet.length === 0) return 'fair';
    const early = unmet.map((o) => walk.early(component[0]!, o));
    if (early.includes('not a timer') || component.some((s) => walk.timePasses(s))) return 'unfair';
    return early.every((e) => e === 'never') ? 'timeless' : 'unfair';
  }

  /** The pass's own graph, to judge fairness on. */
  private walk(): Walk {
    return {
      graph: this.graph,
      obligations: (s) => this.obligations(s),
      timePasses: (s) => this.letsTimePass(s),
      early: (s, code) => (kindOf(code) !== TIMER ? 'not a timer' : this.firesEarly(s, code) ? 'early' : 'never'),
    };
  }

  /** The quotient graph, for lifting (./lift.ts). */
  quotient(): Quotient {
    return {
      graph: this.graph,
      model: this.model,
      prints: this.prints,
      renamings: this.renamings!,
      edgeRenaming: (e) => this.edgeRenamings.at(e),
      obligations: (q) => this.obligations(q),
    };
  }

  /** A component's concrete image, to judge fairness on (a timer's early firing is asked of
   *  the quotient's state, in its own naming). */
  private liftedWalk(lifted: Lifted): Walk {
    return {
      graph: lifted.graph,
      obligations: (k) => lifted.obligations(k),
      timePasses: (k) => this.letsTimePass(lifted.quotient[k]!),
      early: (k, code) => {
        const q = lifted.quotient[k]!;
        const own = this.obligations(q).find((o) => stepIdentity(this.model, this.prints, lifted.renaming[k]!, o) === lifted.identities[code]);
        if (own === undefined || kindOf(own) !== TIMER) return 'not a timer';
        return this.firesEarly(q, own) ? 'early' : 'never';
      },
    };
  }

  /** Does state `s` let time pass (no message in flight)? */
  private letsTimePass(s: number): boolean {
    return this.store.state(s)[this.model.countAt] === 0;
  }

  /** May timer step `code` fire early in state `s` (budget left, and a timer the bound lets
   *  fire)? The budget is the same in every state of a cycle. */
  private firesEarly(s: number, code: number): boolean {
    const words = this.store.state(s);
    if (words[this.model.judgeAt + TIMEOUTS_WORD]! <= 0) return false;
    const node = this.model.nodeOf(code);
    return this.model.node(words, node).timerSteps.includes(code);
  }

  /** The steps weak fairness covers in state `s`, as step codes: each message in flight
   *  delivered, each crashed node restarted, each armed timer of a live node fired — but where
   *  time passes, only the timers the emulation's timing lets expire first (one it holds back
   *  there, another timer always beats: it is not enabled). */
  obligations(s: number): number[] {
    const model = this.model;
    const words = this.store.state(s);
    const out: number[] = [];
    const first = model.countAt + 1;
    for (let p = first; p < first + words[model.countAt]!; p++) if (p === first || words[p] !== words[p - 1]) out.push(codeOf(DELIVER, words[p]!));
    const expires = words[model.countAt] === 0 ? this.expiresFirst(words) : () => true;
    for (let i = 0; i < model.n; i++) {
      const local = model.node(words, i);
      if (local.status === 'crashed') out.push(codeOf(RESTART, i));
      else if (local.status === 'up') for (const timer of local.timers) if (expires(i, timer)) out.push(codeOf(TIMER, model.timerId(i, timer)));
    }
    return out;
  }

  // ---- the lasso ---------------------------------------------------------------------------------

  private stuckLasso(s: number): Lasso {
    const stem = this.stemTo(s);
    // The state the stem ends at, in its own naming (with symmetry, an image of the one stored).
    const [first, ...rest] = this.hotOf(this.play(stem));
    return { stem: this.records(stem), loop: [], key: first!.key, what: first!.what(), others: rest.length, component: 1 };
  }

  /** The stem to the component's first state, and a fair loop back to it inside. */
  private cycleLasso(found: Found): Lasso {
    const { component, key } = found;
    const entry = firstOf(found);
    let stem: number[];
    let loop: number[];
    let keyText = this.keys[key]!;
    if (found.lifted) {
      // The concrete stem ends at (entry, h); the loop starts at lifted state (entry, g): its
      // image by h∘g⁻¹, a fair component too, starts where the stem ends (with the key renamed).
      const { lifted, within } = found;
      const start = within ? firstWithin(lifted, within, entry) : 0;
      const { steps, renaming } = this.renamedPath(entry);
      const by = this.renamings!.compose(renaming, this.renamings!.invert(lifted.renaming[start]!));
      const inside = within ? new Set(within) : undefined;
      const edges = loopFrom(this.liftedWalk(lifted), start, (k) => inside?.has(k) ?? true);
      const codes = this.concrete([...steps, ...this.liftedSteps(lifted, edges, by)], steps.length);
      [stem, loop] = [codes.slice(0, steps.length), codes.slice(steps.length)];
      keyText = this.keys[this.renamedKey(key, by)]!;
    } else {
      const inSet = new Set(component);
      stem = this.store.path(entry);
      loop = loopFrom(this.walk(), entry, (s) => inSet.has(s)).map((e) => this.graph.code.at(e));
    }
    const what = this.hotThroughout(stem, loop, keyText);
    const records = this.records([...stem, ...loop]);
    const size = found.within?.length ?? found.lifted?.graph.expanded ?? component.length;
    return { stem: records.slice(0, stem.length), loop: records.slice(stem.length), key: keyText, what, others: found.others, component: size };
  }

  /** The obligation `key`, in words, checked hot in every state of the concrete loop (a check
   *  that the keys were renamed as the emulation says they are: TemperatureSpec.namesNodes). */
  private hotThroughout(stem: readonly number[], loop: readonly number[], key: string): string {
    const hot = (words: Int32Array): Hot | undefined => this.hotOf(words).find((h) => h.key === key);
    let words = this.play(stem);
    const first = hot(words);
    let everywhere = first !== undefined;
    for (const code of loop) {
      words = this.scratch.slice(0, this.successor(words, code));
      everywhere &&= hot(words) !== undefined;
    }
    if (!everywhere) throw new Error(`a lasso whose obligation '${key}' is not hot throughout its loop: the liveness pass is inconsistent, or the emulation's hot keys are not renamed with its nodes as it says`);
    return first!.what();
  }

  /** The path to the unsafe state met: the path to its parent, then its step (with symmetry,
   *  renamed as the parent's path ends). */
  private unsafePath(unsafe: UnsafeStep): UnsafePath {
    let codes: number[];
    if (this.symmetric) {
      const { steps, renaming } = this.renamedPath(unsafe.parent);
      codes = this.concrete([...steps, { renaming, code: unsafe.code }]);
    } else codes = [...this.store.path(unsafe.parent), unsafe.code];
    return { depth: codes.length, steps: this.records(codes), verdicts: unsafe.verdicts, timePassed: this.firesAsTimePasses(codes) };
  }

  /** Does the path `codes` (from the root) fire a timer where no message is in flight? */
  private firesAsTimePasses(codes: readonly number[]): boolean {
    let passed = false;
    this.play(codes, (words, code) => (passed ||= kindOf(code) === TIMER && words[this.model.countAt] === 0));
    return passed;
  }

  /** The state the path `codes` (from the root) ends at; `each` sees every state and the step
   *  taken from it. */
  private play(codes: readonly number[], each?: (words: Int32Array, code: number) => void): Int32Array {
    let words = this.model.root.slice();
    for (const code of codes) {
      each?.(words, code);
      words = this.scratch.slice(0, this.successor(words, code));
    }
    return words;
  }

  /** The model's step codes from the root to a state of the orbit of state `s` (with symmetry:
   *  the path of first discovery, renamed step by step). */
  private stemTo(s: number): number[] {
    return this.symmetric ? this.concrete(this.renamedPath(s).steps) : this.store.path(s);
  }

  /**
   * With symmetry: the concrete path of first discovery to a state of `s`'s orbit, as
   * (renaming, code) steps — each step of the stored path renamed by the renamings met on its
   * edges before it — and the renaming g with which it ends at (s, g).
   */
  private renamedPath(s: number): { steps: RenamedStep[]; renaming: number } {
    const chain: number[] = [];
    for (let at = s; at > 0; at = this.store.parentOf(at)) chain.push(at);
    const steps: RenamedStep[] = [];
    let from = 0;
    let renaming = 0;
    for (const to of chain.reverse()) {
      const code = this.store.stepOf(to);
      steps.push({ renaming, code });
      renaming = this.renamings!.compose(renaming, this.edgeRenamings.at(this.edgeFromTo(from, to, code)));
      from = to;
    }
    return { steps, renaming };
  }

  /** A lifted component's walk (its edges), as (renaming, code) steps of quotient states, all
   *  renamed by `by`. */
  private liftedSteps(lifted: Lifted, edges: readonly number[], by: number): RenamedStep[] {
    return edges.map((e) => {
      const k = lifted.graph.source(e);
      const renaming = lifted.renaming[k]!;
      const code = this.edgeCodeOf(lifted.quotient[k]!, lifted.quotient[lifted.graph.to.at(e)]!, renaming, lifted.identities[lifted.graph.code.at(e)]!);
      return { renaming: this.renamings!.compose(by, renaming), code };
    });
  }

  /** The code (in r_q's naming) of an edge from q to t whose step, renamed by `renaming`, is `id`. */
  private edgeCodeOf(q: number, t: number, renaming: number, id: number): number {
    for (let e = this.graph.start(q); e < this.graph.end(q); e++) {
      if (this.graph.to.at(e) === t && stepIdentity(this.model, this.prints, renaming, this.graph.code.at(e)) === id) return this.graph.code.at(e);
    }
    throw new Error('a lifted edge without its quotient edge: the liveness pass is inconsistent');
  }

  /** The edge from `from` to `to` taking step `code` (the path of first discovery has one). */
  private edgeFromTo(from: number, to: number, code: number): number {
    for (let e = this.graph.start(from); e < this.graph.end(from); e++) if (this.graph.to.at(e) === to && this.graph.code.at(e) === code) return e;
    throw new Error('a path of first discovery without its edge: the liveness pass is inconsistent');
  }

  /**
   * (renaming, code) steps as the model's step codes along the concrete path from the root: at
   * each concrete state, the step enabled there whose identity is the renamed step's
   * (./lift.ts). A step not enabled there would mean the symmetry does not hold: an error.
   */
  private concrete(steps: readonly RenamedStep[], loopFrom?: number): number[] {
    let words = this.model.root;
    let loopStart: string | undefined;
    const codes = steps.map(({ renaming, code }, i) => {
      if (i === loopFrom) loopStart = this.behaviourOf(words);
      const id = stepIdentity(this.model, this.prints, renaming, code);
      const count = this.enabled(words);
      let chosen = -1;
      for (let i = 0; i < count && chosen < 0; i++) if (stepIdentity(this.model, this.prints, 0, this.steps[i]!) === id) chosen = this.steps[i]!;
      if (chosen < 0) throw new Error('a renamed step is not enabled in its concrete state: the symmetry the emulation declares does not hold');
      words = this.scratch.slice(0, this.successor(words, chosen));
      return chosen;
    });
    // The loop closes on the very state it left, as the plain pass would see it (its
    // behaviour, no renaming): a check that the lift is the concrete graph.
    if (loopFrom !== undefined && loopStart !== this.behaviourOf(words)) throw new Error('a lifted loop that does not close: the symmetry the emulation declares does not hold');
    return codes;
  }

  /** A state as the pass compares states, without symmetry: each node by behaviour, the
   *  messages in flight and the budget, no judge. */
  private behaviourOf(words: Int32Array): string {
    const model = this.model;
    const parts = Array.from(words.subarray(0, model.sizeOf(words)));
    for (let i = 0; i < model.n; i++) parts[i] = this.standInOf(words[i]!);
    parts[model.judgeAt] = 0;
    return parts.join(',');
  }

  /** Step codes from the root, as a path's records (played once through the world). */
  private records(codes: readonly number[]): StepRecord[] {
    const world = new World(this.model.emulation, this.config, this.model);
    let state = world.initial();
    return codes.map((code, i) => {
      const step = world.stepOf(state, code);
      state = world.apply(state, step, i + 1);
      return world.record(step);
    });
  }
}

/** A step of a quotient state, renamed: the concrete step `renaming`(`code`). */
interface RenamedStep {
  readonly renaming: number;
  readonly code: number;
}

/** The steps enabled in every state of `states` that no edge between states of `within` takes
 *  (or, given `taken`, that are not in it). */
function unmetIn(walk: Walk, states: ArrayLike<number>, within: ArrayLike<number>, taken?: ReadonlySet<number>): number[] {
  let enabled: number[] | undefined;
  for (let i = 0; i < states.length; i++) {
    const mine = new Set(walk.obligations(states[i]!));
    enabled = enabled === undefined ? [...mine] : enabled.filter((o) => mine.has(o));
    if (enabled.length === 0) return [];
  }
  const codes = taken ?? codesWithin(walk.graph, within);
  return (enabled ?? []).filter((o) => !codes.has(o));
}

/** The step codes of the edges between states of `component`. */
function codesWithin(g: StateGraph, component: ArrayLike<number>): Set<number> {
  const inSet = new Set(Array.from(component));
  const codes = new Set<number>();
  for (const s of inSet) for (let e = g.start(s); e < g.end(s); e++) if (inSet.has(g.to.at(e))) codes.add(g.code.at(e));
  return codes;
}

/**
 * A closed walk from `entry` inside the component (`member`), weakly fair as a cycle of its
 * own, as edges: it goes through an edge of each step enabled in all the states it visits (or
 * through a state where that step is not enabled), until none is left, then back to `entry`.
 */
function loopFrom(walk: Walk, entry: number, member: (s: number) => boolean): number[] {
  const g = walk.graph;
  const edges: number[] = [];
  const visited: number[] = [entry];
  const taken = new Set<number>();
  let at = entry;
  const follow = (path: readonly number[]): void => {
    for (const e of path) {
      edges.push(e);
      taken.add(g.code.at(e));
      at = g.to.at(e);
      visited.push(at);
    }
  };
  for (let guard = 0; guard < 10_000; guard++) {
    const [need] = unmetIn(walk, visited, [], taken);
    if (need === undefined) break;
    // An edge taking the step, else a state where it is not enabled.
    const viaEdge = g.pathWithin(at, (s) => edgeTaking(g, s, need, member) >= 0, member);
    if (viaEdge) {
      follow(viaEdge);
      follow([edgeTaking(g, at, need, member)]);
      continue;
    }
    const away = g.pathWithin(at, (s) => !walk.obligations(s).includes(need), member);
    if (!away) throw new Error('a fair component without a way to meet its obligations: the liveness pass is inconsistent');
    follow(away);
  }
  if (edges.length === 0) follow([firstEdge(g, entry, member)]);
  if (at !== entry) follow(g.pathWithin(at, (s) => s === entry, member)!);
  return edges;
}

/** An edge from `s` inside the component that takes step `code` (-1: none). */
function edgeTaking(g: StateGraph, s: number, code: number, member: (s: number) => boolean): number {
  for (let e = g.start(s); e < g.end(s); e++) if (g.code.at(e) === code && member(g.to.at(e))) return e;
  return -1;
}

/** An edge from `s` into the component (it has one: the component has a cycle). */
function firstEdge(g: StateGraph, s: number, member: (s: number) => boolean): number {
  for (let e = g.start(s); e < g.end(s); e++) if (member(g.to.at(e))) return e;
  throw new Error('no edge inside the component from its entry');
}

/** 0 .. n - 1. */
function allOf(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

function minOf(values: Int32Array): number {
  let min = values[0]!;
  for (const v of values) if (v < min) min = v;
  return min;
}

/** The one key of every hot state, where the quotient's keys cannot be compared (`namedCycles`). */
const HOT: readonly number[] = [0];

/**
 * The strongly connected components of `members` in `graph` on which some key (`keysOf`) is
 * hot in every state, found by splitting: a component with no key hot throughout is searched
 * again as the states where each of its keys is hot. Each is given to `judge`, with the keys hot
 * throughout; returns how many components were looked at.
 */
function splitByKey(graph: StateGraph, members: Int32Array, keysOf: (s: number) => readonly number[], judge: (component: Int32Array, throughout: number[]) => void): number {
  const work: Int32Array[] = [members];
  const marks = new Int32Array(graph.expanded);
  let stamp = 0;
  let components = 0;
  while (work.length > 0) {
    const set = work.pop()!;
    const mark = ++stamp;
    for (const s of set) marks[s] = mark;
    graph.components(set, (s) => marks[s] === mark, (component) => {
      components++;
      const keysAt = Array.from(component, keysOf);
      let throughout = [...keysAt[0]!];
      for (let i = 1; i < keysAt.length && throughout.length > 0; i++) throughout = throughout.filter((k) => keysAt[i]!.includes(k));
      if (throughout.length > 0) return judge(component, throughout);
      for (const key of new Set(keysAt.flat())) work.push(component.filter((_, i) => keysAt[i]!.includes(key)));
    });
  }
  return components;
}

/** Why a hot component could not be judged: no time passes in it while a timer stays armed. */
function timelessWhy(size: number): string {
  return `a cycle of ${size} hot state(s) in which no time can pass (a message is always in flight) while a timer stays armed and no early firing is left in the budget: the model cannot say whether that timer fires`;
}

/** The least quotient state of a violating component (the one with the shortest stem). */
function firstOf(found: Found): number {
  return found.within ? leastQuotient(found.lifted!, found.within) : minOf(found.component);
}

/** The least quotient state among lifted states `within`. */
function leastQuotient(lifted: Lifted, within: Int32Array): number {
  let least = Number.POSITIVE_INFINITY;
  for (const k of within) least = Math.min(least, lifted.quotient[k]!);
  return least;
}

/** The lifted state of `within` over quotient state `entry` (the loop starts there). */
function firstWithin(lifted: Lifted, within: Int32Array, entry: number): number {
  for (const k of within) if (lifted.quotient[k] === entry) return k;
  throw new Error('a lifted component without a state over its first quotient state: the liveness pass is inconsistent');
}
