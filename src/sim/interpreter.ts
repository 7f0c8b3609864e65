/**
 * What happens to a node, in any world that runs an emulation's machines. Two worlds do: the
 * router (./router.ts: live XState actors in virtual time, one run) and the model checker's
 * world (src/verify/world.ts: pure snapshots, a state per path, every order of events). They
 * keep their nodes, timers and messages their own way, and apply the same rules, written once
 * here:
 *
 *   deliver   a message to a node that is up: a `deliver` event, then the node's machine gets
 *             the message's fields with `from` and `entropy`. To a crashed or finished node (or
 *             one a partition cuts off, which the world says) it is dropped: a `drop` event
 *             with that reason, and the node gets nothing;
 *   fire      a timer: it is disarmed, a `timer-fire` event, then the machine gets `timeout`;
 *   crash     a node that is up loses its machine and its armed timers, never its disk: `crash`;
 *   restart   a crashed node: `restart`, then it starts again;
 *   start     the node's machine starts from its input given its disk (the entry actions'
 *             effects are performed), then it gets `start`;
 *   finish    a machine that reaches its final state: the node has finished;
 *   effects   what a machine emits, in order: a message sent (`send`; the world routes it), a
 *             timer armed (`timer-set`, due `after_ms` from now) or cancelled, the disk written
 *             (all that survives a crash), a note (`note`).
 *
 * Every event a node gets carries `entropy`, the world's to draw (the router: the node's own
 * random stream; the model checker: 0, since a choice drawn from it is one branch, not all).
 *
 * A world builds only the trace events someone reads (`wants`): the router's listeners often
 * read notes alone, and the frequent kinds (sends, deliveries, timers) are then only counted.
 * Nothing here allocates beyond the events built and the event a machine is handed.
 */
import type { AnyStateMachine } from 'xstate';
import type { DropReason, Effect, Envelope, FactBase, NodeEvent, NodeId, NoteText, TraceEvent } from './trace.js';

/** One node of the emulation: its address, its role, its machine, and how to build its input. */
export interface NodeSpec {
  readonly id: NodeId;
  /** The role it plays (`server`, `client`, ...): how views group and draw it. */
  readonly role: string;
  readonly machine: AnyStateMachine;
  /** The machine's input, given what the node persisted before its last crash (if any). */
  readonly input: (disk: unknown) => unknown;
  /** The run is over when every client has finished (or crashed for good). */
  readonly client?: boolean;
}

export type NodeStatus = 'up' | 'crashed' | 'finished';

/** The kinds of event that happen per message or per timer: a world may leave them unbuilt. */
export type FrequentKind = 'send' | 'deliver' | 'timer-set' | 'timer-fire' | 'note';

/** `N`: how the world names a node (the router: its host; the model checker: its index). */
export abstract class Interpreter<N, M extends Envelope = Envelope, F extends FactBase = FactBase> {
  /** The time of the events recorded now. */
  protected abstract now: number;

  // ---- what the world keeps, its way ----------------------------------------------------------
  protected abstract idOf(node: N): NodeId;
  protected abstract specOf(node: N): NodeSpec;
  protected abstract statusOf(node: N): NodeStatus;
  protected abstract diskOf(node: N): unknown;
  /** The node a message is addressed to (undefined: there is none). */
  protected abstract nodeNamed(id: NodeId): N | undefined;
  /** The entropy of the next event `node` gets. */
  protected abstract entropy(node: N): number;
  /** Starts the node's machine with `input`; the effects of its entry actions are performed. */
  protected abstract startMachine(node: N, input: unknown): void;
  /** Hands the node's machine one event (its effects are performed); has it reached its final state? */
  protected abstract stepMachine(node: N, event: NodeEvent): boolean;
  /** The node has finished (its machine is done). */
  protected abstract finished(node: N): void;
  /** The node is down: its machine and armed timers are gone, its disk is kept. */
  protected abstract lose(node: N): void;
  /** The crashed node is up again (its machine is started next). */
  protected abstract revive(node: N): void;
  /** A message the node sent, numbered `id`, and recorded: the world carries it to `to`. */
  protected abstract route(from: N, to: N, id: number, msg: M): void;
  /** The next message's number. */
  protected abstract nextMessage(): number;
  protected abstract arm(node: N, timer: string, after_ms: number): void;
  protected abstract disarm(node: N, timer: string): void;
  protected abstract persist(node: N, disk: unknown): void;
  /** Must an event of this kind be built (someone reads it)? */
  protected abstract wants(kind: FrequentKind): boolean;
  protected abstract record(event: TraceEvent<M, F>): void;
  /** Messages delivered and dropped, for a world that counts them. */
  protected abstract count(what: 'delivered' | 'dropped'): void;

  // ---- the rules -------------------------------------------------------------------------------

  /** A message from `from` arrives at `node`, unless `blocked` says why it cannot (a partition). */
  protected deliver(node: N, id: number, from: NodeId, msg: M, blocked?: DropReason): void {
    const to = this.idOf(node);
    const status = this.statusOf(node);
    const reason = blocked ?? (status === 'crashed' ? 'crashed' : status === 'finished' ? 'finished' : undefined);
    if (reason !== undefined) return this.drop(id, from, to, msg, reason);
    this.count('delivered');
    if (this.wants('deliver')) this.record({ t: this.now, kind: 'deliver', id, from, to, msg });
    this.hand(node, messageEvent(msg, from, this.entropy(node)));
  }

