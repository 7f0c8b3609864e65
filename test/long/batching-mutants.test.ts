/**
 * Every mutant is still caught when slots hold batches: exploration on a batching ground (a
 * window of one, so requests queue and share slots) finds each within a bounded number of
 * schedules. A long search: `npm run test:long` (test/batching.test.ts has the rest).
 */
import test from 'ava';
import { multipaxos } from '../../src/emulations/multipaxos/index.js';
import { MUTANT_NAMES, type MutantName } from '../../src/emulations/multipaxos/mutants.js';
import { explore, failureReport } from '../../src/explore/explore.js';
import { batchedGround, decided } from '../batched.js';

/** Mutants a batching ground does not bear on, and why. */
const UNBATCHED = {
  // Measured: on the duelling ground with a window of one, the mutant's duels end within ~3 s,
  // well inside the bound; with the unbatched window of four they outlast it (about 10 s).
  'backoff-never-grows':
    'how long leaders duel depends on how many slots each has in Phase 2 when the other preempts it, not on what a slot holds: ' +
    'with the batching grounds\' window of one a winner needs a single accept round and the duels end well inside the liveness bound; ' +
    'it is hunted unbatched, on configs/mutants/duelling-leaders.toml (test/long/mutants.test.ts)',
} as const;

/** Where each mutant is hunted with batches on (test/mutants.test.ts hunts them unbatched). */
const hunts: Record<Exclude<MutantName, keyof typeof UNBATCHED>, { config: string; within: number; strategy?: 'random' | 'swarm' }> = {
  'acceptor-accepts-lower-ballot': { config: 'mutants/two-leaders.toml', within: 200 },
  'acceptor-forgets-on-restart': { config: 'mutants/forgetful-acceptors.toml', within: 500 },
  'leader-skips-value-adoption': { config: 'mutants/two-leaders.toml', within: 200 },
  'quorum-too-small': { config: 'mutants/two-leaders.toml', within: 200 },
  'replica-applies-out-of-order': { config: 'batching.toml', within: 100 },
  'no-retry-dedup': { config: 'batching.toml', within: 200 },
  'leader-reads-locally': { config: 'mutants/stale-reads.toml', within: 500 },
  'leader-reuses-ballot-after-restart': { config: 'mutants/leader-restart.toml', within: 300 },
  'leader-counts-stale-acks': { config: 'mutants/forgetful-acceptors.toml', within: 300 },
  'leader-counts-duplicate-acks': { config: 'mutants/two-leaders.toml', within: 300, strategy: 'swarm' },
  'leader-counts-stale-promises': { config: 'mutants/two-leaders.toml', within: 100 },
  'acceptor-promises-lower-ballot': { config: 'mutants/two-leaders.toml', within: 200 },
  'accept-does-not-raise-promise': { config: 'mutants/two-leaders.toml', within: 200 },
  'acceptor-forgets-promise-on-restart': { config: 'mutants/forgetful-acceptors.toml', within: 300 },
  'acceptor-forgets-votes-on-restart': { config: 'mutants/forgetful-acceptors.toml', within: 300 },
  'promise-omits-from-slot': { config: 'mutants/two-leaders.toml', within: 200 },
  'leader-never-prepares-again': { config: 'two-leaders.toml', within: 20 },
  'catch-up-never-answered': { config: 'batching.toml', within: 50 },
  'client-stops-retrying': { config: 'batching.toml', within: 50 },
};

test('batched runs: every mutant is hunted with batches on, or says why not', (t) => {
  t.deepEqual([...Object.keys(hunts), ...Object.keys(UNBATCHED)].sort(), [...MUTANT_NAMES].sort());
  for (const [mutant, why] of Object.entries(UNBATCHED)) t.log(`${mutant}: not hunted batched: ${why}`);
});

for (const mutant of Object.keys(hunts) as (keyof typeof hunts)[]) {
  test(`batched runs: exploration catches ${mutant}`, (t) => {
    const hunt = hunts[mutant];
    const ground = batchedGround(hunt.config);
    t.true(decided(ground).batches > 0, `${hunt.config} with batch 4 and window 1 forms batches`);
    const outcome = explore(multipaxos, { ...ground, mutants: { enable: [mutant] } }, { runs: hunt.within, seed: 1, strategy: hunt.strategy ?? 'random' });
    if (!outcome.failure) return t.fail(`${mutant} not found in ${hunt.within} batched schedules of ${hunt.config}`);
    t.log(`${mutant} (batched): found after ${outcome.failure.runsToFind} schedule(s): ${outcome.failure.verdicts.map((v) => v.name).join(', ')}`);
    t.true(outcome.failure.verdicts.length > 0, failureReport(outcome.failure).join('\n'));
  });
}
