/**
 * The message router: mpkv's simulated world. It owns everything a role must not touch —
 * virtual time, randomness, the network, crashes, stable storage — and drives the roles, each
 * an XState actor, one event at a time:
 *
 *   1. take the earliest item off the agenda (a message delivery, a timer, a planned fault);
 *   2. advance the virtual clock to its time;
 *   3. hand it to the node as a `NodeEvent`; the node's machine emits `Effect`s synchronously;
 *   4. turn each effect into agenda items (a send gets its fate from the network model) and
 *      into `TraceEvent`s.
 *
 * What a delivery, a timer, a crash, a restart and each effect do to a node is written once,
 * in ./interpreter.ts, which the model checker's world follows too; here is how the router
 * keeps its nodes (live actors, timers as agenda items) and what only it has: time, the
 * network's fate of each message, partitions, and the end of the run.
 *
 * Nothing here reads the wall clock or a global random source: one seed fixes the whole run, so the same
 * config and seed give the same trace, byte for byte.
 *
 * The trace streams: every event goes to the listeners (`onEvent`: the checks, the views) as it
 * happens, and is kept for the whole run only when asked (`keepTrace`: a trace file, a diagram,
 * tests). Keeping it by default made a run's memory grow with its length, and the
 * garbage collector's work with it. A listener may say which kinds of event it reads (the
 * checks read notes); the frequent kinds nobody reads (sends, deliveries, timers) are then
 * counted but never built.
 */
import { createActor, type Actor, type AnyStateMachine } from 'xstate';
import { Interpreter, type FrequentKind, type NodeSpec, type NodeStatus } from './interpreter.js';
import { Agenda } from './queue.js';
import { randomNetwork, separated, type CrashPlan, type NetworkModel, type NetworkOptions, type PartitionWindow } from './network.js';
import { rngStreams, type Rng } from './rng.js';
import type { Effect, EndReason, Envelope, FactBase, NodeEvent, NodeId, TraceEvent } from './trace.js';


export interface RouterOptions {
  readonly seed: number;
  readonly nodes: readonly NodeSpec[];
  /** The config's network, or a model of one's own (exploration's schedule-driven network). */
  readonly network: NetworkOptions | NetworkModel;
  readonly partitions?: readonly PartitionWindow[];
  readonly crashes?: readonly CrashPlan[];
  /** The run stops here if the clients are not done by then. */
  readonly time_limit_ms: number;
  /** After the last client finishes, the other nodes get this long to catch up before the run
   *  ends (less, if `settled` says they have). */
  readonly drain_ms: number;
  /** After the last client finishes: have the nodes settled (nothing left to catch up)? The run
   *  then ends at once. Asked after every step of the drain, with the nodes' views. */
  readonly settled?: (views: readonly NodeView[]) => boolean;
  /** After the last client finishes, with no message in flight and no planned fault left: can
   *  nothing change any more? Then the run ends at once (exploration's long drain would only
   *  watch idle timers). Asked only in that state. */
  readonly quiescent?: (views: readonly NodeView[]) => boolean;
  /** A safety net against runaway schedules. */
  readonly max_steps?: number;
  /** Keep every trace event for `trace` (off by default: listeners see every event anyway). */
  readonly keepTrace?: boolean;
}


/** What a view may read of a node: its status, machine state and context. */
export interface NodeView {
  readonly id: NodeId;
  readonly role: string;
  readonly status: NodeStatus;
  /** Crashed, with a restart still planned (false: up, finished, or crashed for good). */
  readonly restartPending: boolean;
  readonly state: unknown;
  readonly context: unknown;
}

type Kind = TraceEvent['kind'];

interface Listener<E> {
  /** `index`: the event's position in the run (counting the events nobody reads too). */
  readonly listener: (event: E, index: number) => void;
  /** The kinds it reads (undefined: all). */
  readonly kinds: ReadonlySet<Kind> | undefined;
}

type AgendaItem =
  | { at: number; seq: number; kind: 'deliver'; id: number; from: NodeId; to: NodeId; msg: Envelope }
  | { at: number; seq: number; kind: 'timer'; node: NodeId; timer: string; token: number }
  | { at: number; seq: number; kind: 'crash'; node: NodeId }
  | { at: number; seq: number; kind: 'restart'; node: NodeId }
  | { at: number; seq: number; kind: 'partition-start' | 'partition-end'; window: PartitionWindow };

interface NodeHost {
  readonly spec: NodeSpec;
  readonly rng: Rng;
  actor: Actor<AnyStateMachine> | undefined;
  status: NodeStatus;
  disk: unknown;
  /** Restarts still planned: a crashed client with none left counts as finished. */
  restartsPending: number;
  /** The token of each armed timer: a timer item on the agenda is live only while its token is. */
  readonly timers: Map<string, number>;
  /** A client, counted among those still running (see `clientStatusChanged`). */
  running?: boolean;
}

