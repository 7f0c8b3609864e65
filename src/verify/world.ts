/**
 * The model checker's world: the emulation's nodes, the messages in flight and the armed
 * timers, with no clock. Where the router (src/sim/router.ts) takes the earliest item off its
 * agenda, here every event that could happen next is a branch:
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
 * What each of these does to a node, and what a node's effects do, is the router's rule too,
 * written once (src/sim/interpreter.ts); here is how the checker keeps its nodes. A node reacts
 * through the very XState machine `mpkv run` drives, stepped purely (./machine.ts), so nothing
 * of a protocol is rewritten here. Roles may update parts of their context in place, so a
 * context is copied before each transition and a state, once built, is never written again:
 * successors share every node that did not move. Every event a node gets carries entropy 0 (a
 * choice a node draws from it is one branch, not all of them), and a message sent to a node
 * that has finished is dropped at once (it could never matter).
 *
 * Each state carries its own fork of the emulation's judge, fed the same trace events the
 * router would record (time is the step number), so the safety checks run on every step.
 */
import { crashRolesOf, type AnyEmulation, type Config, type RunJudge } from '../emulations/api/emulation.js';
import { Interpreter, type NodeSpec, type NodeStatus } from '../sim/interpreter.js';
import type { Envelope, NodeEvent, NodeId, TraceEvent } from '../sim/trace.js';
import { deepClone } from '../util/clone.js';
import { canonical } from './canonical.js';
import { PureMachine, type Snapshot } from './machine.js';

export interface NodeState {
  readonly status: NodeStatus;
  /** The machine's snapshot while it is up (or finished). */
  readonly snapshot: Snapshot | undefined;
  /** What it persisted: all that survives a crash. */
  readonly disk: unknown;
  /** Its armed timers, by name, sorted. */
  readonly timers: readonly string[];
}

/** A message in flight. `text` is its canonical form, `key` its identity in the multiset. */
export interface Packet {
  readonly id: number;
  readonly from: number;
  readonly to: number;
  readonly msg: Envelope;
  readonly text: string;
  readonly key: string;
}

/** What is left of the bound's per-path budget. */
export interface Budget {
  readonly drops: number;
  readonly duplicates: number;
  readonly crashes: number;
  readonly timeouts: number;
}

export interface WorldState {
  readonly nodes: readonly NodeState[];
  /** The messages in flight, sorted by key. */
  readonly packets: readonly Packet[];
  readonly budget: Budget;
  /** This path's judge (its own fork). */
  readonly judge: RunJudge;
  /** The next message number (for the trace; not part of the state's identity). */
  readonly nextId: number;
  /** Events recorded on this path so far: the next event's index in its trace (not part of
   *  the state's identity either). */
  readonly events: number;
}

/** One event: what the search branches on, and what a replay file lists. */
export type Step =
  | { readonly kind: 'deliver' | 'drop' | 'duplicate'; readonly packet: Packet }
  | { readonly kind: 'timer'; readonly node: number; readonly timer: string }
  | { readonly kind: 'crash' | 'restart'; readonly node: number };

/** A step as plain JSON, naming nodes and messages (a replay file's `steps`). */
export type StepRecord =
  | { readonly event: 'deliver' | 'drop' | 'duplicate'; readonly from: NodeId; readonly to: NodeId; readonly msg: Envelope }
  | { readonly event: 'timer'; readonly node: NodeId; readonly timer: string }
  | { readonly event: 'crash' | 'restart'; readonly node: NodeId };

const ENTROPY = 0;

export class World {
  readonly specs: readonly NodeSpec[];
  readonly ids: readonly NodeId[];
  readonly index: ReadonlyMap<NodeId, number>;
  /** Per node, the context fields left out of comparisons (its fixed setting). */
  readonly setting: readonly ReadonlySet<string>[];
  /** Per node, the context fields updated in place (undefined: any may be; copy it all). */
  readonly mutable: readonly (ReadonlySet<string> | undefined)[];
  private readonly crashable: readonly boolean[];
  /** Per node, its machine, stepped purely. */
  readonly machines: readonly PureMachine[];
  private readonly timerAllowed: (node: number, timer: string) => boolean;

