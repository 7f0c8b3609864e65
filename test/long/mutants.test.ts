/**
 * Every mutant (src/emulations/multipaxos/mutants.ts) is caught: exploration (random, swarm or
 * PCT schedules) on a config that can expose it finds a violation within a bounded number of
 * schedules, shrinks it, and the shrunk counterexample, written to a replay file and replayed
 * from it, shows the same violation on the same trace; without the mutant the same schedule
 * passes. The configs that expose the harder ones are in configs/mutants/ (each says why in its
 * comments). The protocol invariants usually catch a mutant before the outcome checks do.
 */
import test from 'ava';
import { testDir, traceOf } from '../harness.js';

import { join } from 'node:path';
import { loadConfig } from '../../src/emulations/index.js';
import { finishRun, startRun } from '../../src/emulations/run.js';
import { exploreWith, failureReport, runSchedule, scheduleSize, type Failure, type PctFailure, type Strategy } from '../../src/explore/explore.js';
import { runPct } from '../../src/explore/pct.js';
import { loadReplayFile, replayFileFor, replayMatches, traceDigest, writeReplayFile } from '../../src/explore/replay.js';
import { loadStepsReplay, StepRouter, stepsReplayDivergence, stepsReplayFile, writeStepsReplayFile } from '../../src/verify/replay.js';
import { multipaxos } from '../../src/emulations/multipaxos/index.js';
import { MUTANT_NAMES, type MutantName } from '../../src/emulations/multipaxos/mutants.js';
import type { Config } from '../../src/emulations/api/emulation.js';

interface Hunt {
  readonly config: string;
  /** How schedules are drawn (./src/explore/explore.ts). */
  readonly strategy: Strategy;
  /** The search's seed, and the most schedules it may take to find the mutant. */
  readonly seed: number;
  readonly within: number;
  /** The checks that must catch it (the shrunk run fails at least one of them). */
  readonly caughtBy: readonly string[];
}

/** The outcome checks, and the protocol invariants that catch a broken acceptor or leader first. */
const SAFETY = ['agreement', 'linearizability', 'one-value', 'quorum-backed', 'votes-safe', 'promises-kept'];

const hunts: Record<MutantName, Hunt> = {
  'acceptor-accepts-lower-ballot': { config: 'configs/mutants/two-leaders.toml', strategy: 'random', seed: 1, within: 50, caughtBy: SAFETY },
  'acceptor-forgets-on-restart': { config: 'configs/mutants/forgetful-acceptors.toml', strategy: 'random', seed: 2, within: 300, caughtBy: SAFETY },
  'leader-skips-value-adoption': { config: 'configs/mutants/two-leaders.toml', strategy: 'random', seed: 2, within: 50, caughtBy: SAFETY },
  'quorum-too-small': { config: 'configs/mutants/two-leaders.toml', strategy: 'random', seed: 2, within: 50, caughtBy: SAFETY },
  'replica-applies-out-of-order': { config: 'configs/default.toml', strategy: 'random', seed: 1, within: 20, caughtBy: ['order'] },
  'no-retry-dedup': { config: 'configs/default.toml', strategy: 'random', seed: 1, within: 50, caughtBy: ['integrity'] },
  'leader-reads-locally': { config: 'configs/mutants/stale-reads.toml', strategy: 'random', seed: 1, within: 300, caughtBy: ['linearizability'] },
  'leader-reuses-ballot-after-restart': { config: 'configs/mutants/leader-restart.toml', strategy: 'random', seed: 2, within: 150, caughtBy: SAFETY },
  'leader-counts-stale-acks': { config: 'configs/mutants/forgetful-acceptors.toml', strategy: 'random', seed: 1, within: 100, caughtBy: SAFETY },
  'leader-counts-duplicate-acks': { config: 'configs/two-leaders.toml', strategy: 'pct', seed: 1, within: 60, caughtBy: SAFETY },
  'leader-counts-stale-promises': { config: 'configs/mutants/two-leaders.toml', strategy: 'swarm', seed: 4, within: 40, caughtBy: SAFETY },
  'acceptor-promises-lower-ballot': { config: 'configs/mutants/two-leaders.toml', strategy: 'random', seed: 1, within: 10, caughtBy: SAFETY },
  'accept-does-not-raise-promise': { config: 'configs/mutants/two-leaders.toml', strategy: 'random', seed: 2, within: 30, caughtBy: SAFETY },
  'acceptor-forgets-promise-on-restart': { config: 'configs/mutants/forgetful-acceptors.toml', strategy: 'random', seed: 1, within: 60, caughtBy: SAFETY },
  'acceptor-forgets-votes-on-restart': { config: 'configs/mutants/forgetful-acceptors.toml', strategy: 'random', seed: 2, within: 20, caughtBy: SAFETY },
  'promise-omits-from-slot': { config: 'configs/mutants/two-leaders.toml', strategy: 'random', seed: 1, within: 10, caughtBy: SAFETY },
  // Liveness mutants: safe, but something stays hot past the liveness bound once the faults heal.
  'leader-never-prepares-again': { config: 'configs/two-leaders.toml', strategy: 'random', seed: 1, within: 10, caughtBy: ['liveness'] },
  'backoff-never-grows': { config: 'configs/mutants/duelling-leaders.toml', strategy: 'random', seed: 1, within: 20, caughtBy: ['liveness'] },
  'catch-up-never-answered': { config: 'configs/default.toml', strategy: 'random', seed: 1, within: 20, caughtBy: ['liveness'] },
  'client-stops-retrying': { config: 'configs/default.toml', strategy: 'random', seed: 1, within: 20, caughtBy: ['liveness'] },
};

