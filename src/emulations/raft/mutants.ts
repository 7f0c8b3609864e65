/**
 * Deliberately broken Raft variants ("mutants"), off unless named. Each one overrides a single
 * rule of ./rules.ts; exploration and the model checker must catch every one of them, which is
 * how the Raft checks show that they can fail.
 */
import { correctRules, type Rules } from './rules.js';

export const SAFETY_MUTANTS = {
  'votes-twice-in-a-term': 'a server grants its vote to every candidate of a term, not only to the first',
  'commits-earlier-term-by-counting':
    "a leader commits an entry of an earlier term once a majority stores it (the paper's Figure 8), not only entries of its own term",
  'appends-without-truncating': 'a follower overwrites a conflicting entry but keeps the entries after it',
  'forgets-vote-on-restart': 'a server persists its term and log but not its vote: after a restart it may vote again in the same term',
  'leader-ignores-higher-term': 'a leader that hears of a higher term takes it up but goes on leading',
  'votes-for-stale-log': "a server grants its vote without checking that the candidate's log is at least as up-to-date as its own",
} as const;

/** Safe, but a follower stops catching up: caught as something hot for ever (a lasso in
 *  `mpkv verify`, a hot monitor past its bound in `mpkv explore`), not by an invariant. */
export const LIVENESS_MUTANTS = {
  'follower-ignores-leader-commit': "a follower writes the leader's entries but never takes up its commit index: it never applies what the leader committed",
} as const;

export const MUTANTS = { ...SAFETY_MUTANTS, ...LIVENESS_MUTANTS } as const;

export type MutantName = keyof typeof MUTANTS;
export type SafetyMutantName = keyof typeof SAFETY_MUTANTS;
export type LivenessMutantName = keyof typeof LIVENESS_MUTANTS;

export const MUTANT_NAMES = Object.keys(MUTANTS) as [MutantName, ...MutantName[]];
export const SAFETY_MUTANT_NAMES = Object.keys(SAFETY_MUTANTS) as [SafetyMutantName, ...SafetyMutantName[]];
export const LIVENESS_MUTANT_NAMES = Object.keys(LIVENESS_MUTANTS) as [LivenessMutantName, ...LivenessMutantName[]];

/** What each mutant changes: one rule of ./rules.ts. */
const overrides: Record<MutantName, Partial<Rules>> = {
  'votes-twice-in-a-term': { mayVoteFor: () => true },
  'commits-earlier-term-by-counting': { commitsByCounting: () => true },
  'appends-without-truncating': { truncatesConflicts: false },
  'forgets-vote-on-restart': { persistsVote: false },
  'leader-ignores-higher-term': { leaderStepsDown: false },
  'votes-for-stale-log': { upToDate: () => true },
  'follower-ignores-leader-commit': { learnsCommit: false },
};

/** The rules with the named mutants' overrides applied. */
export function rulesFor(mutants: Iterable<string>): Rules {
  let rules = correctRules;
  for (const name of mutants) rules = { ...rules, ...overrides[name as MutantName] };
  return rules;
}