  constructor(
    readonly emulation: AnyEmulation,
    readonly config: Config,
  ) {
    this.specs = this.emulation.nodes(config);
    this.ids = this.specs.map((s) => s.id);
    this.index = new Map(this.ids.map((id, i) => [id, i]));
    const setting = this.emulation.verify?.setting ?? {};
    this.setting = this.specs.map((s) => new Set(setting[s.role] ?? []));
    const mutable = this.emulation.verify?.mutable ?? {};
    this.mutable = this.specs.map((s) => (mutable[s.role] ? new Set(mutable[s.role]) : undefined));
    const crashableRoles = new Set(crashRolesOf(this.emulation, config).map((r) => r.name));
    this.crashable = this.specs.map((s) => crashableRoles.has(s.role));
    this.machines = this.specs.map((spec) => new PureMachine(spec));
    const allowed = config.verify.timers;
    this.timerAllowed =
      allowed.length === 0 ? () => true : (node, timer) => allowed.includes(timer) || allowed.includes(`${this.specs[node]!.role}:${timer}`);
  }

  /** Every node booted, in order, at time 0: the root of the search. */
  initial(sink?: (e: TraceEvent) => void): WorldState {
    const judge = this.emulation.judge(this.config, {});
    const { drops, duplicates, crashes, timeouts } = this.config.verify;
    const draft = new Draft(this, {
      nodes: this.specs.map(() => ({ status: 'up', snapshot: undefined, disk: undefined, timers: [] })),
      packets: [],
      budget: { drops, duplicates, crashes, timeouts },
      judge,
      nextId: 1,
      events: 0,
    }, 0, sink, false);
    draft.boot();
    return draft.done();
  }

  /** The events that may happen next, in a fixed order; `unbounded`: whatever the budget left
   *  (a replayed path may have been drawn with a budget of its own). */
  enabled(state: WorldState, unbounded = false): Step[] {
    const steps: Step[] = [];
    const distinct = state.packets.filter((p, i) => i === 0 || state.packets[i - 1]!.key !== p.key);
    for (const packet of distinct) steps.push({ kind: 'deliver', packet });
    const budget = unbounded ? { drops: 1, duplicates: 1, crashes: 1, timeouts: 1 } : state.budget;
    if (budget.timeouts > 0) {
      state.nodes.forEach((node, i) => {
        if (node.status === 'up') for (const timer of node.timers) if (unbounded || this.timerAllowed(i, timer)) steps.push({ kind: 'timer', node: i, timer });
      });
    }
    if (budget.drops > 0) for (const packet of distinct) steps.push({ kind: 'drop', packet });
    if (budget.duplicates > 0) for (const packet of distinct) steps.push({ kind: 'duplicate', packet });
    if (budget.crashes > 0) state.nodes.forEach((_, i) => this.mayCrash(state, i) && steps.push({ kind: 'crash', node: i }));
    state.nodes.forEach((node, i) => node.status === 'crashed' && steps.push({ kind: 'restart', node: i }));
    return steps;
  }

  /** The state after `step`, at time `t`; the trace events it makes go to the state's judge
   *  (and to `sink`). */
  apply(state: WorldState, step: Step, t: number, sink?: (e: TraceEvent) => void): WorldState {
    const draft = new Draft(this, state, t, sink, true);
    draft.take(step);
    return draft.done();
  }

  /** May node `node` crash now (a crashable role, up, and within [faults] max_crashed and the
   *  sets of nodes the emulation allows down together)? */
  mayCrash(state: WorldState, node: number): boolean {
    if (state.nodes[node]!.status !== 'up') return false;
    if (!this.crashable[node]) return false;
    const down = new Set<NodeId>([this.ids[node]!]);
    state.nodes.forEach((n, i) => n.status === 'crashed' && down.add(this.ids[i]!));
    return down.size <= this.config.faults.max_crashed && this.emulation.explore.mayBeDown?.(this.config, down) !== false;
  }

  // ---- steps as plain JSON ---------------------------------------------------------------------

  record(step: Step): StepRecord {
    switch (step.kind) {
      case 'deliver':
      case 'drop':
      case 'duplicate':
        return { event: step.kind, from: this.ids[step.packet.from]!, to: this.ids[step.packet.to]!, msg: step.packet.msg };
      case 'timer':
        return { event: 'timer', node: this.ids[step.node]!, timer: step.timer };
      case 'crash':
      case 'restart':
        return { event: step.kind, node: this.ids[step.node]! };
    }
  }

