/**
 * The model checker's world, compact: a global state is a short list of integers (an
 * Int32Array), and a step is an integer. Where the router (src/sim/router.ts) takes the
 * earliest item off its agenda, here every event that could happen next is a branch:
 *
 *   deliver    any message in flight (equal messages on one link are one branch: the network
 *              is a multiset);
 *   timer      any armed timer (virtual time is abstract: a timer may fire before or after any
 *              message, so "retry before the answer arrives" is explored), within the bound's
 *              timer firings, and only the timers it names;
 *   drop, duplicate   any message in flight, within the bound's budget;
 *   crash      any node of a crashable role that is up, keeping within [faults] max_crashed and
 *              the sets of nodes the emulation allows down together, within the budget; its
 *              volatile state and timers are lost, its disk kept;
 *   restart    any crashed node, from its disk.
 *
 * A state's words:
 *
 *   [0, n)        each node's local state, by number (./locals.ts: status, machine snapshot,
 *                 disk, armed timers, each kept once)
 *   n             the judge, by number (./judges.ts: judges that remember the same are one)
 *   n+1 .. n+4    the budget left: drops, duplicates, crash-recoveries, timer firings
 *   n+5           how many messages are in flight, then their packet numbers, sorted
 *                 (./packets.ts: a message on a link, kept once)
 *
 * A step code is `payload * 8 + kind`: a packet number (deliver, drop, duplicate), a timer's
 * number (timer), a node (crash, restart).
 *
 * What a step does to its node is worked out once per (local state, event) (./stepper.ts: the
 * interpreter's rules, src/sim/interpreter.ts, on the very XState machine `mpkv run` drives,
 * stepped purely) and kept with the local state; what it tells the judge is worked out once
 * per (judge, events) and kept with the judge. A step of the search is then a few lookups and
 * a merge of short sorted lists: XState runs once per distinct local step, the judge once per
 * distinct judgement. A message sent to a node that has finished is dropped at once (it could
 * never matter), and so are the messages in flight to a node when it finishes.
 *
 * The path view of the same world, with message numbers and a trace (replays, PCT,
 * counterexamples), is ./world.ts.
 *
 * What a pass over the state graph (the search, a liveness check) uses, and keeps its meaning:
 * `root` (the booted state), `steps(words, out)` (the enabled step codes, into `out` of at
 * least `maxSteps(words[countAt])` words), `successor(words, code, out)` (the state after a
 * step), `failed(words)` (the safety checks its judge failed), `kindOf`/`nodeOf`/`packetOf` and
 * `node(words, i).status` (what a step is, where, and whether its node is up), `prune(on)`
 * (leave out no-op deliveries, and take dead messages out of flight: `dead`; off unless a
 * search's reduction turns it on), and a state's
 * fingerprint: `new Fingerprinter(model).of(words)`, then `.hi`, `.lo` (./fingerprints.ts).
 */
import { crashRolesOf, type AnyEmulation, type Config } from '../emulations/api/emulation.js';
import type { NodeSpec } from '../sim/interpreter.js';
import type { Envelope, NodeId, TraceEvent } from '../sim/trace.js';
import { deepClone } from '../util/clone.js';
import { Judges } from './judges.js';
import { LocalStates, type LocalState, type LocalStep } from './locals.js';
import { PureMachine } from './machine.js';
import { Packets } from './packets.js';
import { Origins } from './origins.js';
import { copyTop, deepFreeze, DELIVERED, NodeStepper, type NodeState, type StepRecordOfNode } from './stepper.js';
import { Symmetry } from './symmetry.js';
import type { Verdict } from '../../specs/verdict.js';

export const DELIVER = 0;
export const TIMER = 1;
export const DROP = 2;
export const DUPLICATE = 3;
export const CRASH = 4;
export const RESTART = 5;

/** Step code parts. */
export const kindOf = (code: number): number => code & 7;
export const payloadOf = (code: number): number => code >>> 3;
export const codeOf = (kind: number, payload: number): number => payload * 8 + kind;

/** Budget words, after the judge's. */
const DROPS = 1;
const DUPLICATES = 2;
const CRASHES = 3;
const TIMEOUTS = 4;

/** How a step may depend on others (./reduction.ts): packed footprint bits. */
export const NO_NODE = 0xffff;
export const BUDGET_SHIFT = 16;
export const CRASH_CLASS = 1 << 19;
export const ORDERED = 1 << 20;

