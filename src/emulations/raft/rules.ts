/**
 * The few decision points of Raft where a bug breaks safety, gathered in one place: the correct
 * rules are here; ./mutants.ts overrides exactly one of them per mutant, and the roles never
 * mention mutants. Quorum arithmetic and the "at least as up-to-date" comparison live here and
 * nowhere else.
 */
import type { NodeId } from './messages.js';
import { majority } from '../api/quorum.js';

/** A majority (any two share a member: what carries a chosen value over), as the protocol's files import it. */
export { majority };

/** Where a log ends: its last index and the term of its last entry. */
export interface LogEnd {
  readonly index: number;
  readonly term: number;
}

export interface Rules {
  /** RequestVote (§5.2): may a server that has voted for `votedFor` in this term (none:
   *  undefined) vote for `candidate`? */
  readonly mayVoteFor: (votedFor: NodeId | undefined, candidate: NodeId) => boolean;
  /** RequestVote (§5.4.1): is the candidate's log at least as up-to-date as the voter's? */
  readonly upToDate: (candidate: LogEnd, voter: LogEnd) => boolean;
  /** Does a server's vote (votedFor) survive a restart with its term and log? */
  readonly persistsVote: boolean;
  /** Does a leader step down to follower when it hears of a higher term (§5.1)? */
  readonly leaderStepsDown: boolean;
  /** Leader (§5.4.2, Figure 8): may it commit an entry of term `entryTerm`, now stored on a
   *  majority, by counting replicas in its term `currentTerm`? */
  readonly commitsByCounting: (entryTerm: number, currentTerm: number) => boolean;
  /** Follower (§5.3): when an entry conflicts with a new one, does it delete that entry and
   *  all that follow it before writing? */
  readonly truncatesConflicts: boolean;
  /** Follower (§5.3, AppendEntries receiver step 5): does it take up the leader's commit
   *  index (up to its last new entry)? Without it a follower never applies what the leader
   *  committed: a liveness bug, not a safety one. */
  readonly learnsCommit: boolean;
  /** How many of `n` servers make a majority. */
  readonly quorum: (n: number) => number;
}


/** §5.4.1: the log whose last entry has the later term is more up-to-date; with equal last
 *  terms, the longer log is. */
export const atLeastAsUpToDate = (candidate: LogEnd, voter: LogEnd): boolean =>
  candidate.term !== voter.term ? candidate.term > voter.term : candidate.index >= voter.index;

export const correctRules: Rules = {
  mayVoteFor: (votedFor, candidate) => votedFor === undefined || votedFor === candidate,
  upToDate: atLeastAsUpToDate,
  persistsVote: true,
  leaderStepsDown: true,
  commitsByCounting: (entryTerm, currentTerm) => entryTerm === currentTerm,
  truncatesConflicts: true,
  learnsCommit: true,
  quorum: majority,
};
