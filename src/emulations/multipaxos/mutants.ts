/**
 * Deliberately broken protocol variants ("mutants"), off unless named. Each one overrides a
 * single rule of the correct protocol; exploration must catch every one of them, which is how
 * mpkv shows that its checkers can fail. Safety mutants break a safety check; liveness mutants
 * stay safe but stop making progress, and are caught by liveness (in explored runs: something
 * hot longer than the bound, src/emulations/temperature.ts). The kv client's own mutant
 * (../kv/client.ts) is listed here too.
 */
import { CLIENT_MUTANTS } from '../kv/client.js';
import { compareBallots } from './messages.js';
import { correctRules, type Rules } from './rules.js';

export const SAFETY_MUTANTS = {
  'acceptor-accepts-lower-ballot': 'an acceptor accepts a proposal whose ballot is below the one it promised',
  'acceptor-forgets-on-restart': 'an acceptor persists nothing: after a restart it has promised and accepted nothing',
  'leader-skips-value-adoption': 'a new leader ignores values accepted in earlier ballots and proposes its own commands there',
  'quorum-too-small': 'a quorum is any single acceptor instead of a majority',
  'replica-applies-out-of-order': 'a learner (replica, or leader learning) applies each decision as it arrives instead of in slot order',
  'no-retry-dedup': 'a retried request is applied again instead of being answered from the client table',
  'leader-reads-locally': 'a leader answers get from its own store at once, without going through the log',
  // Subtle ones: each stays hidden until competing leaders, a crash and a late or repeated message line up.
  'leader-reuses-ballot-after-restart': 'a leader does not persist its round: after a restart it uses the same ballot again, for other commands',
  'leader-counts-stale-acks': "a leader counts an acceptor's acknowledgement from an older ballot toward its quorum",
  'leader-counts-duplicate-acks': 'a leader counts a repeated acknowledgement from one acceptor twice toward its quorum',
  'leader-counts-stale-promises': "a leader counts an acceptor's promise for an older ballot toward its Phase 1 quorum",
  'acceptor-promises-lower-ballot': 'an acceptor promises a prepare whose ballot is below the one it promised (and lowers its promise)',
  'accept-does-not-raise-promise': 'an acceptor that accepts a higher ballot than it promised leaves its promise where it was',
  'acceptor-forgets-promise-on-restart': 'an acceptor persists its votes but not its promise: after a restart it has promised nothing',
  'acceptor-forgets-votes-on-restart': 'an acceptor persists its promise but not its votes: after a restart it has accepted nothing',
  'promise-omits-from-slot': "an acceptor's promise reports what it accepted after the prepare's first slot, not from it (off by one)",
} as const;

export const LIVENESS_MUTANTS = {
  'leader-never-prepares-again': 'a preempted leader backs off and then stands by for good: it never runs Phase 1 again, though its clients wait',
  'backoff-never-grows': "a preempted leader's backoff bound stays at backoff_min_ms instead of doubling: competing leaders may preempt each other forever",
  'catch-up-never-answered': "learners ignore a peer's catch-up request: a replica (or leader) that missed a decision never learns it",
  ...CLIENT_MUTANTS,
} as const;

export const MUTANTS = { ...SAFETY_MUTANTS, ...LIVENESS_MUTANTS } as const;

export type MutantName = keyof typeof MUTANTS;
export type SafetyMutantName = keyof typeof SAFETY_MUTANTS;
export type LivenessMutantName = keyof typeof LIVENESS_MUTANTS;

export const MUTANT_NAMES = Object.keys(MUTANTS) as [MutantName, ...MutantName[]];
export const SAFETY_MUTANT_NAMES = Object.keys(SAFETY_MUTANTS) as [SafetyMutantName, ...SafetyMutantName[]];
export const LIVENESS_MUTANT_NAMES = Object.keys(LIVENESS_MUTANTS) as [LivenessMutantName, ...LivenessMutantName[]];

export type Mutants = ReadonlySet<MutantName>;


/** What each mutant changes: one rule of ./rules.ts. */
const overrides: Record<MutantName, Partial<Rules>> = {
  'acceptor-accepts-lower-ballot': { acceptsProposal: () => true },
  'acceptor-forgets-on-restart': { durableAcceptor: false },
  'leader-skips-value-adoption': { adoptsAcceptedValues: false },
  'quorum-too-small': { quorum: () => 1 },
  'replica-applies-out-of-order': { appliesInOrder: false },
  'no-retry-dedup': { dedupRetries: false },
  'leader-reads-locally': { readsThroughLog: false },
  'leader-reuses-ballot-after-restart': { durableLeaderRound: false },
  'leader-counts-stale-acks': { countsAck: (acked, ballot) => compareBallots(acked, ballot) <= 0 },
  'leader-counts-duplicate-acks': { distinctAcks: false },
  'leader-counts-stale-promises': { countsPromise: (promised, ballot) => compareBallots(promised, ballot) <= 0 },
  'acceptor-promises-lower-ballot': { acceptsPrepare: () => true },
  'accept-does-not-raise-promise': { acceptRaisesPromise: false },
  'acceptor-forgets-promise-on-restart': { durablePromise: false },
  'acceptor-forgets-votes-on-restart': { durableVotes: false },
  'promise-omits-from-slot': { reportsSlot: (slot, from_slot) => slot > from_slot },
  'leader-never-prepares-again': { preparesAfterPreemption: false },
  'backoff-never-grows': { backoffDoubles: false },
  'catch-up-never-answered': { answersCatchUp: false },
  // The client's rule, not the protocol's: ../kv/client.ts applies it (`clientRulesFor`).
  'client-stops-retrying': {},
};

/** The protocol's rules with the named mutants' overrides applied. */
export function rulesFor(mutants: Mutants): Rules {
  let rules = correctRules;
  for (const name of mutants) rules = { ...rules, ...overrides[name] };
  return rules;
}