/** A local step's event code, within its local state's table. */
const localKey = (kind: number, payload: number): number => payload * 8 + kind;
const BOOT = 6;

/** `VerifySpec.ignoresForGood`, for one role. */
type IgnoresForGood = NonNullable<NonNullable<AnyEmulation['verify']>['ignoresForGood']>[string];

/** What a local state knows of a packet (`LocalState.dead`): dead, alive, or it depends on
 *  the sender's state (then kept by packet and sender's state). */
const ALIVE = 0;
const DEAD = 1;
const ANSWERS = 2;
/** Keys a packet with its sender's state: packet + SENDER * (1 + the sender's local state). */
const SENDER = 2 ** 26;

export class Model {
  readonly specs: readonly NodeSpec[];
  readonly ids: readonly NodeId[];
  readonly index: ReadonlyMap<NodeId, number>;
  readonly n: number;
  /** Where the judge's word is; the budget follows it, then the messages' count and list. */
  readonly judgeAt: number;
  readonly countAt: number;
  readonly machines: readonly PureMachine[];
  readonly symmetry: Symmetry;
  readonly locals: LocalStates;
  readonly packets = new Packets();
  readonly judges: Judges;
  /** How each local state and packet was first made: a recipe another worker can follow
   *  (./portable.ts). */
  readonly origins = new Origins();
  /** The root: every node booted, in order, at time 0. */
  readonly root: Int32Array;
  /** The boot, node by node: the state before each node started, and its start. */
  readonly bootSteps: { readonly before: Int32Array; readonly step: LocalStep }[] = [];
  private readonly setting: readonly ReadonlySet<string>[];
  private readonly mutable: readonly (ReadonlySet<string> | undefined)[];
  private readonly crashable: readonly boolean[];
  private readonly timerAllowed: (node: number, timer: string) => boolean;
  /** Timers by number: (node, name). */
  readonly timers: { readonly node: number; readonly name: string }[] = [];
  private readonly timerIds = new Map<string, number>();
  /** Judge lists of network faults (a drop or duplicate the judge reads), by step code. */
  private readonly networkLists = new Map<number, number>();
  private readonly downAllowed = new Map<number, boolean>();
  /** Scratch: the distinct packets of a state, in key order. */
  private byKey = new Int32Array(64);
  /** The emulation's word on which facts' order matters (undefined: every judged step's). */
  private readonly orderedFacts: ReadonlySet<string> | undefined;
  private readonly judgeReadsDrops: boolean;
  /** Per node, the emulation's word on the messages it ignores for good (`VerifySpec.ignoresForGood`). */
  private readonly ignores: readonly (IgnoresForGood | undefined)[];
  /** Per node: may it crash, and restart from its disk, on some path within the bound? */
  private readonly restarts: readonly boolean[];
  /** Does the emulation name messages some node ignores for good? */
  private readonly ignoring: boolean;
  /**
   * Leave out deliveries that would change nothing (`steps`): off by default (the full
   * transition system, which a liveness pass needs: a message in flight is an obligation); the
   * search turns it on with its reduction (./search.ts). See `prunable` for why it is sound.
   */
  private pruning = false;
  /** Dead messages taken out of flight (`dead`): with `prune`, or alone (`bury`). */
  private burying = false;

  constructor(
    readonly emulation: AnyEmulation,
    readonly config: Config,
  ) {
    this.specs = emulation.nodes(config);
    this.ids = this.specs.map((s) => s.id);
    this.index = new Map(this.ids.map((id, i) => [id, i]));
    this.n = this.specs.length;
    this.judgeAt = this.n;
    this.countAt = this.n + 5;
    const hints = emulation.verify ?? {};
    this.setting = this.specs.map((s) => new Set(hints.setting?.[s.role] ?? []));
    this.mutable = this.specs.map((s) => (hints.mutable?.[s.role] ? new Set(hints.mutable[s.role]) : undefined));
    this.orderedFacts = hints.orderedFacts ? new Set(hints.orderedFacts) : undefined;
    const crashableRoles = new Set(crashRolesOf(emulation, config).map((r) => r.name));
    this.crashable = this.specs.map((s) => crashableRoles.has(s.role));
    this.ignores = this.specs.map((s) => hints.ignoresForGood?.[s.role]);
    this.restarts = this.crashable.map((crashable) => crashable && config.verify.crashes > 0);
    this.ignoring = this.ignores.some((hint) => hint !== undefined);
    this.machines = this.specs.map((spec) => new PureMachine(spec));
    const allowed = config.verify.timers;
    this.timerAllowed = allowed.length === 0 ? () => true : (node, timer) => allowed.includes(timer) || allowed.includes(`${this.specs[node]!.role}:${timer}`);
    this.symmetry = new Symmetry(this.ids, this.specs.map((s) => s.role), hints.symmetric ?? []);
    this.locals = new LocalStates(
      { setting: this.setting, mutable: this.mutable, symmetry: this.symmetry, timerSteps: (node, timers) => Int32Array.from(timers.filter((t) => this.timerAllowed(node, t)), (t) => codeOf(TIMER, this.timerId(node, t))) },
      this.n,
    );
    this.judges = new Judges(emulation.judge(config, {}), this.symmetry);
    this.judgeReadsDrops = this.judges.reads_('drop');
    this.root = this.boot();
  }

