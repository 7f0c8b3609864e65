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
 * A node reacts through the very XState machine `mpkv run` drives, stepped purely: the
 * machine's own `transition(snapshot, event, scope)` (and `getInitialSnapshot` for a (re)start)
 * with an inert scope that only collects the actions, among which the effects the role emitted
 * (src/sim/outbox.ts `step` emits them), and executes nothing; so nothing of a protocol is
 * rewritten here. That is what XState's exported `transition` and `initialTransition` do, but
 * they build a throw-away actor on every call (most of a step's cost); here each node's scope
 * is built once. Roles may update parts of their
 * context in place, so a context is copied before each transition and a state, once built, is
 * never written again: successors share every node that did not move. Every event a node gets
 * carries entropy 0 (a choice a node draws from it is one branch, not all of them), and a
 * message sent to a node that has finished is dropped at once (it could never matter).
 *
 * Each state carries its own fork of the emulation's judge, fed the same trace events the
 * router would record (time is the step number), so the safety checks run on every step.
 */
import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { crashRolesOf, type AnyEmulation, type Config, type RunJudge } from '../emulations/api/emulation.js';
import { noteEvent, type NodeSpec } from '../sim/router.js';
import type { DropReason, Effect, Envelope, NodeEvent, NodeId, TraceEvent } from '../sim/trace.js';
import { deepClone } from '../util/clone.js';
import { canonical } from './canonical.js';

export type NodeStatus = 'up' | 'crashed' | 'finished';

export interface NodeState {
  readonly status: NodeStatus;
  /** The machine's snapshot while it is up (or finished). */
  readonly snapshot: AnyMachineSnapshot | undefined;
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
  /** Per node, an inert scope for its machine's pure steps, and the actions it collects. */
  private readonly scopes: readonly { scope: AnyActorScope; actions: { type: string; params?: unknown }[] }[];
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
    this.scopes = this.specs.map((spec) => inertScope(spec));
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
    for (let i = 0; i < this.specs.length; i++) draft.start(i);
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
    draft.perform(step);
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

  /** Node `i`'s machine's initial snapshot for `input`, and the actions it asks for. */
  initialSnapshot(i: number, input: unknown): [AnyMachineSnapshot, { type: string; params?: unknown }[]] {
    const { scope, actions } = this.scopes[i]!;
    actions.length = 0;
    const snapshot = (this.specs[i]!.machine as AnyStateMachine).getInitialSnapshot(scope, input);
    return [snapshot, actions.splice(0)];
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

  /** Node `i`'s machine's next snapshot on `event`, and the actions it asks for. */
  transition(i: number, snapshot: AnyMachineSnapshot, event: NodeEvent): [AnyMachineSnapshot, { type: string; params?: unknown }[]] {
    const { scope, actions } = this.scopes[i]!;
    actions.length = 0;
    const next = (this.specs[i]!.machine as AnyStateMachine).transition(snapshot, event, scope);
    return [next, actions.splice(0)];
  }

  packet(id: number, from: number, to: number, msg: Envelope): Packet {
    const text = canonical(msg);
    return { id, from, to, msg, text, key: `${from}>${to}:${text}` };
  }
}

/** A scope in which a machine's steps execute nothing: actions are collected, not run (built
 *  as XState builds its own for `transition`, with an actor that is never started). */
function inertScope(spec: NodeSpec): { scope: AnyActorScope; actions: { type: string; params?: unknown }[] } {
  const actions: { type: string; params?: unknown }[] = [];
  const self = createActor(spec.machine, { input: spec.input(undefined) });
  const scope = {
    self,
    defer: () => {},
    id: '',
    logger: () => {},
    sessionId: '',
    stopChild: () => {},
    system: self.system,
    emit: () => {},
    actionExecutor: (action: { type: string; params?: unknown }) => void actions.push(action),
  } as unknown as AnyActorScope;
  return { scope, actions };
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

/** A state being built from another: copies on first write, so the original stays as it was. */
class Draft {
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
    private readonly t: number,
    private readonly sink: ((e: TraceEvent) => void) | undefined,
    fork: boolean,
  ) {
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

  perform(step: Step): void {
    switch (step.kind) {
      case 'deliver':
        return this.deliver(step.packet);
      case 'drop':
        this.budget.drops--;
        this.remove(step.packet);
        return this.dropped(step.packet, 'loss');
      case 'duplicate': {
        this.budget.duplicates--;
        const { packet } = step;
        this.record({ kind: 'duplicate', id: packet.id, from: this.id(packet.from), to: this.id(packet.to), msg: packet.msg });
        this.packets.push(packet);
        this.sorted = false;
        return;
      }
      case 'timer':
        return this.fire(step.node, step.timer);
      case 'crash':
        return this.crash(step.node);
      case 'restart':
        return this.restart(step.node);
    }
  }

  private deliver(packet: Packet): void {
    this.remove(packet);
    const node = this.nodes[packet.to]!;
    if (node.status !== 'up') return this.dropped(packet, node.status === 'crashed' ? 'crashed' : 'finished');
    this.record({ kind: 'deliver', id: packet.id, from: this.id(packet.from), to: this.id(packet.to), msg: packet.msg });
    this.react(packet.to, { ...packet.msg, from: this.id(packet.from), entropy: ENTROPY } as NodeEvent);
  }

  private fire(i: number, timer: string): void {
    this.budget.timeouts--;
    const node = this.nodes[i]!;
    this.nodes[i] = { ...node, timers: node.timers.filter((x) => x !== timer) };
    this.record({ kind: 'timer-fire', node: this.id(i), timer });
    this.react(i, { type: 'timeout', timer, entropy: ENTROPY });
  }

  private crash(i: number): void {
    this.budget.crashes--;
    this.nodes[i] = { status: 'crashed', snapshot: undefined, disk: this.nodes[i]!.disk, timers: [] };
    this.record({ kind: 'crash', node: this.id(i) });
  }

  private restart(i: number): void {
    this.nodes[i] = { ...this.nodes[i]!, status: 'up' };
    this.record({ kind: 'restart', node: this.id(i) });
    this.start(i);
  }

  /** (Re)starts node `i` from its disk: its machine's initial state, then `start`. */
  start(i: number): void {
    const spec = this.world.specs[i]!;
    const [snapshot, actions] = this.world.initialSnapshot(i, spec.input(this.nodes[i]!.disk));
    this.world.freezeSetting(i, snapshot.context);
    this.nodes[i] = { ...this.nodes[i]!, status: 'up', snapshot };
    this.effects(i, actions);
    this.react(i, { type: 'start', entropy: ENTROPY });
  }

  /** One event to node `i`'s machine: the pure transition on a copy of its snapshot. */
  private react(i: number, event: NodeEvent): void {
    const before = this.nodes[i]!.snapshot!;
    const own = { ...before, context: this.world.copyContext(i, before.context) } as AnyMachineSnapshot;
    const [after, actions] = this.world.transition(i, own, event);
    this.nodes[i] = { ...this.nodes[i]!, snapshot: after };
    this.effects(i, actions);
    if (after.status === 'done') {
      this.nodes[i] = { ...this.nodes[i]!, status: 'finished', timers: [] };
      const stale = this.packets.filter((p) => p.to === i);
      this.packets = this.packets.filter((p) => p.to !== i);
      for (const p of stale) this.dropped(p, 'finished');
    }
  }

  private effects(i: number, actions: readonly { type: string; params?: unknown }[]): void {
    for (const action of actions) {
      if (action.type !== 'xstate.emit') {
        throw new Error(`${this.id(i)}: its machine asked for action ${JSON.stringify(action.type)}; mpkv verify drives machines whose actions only assign and emit effects`);
      }
      this.effect(i, (action.params as { event: Effect }).event);
    }
  }

  private effect(i: number, effect: Effect): void {
    const node = this.id(i);
    switch (effect.type) {
      case 'effects':
        for (const one of effect.effects) this.effect(i, one);
        return;
      case 'send':
        return this.send(i, effect.to, effect.msg);
      case 'set-timer': {
        const n = this.nodes[i]!;
        if (!n.timers.includes(effect.timer)) this.nodes[i] = { ...n, timers: [...n.timers, effect.timer].sort() };
        return this.record({ kind: 'timer-set', node, timer: effect.timer, at: this.t + effect.after_ms });
      }
      case 'cancel-timer': {
        const n = this.nodes[i]!;
        if (n.timers.includes(effect.timer)) this.nodes[i] = { ...n, timers: n.timers.filter((x) => x !== effect.timer) };
        return;
      }
      case 'persist':
        this.nodes[i] = { ...this.nodes[i]!, disk: effect.disk };
        return;
      case 'note':
        // Its text is built only if something reads it (the replayed run's views).
        return this.emit(noteEvent(this.t, node, effect.text, effect.fact));
    }
  }

  private send(from: number, toId: NodeId, msg: Envelope): void {
    const to = this.world.index.get(toId);
    if (to === undefined) throw new Error(`${this.id(from)} sent ${msg.type} to unknown node ${toId}`);
    const packet = this.world.packet(this.nextId++, from, to, msg);
    this.record({ kind: 'send', id: packet.id, from: this.id(from), to: toId, msg });
    if (this.nodes[to]!.status === 'finished') return this.dropped(packet, 'finished');
    this.packets.push(packet);
    this.sorted = false;
  }

  private remove(packet: Packet): void {
    const at = this.packets.findIndex((p) => p.key === packet.key);
    if (at < 0) throw new Error(`no message ${packet.key} in flight`);
    this.packets.splice(at, 1);
  }

  private dropped(packet: Packet, reason: DropReason): void {
    this.record({ kind: 'drop', id: packet.id, from: this.id(packet.from), to: this.id(packet.to), msg: packet.msg, reason });
  }

  private record(event: DistributiveOmit<TraceEvent, 't'>): void {
    this.emit({ t: this.t, ...event } as TraceEvent);
  }

  private emit(event: TraceEvent): void {
    this.judge.observe(event, this.events++);
    this.sink?.(event);
  }

  private id(i: number): NodeId {
    return this.world.ids[i]!;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
