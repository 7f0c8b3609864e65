/**
 * The kv family's shared vocabulary: what kv clients say to the node they are given (the
 * single kv server, or a MultiPaxos leader: a client cannot tell them apart), the log of
 * client commands a replicated kv store decides and applies, and the facts the kv checks read.
 */
import type { KvCommand, KvResult } from '../../kv/kv.js';
import { describeCommand } from '../../kv/kv.js';

// ---- the client API ----------------------------------------------------------------------------

export type ClientMessage =
  /** client -> server or leader: please run `command`. Retries reuse (client, request_id). */
  | {
      readonly type: 'request';
      readonly client: number;
      readonly request_id: number;
      readonly command: KvCommand;
    }
  /** server or leader -> client: the result of request `request_id`, once it is applied. */
  | { readonly type: 'reply'; readonly request_id: number; readonly result: KvResult };

// ---- the log -----------------------------------------------------------------------------------

/** What sits in one slot of the log: a client's request, or a no-op hole filler. */
export type LogCommand =
  | {
      readonly kind: 'request';
      readonly client: number;
      readonly request_id: number;
      readonly command: KvCommand;
    }
  | { readonly kind: 'noop' };

/**
 * A ballot: (round, leader id), ordered by round, then by leader id. A replicated log stamps
 * each decision with the ballot (term) under which it was decided; printed as `round.leader`.
 */
export interface Ballot {
  readonly round: number;
  readonly leader: number;
}

/** Ballot order: round first, leader id breaks ties. */
export function compareBallots(a: Ballot, b: Ballot): number {
  return a.round !== b.round ? a.round - b.round : a.leader - b.leader;
}

export const ballotText = (b: Ballot): string => `${b.round}.${b.leader}`;

export function describeLogCommand(command: LogCommand): string {
  return command.kind === 'noop' ? 'NO-OP' : `${describeCommand(command.command)} (client ${command.client} request ${command.request_id})`;
}

export function sameLogCommand(a: LogCommand, b: LogCommand): boolean {
  if (a.kind === 'noop' || b.kind === 'noop') return a.kind === b.kind;
  return a.client === b.client && a.request_id === b.request_id && JSON.stringify(a.command) === JSON.stringify(b.command);
}

// ---- facts -------------------------------------------------------------------------------------

/** What kv clients observe (the client history is made of these). */
export type ClientFact =
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
    };

/** What the nodes holding the log observe. */
export type LogFact =
  /** A node learns that `command` is chosen for `slot` (`ballot` when it counted the quorum,
   *  and then `quorum`: the nodes whose acknowledgements it counted, one entry per ack). */
  | {
      readonly kind: 'decide';
      readonly slot: number;
      readonly command: LogCommand;
      readonly ballot?: Ballot;
      readonly quorum?: readonly string[];
    }
  /** A node applies slot `slot` to its store; `fresh` is false when the request was a retry
   *  already applied (answered from the client table, store untouched). */
  | {
      readonly kind: 'apply';
      readonly slot: number;
      readonly command: LogCommand;
      readonly result?: KvResult;
      readonly fresh: boolean;
    };

export type KvFact = ClientFact | LogFact;
