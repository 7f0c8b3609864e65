/**
 * The model checker's world along one path: the compact model (./model.ts) with what a path
 * has and a search does not need — message numbers, the trace, and a judge of its own that has
 * seen every event of the path. A replayed counterexample (./replay.ts), a PCT run
 * (src/explore/pct.ts) and the search's counterexamples (./search.ts) play their paths here.
 *
 * A step is the model's: the model works out the state after it (the node's step worked out
 * once, ./stepper.ts); here its trace is stamped with the path's time (the step's number) and
 * message numbers — the delivered message's own, and the next free ones for what it sends —
 * so the events are those the router's rules (src/sim/interpreter.ts) make of the path: a
 * delivery, the node's effects in order, each send routed (or dropped at once, its addressee
 * having finished), the drops of the messages in flight to a node that finishes.
 */
import type { AnyEmulation, Config, RunJudge } from '../emulations/api/emulation.js';
import type { NodeSpec } from '../sim/interpreter.js';
import type { Envelope, NodeId, TraceEvent } from '../sim/trace.js';
import { canonical } from './canonical.js';
import { at } from './judges.js';
import type { LocalStep } from './locals.js';
import { codeOf, CRASH, DELIVER, DROP, DUPLICATE, kindOf, Model, payloadOf, RESTART, TIMER } from './model.js';
import type { Packet } from './packets.js';
import { DELIVERED, type NodeState } from './stepper.js';

export type { NodeState } from './stepper.js';

/** A message in flight on a path: a packet, and the number it was sent with. */
export interface InFlight extends Packet {
  readonly id: number;
}

/** What is left of the bound's per-path budget. */
export interface Budget {
  readonly drops: number;
  readonly duplicates: number;
  readonly crashes: number;
  readonly timeouts: number;
}

export interface WorldState {
  /** The model's state. */
  readonly words: Int32Array;
  readonly nodes: readonly NodeState[];
  /** The messages in flight, sorted by key (then number). */
  readonly packets: readonly InFlight[];
  readonly budget: Budget;
  /** This path's judge (its own fork). */
  readonly judge: RunJudge;
  /** The next message number. */
  readonly nextId: number;
  /** Events recorded on this path so far: the next event's index in its trace. */
  readonly events: number;
}

/** One event: what the search branches on, and what a replay file lists. */
export type Step =
  | { readonly kind: 'deliver' | 'drop' | 'duplicate'; readonly packet: InFlight }
  | { readonly kind: 'timer'; readonly node: number; readonly timer: string }
  | { readonly kind: 'crash' | 'restart'; readonly node: number };

/** A step as plain JSON, naming nodes and messages (a replay file's `steps`). */
export type StepRecord =
  | { readonly event: 'deliver' | 'drop' | 'duplicate'; readonly from: NodeId; readonly to: NodeId; readonly msg: Envelope }
  | { readonly event: 'timer'; readonly node: NodeId; readonly timer: string }
  | { readonly event: 'crash' | 'restart'; readonly node: NodeId };

const KINDS = ['deliver', 'timer', 'drop', 'duplicate', 'crash', 'restart'] as const;

export class World {
  readonly model: Model;
  private readonly codes = new Int32Array(1024);

  constructor(emulation: AnyEmulation, config: Config, model?: Model) {
    this.model = model ?? new Model(emulation, config);
  }

  get specs(): readonly NodeSpec[] {
    return this.model.specs;
  }

  get ids(): readonly NodeId[] {
    return this.model.ids;
  }

  get index(): ReadonlyMap<NodeId, number> {
    return this.model.index;
  }

  get emulation(): AnyEmulation {
    return this.model.emulation;
  }

  /** Every node booted, in order, at time 0: the root. Its trace goes to `sink`. */
  initial(sink?: (e: TraceEvent) => void): WorldState {
    const model = this.model;
    const path = new Path(this, [], model.emulation.judge(model.config, {}), 1, 0, 0, sink);
    // The boot, as the model did it: each node's start, in order.
    model.bootSteps.forEach(({ before, step }, i) => path.play(before, i, step, -1));
    return path.done(model.root);
  }

  /** The events that may happen next, in the model's order; `unbounded`: whatever the budget
   *  left, and any armed timer (a replayed path may have been drawn with a budget of its own). */
  enabled(state: WorldState, unbounded = false): Step[] {
    const count = this.model.steps(state.words, this.codes, unbounded);
    return Array.from(this.codes.subarray(0, count), (code) => this.stepOf(state, code));
  }

  /** The step a model step code is on this path. */
  stepOf(state: WorldState, code: number): Step {
    const kind = KINDS[kindOf(code)]!;
    const payload = payloadOf(code);
    switch (kind) {
      case 'deliver':
      case 'drop':
      case 'duplicate': {
        const packet = state.packets.find((p) => p.pid === payload);
        if (!packet) throw new Error(`packet ${payload} is not in flight`);
        return { kind, packet };
      }
      case 'timer': {
        const timer = this.model.timers[payload]!;
        return { kind, node: timer.node, timer: timer.name };
      }
      default:
        return { kind, node: payload };
    }
  }

