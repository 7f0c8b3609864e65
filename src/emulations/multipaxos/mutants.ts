/**
 * Deliberately broken protocol variants ("mutants"), off unless named. Each one overrides a
 * single rule of the correct protocol; exploration must catch every one of them, which is how
 * mpkv shows that its checkers can fail.
 */
import { correctRules, type Rules } from './rules.js';
export const MUTANTS = {
  'acceptor-accepts-lower-ballot': 'an acceptor accepts a proposal whose ballot is below the one it promised',
  'acceptor-forgets-on-restart': 'an acceptor persists nothing: after a restart it has promised and accepted nothing',
  'leader-skips-value-adoption': 'a new leader ignores values accepted in earlier ballots and proposes its own commands there',
  'quorum-too-small': 'a quorum is any single acceptor instead of a majority',
  'replica-applies-out-of-order': 'a learner (replica, or leader learning) applies each decision as it arrives instead of in slot order',
  'no-retry-dedup': 'a retried request is applied again instead of being answered from the client table',
  'leader-reads-locally': 'a leader answers get from its own store at once, without going through the log',
} as const;

export type MutantName = keyof typeof MUTANTS;

export const MUTANT_NAMES = Object.keys(MUTANTS) as [MutantName, ...MutantName[]];

export type Mutants = ReadonlySet<MutantName>;

export const isMutant = (name: string): name is MutantName => Object.hasOwn(MUTANTS, name);

/** What each mutant changes: one rule of src/roles/rules.ts. */
const overrides: Record<MutantName, Partial<Rules>> = {
  'acceptor-accepts-lower-ballot': { acceptsProposal: () => true },
  'acceptor-forgets-on-restart': { durableAcceptor: false },
  'leader-skips-value-adoption': { adoptsAcceptedValues: false },
  'quorum-too-small': { quorum: () => 1 },
  'replica-applies-out-of-order': { appliesInOrder: false },
  'no-retry-dedup': { dedupRetries: false },
  'leader-reads-locally': { readsThroughLog: false },
};

/** The protocol's rules with the named mutants' overrides applied. */
export function rulesFor(mutants: Mutants): Rules {
  let rules = correctRules;
  for (const name of mutants) rules = { ...rules, ...overrides[name] };
  return rules;
}