  /** The enabled step that `record` describes in `state`, or why there is none. */
  find(state: WorldState, record: StepRecord): Step | string {
    const enabled = this.enabled(state, true);
    const match = enabled.find((step) => sameRecord(this.record(step), record));
    if (match) return match;
    return `${describeRecord(record)} is not possible here`;
  }

  /** One line for a step: `deliver client 1 -> server: request ...`. */
  describe(step: Step): string {
    return describeRecord(this.record(step), (msg) => this.emulation.messages.describe(msg));
  }

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

  packet(id: number, from: number, to: number, msg: Envelope): Packet {
    const text = canonical(msg);
    return { id, from, to, msg, text, key: `${from}>${to}:${text}` };
  }
}

/**
 * A new collection with the same entries (its entries are replaced, never changed): a Map, Set
 * or array copied one level; an object that can copy itself (`copy()`) asked to; a plain record
 * of such collections (a state machine's store and client table) copied field by field; any
 * other value copied deeply.
 */
function copyTop(value: unknown): unknown {
  if (value instanceof Map) return new Map(value);
  if (value instanceof Set) return new Set(value);
  if (Array.isArray(value)) return [...value];
  if (typeof value !== 'object' || value === null) return value;
  const copier = (value as { copy?: unknown }).copy;
  if (typeof copier === 'function') return copier.call(value) as unknown;
  if (Object.getPrototypeOf(value) !== Object.prototype) return deepClone(value);
  const record: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) record[key] = copyTop(field);
  return record;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  if (value instanceof Map) for (const [k, v] of value) deepFreeze(k), deepFreeze(v);
  else if (value instanceof Set) for (const v of value) deepFreeze(v);
  else for (const v of Object.values(value)) deepFreeze(v);
}

function sameRecord(a: StepRecord, b: StepRecord): boolean {
  if (a.event !== b.event) return false;
  if ('msg' in a && 'msg' in b) return a.from === b.from && a.to === b.to && canonical(a.msg) === canonical(b.msg);
  if ('timer' in a && 'timer' in b) return a.node === b.node && a.timer === b.timer;
  return 'node' in a && 'node' in b && a.node === b.node;
}

export function describeRecord(record: StepRecord, describeMessage: (msg: Envelope) => string = (m) => m.type): string {
  switch (record.event) {
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return `${record.event} ${record.from} -> ${record.to}: ${describeMessage(record.msg)}`;
    case 'timer':
      return `timer ${record.timer} fires at ${record.node}`;
    case 'crash':
    case 'restart':
      return `${record.event} ${record.node}`;
  }
}

/**
 * A state being built from another: copies on first write, so the original stays as it was.
 * The rules of deliveries, timers, crashes, restarts and effects are the interpreter's; this
 * keeps the nodes, messages and timers as the checker's states hold them.
 */
class Draft extends Interpreter<number> {
  private readonly nodes: NodeState[];
  private packets: Packet[];
  private budget: { drops: number; duplicates: number; crashes: number; timeouts: number };
  private readonly judge: RunJudge;
  private nextId: number;
  private events: number;
  private sorted = true;

  constructor(
    private readonly world: World,
    from: WorldState,
    protected readonly now: number,
    private readonly sink: ((e: TraceEvent) => void) | undefined,
    fork: boolean,
  ) {
    super();
    this.nodes = [...from.nodes];
    this.packets = [...from.packets];
    this.budget = { ...from.budget };
    this.judge = fork ? from.judge.fork() : from.judge;
    this.nextId = from.nextId;
    this.events = from.events;
  }