  /** The longest a state's words can be with `packets` messages in flight. */
  length(packets: number): number {
    return this.countAt + 1 + packets;
  }

  /** The number of words of state `words` (its list of messages included). */
  sizeOf(words: Int32Array): number {
    return this.countAt + 1 + words[this.countAt]!;
  }

  node(words: Int32Array, i: number): LocalState {
    return this.locals.states[words[i]!]!;
  }

  /** The safety checks the state's judge failed. */
  failed(words: Int32Array): readonly Verdict[] {
    return this.judges.reps[words[this.judgeAt]!]!.failed;
  }

  budget(words: Int32Array): { drops: number; duplicates: number; crashes: number; timeouts: number } {
    const j = this.judgeAt;
    return { drops: words[j + DROPS]!, duplicates: words[j + DUPLICATES]!, crashes: words[j + CRASHES]!, timeouts: words[j + TIMEOUTS]! };
  }

  // ---- the steps a state allows ------------------------------------------------------------------

  /**
   * The steps that may happen next in `words`, in a fixed order (deliveries, timers, drops,
   * duplicates, crashes, restarts; messages in the order of their keys, link then text: the
   * order a path's messages are listed in), into `out`; returns how many. `unbounded`: whatever the
   * budget left, and any armed timer (a replayed path may have been drawn with a budget of its own).
   */
  steps(words: Int32Array, out: Int32Array, unbounded = false): number {
    const n = this.n;
    const j = this.judgeAt;
    const distinct = this.distinctPackets(words);
    let k = 0;
    for (let p = 0; p < distinct; p++) {
      const pid = this.byKey[p]!;
      if (!unbounded && this.pruning && this.noop(words, pid)) continue;
      out[k++] = codeOf(DELIVER, pid);
    }
    if (unbounded || words[j + TIMEOUTS]! > 0) {
      for (let i = 0; i < n; i++) {
        const local = this.locals.states[words[i]!]!;
        if (local.status !== 'up') continue;
        if (unbounded) for (const t of local.timers) out[k++] = codeOf(TIMER, this.timerId(i, t));
        else for (let t = 0; t < local.timerSteps.length; t++) out[k++] = local.timerSteps[t]!;
      }
    }
    if (unbounded || words[j + DROPS]! > 0) for (let p = 0; p < distinct; p++) out[k++] = codeOf(DROP, this.byKey[p]!);
    if (unbounded || words[j + DUPLICATES]! > 0) for (let p = 0; p < distinct; p++) out[k++] = codeOf(DUPLICATE, this.byKey[p]!);
    if (unbounded || words[j + CRASHES]! > 0) for (let i = 0; i < n; i++) if (this.mayCrash(words, i)) out[k++] = codeOf(CRASH, i);
    for (let i = 0; i < n; i++) if (this.locals.states[words[i]!]!.status === 'crashed') out[k++] = codeOf(RESTART, i);
    return k;
  }