export interface RunSummary {
  readonly reason: EndReason;
  readonly time_ms: number;
  readonly steps: number;
  readonly sent: number;
  readonly delivered: number;
  readonly dropped: number;
  /** Of the dropped, those the network lost (its drop rate, a schedule's drop), not a
   *  partition or a node that was not up. */
  readonly lost: number;
  readonly duplicated: number;
  /** When the last client finished (the drain began), if they all did. */
  readonly clients_done_ms?: number;
}

/**
 * The router, typed by the emulation's messages `M` and facts `F` only so that its trace is;
 * it never looks inside either.
 */
export class Router<M extends Envelope = Envelope, F extends FactBase = FactBase> extends Interpreter<NodeHost, M, F> {
  private readonly agenda = new Agenda<AgendaItem>();
  private readonly hosts = new Map<NodeId, NodeHost>();
  private readonly network: NetworkModel;
  private readonly activePartitions: PartitionWindow[] = [];
  private readonly listeners: Listener<TraceEvent<M, F>>[] = [];
  /** Does some listener (or the kept trace) read events of this kind? */
  private readonly wanted: Record<FrequentKind, boolean> = { send: false, deliver: false, 'timer-set': false, 'timer-fire': false, note: false };
  private readonly kept: TraceEvent<M, F>[] | undefined;
  private events = 0;
  private seq = 0;
  private nextMessageId = 0;
  private tokens = 0;
  protected now = 0;
  private steps = 0;
  private drainUntil: number | undefined;
  private clientHosts: NodeHost[] | undefined;
  /** Clients neither finished nor crashed for good: the run drains once none is left. */
  private clientsRunning = 0;
  /** Deliveries on the agenda, and planned faults (crashes, restarts, partition edges) still to come. */
  private messagesInFlight = 0;
  private faultsPlanned = 0;
  private ended: EndReason | undefined;
  private counts = { sent: 0, delivered: 0, dropped: 0, lost: 0, duplicated: 0 };

  constructor(private readonly options: RouterOptions) {
    super();
    const streams = rngStreams(options.seed, options.nodes.length + 1);
    const network = options.network;
    this.network = 'fate' in network ? network : randomNetwork(network, streams[0]!);
    this.kept = options.keepTrace ? [] : undefined;
    if (this.kept) this.want(undefined);
    options.nodes.forEach((spec, i) => {
      if (this.hosts.has(spec.id)) throw new Error(`duplicate node id ${spec.id}`);
      this.hosts.set(spec.id, { spec, rng: streams[i + 1]!, actor: undefined, status: 'up', disk: undefined, restartsPending: 0, timers: new Map() });
    });
    for (const window of options.partitions ?? []) {
      this.schedule({ at: window.start_ms, seq: this.seq++, kind: 'partition-start', window });
      if (window.end_ms !== undefined) this.schedule({ at: window.end_ms, seq: this.seq++, kind: 'partition-end', window });
    }
    for (const crash of options.crashes ?? []) {
      this.schedule({ at: crash.at_ms, seq: this.seq++, kind: 'crash', node: crash.node });
      if (crash.restart_ms !== undefined) {
        this.schedule({ at: crash.restart_ms, seq: this.seq++, kind: 'restart', node: crash.node });
        this.host(crash.node).restartsPending++;
      }
    }
  }

  /** Every event so far, in order; only when the router was asked to keep them (`keepTrace`). */
  get trace(): readonly TraceEvent<M, F>[] {
    if (!this.kept) throw new Error('the trace was not kept: start the run with keepTrace');
    return this.kept;
  }

  /** Was the trace kept? */
  get keepsTrace(): boolean {
    return this.kept !== undefined;
  }

  /** How many events have happened so far (kept or not). */
  get eventCount(): number {
    return this.events;
  }

  /** Subscribe to the trace events as they happen: all of them, or only those of `kinds`. */
  onEvent(listener: (event: TraceEvent<M, F>, index: number) => void, kinds?: readonly Kind[]): void {
    this.listeners.push({ listener, kinds: kinds === undefined ? undefined : new Set(kinds) });
    this.want(kinds);
  }

  private want(kinds: readonly Kind[] | undefined): void {
    for (const kind of Object.keys(this.wanted) as FrequentKind[]) if (kinds === undefined || kinds.includes(kind)) this.wanted[kind] = true;
  }

  /** Must an event of this kind be built? If nobody reads it, it is only counted. */
  protected wants(kind: FrequentKind): boolean {
    if (this.wanted[kind]) return true;
    this.events++;
    return false;
  }

  get time(): number {
    return this.now;
  }

