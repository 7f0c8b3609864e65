/**
 * A Raft server's state (the paper's Figure 2, "State"), what survives a crash, and the steps
 * every role shares: writing the durable state, taking up a higher term (§5.1: "if RPC request
 * or response contains term T > currentTerm: set currentTerm = T, convert to follower"), and
 * arming the randomized election timer.
 *
 *   persistent  currentTerm (`term`), votedFor, log      written before any message that
 *                                                        depends on them is sent
 *   volatile    commitIndex (`commit`), lastApplied      a restarted server starts from 0
 *               (`applied`), the state machine (`rsm`)   and re-applies the log as it learns
 *                                                        what is committed
 *   leader      nextIndex and matchIndex per follower    (`progress`), reset on each election
 *
 * The state is replaced, never changed in place, except the state machine (store and client
 * table: one future, copying it per entry made runs quadratic). The log is a persistent value
 * (./log.ts) that the disk and the live state share.
 */
import type { MachineContext } from 'xstate';
import type { MutableRsm } from '../../kv/rsm.js';
import { intFromEntropy } from '../../sim/rng.js';
import type { RaftTiming } from './config.js';
import type { RaftLog } from './log.js';
import type { NodeId, Outbox, Role } from './messages.js';
import type { Progress } from './progress.js';
import type { Rules } from './rules.js';

/** What a server writes to stable storage: all that survives a crash. */
export interface ServerDisk {
  readonly term: number;
  readonly votedFor: NodeId | undefined;
  readonly log: RaftLog;
}

export interface ServerInput {
  readonly id: number;
  /** Its own address (`server 2`): what it votes for itself as, and tells others. */
  readonly self: NodeId;
  /** The other servers. */
  readonly peers: readonly NodeId[];
  readonly raft: RaftTiming;
  readonly rules: Rules;
  readonly disk?: ServerDisk;
  /** The disk is the config's (`[[disks]]`), not one this server wrote. */
  readonly seeded?: boolean;
}

export interface ServerState extends MachineContext, Omit<ServerInput, 'disk'> {
  /** The role the statechart is in (kept here so that shared steps can say it in their facts). */
  readonly role: Role;
  readonly term: number;
  readonly votedFor: NodeId | undefined;
  readonly log: RaftLog;
  /** The highest index known committed (0: none). */
  readonly commit: number;
  /** Entries applied to `rsm`: indexes 1..applied (the kv checks read it as the learner's count). */
  readonly applied: number;
  readonly rsm: MutableRsm;
  /** The leader of the current term, once heard from. */
  readonly leader: NodeId | undefined;
  /** Where each client that asked this server wants its replies. */
  readonly clients: ReadonlyMap<number, NodeId>;
  /** Candidate: the servers that voted for it in this term (itself first). */
  readonly votes: readonly NodeId[];
  /** Leader: what it knows of each follower. */
  readonly progress: ReadonlyMap<NodeId, Progress>;
}

export const ELECTION = 'election';
export const HEARTBEAT = 'heartbeat';
/** A candidate re-asks the servers whose votes it has not got, every `heartbeat_ms` ("servers
 *  retry RPCs if they do not receive a response in a timely manner", Figure 2). */
export const VOTE_RETRY = 'vote-retry';

/** Writes the durable state (votedFor only if the rules keep it). */
export function persist(state: ServerState, out: Outbox): void {
  out.persist({ term: state.term, votedFor: state.rules.persistsVote ? state.votedFor : undefined, log: state.log } satisfies ServerDisk);
}

/**
 * Takes up `term`, higher than the current one, in `role` (a leader or candidate converts to
 * follower: the statechart's transition says so; only a mutant leader goes on leading): the
 * vote of the old term and its leader are forgotten.
 */
export function adoptTerm<S extends ServerState>(state: S, term: number, role: Role, out: Outbox): S {
  if (term <= state.term) return state.role === role ? state : { ...state, role };
  const next = { ...state, role, term, votedFor: undefined, leader: undefined, votes: [] };
  persist(next, out);
  out.note(() => `TERM ${term}: heard of a higher term than ${state.term} (${role})`, { kind: 'term', term, role });
  return next;
}

/** (Re)arms the election timer with a fresh random timeout, drawn from the event's entropy. */
export function armElectionTimer(state: ServerState, entropy: number, out: Outbox): void {
  out.setTimer(ELECTION, intFromEntropy(entropy, state.raft.election_min_ms, state.raft.election_max_ms));
}

/** How many servers make a majority of this cluster. */
export const quorumOf = (state: ServerState): number => state.rules.quorum(state.peers.length + 1);

export const listOf = (nodes: readonly NodeId[]): string => (nodes.length === 0 ? 'nobody' : nodes.join(', '));