  /**
   * Leaves out (`on`) or keeps the deliveries that would change nothing: the addressee's local
   * state stays the same, it sends nothing, finishes not, and tells the judge nothing. Leaving
   * them out is sound for safety: such a delivery only takes a message out of flight, and a
   * message kept in flight only adds steps (a step's effect depends on its node's local state
   * and the message, never on the other messages in flight), so every path of the full search
   * has a path without its no-op deliveries that gives every node and the judge the same
   * states, and it is not longer: the least depth of a violation stays. Not when the judge reads
   * drops (a message kept in flight would later be dropped, to a node that finishes, and tell
   * it). Whether a delivery is a no-op depends on its addressee's local state only, so a step at
   * another node never makes it one: the independence of ./reduction.ts still holds. It changes
   * the distinct states (fewer, states with no-ops in flight stand for those without them).
   */
  prune(on: boolean): void {
    this.pruning = on && !this.judgeReadsDrops;
    this.burying = this.pruning && this.ignoring;
  }

  /**
   * Takes dead messages out of flight (`on`, see `dead`) without leaving out no-op deliveries:
   * what the liveness pass uses (./liveness.ts), where a message left in flight would change
   * what fairness asks and when time may pass, but a dead one taken out at once is the same as
   * its no-op delivery taken at once.
   */
  bury(on: boolean): void {
    this.burying = on && !this.judgeReadsDrops && this.ignoring;
  }

  /**
   * Is packet `pid` dead in `words`: a message its addressee ignores for good? The emulation
   * says so (`VerifySpec.ignoresForGood`: in every state the addressee can step to from its
   * present one, across restarts if it may crash, its delivery changes nothing of the
   * addressee and notes no fact; it may answer the sender, if the sender ignores that answer
   * for good too, which the emulation asks of the sender's own word), and the model checks the
   * present: delivering it now leaves the addressee and the judge's memory as they are (what
   * notes no fact, a judge that reads facts never remembers), and sends only dead answers that
   * tell the judge nothing (`quiet`). With the reduction on (`prune`), every step takes the
   * dead messages out of flight at once (`local`): those it sends, and those in flight.
   *
   * Why that is sound, and keeps the least depth of a violation: a dead message m can only be
   * delivered (in every future that changes nothing but takes m, and whatever it answers, out
   * of flight), dropped or duplicated (each spends budget and gives a state that is the state
   * without m, or with m twice, with less budget: no more behaviours than without the step).
   * So every path from a state with m in flight maps to a path, not longer, from the state
   * without it that gives every node and the judge the same states with no less budget; and
   * every path from the state without m is one from the state with it. A message once dead is
   * dead in every later state (the emulation's word holds of every state its nodes step to), so
   * a state after a step is the state the step gives with every message dead in it taken out:
   * for two steps at different nodes, in either order, the same state, so sleep sets still
   * hold (./reduction.ts). A step may make a message another step would deliver dead; that
   * delivery then takes it out of flight and nothing more, which is what the first step did.
   */
  dead(words: Int32Array, pid: number): boolean {
    return this.ignoredForGood(words, pid) && this.judgesNothing(words, pid);
  }

  /** `dead` but for what the judge makes of it: the emulation's word and the present, as far as
   *  the addressee's and its sender's local states decide it (worked out once for those). */
  private ignoredForGood(words: Int32Array, pid: number): boolean {
    const to = this.packets.to[pid]!;
    const ignores = this.ignores[to];
    if (!ignores) return false;
    const local = this.locals.states[words[to]!]!;
    if (local.status !== 'up' || !local.snapshot) return false;
    const from = this.packets.list[pid]!.from;
    let known = local.dead.get(pid);
    if (known === ANSWERS) known = local.dead.get(pid + SENDER * (1 + words[from]!));
    if (known === undefined) known = this.workOutDead(words, pid, local, ignores);
    return known === DEAD;
  }

  private workOutDead(words: Int32Array, pid: number, local: LocalState, ignores: IgnoresForGood): number {
    const packet = this.packets.list[pid]!;
    const { value, context } = local.snapshot!;
    let asked = false;
    const answerIgnored = (answer: Envelope): boolean => {
      asked = true;
      const sender = this.locals.states[words[packet.from]!]!;
      const hint = this.ignores[packet.from];
      if (!hint || sender.status !== 'up' || !sender.snapshot) return false;
      return hint({ value: sender.snapshot.value, context: sender.snapshot.context }, answer, this.ids[packet.to]!, this.restarts[packet.from]!, () => false);
    };
    const dead = ignores({ value, context }, packet.msg, this.ids[packet.from]!, this.restarts[packet.to]!, answerIgnored) && this.quiet(words, pid);
    const known = dead ? DEAD : ALIVE;
    if (!asked) local.dead.set(pid, known);
    else {
      local.dead.set(pid, ANSWERS);
      local.dead.set(pid + SENDER * (1 + words[packet.from]!), known);
    }
    return known;
  }

