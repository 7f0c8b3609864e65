/**
 * The whole message vocabulary of the Raft emulation, top to bottom. Two layers, kept apart:
 *
 *  - the **client API** (`request`, `reply`, ../kv/messages.ts): what a kv client says to the
 *    one server it knows, exactly as to the single kv server or a MultiPaxos leader, so a
 *    client cannot tell them apart;
 *  - the **Raft protocol** (Ongaro & Ousterhout, "In Search of an Understandable Consensus
 *    Algorithm", §5 and Figure 2): the RequestVote and AppendEntries RPCs and their results,
 *    as one-way messages (an RPC's result is a message of its own, carrying the responder's
 *    term), plus `forward`, how a follower hands a client's request to the leader it knows.
 *
 * Log indexes count from 1 as in the paper (index 0 is "before the first entry", of term 0).
 * Every message travels through the router; no server calls another.
 */
import type { ClientMessage, KvFact, LogCommand } from '../kv/messages.js';
import type { KvCommand } from '../../kv/kv.js';
import type { NodeId } from '../../sim/trace.js';

export type { NodeId } from '../../sim/trace.js';
export type { LogCommand, RequestCommand } from '../kv/messages.js';

/** One entry of a Raft log: a client request (or a leader's no-op) and the term of the leader
 *  that created it. Entries are frozen: logs and messages share them. */
export interface Entry {
  readonly term: number;
  readonly command: LogCommand;
}

export type Message =
  | ClientMessage
  // ---- clients' requests, between servers ---------------------------------------------------
  /** follower -> the leader it knows: a client's request it cannot append itself (only a
   *  leader appends). The leader appends it; the follower answers the client once it has
   *  applied the entry. */
  | { readonly type: 'forward'; readonly client: number; readonly request_id: number; readonly command: KvCommand }
  // ---- leader election (§5.2) --------------------------------------------------------------
  /** candidate -> every other server: vote for me in `term`; my log ends at (last_index,
   *  last_term), so you can tell whether it is at least as up-to-date as yours (§5.4.1). */
  | { readonly type: 'request-vote'; readonly term: number; readonly last_index: number; readonly last_term: number }
  /** server -> candidate, answering `request-vote`: my current term, and whether I voted for you. */
  | { readonly type: 'vote'; readonly term: number; readonly granted: boolean }
  // ---- log replication (§5.3) ---------------------------------------------------------------
  /** leader -> follower: the entries after (prev_index, prev_term) in my log, and my commit
   *  index. No entries: a heartbeat (it still asserts my leadership and carries the commit). */
  | {
      readonly type: 'append-entries';
      readonly term: number;
      readonly prev_index: number;
      readonly prev_term: number;
      readonly entries: readonly Entry[];
      readonly commit: number;
    }
  /** follower -> leader, answering `append-entries` (prev_index echoed): my current term;
   *  success, with the index up to which my log now matches yours; or failure, with my last
   *  index, so you know how far back to go. */
  | {
      readonly type: 'append-result';
      readonly term: number;
      readonly success: boolean;
      readonly prev_index: number;
      readonly match: number;
      readonly last_index: number;
    };

export type MessageType = Message['type'];

/** A server's role: the three states of the paper's Figure 4. */
export type Role = 'follower' | 'candidate' | 'leader';

/**
 * What servers observe for Raft's own invariants (./invariants.ts, the paper's Figure 3), and
 * for the diagram. Every change of a server's term, vote, role and log is noted, so the checks
 * follow each log as it is, without ever seeing a message.
 */
export type RaftFact =
  /** A server took up `term` (a candidate's new term, or a higher term it heard of), in `role`. */
  | { readonly kind: 'term'; readonly term: number; readonly role: Role }
  /** A server granted its vote in `term` to `candidate` (a candidate votes for itself). */
  | { readonly kind: 'vote'; readonly term: number; readonly candidate: NodeId }
  /** A candidate won the election of `term` on the votes of `voters` (itself included); its log
   *  then ended at (last_index, last_term). */
  | { readonly kind: 'elected'; readonly term: number; readonly voters: readonly NodeId[]; readonly last_index: number; readonly last_term: number }
  /** The leader of `term` created a new entry at `index`, after an entry of `prev_term`. */
  | { readonly kind: 'propose'; readonly term: number; readonly index: number; readonly prev_term: number; readonly command: LogCommand }
  /**
   * A server in `term` wrote a leader's `entries` into its log from `index` on, after an entry of
   * `prev_term`; first it removed `removed` entries from `index` on (a conflicting suffix).
   */
  | {
      readonly kind: 'accept';
      readonly term: number;
      readonly index: number;
      readonly prev_term: number;
      readonly entries: readonly Entry[];
      readonly removed: number;
    }
  /** A server's commit index rose to `index`, whose entry has term `entry_term`, in its term
   *  `in_term`. A leader that counted replicas names them (`quorum`, itself included). */
  | {
      readonly kind: 'commit';
      readonly index: number;
      readonly entry_term: number;
      readonly in_term: number;
      readonly quorum?: readonly NodeId[];
    }
  /** A server (re)started from its disk: its term, its vote, and where its log ends; when the
   *  disk came from the config rather than from an earlier life, its entries too. */
  | {
      readonly kind: 'restore';
      readonly term: number;
      readonly voted_for: NodeId | null;
      readonly last_index: number;
      readonly last_term: number;
      readonly entries?: readonly Entry[];
    };

/** The facts Raft servers and kv clients note. */
export type Fact = KvFact | RaftFact;

// ---- the router's types, for this vocabulary ----------------------------------------------------
import type { Effect as AnyEffect, NodeEvent as AnyNodeEvent } from '../../sim/trace.js';
import type { Outbox as AnyOutbox } from '../../sim/outbox.js';

/** What a Raft server receives. */
export type NodeEvent = AnyNodeEvent<Message>;
/** What a Raft server asks of the world. */
export type Effect = AnyEffect<Message, Fact>;
/** Where a Raft server's transition writes its effects. */
export type Outbox = AnyOutbox<Message, Fact>;
/** A received message of one type. */
export type Received<T extends MessageType> = Extract<NodeEvent, { type: T }>;