  /** A message that is lost (dropped by the network, or to a node that cannot take it). */
  protected drop(id: number, from: NodeId, to: NodeId, msg: M, reason: DropReason): void {
    this.count('dropped');
    this.record({ t: this.now, kind: 'drop', id, from, to, msg, reason });
  }

  /** `node`'s armed timer fires. */
  protected fire(node: N, timer: string): void {
    this.disarm(node, timer);
    if (this.wants('timer-fire')) this.record({ t: this.now, kind: 'timer-fire', node: this.idOf(node), timer });
    this.hand(node, { type: 'timeout', timer, entropy: this.entropy(node) });
  }

  /** `node` crashes, if it is up. */
  protected crash(node: N): void {
    if (this.statusOf(node) !== 'up') return;
    this.lose(node);
    this.record({ t: this.now, kind: 'crash', node: this.idOf(node) });
  }

  /** `node` restarts, if it is down. */
  protected restart(node: N): void {
    if (this.statusOf(node) !== 'crashed') return;
    this.revive(node);
    this.record({ t: this.now, kind: 'restart', node: this.idOf(node) });
    this.start(node);
  }

  /** (Re)starts `node` from its disk. */
  protected start(node: N): void {
    this.startMachine(node, this.specOf(node).input(this.diskOf(node)));
    this.hand(node, { type: 'start', entropy: this.entropy(node) });
  }

  /** One effect of `node`'s machine. */
  protected perform(node: N, effect: Effect<M, F>): void {
    switch (effect.type) {
      case 'effects':
        for (const one of effect.effects) this.perform(node, one);
        return;
      case 'send':
        return this.send(node, effect.to, effect.msg);
      case 'set-timer':
        this.arm(node, effect.timer, effect.after_ms);
        if (this.wants('timer-set')) this.record({ t: this.now, kind: 'timer-set', node: this.idOf(node), timer: effect.timer, at: this.now + effect.after_ms });
        return;
      case 'cancel-timer':
        return this.disarm(node, effect.timer);
      case 'persist':
        return this.persist(node, effect.disk);
      case 'note':
        if (this.wants('note')) this.record(new Note<F>(this.now, this.idOf(node), effect.text, effect.fact) as unknown as TraceEvent<M, F>);
        return;
    }
  }

  private send(node: N, to: NodeId, msg: M): void {
    const target = this.nodeNamed(to);
    if (target === undefined) throw new Error(`${this.idOf(node)} sent ${msg.type} to unknown node ${to}`);
    const id = this.nextMessage();
    if (this.wants('send')) this.record({ t: this.now, kind: 'send', id, from: this.idOf(node), to, msg });
    this.route(node, target, id, msg);
  }

  private hand(node: N, event: NodeEvent): void {
    if (this.stepMachine(node, event)) this.finished(node);
  }
}

/**
 * What a node's machine gets for a delivered message: its fields, then `from` and `entropy`.
 * (Not an object spread: V8 copies a spread of messages of many shapes through a slow generic
 * path, about a microsecond each.)
 */
export function messageEvent(msg: Envelope, from: NodeId, entropy: number): NodeEvent {
  const event = Object.assign({}, msg) as unknown as Record<string, unknown>;
  event.from = from;
  event.entropy = entropy;
  return event as unknown as NodeEvent;
}

/** A note event as a world records it (its text built when first read). */
export function noteEvent<F extends FactBase>(t: number, node: NodeId, text: NoteText, fact?: F): TraceEvent<Envelope, F> {
  return new Note<F>(t, node, text, fact) as unknown as TraceEvent<Envelope, F>;
}

/** The same note at time `t` (its text shared, built or not): the model checker records a
 *  node's step once and stamps it with the time of each path that takes it. */
export function noteAt<F extends FactBase>(note: TraceEvent<Envelope, F> & { kind: 'note' }, t: number): TraceEvent<Envelope, F> {
  if (note instanceof Note) return note.at(t) as unknown as TraceEvent<Envelope, F>;
  return { ...note, t };
}

/**
 * A note event whose text is built the first time it is read (a view prints it, or the event
 * is written as JSON), from the `NoteText` the role gave. Serialised exactly as a plain event
 * object would be: t, kind, node, text, then fact when there is one.
 */
class Note<F extends FactBase> {
  readonly kind = 'note';
  private made: string | undefined;
  private make: NoteText | undefined;

  constructor(
    readonly t: number,
    readonly node: NodeId,
    text: NoteText,
    readonly fact: F | undefined,
  ) {
    if (typeof text === 'string') this.made = text;
    else this.make = text;
  }

  get text(): string {
    if (this.made === undefined) {
      this.made = (this.make as () => string)();
      this.make = undefined;
    }
    return this.made;
  }

  at(t: number): Note<F> {
    return new Note<F>(t, this.node, this.made ?? (this.make as () => string), this.fact);
  }

  toJSON(): object {
    const { t, kind, node, text, fact } = this;
    return fact === undefined ? { t, kind, node, text } : { t, kind, node, text, fact };
  }
}