  /** Does delivering packet `pid` now leave its addressee as it is, finish it not, and send
   *  only answers to its sender that are dead and tell the judge nothing at all? */
  private quiet(words: Int32Array, pid: number): boolean {
    const to = this.packets.to[pid]!;
    const step = this.localStep(words[to]!, DELIVER, pid);
    if (step.next !== words[to] || step.finishes) return false;
    const from = this.packets.list[pid]!.from;
    for (const q of step.sends) {
      if (this.packets.to[q] !== from || !this.ignoredForGood(words, q)) return false;
      if (this.localStep(words[from]!, DELIVER, q).judged >= 0) return false;
    }
    return true;
  }

  /** Does delivering packet `pid` now leave the judge remembering what it does? */
  private judgesNothing(words: Int32Array, pid: number): boolean {
    const judged = this.localStep(words[this.packets.to[pid]!]!, DELIVER, pid).judged;
    return judged < 0 || this.judges.after(words[this.judgeAt]!, judged) === words[this.judgeAt];
  }

  /** Would delivering packet `pid` change nothing (its addressee's state, the messages in
   *  flight but for it, what the judge reads)? */
  private noop(words: Int32Array, pid: number): boolean {
    const to = this.packets.to[pid]!;
    const step = this.localStep(words[to]!, DELIVER, pid);
    return step.next === words[to] && step.sends.length === 0 && step.judged < 0 && !step.finishes;
  }

  /** The distinct packets in flight in `words`, in the order of their keys (link, then
   *  message text), into `byKey`; returns how many. */
  private distinctPackets(words: Int32Array): number {
    const first = this.countAt + 1;
    const count = words[this.countAt]!;
    if (count > this.byKey.length) this.byKey = new Int32Array(count * 2);
    const list = this.packets.list;
    let distinct = 0;
    for (let p = first; p < first + count; p++) {
      const pid = words[p]!;
      if (p > first && words[p - 1] === pid) continue;
      const key = list[pid]!.key;
      let at = distinct++;
      while (at > 0 && list[this.byKey[at - 1]!]!.key > key) {
        this.byKey[at] = this.byKey[at - 1]!;
        at--;
      }
      this.byKey[at] = pid;
    }
    return distinct;
  }

  /** The most steps a state with `packets` messages in flight can allow. */
  maxSteps(packets: number): number {
    return 3 * packets + this.timers.length + 2 * this.n + 16;
  }

  /** May node `node` crash now (a crashable role, up, and within [faults] max_crashed and the
   *  sets of nodes the emulation allows down together)? */
  mayCrash(words: Int32Array, node: number): boolean {
    if (!this.crashable[node] || this.locals.states[words[node]!]!.status !== 'up') return false;
    let mask = 0;
    let down = 1;
    for (let i = 0; i < this.n; i++) {
      if (this.locals.states[words[i]!]!.status !== 'crashed') continue;
      down++;
      mask |= 1 << (i & 31);
    }
    if (down > this.config.faults.max_crashed) return false;
    const key = this.n <= 30 ? (mask | (1 << node)) >>> 0 : -1;
    const known = key >= 0 ? this.downAllowed.get(key) : undefined;
    if (known !== undefined) return known;
    const set = new Set<NodeId>([this.ids[node]!]);
    for (let i = 0; i < this.n; i++) if (this.locals.states[words[i]!]!.status === 'crashed') set.add(this.ids[i]!);
    const allowed = this.emulation.explore.mayBeDown?.(this.config, set) !== false;
    if (key >= 0) this.downAllowed.set(key, allowed);
    return allowed;
  }

  // ---- one step --------------------------------------------------------------------------------