  /** The virtual time of the next thing due (undefined when nothing is). */
  nextAt(): number | undefined {
    this.discardStaleTimers();
    return this.agenda.peek()?.at;
  }

  get done(): boolean {
    return this.ended !== undefined;
  }

  /** Start every node at time 0, in the order given. */
  boot(): void {
    for (const host of this.hosts.values()) this.start(host);
    this.checkClientsFinished();
  }

  /** Runs to the end; returns the summary. */
  run(): RunSummary {
    if (this.steps === 0 && this.events === 0) this.boot();
    while (this.step()) {
      /* one agenda item at a time */
    }
    return this.summary();
  }

  /** Processes one agenda item. Returns false once the run has ended. */
  step(): boolean {
    if (this.ended) return false;
    this.discardStaleTimers();
    const next = this.agenda.peek();
    const reason = this.endReason(next);
    if (reason) {
      this.ended = reason;
      this.record({ t: this.now, kind: 'end', reason });
      return false;
    }
    this.agenda.pop();
    this.now = next!.at;
    this.steps++;
    this.dispatch(next!);
    this.checkClientsFinished();
    return true;
  }

  /** Ends the run now, before its agenda would (a monitor of the run has seen what it was
   *  waiting for: exploration's liveness bound, src/emulations/temperature.ts). */
  halt(): void {
    if (this.ended) return;
    this.ended = 'halted';
    this.record({ t: this.now, kind: 'end', reason: 'halted' });
  }

  summary(): RunSummary {
    const done = this.drainUntil === undefined ? {} : { clients_done_ms: this.drainUntil - this.options.drain_ms };
    return { reason: this.ended ?? 'step-limit', time_ms: this.now, steps: this.steps, ...this.counts, ...done };
  }

  /** The nodes as the views see them. */
  views(): NodeView[] {
    return [...this.hosts.values()].map((host) => {
      const snapshot = host.actor?.getSnapshot();
      const restartPending = host.status === 'crashed' && host.restartsPending > 0;
      return { id: host.spec.id, role: host.spec.role, status: host.status, restartPending, state: snapshot?.value, context: snapshot?.context };
    });
  }

  /** Messages in flight (not yet delivered or dropped). */
  inFlight(): number {
    return this.messagesInFlight;
  }

  activePartitionWindows(): readonly PartitionWindow[] {
    return this.activePartitions;
  }

  // ---- the loop ------------------------------------------------------------------------------

  private endReason(next: AgendaItem | undefined): EndReason | undefined {
    if (next === undefined) return 'quiescent';
    if (this.drainUntil !== undefined && (next.at > this.drainUntil || this.options.settled?.(this.views()) || this.quiet())) return 'clients-done';
    if (next.at > this.options.time_limit_ms) return 'time-limit';
    if (this.steps >= (this.options.max_steps ?? 5_000_000)) return 'step-limit';
    return undefined;
  }

  /** Nothing in flight, no fault to come, and the emulation says nothing can change. */
  private quiet(): boolean {
    return this.options.quiescent !== undefined && this.messagesInFlight === 0 && this.faultsPlanned === 0 && this.options.quiescent(this.views());
  }

  /** Timers cancelled or re-armed since they were scheduled are not events: skip them. */
  private discardStaleTimers(): void {
    for (let next = this.agenda.peek(); next?.kind === 'timer'; next = this.agenda.peek()) {
      if (this.host(next.node).timers.get(next.timer) === next.token) return;
      this.agenda.pop();
    }
  }

  private dispatch(item: AgendaItem): void {
    if (item.kind === 'deliver') this.messagesInFlight--;
    else if (item.kind !== 'timer') this.faultsPlanned--;
    switch (item.kind) {
      case 'deliver': {
        const cut = this.activePartitions.length > 0 && this.activePartitions.some((w) => separated(w, item.from, item.to));
        return this.deliver(this.host(item.to), item.id, item.from, item.msg as M, cut ? 'partition' : undefined);
      }
      case 'timer': {
        const host = this.host(item.node);
        if (host.timers.get(item.timer) !== item.token) return; // cancelled or re-armed since
        return this.fire(host, item.timer);
      }
      case 'crash':
        return this.crash(this.host(item.node));
      case 'restart': {
        const host = this.host(item.node);
        host.restartsPending--;
        this.restart(host);
        return this.clientStatusChanged(host);
      }
      case 'partition-start':
        this.activePartitions.push(item.window);
        return this.record({ t: this.now, kind: 'partition-start', groups: item.window.groups });
      case 'partition-end':
        this.activePartitions.splice(this.activePartitions.indexOf(item.window), 1);
        return this.record({ t: this.now, kind: 'partition-end', groups: item.window.groups });
    }
  }

  // ---- the nodes, as the interpreter asks for them --------------------------------------------

