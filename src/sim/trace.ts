/**
 * What flows between the router and the roles, and what the router records.
 *
 * A role is driven only by `NodeEvent`s (a start, a delivered message, a timer firing) and acts
 * only by emitting `Effect`s (send, set/cancel a timer, persist to its disk, note a step). The
 * router turns effects into `TraceEvent`s stamped with virtual time: the trace is the single
 * record of a run, from which the plain view, the dashboard, the client history and every
 * checker read.
 */
import type { KvCommand, KvResult } from '../kv/kv.js';
import type { Ballot, LogCommand, Message, NodeId } from '../roles/messages.js';

/**
 * Every event carries `entropy`, a 32-bit number from the receiving node's own PRNG stream
 * (owned by the router, seeded from the run's seed). It is a role's only source of randomness.
 */
export type NodeEvent =
  /** router -> node: you have (re)started. */
  | { readonly type: 'start'; readonly entropy: number }
  /** router -> node: timer `timer`, set earlier by this node, has fired. */
  | { readonly type: 'timeout'; readonly timer: string; readonly entropy: number }
  /** router -> node: a message from `from` has arrived (the message's fields, flattened). */
  | (Message & { readonly from: NodeId; readonly entropy: number });

/** The things a role can ask of the world. Emitted from XState actions; the router does them. */
export type Effect =
  | { readonly type: 'send'; readonly to: NodeId; readonly msg: Message }
  /** Arm (or re-arm) the node's timer `timer` to fire `after_ms` from now. */
  | { readonly type: 'set-timer'; readonly timer: string; readonly after_ms: number }
  | { readonly type: 'cancel-timer'; readonly timer: string }
  /** Write `disk` to stable storage: it is all that survives a crash of this node. */
  | { readonly type: 'persist'; readonly disk: unknown }
  /** A protocol step worth a trace line; `fact` is its structured form for the checkers. */
  | { readonly type: 'note'; readonly text: string; readonly fact?: Fact };

/** Structured observations the checkers read (specs/). */
export type Fact =
  /** A client sends request `request_id` for the first time. */
  | { readonly kind: 'invoke'; readonly client: number; readonly request_id: number; readonly command: KvCommand }
  /** A client re-sends request `request_id`: no reply came within its timeout. */
  | { readonly kind: 'retry'; readonly client: number; readonly request_id: number }
  /** A client receives the result of request `request_id`. */
  | {
      readonly kind: 'complete';
      readonly client: number;
      readonly request_id: number;
      readonly command: KvCommand;
      readonly result: KvResult;
    }
  /** A node learns that `command` is chosen for `slot` (`ballot` when it counted the quorum). */
  | { readonly kind: 'decide'; readonly slot: number; readonly command: LogCommand; readonly ballot?: Ballot }
  /** A node applies slot `slot` to its store; `fresh` is false when the request was a retry
   *  already applied (answered from the client table, store untouched). */
  | {
      readonly kind: 'apply';
      readonly slot: number;
      readonly command: LogCommand;
      readonly result?: KvResult;
      readonly fresh: boolean;
    };

export type DropReason = 'loss' | 'partition' | 'crashed' | 'finished';

/** One line of the run's record. `t` is virtual time in milliseconds. */
export type TraceEvent =
  | { readonly t: number; readonly kind: 'send'; readonly id: number; readonly from: NodeId; readonly to: NodeId; readonly msg: Message }
  | { readonly t: number; readonly kind: 'deliver'; readonly id: number; readonly from: NodeId; readonly to: NodeId; readonly msg: Message }
  | {
      readonly t: number;
      readonly kind: 'drop';
      readonly id: number;
      readonly from: NodeId;
      readonly to: NodeId;
      readonly msg: Message;
      readonly reason: DropReason;
    }
  | { readonly t: number; readonly kind: 'duplicate'; readonly id: number; readonly from: NodeId; readonly to: NodeId; readonly msg: Message }
  | { readonly t: number; readonly kind: 'timer-set'; readonly node: NodeId; readonly timer: string; readonly at: number }
  | { readonly t: number; readonly kind: 'timer-fire'; readonly node: NodeId; readonly timer: string }
  | { readonly t: number; readonly kind: 'crash'; readonly node: NodeId }
  | { readonly t: number; readonly kind: 'restart'; readonly node: NodeId }
  | { readonly t: number; readonly kind: 'partition-start'; readonly groups: readonly (readonly NodeId[])[] }
  | { readonly t: number; readonly kind: 'partition-end'; readonly groups: readonly (readonly NodeId[])[] }
  | { readonly t: number; readonly kind: 'note'; readonly node: NodeId; readonly text: string; readonly fact?: Fact }
  | { readonly t: number; readonly kind: 'end'; readonly reason: EndReason };

/** Why a run stopped: every client finished (and learners had `drain_ms` to catch up), nothing
 *  was left to happen, or the virtual-time limit was reached first. */
export type EndReason = 'clients-done' | 'quiescent' | 'time-limit' | 'step-limit';
