/**
 * What flows between the router and the nodes, and what the router records. The router knows
 * no protocol: a message is any object with a `type` (an emulation's vocabulary), a fact any
 * object with a `kind` (an emulation's structured observations for its checks).
 *
 * A node is driven only by `NodeEvent`s (a start, a delivered message, a timer firing) and acts
 * only by emitting `Effect`s (send, set/cancel a timer, persist to its disk, note a step). The
 * router turns effects into `TraceEvent`s stamped with virtual time: the trace is the single
 * record of a run, from which the plain view, the dashboard, the client history and every
 * check read.
 */

/** A node's address, such as `client 2` or `server`: its role, a space, its number. */
export type NodeId = string;

/** A message: the emulation's, with a `type` saying which kind it is. */
export interface Envelope {
  readonly type: string;
}

/** A structured observation for the checks, with a `kind` saying which. */
export interface FactBase {
  readonly kind: string;
}

/**
 * Every event carries `entropy`, a 32-bit number from the receiving node's own PRNG stream
 * (owned by the router, seeded from the run's seed). It is a node's only source of randomness.
 */
export type NodeEvent<M extends Envelope = Envelope> =
  /** router -> node: you have (re)started. */
  | { readonly type: 'start'; readonly entropy: number }
  /** router -> node: timer `timer`, set earlier by this node, has fired. */
  | { readonly type: 'timeout'; readonly timer: string; readonly entropy: number }
  /** router -> node: a message from `from` has arrived (the message's fields, flattened). */
  | (M & { readonly from: NodeId; readonly entropy: number });

/** The things a node can ask of the world. Emitted from XState actions; the router does them. */
export type Effect<M extends Envelope = Envelope, F extends FactBase = FactBase> =
  | { readonly type: 'send'; readonly to: NodeId; readonly msg: M }
  /** Arm (or re-arm) the node's timer `timer` to fire `after_ms` from now. */
  | { readonly type: 'set-timer'; readonly timer: string; readonly after_ms: number }
  | { readonly type: 'cancel-timer'; readonly timer: string }
  /** Write `disk` to stable storage: it is all that survives a crash of this node. */
  | { readonly type: 'persist'; readonly disk: unknown }
  /** A protocol step worth a trace line; `fact` is its structured form for the checks. */
  | { readonly type: 'note'; readonly text: NoteText; readonly fact?: F }
  /** All the effects of one transition, in order: what a machine actually emits (one emitted
   *  event per transition rather than one per effect halves XState's share of a run). */
  | { readonly type: 'effects'; readonly effects: readonly Effect<M, F>[] };

/**
 * A note's line of text, or how to build it. Most runs print nothing (exploration, the bench,
 * a run whose checks read only facts), so roles hand the router a function and the text is
 * built only when a view reads it. The function must read only values that never change
 * afterwards (it may run at the end of the run, when the trace is written out).
 */
export type NoteText = string | (() => string);

export type DropReason = 'loss' | 'partition' | 'crashed' | 'finished';

/** One line of the run's record. `t` is virtual time in milliseconds. */
export type TraceEvent<M extends Envelope = Envelope, F extends FactBase = FactBase> =
  | { readonly t: number; readonly kind: 'send'; readonly id: number; readonly from: NodeId; readonly to: NodeId; readonly msg: M }
  | { readonly t: number; readonly kind: 'deliver'; readonly id: number; readonly from: NodeId; readonly to: NodeId; readonly msg: M }
  | {
      readonly t: number;
      readonly kind: 'drop';
      readonly id: number;
      readonly from: NodeId;
      readonly to: NodeId;
      readonly msg: M;
      readonly reason: DropReason;
    }
  | { readonly t: number; readonly kind: 'duplicate'; readonly id: number; readonly from: NodeId; readonly to: NodeId; readonly msg: M }
  | { readonly t: number; readonly kind: 'timer-set'; readonly node: NodeId; readonly timer: string; readonly at: number }
  | { readonly t: number; readonly kind: 'timer-fire'; readonly node: NodeId; readonly timer: string }
  | { readonly t: number; readonly kind: 'crash'; readonly node: NodeId }
  | { readonly t: number; readonly kind: 'restart'; readonly node: NodeId }
  | { readonly t: number; readonly kind: 'partition-start'; readonly groups: readonly (readonly NodeId[])[] }
  | { readonly t: number; readonly kind: 'partition-end'; readonly groups: readonly (readonly NodeId[])[] }
  | { readonly t: number; readonly kind: 'note'; readonly node: NodeId; readonly text: string; readonly fact?: F }
  | { readonly t: number; readonly kind: 'end'; readonly reason: EndReason };

/** Why a run stopped: every client finished (and the others had `drain_ms` to catch up, or
 *  settled sooner), nothing was left to happen, or the virtual-time limit was reached first;
 *  `path-end`: a replayed path of events (a model checker's counterexample) was played out;
 *  `halted`: whoever drives the run stopped it (exploration's liveness bound was exceeded). */
export type EndReason = 'clients-done' | 'quiescent' | 'time-limit' | 'step-limit' | 'path-end' | 'halted';