test('mutants: every mutant has a hunt', (t) => {
  t.deepEqual(Object.keys(hunts).sort(), [...MUTANT_NAMES].sort());
});

for (const mutant of MUTANT_NAMES) {
  test(`mutants: ${mutant} is found, shrunk, and replayed from its file`, async (t) => {
    const hunt = hunts[mutant];
    const base = loadConfig(hunt.config);
    const config = { ...base, mutants: { enable: [mutant] } };
    const outcome = exploreWith(multipaxos, config, { runs: hunt.within, seed: hunt.seed, strategy: hunt.strategy });
    const failure = outcome.failure;
    if (!failure) return t.fail(`${mutant} not found in ${hunt.within} ${hunt.strategy} schedules of ${hunt.config} (seed ${hunt.seed})`);
    t.log(`${mutant}: found after ${failure.runsToFind} ${hunt.strategy} schedule(s), ${failure.shrinks} shrink(s)`);
    const failed = failure.verdicts.map((v) => v.name);
    t.true(
      failed.some((name) => hunt.caughtBy.includes(name)),
      `caught by ${failed.join(', ')}, expected one of ${hunt.caughtBy.join(', ')}\n${failureReport(failure).join('\n')}`,
    );
    const dir = testDir(t, 'mpkv-mutant-');
    if (failure.strategy === 'pct') await replayPath(t, hunt, base, config, failure, join(dir, `${mutant}.replay.json`));
    else await replaySchedule(t, hunt, base, config, failure, join(dir, `${mutant}.replay.json`));
  });
}

async function replaySchedule(t: import('ava').ExecutionContext, hunt: Hunt, base: Config, config: Config, failure: Failure, file: string): Promise<void> {
  t.log(`  ${scheduleSize(failure.schedule)} fault(s) left`);
  // The same schedule without the mutant passes: the violation is the mutant's doing.
  t.is(runSchedule(multipaxos, base, failure.schedule).result.status, 'ok', 'the shrunk schedule passes without the mutant');
  const first = runSchedule(multipaxos, config, failure.schedule, { keepTrace: true }).result;
  const replay = replayFileFor(hunt.config, config, failure, first);
  writeReplayFile(file, replay);
  const loaded = await loadReplayFile(file, multipaxos, base);
  const again = finishRun(startRun(multipaxos, loaded.config, { ...loaded.options, keepTrace: true }));
  t.is(traceDigest(traceOf(again)), traceDigest(traceOf(first)), 'the replay is the same run, trace for trace');
  t.true(replayMatches(replay, again));
  t.deepEqual(
    again.verdicts.filter((v) => v.status === 'fail').map((v) => `${v.name}: ${v.detail}`),
    failure.verdicts.map((v) => `${v.name}: ${v.detail}`),
  );
}

async function replayPath(t: import('ava').ExecutionContext, hunt: Hunt, base: Config, config: Config, failure: PctFailure, file: string): Promise<void> {
  t.log(`  a run of ${failure.events.length} events`);
  t.deepEqual(runPct(multipaxos, base, failure.pct).failed, [], 'the shrunk PCT schedule passes without the mutant');
  const first = finishRun(startRun(multipaxos, config, { router: new StepRouter(multipaxos, config, failure.events), keepTrace: true }));
  writeStepsReplayFile(file, stepsReplayFile(hunt.config, config, failure.events, { strategy: 'pct' }, first));
  const loaded = await loadStepsReplay(file, multipaxos, base);
  const again = finishRun(startRun(multipaxos, loaded.config, { router: loaded.router, keepTrace: true }));
  t.is(stepsReplayDivergence(loaded, again), undefined);
  t.is(traceDigest(traceOf(again)), traceDigest(traceOf(first)), 'the replay is the same run, trace for trace');
  t.deepEqual(
    again.verdicts.filter((v) => v.status === 'fail').map((v) => `${v.name}: ${v.detail}`),
    failure.verdicts.map((v) => `${v.name}: ${v.detail}`),
  );
}
