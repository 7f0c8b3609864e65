/**
 * The few decision points of the protocol where a bug would break safety, or liveness, gathered
 * in one place: the correct rules are here; ./mutants.ts overrides exactly one of them per
 * mutant, and the roles never mention mutants. Quorum arithmetic lives here and nowhere else.
 * The rules on two ballots (acceptsPrepare, acceptsProposal, countsPromise, countsAck) depend
 * on their order only, never on their values otherwise: the model checker's word on which
 * messages are dead for good (./ignored.ts) stands on it.
 */
import { compareBallots, type Ballot } from './messages.js';
import { majority } from '../api/quorum.js';

/** A majority (any two share a member: what carries a chosen value over), as the protocol's files import it. */
export { majority };

export interface Rules {
  /** Acceptor, Phase 1: may it promise `ballot` having promised `promised`? */
  readonly acceptsPrepare: (ballot: Ballot, promised: Ballot) => boolean;
  /** Acceptor, Phase 1: does its promise for a prepare from `from_slot` report slot `slot`? */
  readonly reportsSlot: (slot: number, from_slot: number) => boolean;
  /** Acceptor, Phase 2: may it accept a proposal under `ballot` having promised `promised`? */
  readonly acceptsProposal: (ballot: Ballot, promised: Ballot) => boolean;
  /** Acceptor, Phase 2: does accepting under a higher ballot raise its promise to that ballot? */
  readonly acceptRaisesPromise: boolean;
  /** Acceptor: does it write promised/accepted to stable storage? */
  readonly durableAcceptor: boolean;
  /** Acceptor: of what it writes, does the promise survive a restart? And the votes? */
  readonly durablePromise: boolean;
  readonly durableVotes: boolean;
  /** Leader: does it write its round to stable storage before using it? */
  readonly durableLeaderRound: boolean;
  /** Leader, Phase 1: does a promise for `promised` count toward its quorum for `ballot`? */
  readonly countsPromise: (promised: Ballot, ballot: Ballot) => boolean;
  /** Leader, Phase 2: does an acknowledgement for `acked` count toward its quorum for `ballot`? */
  readonly countsAck: (acked: Ballot, ballot: Ballot) => boolean;
  /** Leader, Phase 2: is each acceptor counted once, however often its acknowledgement arrives? */
  readonly distinctAcks: boolean;
  /** Leader, after Phase 1: does it re-propose the highest-ballot accepted value per slot? */
  readonly adoptsAcceptedValues: boolean;
  /** How many of `n` acceptors make a quorum. */
  readonly quorum: (n: number) => number;
  /** Replica: does it apply decisions strictly in slot order? */
  readonly appliesInOrder: boolean;
  /** State machine: is a retried request answered from the client table? */
  readonly dedupRetries: boolean;
  /** Leader: do reads go through the log like writes? */
  readonly readsThroughLog: boolean;
  // Liveness: without these the protocol stays safe, but may stop making progress.
  /** Leader: once preempted and backed off, does it run Phase 1 again when it has work? */
  readonly preparesAfterPreemption: boolean;
  /** Leader: does its backoff bound double on each preemption (up to backoff_max_ms)? */
  readonly backoffDoubles: boolean;
  /** Learner (leader or replica): does it answer a peer's catch-up with what it has decided? */
  readonly answersCatchUp: boolean;
}


const sameBallot = (a: Ballot, b: Ballot): boolean => compareBallots(a, b) === 0;

export const correctRules: Rules = {
  acceptsPrepare: (ballot, promised) => compareBallots(ballot, promised) >= 0,
  reportsSlot: (slot, from_slot) => slot >= from_slot,
  acceptsProposal: (ballot, promised) => compareBallots(ballot, promised) >= 0,
  acceptRaisesPromise: true,
  durableAcceptor: true,
  durablePromise: true,
  durableVotes: true,
  durableLeaderRound: true,
  countsPromise: sameBallot,
  countsAck: sameBallot,
  distinctAcks: true,
  adoptsAcceptedValues: true,
  quorum: majority,
  appliesInOrder: true,
  dedupRetries: true,
  readsThroughLog: true,
  preparesAfterPreemption: true,
  backoffDoubles: true,
  answersCatchUp: true,
};