  /**
   * The state after step `code` from `from`, written into `out`; returns its length, or, if
   * `out` is too short for it, minus the length it needs (nothing written that matters).
   */
  successor(from: Int32Array, code: number, out: Int32Array): number {
    const j = this.judgeAt;
    const first = this.countAt + 1;
    const kind = code & 7;
    const payload = code >>> 3;
    const step = kind === DROP || kind === DUPLICATE ? undefined : this.localStepOf(from, code)!;
    const needed = first + from[this.countAt]! + (step ? step.sends.length : 1);
    if (needed > out.length) return -needed;
    for (let k = 0; k < first; k++) out[k] = from[k]!; // (no view object per step)
    switch (kind) {
      case DELIVER:
        return this.local(from, out, this.packets.to[payload]!, step!, payload);
      case TIMER:
        out[j + TIMEOUTS]!--;
        return this.local(from, out, this.timers[payload]!.node, step!, -1);
      case CRASH:
        out[j + CRASHES]!--;
        return this.local(from, out, payload, step!, -1);
      case RESTART:
        return this.local(from, out, payload, step!, -1);
      case DROP:
        out[j + DROPS]!--;
        out[j] = this.judges.after(from[j]!, this.networkList(code));
        return this.copyPackets(from, out, payload, -1);
      case DUPLICATE:
        out[j + DUPLICATES]!--;
        out[j] = this.judges.after(from[j]!, this.networkList(code));
        return this.copyPackets(from, out, -1, payload);
    }
    throw new Error(`no step of kind ${kind}`);
  }

  /** What step `code` does to its node in `words` (undefined for a drop or duplicate). */
  localStepOf(words: Int32Array, code: number): LocalStep | undefined {
    const kind = code & 7;
    const payload = code >>> 3;
    switch (kind) {
      case DELIVER: {
        const node = this.packets.to[payload]!;
        return this.localStep(words[node]!, DELIVER, payload);
      }
      case TIMER:
        return this.localStep(words[this.timers[payload]!.node]!, TIMER, payload);
      case CRASH:
      case RESTART:
        return this.localStep(words[payload]!, kind, 0);
    }
    return undefined;
  }

  /** The node a step happens at (-1: none, a drop or duplicate by the network). */
  nodeOf(code: number): number {
    const kind = code & 7;
    const payload = code >>> 3;
    if (kind === DELIVER) return this.packets.to[payload]!;
    if (kind === TIMER) return this.timers[payload]!.node;
    if (kind === CRASH || kind === RESTART) return payload;
    return -1;
  }

  /**
   * How step `code` may depend on other steps in `words` (./reduction.ts), packed: its node
   * (NO_NODE: none), the budget it spends (0: none, else 1 + which), whether it is a crash or
   * restart (dependent on every other), and whether it tells the judge something whose order
   * matters.
   */
  footprint(words: Int32Array, code: number): number {
    const kind = code & 7;
    // A drop or duplicate counts as happening at the message's addressee (the node may finish,
    // and the message with it).
    const node = kind === DROP || kind === DUPLICATE ? this.packets.to[code >>> 3]! : this.nodeOf(code);
    let bits = node;
    const budget = kind === TIMER ? TIMEOUTS : kind === DROP ? DROPS : kind === DUPLICATE ? DUPLICATES : kind === CRASH ? CRASHES : 0;
    bits |= budget << BUDGET_SHIFT;
    if (kind === CRASH || kind === RESTART) bits |= CRASH_CLASS;
    if (kind === DROP || kind === DUPLICATE) {
      if (this.networkList(code) >= 0) bits |= ORDERED;
      return bits;
    }
    const step = this.localStepOf(words, code)!;
    if (step.ordered || (this.judgeReadsDrops && (step.finishes || step.sends.length > 0))) bits |= ORDERED;
    return bits;
  }

  /** The packet a step takes or copies (-1: none). */
  packetOf(code: number): number {
    const kind = code & 7;
    return kind === DELIVER || kind === DROP || kind === DUPLICATE ? code >>> 3 : -1;
  }

