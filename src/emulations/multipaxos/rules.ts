/**
 * The few decision points of the protocol where a bug would break safety, gathered in one
 * place: the correct rules are here; src/roles/mutants.ts overrides exactly one of them per
 * mutant, and the roles never mention mutants. Quorum arithmetic lives here and nowhere else.
 */
import { compareBallots, type Ballot } from './messages.js';

export interface Rules {
  /** Acceptor, Phase 2: may it accept a proposal under `ballot` having promised `promised`? */
  readonly acceptsProposal: (ballot: Ballot, promised: Ballot) => boolean;
  /** Acceptor: does it write promised/accepted to stable storage? */
  readonly durableAcceptor: boolean;
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
}

/** A majority: any two quorums share an acceptor, which is what carries a chosen value over. */
export const majority = (n: number): number => Math.floor(n / 2) + 1;

export const correctRules: Rules = {
  acceptsProposal: (ballot, promised) => compareBallots(ballot, promised) >= 0,
  durableAcceptor: true,
  adoptsAcceptedValues: true,
  quorum: majority,
  appliesInOrder: true,
  dedupRetries: true,
  readsThroughLog: true,
};
