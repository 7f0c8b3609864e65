/**
 * The whole message vocabulary of the MultiPaxos emulation, top to bottom. Two layers, kept
 * apart:
 *
 *  - the **client API** (`request`, `reply`, ../kv/messages.ts): what a client says to a
 *    MultiPaxos leader, the same as to the single kv server, so a client cannot tell them apart;
 *  - the **MultiPaxos protocol** (`prepare` ... `decisions`): what leaders, acceptors and
 *    replicas say to each other (Lamport, "Paxos Made Simple"; van Renesse & Altinbuken,
 *    "Paxos Made Moderately Complex").
 *
 * A ballot is (round, leader id); two leaders never share one, so at most one value can be
 * chosen per ballot and slot. Every message travels through the router; no role calls another.
 */
import type { Ballot, ClientMessage, KvFact, LogCommand } from '../kv/messages.js';

export type { Ballot, LogCommand, RequestCommand, RequestOutcome } from '../kv/messages.js';
export { ballotText, compareBallots, describeLogCommand, requestsIn, sameLogCommand } from '../kv/messages.js';
export type { NodeId } from '../../sim/trace.js';
import type { NodeId } from '../../sim/trace.js';

/** A "pvalue": the command an acceptor accepted in a slot, and under which ballot. */
export interface PValue {
  readonly slot: number;
  readonly ballot: Ballot;
  readonly command: LogCommand;
}

export type Message =
  | ClientMessage
  // ---- Phase 1: a leader asks for leadership of every slot from `from_slot` on ---------------
  /** leader -> every acceptor: promise to ignore ballots lower than `ballot`. */
  | { readonly type: 'prepare'; readonly ballot: Ballot; readonly from_slot: number }
  /** acceptor -> leader: I promise; here is everything I accepted from `from_slot` on. */
  | { readonly type: 'promise'; readonly ballot: Ballot; readonly accepted: readonly PValue[] }
  // ---- Phase 2: the leader proposes one command per slot ------------------------------------
  /** leader -> every acceptor: accept `command` in `slot` under `ballot`. */
  | {
      readonly type: 'accept';
      readonly ballot: Ballot;
      readonly slot: number;
      readonly command: LogCommand;
    }
  /** acceptor -> leader: I accepted your command in `slot` under `ballot`. */
  | { readonly type: 'accepted'; readonly ballot: Ballot; readonly slot: number }
  /** acceptor -> leader: I refused `ballot`, having promised the higher `promised`. */
  | { readonly type: 'nack'; readonly ballot: Ballot; readonly promised: Ballot }
  // ---- Learning -----------------------------------------------------------------------------
  /** leader -> replicas and other leaders: `command` is chosen for `slot`, forever. */
  | { readonly type: 'decision'; readonly slot: number; readonly command: LogCommand }
  /** replica or leader -> a leader: I have applied everything below `from_slot`; send me the
   *  decisions you know from there on (repairs gaps left by lost `decision` messages). */
  | { readonly type: 'catch-up'; readonly from_slot: number }
  /** learner -> learner, answering `catch-up`: the decisions it knows from `from_slot` on
   *  (perhaps none: then the asker knows it is up to date with that node). */
  | { readonly type: 'decisions'; readonly from_slot: number; readonly entries: readonly Decided[] };

/** One decided slot, as carried in a `decisions` batch. */
export interface Decided {
  readonly slot: number;
  readonly command: LogCommand;
}


/**
 * What acceptors and leaders observe for the protocol invariants (./invariants.ts): the history
 * of promises and votes that Lamport's Voting specification reasons about (a vote is never
 * forgotten by the history, even when the acceptor overwrites it), and the promises a leader
 * started Phase 2 on.
 */
export type PaxosFact =
  /** An acceptor promised `ballot` (Phase 1b), reporting what it accepted from `from_slot` on. */
  | { readonly kind: 'promise'; readonly ballot: Ballot; readonly from_slot: number; readonly accepted: readonly PValue[] }
  /** An acceptor accepted `command` in `slot` under `ballot` (Phase 2b): its vote. */
  | { readonly kind: 'vote'; readonly ballot: Ballot; readonly slot: number; readonly command: LogCommand }
  /** A leader starts Phase 2 under `ballot`, on the promises of `quorum` (one entry per promise counted). */
  | { readonly kind: 'lead'; readonly ballot: Ballot; readonly quorum: readonly NodeId[] };

/** The facts MultiPaxos nodes note for the checks. */
export type Fact = KvFact | PaxosFact;

/** The ballot below every real one: acceptors start having promised it. */
export const zeroBallot: Ballot = { round: 0, leader: 0 };

// ---- the router's types, for this vocabulary ----------------------------------------------------
import type { Effect as AnyEffect, NodeEvent as AnyNodeEvent } from '../../sim/trace.js';
import type { Outbox as AnyOutbox } from '../../sim/outbox.js';

/** What a MultiPaxos node receives. */
export type NodeEvent = AnyNodeEvent<Message>;
/** What a MultiPaxos node asks of the world. */
export type Effect = AnyEffect<Message, Fact>;
/** Where a MultiPaxos node's transition writes its effects. */
export type Outbox = AnyOutbox<Message, Fact>;