  /** Applies a node's step: its new local state, its messages, the judge. */
  private local(from: Int32Array, out: Int32Array, node: number, step: LocalStep, taken: number): number {
    out[node] = step.next;
    this.copyPackets(from, out, taken, -1);
    let count = out[this.countAt]!;
    const first = this.countAt + 1;
    let dropped = false;
    const burying = this.burying;
    for (let s = 0; s < step.sends.length; s++) {
      const pid = step.sends[s]!;
      const to = this.packets.to[pid]!;
      if (to !== node && this.locals.states[from[to]!]!.status === 'finished') {
        dropped = true;
        continue;
      }
      if (burying && this.dead(out, pid)) continue;
      // Insert in order.
      let at = first + count;
      while (at > first && out[at - 1]! > pid) {
        out[at] = out[at - 1]!;
        at--;
      }
      out[at] = pid;
      count++;
    }
    if (step.finishes) {
      let kept = first;
      for (let p = first; p < first + count; p++) {
        const pid = out[p]!;
        if (this.packets.to[pid] === node) dropped = true;
        else out[kept++] = pid;
      }
      count = kept - first;
    } else if (burying) {
      // The node's new state may make messages in flight to it, or answered by it, dead.
      let kept = first;
      for (let p = first; p < first + count; p++) {
        const pid = out[p]!;
        if (!this.dead(out, pid)) out[kept++] = pid;
      }
      count = kept - first;
    }
    out[this.countAt] = count;
    const j = this.judgeAt;
    out[j] = dropped && this.judgeReadsDrops ? this.judges.after(from[j]!, this.judges.list(this.stepEvents(from, node, step, taken))) : this.judges.after(from[j]!, step.judged);
    return first + count;
  }

  /** The trace of a node's step from `from` (templates), with the drops the world adds: the
   *  messages it sends to a node that has finished and, if it finishes, those in flight to it. */
  stepEvents(from: Int32Array, node: number, step: LocalStep, taken: number): TraceEvent[] {
    const events: TraceEvent[] = [];
    const routed: number[] = [];
    this.walk(from, node, step, (e) => events.push(e), (_k, pid, dropped) => dropped || routed.push(pid));
    if (!step.finishes) return events;
    const first = this.countAt + 1;
    const inFlight = Array.from(from.subarray(first, first + from[this.countAt]!));
    if (taken >= 0) inFlight.splice(inFlight.indexOf(taken), 1);
    for (const pid of [...inFlight, ...routed]) {
      const packet = this.packets.list[pid]!;
      if (packet.to === node) events.push({ t: 0, kind: 'drop', id: DELIVERED, from: this.ids[packet.from]!, to: this.ids[node]!, msg: packet.msg, reason: 'finished' });
    }
    return events;
  }

  /** Copies the messages of `from` into `out`, less one copy of `take` and plus one of `add`
   *  (-1: none); returns the state's length. */
  private copyPackets(from: Int32Array, out: Int32Array, take: number, add: number): number {
    const first = this.countAt + 1;
    const count = from[this.countAt]!;
    let k = first;
    let taken = take < 0;
    let added = add < 0;
    for (let p = first; p < first + count; p++) {
      const pid = from[p]!;
      if (!taken && pid === take) {
        taken = true;
        continue;
      }
      if (!added && pid >= add) {
        out[k++] = add;
        added = true;
      }
      out[k++] = pid;
    }
    if (!added) out[k++] = add;
    if (!taken) throw new Error(`no message ${this.packets.list[take]?.key ?? take} in flight`);
    out[this.countAt] = k - first;
    return k;
  }

  /**
   * The trace of a node's step in `from`, as templates, in order: its own events, each message
   * it sends (routed, or dropped at once to a node that has finished: `sent` says which), then,
   * if it finished, a drop for each message in flight to it.
   */
  walk(from: Int32Array, node: number, step: LocalStep, emit: (e: TraceEvent) => void, sent: (k: number, pid: number, dropped: boolean) => void): void {
    for (const op of step.ops) {
      if (op.op === 'event') {
        emit(op.event);
        continue;
      }
      const finished = op.to !== node && this.locals.states[from[op.to]!]!.status === 'finished';
      sent(op.k, step.sends[op.k]!, finished);
      if (finished) emit({ t: 0, kind: 'drop', id: op.k, from: this.ids[node]!, to: this.ids[op.to]!, msg: op.msg, reason: 'finished' });
    }
  }

  /** The judge's list for a drop or duplicate by the network (-1: it reads neither). */
  private networkList(code: number): number {
    let list = this.networkLists.get(code);
    if (list === undefined) {
      const packet = this.packets.list[code >>> 3]!;
      const [from, to] = [this.ids[packet.from]!, this.ids[packet.to]!];
      const event: TraceEvent =
        (code & 7) === DROP
          ? { t: 0, kind: 'drop', id: DELIVERED, from, to, msg: packet.msg, reason: 'loss' }
          : { t: 0, kind: 'duplicate', id: DELIVERED, from, to, msg: packet.msg };
      this.networkLists.set(code, (list = this.judges.list([event])));
    }
    return list;
  }

  // ---- a node's steps, worked out once -----------------------------------------------------------

