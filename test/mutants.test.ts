/**
 * Every mutant (src/roles/mutants.ts) is caught: exploration on a config that can expose it
 * finds a violation within a bounded number of schedules, shrinks it, and the shrunk
 * counterexample, written to a replay file and replayed from it, shows the same violation on
 * the same trace. The configs that expose the harder ones are in configs/mutants/ (each says
 * why in its comments).
 */
import test from 'ava';
import { testDir } from './harness.js';

import { join } from 'node:path';
import { loadConfig } from '../src/emulations/index.js';
import { finishRun, startRun } from '../src/emulations/run.js';
import { exploreWith, failureReport, runSchedule, scheduleSize, type Failure, type PctFailure, type Strategy } from '../src/explore/explore.js';
import { runPct } from '../src/explore/pct.js';
import { loadReplayFile, replayFileFor, replayMatches, traceDigest, writeReplayFile } from '../src/explore/replay.js';
import { loadStepsReplay, StepRouter, stepsReplayDivergence, stepsReplayFile, writeStepsReplayFile } from '../src/verify/replay.js';
import { MUTANT_NAMES, type MutantName } from '../src/emulations/multipaxos/mutants.js';
import type { Config } from '../src/emulations/api/emulation.js';

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
export const SAFETY = ['agreement', 'linearizability', 'one-value-per-ballot', 'quorum-backed', 'votes-safe', 'promises-kept'];

const hunts: Record<MutantName, Hunt> = {} as Record<MutantName, Hunt>;

test('mutants: every mutant has a hunt', (t) => {
  t.deepEqual(Object.keys(hunts).sort(), [...MUTANT_NAMES].sort());
});

for (const mutant of MUTANT_NAMES) {
  test(`mutants: ${mutant} is found, shrunk, and replayed from its file`, async (t) => {
    const hunt = hunts[mutant];
    const base = loadConfig(hunt.config);
    const config = { ...base, mutants: { enable: [mutant] } };
    const outcome = exploreWith(config, { runs: hunt.within, seed: hunt.seed, strategy: hunt.strategy });
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
  t.is(runSchedule(base, failure.schedule).result.status, 'ok', 'the shrunk schedule passes without the mutant');
  const first = runSchedule(config, failure.schedule).result;
  const replay = replayFileFor(hunt.config, config, failure, first);
  writeReplayFile(file, replay);
  const loaded = await loadReplayFile(file, base);
  const again = finishRun(startRun(loaded.config, loaded.options));
  t.is(traceDigest(again.trace), traceDigest(first.trace), 'the replay is the same run, trace for trace');
  t.true(replayMatches(replay, again));
  t.deepEqual(
    again.verdicts.filter((v) => v.status === 'fail').map((v) => `${v.name}: ${v.detail}`),
    failure.verdicts.map((v) => `${v.name}: ${v.detail}`),
  );
}

async function replayPath(t: import('ava').ExecutionContext, hunt: Hunt, base: Config, config: Config, failure: PctFailure, file: string): Promise<void> {
  t.log(`  a run of ${failure.events.length} events`);
  t.deepEqual(runPct(base, failure.pct).failed, [], 'the shrunk PCT schedule passes without the mutant');
  const first = finishRun(startRun(config, { router: new StepRouter(config, failure.events) }));
  writeStepsReplayFile(file, stepsReplayFile(hunt.config, config, failure.events, { strategy: 'pct' }, first));
  const loaded = await loadStepsReplay(file, base);
  const again = finishRun(startRun(loaded.config, { router: loaded.router }));
  t.is(stepsReplayDivergence(loaded, again), undefined);
  t.is(traceDigest(again.trace), traceDigest(first.trace), 'the replay is the same run, trace for trace');
  t.deepEqual(
    again.verdicts.filter((v) => v.status === 'fail').map((v) => `${v.name}: ${v.detail}`),
    failure.verdicts.map((v) => `${v.name}: ${v.detail}`),
  );
}
