/**
 * The whole message vocabulary of mpkv, top to bottom. Two layers, kept apart:
 *
 *  - the **client API** (`request`, `reply`): what a client says to the single kv server or to
 *    a MultiPaxos leader. It is the same for both, so a client cannot tell them apart;
 *  - the **MultiPaxos protocol** (`prepare` ... `catch-up`): what leaders, acceptors and
 *    replicas say to each other (Lamport, "Paxos Made Simple"; van Renesse & Altinbuken,
 *    "Paxos Made Moderately Complex").
 *
 * Every message travels through the router (src/sim/router.ts); no role calls another.
 */
import type { KvCommand, KvResult } from '../kv/kv.js';

/** A node's address: `client 2`, `leader 1`, `acceptor 3`, `replica 1`, `server`. */
export type NodeId = string;

/**
 * A ballot: (round, leader id), ordered by round, then by leader id. Two leaders never share a
 * ballot, so at most one value can be chosen per ballot and slot. Printed as `round.leader`.
 */
export interface Ballot {
  readonly round: number;
  readonly leader: number;
}

/** What sits in one slot of the replicated log: a client's request, or a no-op hole filler. */
export type LogCommand =
  | {
      readonly kind: 'request';
      readonly client: number;
      readonly request_id: number;
      readonly command: KvCommand;
    }
  | { readonly kind: 'noop' };

/** A "pvalue": the command an acceptor accepted in a slot, and under which ballot. */
export interface PValue {
  readonly slot: number;
  readonly ballot: Ballot;
  readonly command: LogCommand;
}

export type Message =
  // ---- client API -------------------------------------------------------------------------
  /** client -> server or leader: please run `command`. Retries reuse (client, request_id). */
  | {
      readonly type: 'request';
      readonly client: number;
      readonly request_id: number;
      readonly command: KvCommand;
    }
  /** server or leader -> client: the result of request `request_id`, once it is applied. */
  | { readonly type: 'reply'; readonly request_id: number; readonly result: KvResult }
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

export type MessageType = Message['type'];

/** Ballot order: round first, leader id breaks ties. */
export function compareBallots(a: Ballot, b: Ballot): number {
  return a.round !== b.round ? a.round - b.round : a.leader - b.leader;
}

export const ballotText = (b: Ballot): string => `${b.round}.${b.leader}`;

/** The ballot below every real one: acceptors start having promised it. */
export const zeroBallot: Ballot = { round: 0, leader: 0 };