  done(): WorldState {
    if (!this.sorted) this.packets.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id - b.id));
    return { nodes: this.nodes, packets: this.packets, budget: this.budget, judge: this.judge, nextId: this.nextId, events: this.events };
  }

  /** Every node started, in order. */
  boot(): void {
    for (let i = 0; i < this.nodes.length; i++) this.start(i);
  }

  /** One step of the search (its budget spent here). */
  take(step: Step): void {
    switch (step.kind) {
      case 'deliver': {
        const { packet } = step;
        this.remove(packet);
        return this.deliver(packet.to, packet.id, this.idOf(packet.from), packet.msg);
      }
      case 'drop': {
        const { packet } = step;
        this.budget.drops--;
        this.remove(packet);
        return this.drop(packet.id, this.idOf(packet.from), this.idOf(packet.to), packet.msg, 'loss');
      }
      case 'duplicate': {
        const { packet } = step;
        this.budget.duplicates--;
        this.record({ t: this.now, kind: 'duplicate', id: packet.id, from: this.idOf(packet.from), to: this.idOf(packet.to), msg: packet.msg });
        this.packets.push(packet);
        this.sorted = false;
        return;
      }
      case 'timer':
        this.budget.timeouts--;
        return this.fire(step.node, step.timer);
      case 'crash':
        this.budget.crashes--;
        return this.crash(step.node);
      case 'restart':
        return this.restart(step.node);
    }
  }

  // ---- the nodes, as the interpreter asks for them --------------------------------------------

  protected idOf(i: number): NodeId {
    return this.world.ids[i]!;
  }

  protected specOf(i: number): NodeSpec {
    return this.world.specs[i]!;
  }

  protected statusOf(i: number): NodeStatus {
    return this.nodes[i]!.status;
  }

  protected diskOf(i: number): unknown {
    return this.nodes[i]!.disk;
  }

  protected nodeNamed(id: NodeId): number | undefined {
    return this.world.index.get(id);
  }

  protected entropy(): number {
    return ENTROPY;
  }

  /** Its machine's initial snapshot (its setting frozen, to be shared by every copy). */
  protected startMachine(i: number, input: unknown): void {
    const machine = this.world.machines[i]!;
    const snapshot = machine.initial(input);
    this.world.freezeSetting(i, snapshot.context);
    this.nodes[i] = { ...this.nodes[i]!, status: 'up', snapshot };
    for (const effect of machine.effects()) this.perform(i, effect);
  }

  /** The pure transition, on a copy of the node's context. */
  protected stepMachine(i: number, event: NodeEvent): boolean {
    const machine = this.world.machines[i]!;
    const before = this.nodes[i]!.snapshot!;
    const after = machine.transition(before, this.world.copyContext(i, before.context), event);
    this.nodes[i] = { ...this.nodes[i]!, snapshot: after };
    for (const effect of machine.effects()) this.perform(i, effect);
    return machine.done(after);
  }

  /** Its timers are gone, and so are the messages in flight to it (they could never matter). */
  protected finished(i: number): void {
    this.nodes[i] = { ...this.nodes[i]!, status: 'finished', timers: [] };
    const stale = this.packets.filter((p) => p.to === i);
    this.packets = this.packets.filter((p) => p.to !== i);
    for (const p of stale) this.drop(p.id, this.idOf(p.from), this.idOf(p.to), p.msg, 'finished');
  }

  protected lose(i: number): void {
    this.nodes[i] = { status: 'crashed', snapshot: undefined, disk: this.nodes[i]!.disk, timers: [] };
  }

  protected revive(i: number): void {
    this.nodes[i] = { ...this.nodes[i]!, status: 'up' };
  }

  protected nextMessage(): number {
    return this.nextId++;
  }

  /** In flight, unless its addressee has finished. */
  protected route(from: number, to: number, id: number, msg: Envelope): void {
    if (this.nodes[to]!.status === 'finished') return this.drop(id, this.idOf(from), this.idOf(to), msg, 'finished');
    this.packets.push(this.world.packet(id, from, to, msg));
    this.sorted = false;
  }

  protected arm(i: number, timer: string): void {
    const n = this.nodes[i]!;
    if (!n.timers.includes(timer)) this.nodes[i] = { ...n, timers: [...n.timers, timer].sort() };
  }

  protected disarm(i: number, timer: string): void {
    const n = this.nodes[i]!;
    if (n.timers.includes(timer)) this.nodes[i] = { ...n, timers: n.timers.filter((x) => x !== timer) };
  }

  protected persist(i: number, disk: unknown): void {
    this.nodes[i] = { ...this.nodes[i]!, disk };
  }

  /** Every event is built: the judge reads them all. */
  protected wants(): boolean {
    return true;
  }

  protected record(event: TraceEvent): void {
    this.judge.observe(event, this.events++);
    this.sink?.(event);
  }

  /** The checker counts no messages (a replayed path counts its events). */
  protected count(): void {}

  private remove(packet: Packet): void {
    const at = this.packets.findIndex((p) => p.key === packet.key);
    if (at < 0) throw new Error(`no message ${packet.key} in flight`);
    this.packets.splice(at, 1);
  }
}
