/**
 * One node's step, worked out once: what a delivery, a timer, a crash or a restart does to one
 * node in one local state. The rules are the interpreter's (src/sim/interpreter.ts, shared with
 * the router); the node's machine is stepped purely (./machine.ts), on a copy of its context.
 *
 * A node's reaction depends on its own state and the event alone (every event carries entropy
 * 0 in the model checker), never on the rest of the world, so the model (./model.ts) asks for
 * each (local state, event) once and keeps the answer: XState runs once per distinct local
 * step, not once per global transition. What the step did is kept as a record:
 *
 *   the node's state after it (status, machine snapshot, disk, armed timers);
 *   `ops`: the trace events it made, in order, as templates — time 0, and message numbers
 *          that stand for "the delivered message" (-1) or "the k-th message this step sent" (k);
 *          each send is followed by a `route` op, where the world decides whether the message
 *          goes in flight (or is dropped, its addressee having finished);
 *   whether the node finished (its machine reached its final state): the world then drops the
 *          messages in flight to it.
 *
 * A path that takes the step stamps the templates with its own time and message numbers
 * (./world.ts), so a replayed path's trace is what the router's rules make of it.
 */
import { Interpreter, type NodeSpec, type NodeStatus } from '../sim/interpreter.js';
import type { Envelope, NodeEvent, NodeId, TraceEvent } from '../sim/trace.js';
import { deepClone } from '../util/clone.js';
import { PureMachine, type Snapshot } from './machine.js';

/** A node's state, as the model keeps it. */
export interface NodeState {
  readonly status: NodeStatus;
  /** The machine's snapshot while it is up (or finished). */
  readonly snapshot: Snapshot | undefined;
  /** What it persisted: all that survives a crash. */
  readonly disk: unknown;
  /** Its armed timers, by name, sorted. */
  readonly timers: readonly string[];
}

/** A step's record, in order: a trace event (a template), or a message to route. */
export type Op = { readonly op: 'event'; readonly event: TraceEvent } | { readonly op: 'route'; readonly k: number; readonly to: number; readonly msg: Envelope };

/** What one step did to one node. */
export interface StepRecordOfNode {
  readonly after: NodeState;
  readonly ops: readonly Op[];
  readonly finished: boolean;
}

/** The placeholder message number of the delivered message, in templates. */
export const DELIVERED = -1;

/** What the stepper needs of the world: the nodes' names and machines, and how contexts are
 *  copied (./model.ts knows the emulation's hints). */
export interface StepperWorld {
  readonly ids: readonly NodeId[];
  readonly specs: readonly NodeSpec[];
  readonly index: ReadonlyMap<NodeId, number>;
  readonly machines: readonly PureMachine[];
  freezeSetting(i: number, context: Record<string, unknown>): void;
  copyContext(i: number, context: Record<string, unknown>): Record<string, unknown>;
}

/** Works out one step of node `node` from `before`. */
export class NodeStepper extends Interpreter<number> {
  protected readonly now = 0;
  private status: NodeStatus;
  private snapshot: Snapshot | undefined;
  private disk: unknown;
  private timers: readonly string[];
  private readonly ops: Op[] = [];
  private sent = 0;
  private done = false;

  constructor(
    private readonly world: StepperWorld,
    private readonly node: number,
    before: NodeState,
  ) {
    super();
    this.status = before.status;
    this.snapshot = before.snapshot;
    this.disk = before.disk;
    this.timers = before.timers;
  }

  /** The node boots (at the root: up, never started). */
  boot(): StepRecordOfNode {
    this.start(this.node);
    return this.result();
  }

  /** A message from node `from` arrives. */
  receive(from: number, msg: Envelope): StepRecordOfNode {
    this.deliver(this.node, DELIVERED, this.world.ids[from]!, msg);
    return this.result();
  }

  timeout(timer: string): StepRecordOfNode {
    this.fire(this.node, timer);
    return this.result();
  }

  down(): StepRecordOfNode {
    this.crash(this.node);
    return this.result();
  }

  up(): StepRecordOfNode {
    this.restart(this.node);
    return this.result();
  }

  private result(): StepRecordOfNode {
    const after: NodeState = { status: this.status, snapshot: this.snapshot, disk: this.disk, timers: this.timers };
    return { after, ops: this.ops, finished: this.done };
  }

  // ---- the node, as the interpreter asks for it ------------------------------------------------

  protected idOf(i: number): NodeId {
    return this.world.ids[i]!;
  }

  protected specOf(i: number): NodeSpec {
    return this.world.specs[i]!;
  }

  protected statusOf(): NodeStatus {
    return this.status;
  }

  protected diskOf(): unknown {
    return this.disk;
  }

  protected nodeNamed(id: NodeId): number | undefined {
    return this.world.index.get(id);
  }

  protected entropy(): number {
    return 0;
  }

  /** Its machine's initial snapshot (its setting frozen, to be shared by every copy). */
  protected startMachine(i: number, input: unknown): void {
    const machine = this.world.machines[i]!;
    const snapshot = machine.initial(input);
    this.world.freezeSetting(i, snapshot.context);
    this.snapshot = snapshot;
    for (const effect of machine.effects()) this.perform(i, effect);
  }

  /** The pure transition, on a copy of the node's context (the state it starts from is shared). */
  protected stepMachine(i: number, event: NodeEvent): boolean {
    const machine = this.world.machines[i]!;
    const before = this.snapshot!;
    const after = machine.transition(before, this.world.copyContext(i, before.context), event);
    this.snapshot = after;
    for (const effect of machine.effects()) this.perform(i, effect);
    return machine.done(after);
  }

  protected finished(): void {
    this.status = 'finished';
    this.timers = [];
    this.done = true;
  }

  protected lose(): void {
    this.status = 'crashed';
    this.snapshot = undefined;
    this.timers = [];
  }

  protected revive(): void {
    this.status = 'up';
  }

  protected nextMessage(): number {
    return this.sent++;
  }

  protected route(_from: number, to: number, k: number, msg: Envelope): void {
    this.ops.push({ op: 'route', k, to, msg });
  }

  protected arm(_i: number, timer: string): void {
    if (!this.timers.includes(timer)) this.timers = [...this.timers, timer].sort();
  }

  protected disarm(_i: number, timer: string): void {
    if (this.timers.includes(timer)) this.timers = this.timers.filter((x) => x !== timer);
  }

  protected persist(_i: number, disk: unknown): void {
    this.disk = disk;
  }

  /** Every event is built: a step is worked out once, and its trace may be asked for. */
  protected wants(): boolean {
    return true;
  }

  protected record(event: TraceEvent): void {
    this.ops.push({ op: 'event', event });
  }

  protected count(): void {}
}

/**
 * A new collection with the same entries (its entries are replaced, never changed): a Map, Set
 * or array copied one level; an object that can copy itself (`copy()`) asked to; a plain record
 * of such collections (a state machine's store and client table) copied field by field; any
 * other value copied deeply.
 */
export function copyTop(value: unknown): unknown {
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

export function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  if (value instanceof Map) for (const [k, v] of value) deepFreeze(k), deepFreeze(v);
  else if (value instanceof Set) for (const v of value) deepFreeze(v);
  else for (const v of Object.values(value)) deepFreeze(v);
}
