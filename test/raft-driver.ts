/** Test helpers for the Raft emulation: one server's statechart driven by hand, event by event,
 *  and a small cluster of them whose messages a test delivers in the order it chooses. */
import { Driven } from './harness.js';
import { RaftLog } from '../src/emulations/raft/log.js';
import type { Entry, Fact, Message, NodeEvent, NodeId } from '../src/emulations/raft/messages.js';
import { correctRules, type Rules } from '../src/emulations/raft/rules.js';
import { serverMachine } from '../src/emulations/raft/server.js';
import type { ServerDisk, ServerInput, ServerState } from '../src/emulations/raft/state.js';

export const timing = { election_min_ms: 150, election_max_ms: 300, heartbeat_ms: 50, window: 1, batch: 64 };

export const names = (n: number): NodeId[] => Array.from({ length: n }, (_, i) => `server ${i + 1}`);

/** A log of no-ops with these terms. */
export const logOf = (...terms: number[]): RaftLog => RaftLog.of(terms.map((term): Entry => Object.freeze({ term, command: { kind: 'noop' as const } })));

/** A Raft server driven by hand. */
export class Server {
  private readonly driven: Driven;
  /** What it persisted last, before the effects were last taken. */
  private persisted: ServerDisk | undefined;

  constructor(
    readonly self: NodeId,
    servers: readonly NodeId[],
    options: { disk?: ServerDisk; rules?: Rules; raft?: Partial<typeof timing> } = {},
  ) {
    const input: ServerInput = {
      id: Number(self.split(' ')[1]),
      self,
      peers: servers.filter((s) => s !== self),
      raft: { ...timing, ...options.raft },
      rules: options.rules ?? correctRules,
      ...(options.disk ? { disk: options.disk } : {}),
    };
    this.driven = new Driven(serverMachine, input);
  }

  start(entropy = 1): this {
    return this.send({ type: 'start', entropy });
  }

  deliver(from: NodeId, msg: Message, entropy = 1): this {
    return this.send({ ...msg, from, entropy } as NodeEvent);
  }

  timeout(timer: string, entropy = 1): this {
    return this.send({ type: 'timeout', timer, entropy });
  }

  private send(event: NodeEvent): this {
    this.driven.send(event as never);
    return this;
  }

  /** Messages sent since the last call (and forget them, with the other effects). */
  take(): { to: NodeId; msg: Message }[] {
    this.persisted = this.lastDisk();
    return this.driven.take() as unknown as { to: NodeId; msg: Message }[];
  }

  /** Facts noted since the last `take`. */
  facts(): Fact[] {
    return this.driven.facts() as unknown as Fact[];
  }

  /** Timers armed since the last `take`, with their delays. */
  timers(): { timer: string; after_ms: number }[] {
    return this.driven.effects.flatMap((e) => (e.type === 'set-timer' ? [{ timer: e.timer, after_ms: e.after_ms }] : []));
  }

  /** What it last asked to persist (ever: taking the effects does not forget it). */
  lastDisk(): ServerDisk | undefined {
    return (this.driven.lastDisk() as ServerDisk | undefined) ?? this.persisted;
  }

  /** follower, candidate or leader. */
  get role(): string {
    return String(this.driven.state);
  }

  get context(): ServerState {
    return this.driven.context as unknown as ServerState;
  }
}

/** Servers `server 1`..`server n`, started; `deliverAll` carries their messages between them. */
export class Cluster {
  readonly servers: Map<NodeId, Server>;
  /** Messages sent and not yet delivered, in order. */
  readonly inFlight: { from: NodeId; to: NodeId; msg: Message }[] = [];
  /** Every fact the servers noted, in order. */
  readonly noted: { node: NodeId; fact: Fact }[] = [];

  constructor(n: number, options: { disks?: Record<string, ServerDisk>; rules?: Rules; raft?: Partial<typeof timing> } = {}) {
    const all = names(n);
    const { disks, ...rest } = options;
    this.servers = new Map(all.map((id) => [id, new Server(id, all, { ...rest, ...(disks?.[id] ? { disk: disks[id] } : {}) }).start()]));
    this.collect();
  }

  get(id: NodeId): Server {
    return this.servers.get(id)!;
  }

  /** Moves what every server sent into `inFlight`, and what it noted into `noted`. */
  collect(): this {
    for (const [from, server] of this.servers) {
      for (const fact of server.facts()) this.noted.push({ node: from, fact });
      for (const { to, msg } of server.take()) this.inFlight.push({ from, to, msg });
    }
    return this;
  }

  /** Delivers the messages in flight that `which` picks (all, by default), in order, and what
   *  they cause, until nothing picked is left; messages to clients are dropped. */
  deliverAll(which: (m: { from: NodeId; to: NodeId; msg: Message }) => boolean = () => true, limit = 1000): this {
    for (let n = 0; n < limit; n++) {
      const i = this.inFlight.findIndex(which);
      if (i < 0) return this;
      const [m] = this.inFlight.splice(i, 1);
      this.servers.get(m!.to)?.deliver(m!.from, m!.msg);
      this.collect();
    }
    throw new Error('messages kept flowing');
  }

  /** Delivers the first message in flight that `which` picks (it must be there). */
  deliverNext(which: (m: { from: NodeId; to: NodeId; msg: Message }) => boolean): this {
    const i = this.inFlight.findIndex(which);
    if (i < 0) throw new Error('no such message in flight');
    const [m] = this.inFlight.splice(i, 1);
    this.servers.get(m!.to)?.deliver(m!.from, m!.msg);
    return this.collect();
  }

  /** Drops every message in flight. */
  dropAll(): this {
    this.inFlight.length = 0;
    return this;
  }
}
