/**
 * Every mutant (src/roles/mutants.ts) is caught: exploration on a config that can expose it
 * finds a violation within a bounded number of schedules, shrinks it, and the shrunk
 * counterexample, written to a replay file and replayed from it, shows the same violation on
 * the same trace. The configs that expose the harder ones are in configs/mutants/ (each says
 * why in its comments).
 */
import test from 'ava';
import { testDir, traceOf } from './harness.js';

import { join } from 'node:path';
import { loadConfig } from '../src/emulations/index.js';
import { finishRun, startRun } from '../src/emulations/run.js';
import { explore, failureReport, runSchedule, scheduleSize } from '../src/explore/explore.js';
import { loadReplayFile, replayFileFor, replayMatches, traceDigest, writeReplayFile } from '../src/explore/replay.js';
import { MUTANT_NAMES, type MutantName } from '../src/emulations/multipaxos/mutants.js';

interface Hunt {
  readonly config: string;
  /** The search's seed, and the most schedules it may take to find the mutant. */
  readonly seed: number;
  readonly within: number;
  /** The checks that must catch it (the shrunk run fails at least one of them). */
  readonly caughtBy: readonly string[];
}

const hunts: Record<MutantName, Hunt> = {
  'acceptor-accepts-lower-ballot': { config: 'configs/mutants/two-leaders.toml', seed: 1, within: 50, caughtBy: ['agreement', 'linearizability'] },
  'acceptor-forgets-on-restart': { config: 'configs/mutants/forgetful-acceptors.toml', seed: 2, within: 300, caughtBy: ['agreement', 'linearizability'] },
  'leader-skips-value-adoption': { config: 'configs/mutants/two-leaders.toml', seed: 2, within: 50, caughtBy: ['agreement', 'linearizability'] },
  'quorum-too-small': { config: 'configs/mutants/two-leaders.toml', seed: 2, within: 50, caughtBy: ['agreement', 'linearizability'] },
  'replica-applies-out-of-order': { config: 'configs/default.toml', seed: 1, within: 20, caughtBy: ['order'] },
  'no-retry-dedup': { config: 'configs/default.toml', seed: 1, within: 50, caughtBy: ['integrity'] },
  'leader-reads-locally': { config: 'configs/mutants/stale-reads.toml', seed: 1, within: 300, caughtBy: ['linearizability'] },
};

test('mutants: every mutant has a hunt', (t) => {
  t.deepEqual(Object.keys(hunts).sort(), [...MUTANT_NAMES].sort());
});

for (const mutant of MUTANT_NAMES) {
  test(`mutants: ${mutant} is found, shrunk, and replayed from its file`, async (t) => {
    const hunt = hunts[mutant];
    const base = loadConfig(hunt.config);
    const config = { ...base, mutants: { enable: [mutant] } };
    const outcome = explore(config, { runs: hunt.within, seed: hunt.seed });
    const failure = outcome.failure;
    if (!failure) return t.fail(`${mutant} not found in ${hunt.within} schedules of ${hunt.config} (seed ${hunt.seed})`);
    t.log(`${mutant}: found after ${failure.runsToFind} schedule(s), ${failure.shrinks} shrink(s), ${scheduleSize(failure.schedule)} fault(s) left`);
    const failed = failure.verdicts.map((v) => v.name);
    t.true(
      failed.some((name) => hunt.caughtBy.includes(name)),
      `caught by ${failed.join(', ')}, expected one of ${hunt.caughtBy.join(', ')}\n${failureReport(failure).join('\n')}`,
    );
    // The same schedule without the mutant passes: the violation is the mutant's doing.
    t.is(runSchedule(base, failure.schedule).result.status, 'ok', 'the shrunk schedule passes without the mutant');

    const first = runSchedule(config, failure.schedule, { keepTrace: true }).result;
    const file = join(testDir(t, 'mpkv-mutant-'), `${mutant}.replay.json`);
    const replay = replayFileFor(hunt.config, config, failure, first);
    writeReplayFile(file, replay);
    const loaded = await loadReplayFile(file, base);
    const again = finishRun(startRun(loaded.config, { ...loaded.options, keepTrace: true }));
    t.is(traceDigest(traceOf(again)), traceDigest(traceOf(first)), 'the replay is the same run, trace for trace');
    t.true(replayMatches(replay, again));
    t.deepEqual(
      again.verdicts.filter((v) => v.status === 'fail').map((v) => `${v.name}: ${v.detail}`),
      failure.verdicts.map((v) => `${v.name}: ${v.detail}`),
    );
  });
}
