/**
 * The messages a Raft server ignores for good, for the model checker
 * (`VerifySpec.ignoresForGood`: it takes them out of flight at once, so that states differing
 * only in a message nobody will ever read are one). Derived from the statechart (./server.ts)
 * and its steps: only answers qualify — a request (RequestVote, AppendEntries) of a stale term
 * is refused with the server's own term, news the sender may not have, so it stays alive.
 *
 *   A server's term only grows, and it is on its disk before anything that depends on it
 *   (./state.ts `persist`: a restart keeps it), so a term below it stays below it.
 *
 *   append-result(T)  a follower or candidate takes up T if it is higher, and a leader counts
 *                     it only if T is its term (./leader.ts `onAppendResult`): dead if T is
 *                     below the server's term.
 *   vote(T, granted)  counted only by a candidate of term T, granted, once per voter
 *                     (./candidate.ts `isNewVote`); anyone else only takes up T if higher.
 *                     A server is a candidate of T at most once (standing takes a new term),
 *                     so a vote is dead if T is below its term, or is its term and it is not a
 *                     candidate that would count it now.
 *
 * Neither answer is answered, so no sender's word is needed. No mutant changes these rules
 * (./mutants.ts: who may vote, the commit rule, truncation, the vote's disk, stepping down,
 * a follower's commit index).
 */
import type { Message, NodeId } from './messages.js';
import type { ServerState } from './state.js';

export function serverIgnoresForGood(state: { readonly context: ServerState }, message: Message, from: NodeId): boolean {
  const s = state.context;
  if (message.type === 'append-result') return message.term < s.term;
  if (message.type !== 'vote') return false;
  if (message.term !== s.term) return message.term < s.term;
  return !(s.role === 'candidate' && message.granted && !s.votes.includes(from));
}