  protected idOf(host: NodeHost): NodeId {
    return host.spec.id;
  }

  protected specOf(host: NodeHost): NodeSpec {
    return host.spec;
  }

  protected statusOf(host: NodeHost): NodeStatus {
    return host.status;
  }

  protected diskOf(host: NodeHost): unknown {
    return host.disk;
  }

  protected nodeNamed(id: NodeId): NodeHost | undefined {
    return this.hosts.get(id);
  }

  /** From the node's own random stream. */
  protected entropy(host: NodeHost): number {
    return host.rng.u32();
  }

  /** A live actor; what it emits is performed as it is emitted. */
  protected startMachine(host: NodeHost, input: unknown): void {
    const actor = createActor(host.spec.machine, { input });
    actor.on('*', (effect) => this.perform(host, effect as unknown as Effect<M, F>));
    host.actor = actor;
    actor.start();
  }

  protected stepMachine(host: NodeHost, event: NodeEvent): boolean {
    host.actor!.send(event);
    return host.actor!.getSnapshot().status === 'done';
  }

  protected finished(host: NodeHost): void {
    host.status = 'finished';
    this.clientStatusChanged(host);
  }

  protected lose(host: NodeHost): void {
    host.actor?.stop();
    host.actor = undefined;
    host.status = 'crashed';
    host.timers.clear();
    this.clientStatusChanged(host);
  }

  protected revive(host: NodeHost): void {
    host.status = 'up';
  }

  protected nextMessage(): number {
    return ++this.nextMessageId;
  }

  /** The network decides the message's fate: lost, or delivered once or more, each copy after its delay. */
  protected route(from: NodeHost, to: NodeHost, id: number, msg: M): void {
    this.counts.sent++;
    const fromId = from.spec.id;
    const toId = to.spec.id;
    const fate = this.network.fate(fromId, toId, msg, this.now);
    if (fate.dropped) {
      this.counts.lost++;
      return this.drop(id, fromId, toId, msg, 'loss');
    }
    const delays = fate.delays_ms;
    for (let copy = 0; copy < delays.length; copy++) {
      if (copy > 0) {
        this.counts.duplicated++;
        this.record({ t: this.now, kind: 'duplicate', id, from: fromId, to: toId, msg });
      }
      this.schedule({ at: this.now + Math.max(0, delays[copy]!), seq: this.seq++, kind: 'deliver', id, from: fromId, to: toId, msg });
    }
  }

  /** An agenda item, live while the timer's token is. */
  protected arm(host: NodeHost, timer: string, after_ms: number): void {
    const token = ++this.tokens;
    host.timers.set(timer, token);
    this.schedule({ at: this.now + after_ms, seq: this.seq++, kind: 'timer', node: host.spec.id, timer, token });
  }

  protected disarm(host: NodeHost, timer: string): void {
    host.timers.delete(timer);
  }

  protected persist(host: NodeHost, disk: unknown): void {
    host.disk = disk;
  }

  protected count(what: 'delivered' | 'dropped'): void {
    this.counts[what]++;
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  /** Once no client is left running, the run drains for `drain_ms`. Counted as clients finish,
   *  crash and restart (a scan of every client on every step made large runs slow). */
  private checkClientsFinished(): void {
    if (this.drainUntil !== undefined) return;
    if (this.clientHosts === undefined) {
      this.clientHosts = [...this.hosts.values()].filter((s) => s.spec.client);
      for (const client of this.clientHosts) client.running = !clientFinished(client);
      this.clientsRunning = this.clientHosts.filter((s) => s.running).length;
    }
    if (this.clientsRunning === 0) this.drainUntil = this.now + this.options.drain_ms;
  }

  /** A client's status or planned restarts changed: count it again (O(1): each client host
   *  remembers whether it was counted as running). */
  private clientStatusChanged(host: NodeHost): void {
    if (!host.spec.client || this.clientHosts === undefined) return;
    const running = !clientFinished(host);
    if (running !== host.running) this.clientsRunning += running ? 1 : -1;
    host.running = running;
  }

  private schedule(item: AgendaItem): void {
    if (item.kind === 'deliver') this.messagesInFlight++;
    else if (item.kind !== 'timer') this.faultsPlanned++;
    this.agenda.push(item);
  }

  protected record(event: TraceEvent<M, F>): void {
    this.events++;
    this.kept?.push(event);
    for (const { listener, kinds } of this.listeners) if (kinds === undefined || kinds.has(event.kind)) listener(event, this.events - 1);
  }

  private host(node: NodeId): NodeHost {
    const host = this.hosts.get(node);
    if (!host) throw new Error(`unknown node ${node}`);
    return host;
  }
}

const clientFinished = (s: NodeHost): boolean => s.status === 'finished' || (s.status === 'crashed' && s.restartsPending === 0);