  /** What event (`kind`, `payload`) does to local state `local`, worked out once. */
  localStep(local: number, kind: number, payload: number): LocalStep {
    const state = this.locals.states[local]!;
    const key = localKey(kind, payload);
    let step = state.steps.get(key);
    if (step === undefined) state.steps.set(key, (step = this.workOut(state, kind, payload)));
    return step;
  }

  private workOut(state: LocalState, kind: number, payload: number): LocalStep {
    const stepper = new NodeStepper(this, state.node, state);
    let record: StepRecordOfNode;
    if (kind === DELIVER) {
      const packet = this.packets.list[payload]!;
      record = stepper.receive(packet.from, packet.msg);
    } else if (kind === TIMER) record = stepper.timeout(this.timers[payload]!.name);
    else if (kind === CRASH) record = stepper.down();
    else if (kind === RESTART) record = stepper.up();
    else record = stepper.boot();
    const fresh = this.locals.size;
    const next = this.locals.intern(state.node, record.after);
    if (next >= fresh) this.origins.local(next, state.id, kind, payload);
    const sends: number[] = [];
    const events: TraceEvent[] = [];
    for (const op of record.ops) {
      if (op.op !== 'route') {
        events.push(op.event);
        continue;
      }
      const known = this.packets.size;
      const pid = this.packets.intern(state.node, op.to, op.msg);
      if (pid >= known) this.origins.packet(pid, state.id, kind, payload, sends.length);
      sends.push(pid);
    }
    const judged = this.judges.list(events);
    return { next, ops: record.ops, sends: Int32Array.from(sends), finishes: record.finished, judged, ordered: judged >= 0 && this.ordered(events) };
  }

  /** Does a step that tells the judge `events` tell it something whose order matters? Without
   *  the emulation's word, anything the judge reads; with it, only the facts it names (and
   *  events other than notes). */
  private ordered(events: readonly TraceEvent[]): boolean {
    return events.some((e) => {
      if (!this.judges.reads_(e.kind)) return false;
      if (!this.orderedFacts) return true;
      if (e.kind !== 'note') return true;
      return e.fact !== undefined && this.orderedFacts.has(e.fact.kind);
    });
  }

  timerId(node: number, name: string): number {
    const key = `${node}/${name}`;
    let id = this.timerIds.get(key);
    if (id === undefined) {
      this.timerIds.set(key, (id = this.timers.length));
      this.timers.push({ node, name });
    }
    return id;
  }

  /** Every node started, in order, at time 0 (their trace events judged as one step). */
  private boot(): Int32Array {
    const unborn = this.specs.map((_, i) => this.locals.intern(i, { status: 'up', snapshot: undefined, disk: undefined, timers: [] }));
    const { drops, duplicates, crashes, timeouts } = this.config.verify;
    let words = Int32Array.from([...unborn, 0, drops, duplicates, crashes, timeouts, 0]);
    const events: TraceEvent[] = [];
    for (let i = 0; i < this.n; i++) {
      const step = this.localStep(words[i]!, BOOT, 0);
      this.bootSteps.push({ before: words, step });
      events.push(...this.stepEvents(words, i, step, -1));
      const out = new Int32Array(this.length(words[this.countAt]! + step.sends.length));
      out.set(words.subarray(0, this.countAt + 1));
      const length = this.local(words, out, i, { ...step, judged: -1 }, -1);
      words = out.slice(0, length);
    }
    words[this.judgeAt] = this.judges.after(0, this.judges.list(events));
    return words;
  }

  // ---- how node contexts are kept (the stepper asks) ---------------------------------------------

  /** Freezes node `i`'s setting (the context fields the emulation says never change), so that
   *  copies of its context share it instead of copying it at every step. */
  freezeSetting(i: number, context: Record<string, unknown>): void {
    for (const key of this.setting[i]!) deepFreeze(context[key]);
  }

  /** A copy of node `i`'s context that its next step may change: the fields it updates in
   *  place are copied, the others shared (or all of it copied, without the emulation's word). */
  copyContext(i: number, context: Record<string, unknown>): Record<string, unknown> {
    const mutable = this.mutable[i];
    if (!mutable) return deepClone(context);
    const copy = { ...context };
    for (const key of mutable) copy[key] = copyTop(copy[key]);
    return copy;
  }
}

export type { NodeState, Envelope };
