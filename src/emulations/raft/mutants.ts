/**
 * Deliberately broken Raft variants ("mutants"), off unless named. Each one overrides a single
 * rule of ./rules.ts; exploration and the model checker must catch every one of them, which is
 * how the Raft checks show that they can fail.
 */
import { correctRules, type Rules } from './rules.js';

export const MUTANTS = {
  'votes-twice-in-a-term': 'a server grants its vote to every candidate of a term, not only to the first',
  'commits-earlier-term-by-counting':
    "a leader commits an entry of an earlier term once a majority stores it (the paper's Figure 8), not only entries of its own term",
  'appends-without-truncating': 'a follower overwrites a conflicting entry but keeps the entries after it',
  'forgets-vote-on-restart': 'a server persists its term and log but not its vote: after a restart it may vote again in the same term',
  'leader-ignores-higher-term': 'a leader that hears of a higher term takes it up but goes on leading',
  'votes-for-stale-log': "a server grants its vote without checking that the candidate's log is at least as up-to-date as its own",
} as const;

export type MutantName = keyof typeof MUTANTS;

export const MUTANT_NAMES = Object.keys(MUTANTS) as [MutantName, ...MutantName[]];

/** What each mutant changes: one rule of ./rules.ts. */
const overrides: Record<MutantName, Partial<Rules>> = {
  'votes-twice-in-a-term': { mayVoteFor: () => true },
  'commits-earlier-term-by-counting': { commitsByCounting: () => true },
  'appends-without-truncating': { truncatesConflicts: false },
  'forgets-vote-on-restart': { persistsVote: false },
  'leader-ignores-higher-term': { leaderStepsDown: false },
  'votes-for-stale-log': { upToDate: () => true },
};

/** The rules with the named mutants' overrides applied. */
export function rulesFor(mutants: Iterable<string>): Rules {
  let rules = correctRules;
  for (const name of mutants) rules = { ...rules, ...overrides[name as MutantName] };
  return rules;
}