  /** The model's code of a step. */
  codeOf(step: Step): number {
    switch (step.kind) {
      case 'deliver':
        return codeOf(DELIVER, step.packet.pid);
      case 'drop':
        return codeOf(DROP, step.packet.pid);
      case 'duplicate':
        return codeOf(DUPLICATE, step.packet.pid);
      case 'timer':
        return codeOf(TIMER, this.model.timerId(step.node, step.timer));
      case 'crash':
        return codeOf(CRASH, step.node);
      case 'restart':
        return codeOf(RESTART, step.node);
    }
  }

  /** The state after `step`, at time `t`; the trace events it makes go to the path's judge
   *  (and to `sink`). */
  apply(state: WorldState, step: Step, t: number, sink?: (e: TraceEvent) => void): WorldState {
    const model = this.model;
    const code = this.codeOf(step);
    const words = new Int32Array(model.length(model.sizeOf(state.words) + 64));
    const length = model.successor(state.words, code, words);
    const path = new Path(this, state.packets, state.judge.fork(), state.nextId, state.events, t, sink);
    if (step.kind === 'drop' || step.kind === 'duplicate') path.network(step.kind, step.packet);
    else {
      const taken = step.kind === 'deliver' ? path.take(step.packet) : undefined;
      path.play(state.words, model.nodeOf(code), model.localStepOf(state.words, code)!, taken?.id ?? -1);
    }
    return path.done(words.slice(0, length));
  }

  /** May node `node` crash now? */
  mayCrash(state: WorldState, node: number): boolean {
    return this.model.mayCrash(state.words, node);
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
    return describeRecord(this.record(step), (msg) => this.model.emulation.messages.describe(msg));
  }
}

/** One step of a path being played: its trace stamped and judged, its messages numbered. */
class Path {
  private inFlight: InFlight[];
  private sorted = true;

  constructor(
    private readonly world: World,
    inFlight: readonly InFlight[],
    private readonly judge: RunJudge,
    private nextId: number,
    private events: number,
    private readonly t: number,
    private readonly sink: ((e: TraceEvent) => void) | undefined,
  ) {
    this.inFlight = [...inFlight];
  }

  /** Takes the message a delivery delivers off the list (of equal ones, the first). */
  take(packet: InFlight): InFlight {
    const at = this.inFlight.findIndex((p) => p.key === packet.key);
    if (at < 0) throw new Error(`no message ${packet.key} in flight`);
    return this.inFlight.splice(at, 1)[0]!;
  }

  /** A node's step (the model's record of it), stamped: `delivered`, the delivered message's number. */
  play(before: Int32Array, node: number, step: LocalStep, delivered: number): void {
    const model = this.world.model;
    const base = this.nextId;
    this.nextId += step.sends.length;
    model.walk(
      before,
      node,
      step,
      (e) => this.record(stamp(e, this.t, delivered, base)),
      (k, pid, dropped) => {
        if (dropped) return;
        this.inFlight.push({ ...model.packets.list[pid]!, id: base + k });
        this.sorted = false;
      },
    );
    if (!step.finishes) return;
    const stale = this.inFlight.filter((p) => p.to === node);
    this.inFlight = this.inFlight.filter((p) => p.to !== node);
    const ids = this.world.ids;
    for (const p of stale) this.record({ t: this.t, kind: 'drop', id: p.id, from: ids[p.from]!, to: ids[p.to]!, msg: p.msg, reason: 'finished' });
  }

  /** A drop or duplicate by the network. */
  network(kind: 'drop' | 'duplicate', packet: InFlight): void {
    const ids = this.world.ids;
    const { id, msg } = packet;
    const [from, to] = [ids[packet.from]!, ids[packet.to]!];
    if (kind === 'drop') {
      const taken = this.take(packet);
      this.record({ t: this.t, kind: 'drop', id: taken.id, from, to, msg, reason: 'loss' });
      return;
    }
    this.record({ t: this.t, kind: 'duplicate', id, from, to, msg });
    this.inFlight.push(packet);
    this.sorted = false;
  }

  done(words: Int32Array): WorldState {
    if (!this.sorted) this.inFlight.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id - b.id));
    const model = this.world.model;
    const nodes = Array.from({ length: model.n }, (_, i) => model.node(words, i));
    return { words, nodes, packets: this.inFlight, budget: model.budget(words), judge: this.judge, nextId: this.nextId, events: this.events };
  }

  private record(event: TraceEvent): void {
    this.judge.observe(event, this.events++);
    this.sink?.(event);
  }
}

/** A template event (./stepper.ts) at time `t`, with its message numbers: `delivered` for the
 *  delivered message, `base + k` for the k-th the step sent. */
function stamp(event: TraceEvent, t: number, delivered: number, base: number): TraceEvent {
  switch (event.kind) {
    case 'send':
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return { ...event, t, id: event.id === DELIVERED ? delivered : base + event.id };
    default:
      return at(event, t);
  }
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
