/**
 * The candidate (§5.2, Figure 2 "Rules for Servers, Candidates"): on becoming one, a server
 * increments its term, votes for itself, resets its election timer and asks every other server
 * for its vote, telling them where its log ends (and asks again, every `heartbeat_ms`, those
 * whose vote it has not got: a request or its answer may be lost). Votes of its current term
 * are counted once per server; a majority makes it leader. An AppendEntries of its term or later means another won:
 * it becomes a follower. Its election timer firing again starts a new election (the random
 * timeouts make a split vote unlikely to repeat).
 */
import { armElectionTimer, listOf, persist, quorumOf, VOTE_RETRY, type ServerState } from './state.js';
import type { NodeEvent, Outbox, Received } from './messages.js';

export function startElection(state: ServerState, event: NodeEvent, out: Outbox): ServerState {
  const term = state.term + 1;
  const s: ServerState = { ...state, role: 'candidate', term, votedFor: state.self, leader: undefined, votes: [state.self] };
  persist(s, out);
  out.note(() => `ELECTION for term ${term}: candidate, log ends at index ${s.log.lastIndex} (term ${s.log.lastTerm}) -> ${listOf(s.peers)}`, {
    kind: 'term',
    term,
    role: 'candidate',
  });
  out.observe({ kind: 'vote', term, candidate: s.self });
  out.broadcast(s.peers, { type: 'request-vote', term, last_index: s.log.lastIndex, last_term: s.log.lastTerm });
  armElectionTimer(s, event.entropy, out);
  out.setTimer(VOTE_RETRY, s.raft.heartbeat_ms);
  return s;
}

/** The retry timer: ask again the servers whose vote has not come. */
export function askAgain(state: ServerState, _event: NodeEvent, out: Outbox): ServerState {
  const silent = state.peers.filter((peer) => !state.votes.includes(peer));
  out.broadcast(silent, { type: 'request-vote', term: state.term, last_index: state.log.lastIndex, last_term: state.log.lastTerm });
  out.setTimer(VOTE_RETRY, state.raft.heartbeat_ms);
  return state;
}

/** No longer a candidate: no more asking. */
export function stopAsking(state: ServerState, _event: NodeEvent, out: Outbox): ServerState {
  out.cancelTimer(VOTE_RETRY);
  return state;
}

/** A vote of this term from a server not counted yet. */
export const isNewVote = (state: ServerState, event: Received<'vote'>): boolean =>
  event.term === state.term && event.granted && !state.votes.includes(event.from);

export function countVote(state: ServerState, event: Received<'vote'>, out: Outbox): ServerState {
  if (!isNewVote(state, event)) return state;
  const votes = [...state.votes, event.from];
  out.note(() => `VOTE from ${event.from} for term ${state.term} (${votes.length}/${quorumOf(state)})`);
  return { ...state, votes };
}

/** Does this vote give the candidate a majority? */
export const winsElection = (state: ServerState, event: Received<'vote'>): boolean =>
  isNewVote(state, event) && state.votes.length + 1 >= quorumOf(state);

/** A majority already (a cluster of one server votes for itself and is done). */
export const hasMajority = (state: ServerState): boolean => state.votes.length >= quorumOf(state);
