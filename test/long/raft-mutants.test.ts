/**
 * Every Raft mutant (src/emulations/raft/mutants.ts) is caught by `mpkv explore`: random or
 * swarm schedules on its hunting ground (src/emulations/raft/bench.ts) find a violation within a
 * bounded number of schedules, shrink it, and the shrunk counterexample, written to a replay
 * file and replayed from it, shows the same violation on the same trace; without the mutant the
 * same schedule passes. The configs say why they expose their mutants in their comments. (The
 * model checker catches each one too: test/raft-mutants.test.ts.) A long search: `npm run
 * test:long`.
 */
import test from 'ava';
import { join } from 'node:path';
import { testDir, traceOf } from '../harness.js';
import type { Config } from '../../src/emulations/api/emulation.js';
import { loadConfig } from '../../src/emulations/index.js';
import { bench } from '../../src/emulations/raft/bench.js';
import { raft } from '../../src/emulations/raft/index.js';
import { LIVENESS_MUTANTS, MUTANT_NAMES, type MutantName } from '../../src/emulations/raft/mutants.js';
import { finishRun, startRun } from '../../src/emulations/run.js';
import { exploreWith, failureReport, runSchedule, type Strategy } from '../../src/explore/explore.js';
import { loadReplayFile, replayFileFor, replayMatches, traceDigest, writeReplayFile } from '../../src/explore/replay.js';

/** The Raft invariants, which catch each safety mutant before, or without, the outcome checks;
 *  a liveness mutant is caught by the hot monitor (liveness). */
const RAFT = ['election-safety', 'leader-append-only', 'log-matching', 'leader-completeness', 'state-machine-safety'];
const caughtBy = (mutant: MutantName): readonly string[] => (mutant in LIVENESS_MUTANTS ? ['liveness'] : RAFT);

interface Hunt {
  readonly strategy: Strategy;
  /** The search's seed, and the most schedules it may take to find the mutant. */
  readonly seed: number;
  readonly within: number;
}

const hunts: Record<MutantName, Hunt> = {
  'votes-twice-in-a-term': { strategy: 'random', seed: 1, within: 30 },
  'commits-earlier-term-by-counting': { strategy: 'swarm', seed: 3, within: 100 },
  'appends-without-truncating': { strategy: 'random', seed: 1, within: 10 },
  'forgets-vote-on-restart': { strategy: 'random', seed: 1, within: 30 },
  'leader-ignores-higher-term': { strategy: 'random', seed: 1, within: 60 },
  'votes-for-stale-log': { strategy: 'random', seed: 1, within: 60 },
  'follower-ignores-leader-commit': { strategy: 'random', seed: 1, within: 10 },
};

test('raft mutants: every mutant has a hunt on its hunting ground', (t) => {
  t.deepEqual(Object.keys(hunts).sort(), [...MUTANT_NAMES].sort());
  t.deepEqual(Object.keys(bench.huntingGrounds!).sort(), [...MUTANT_NAMES].sort());
});

for (const mutant of MUTANT_NAMES) {
  test(`raft mutants: explore finds ${mutant}, shrinks it, and replays it from its file`, async (t) => {
    const hunt = hunts[mutant];
    const file = bench.huntingGrounds![mutant]!;
    const base = loadConfig(file);
    const config: Config = { ...base, mutants: { enable: [mutant] } };
    const failure = exploreWith(raft, config, { runs: hunt.within, seed: hunt.seed, strategy: hunt.strategy }).failure;
    if (!failure || failure.strategy === 'pct') return t.fail(`${mutant} not found in ${hunt.within} ${hunt.strategy} schedules of ${file} (seed ${hunt.seed})`);
    t.log(`${mutant}: found after ${failure.runsToFind} ${hunt.strategy} schedule(s), ${failure.shrinks} shrink(s)`);
    const failed = failure.verdicts.map((v) => v.name);
    t.true(failed.some((name) => caughtBy(mutant).includes(name)), `caught by ${failed.join(', ')}\n${failureReport(failure).join('\n')}`);
    t.is(runSchedule(raft, base, failure.schedule).result.status, 'ok', 'the shrunk schedule passes without the mutant');
    const first = runSchedule(raft, config, failure.schedule, { keepTrace: true }).result;
    const replay = replayFileFor(file, config, failure, first);
    const replayFile = join(testDir(t, 'mpkv-raft-mutant-'), `${mutant}.replay.json`);
    writeReplayFile(replayFile, replay);
    const loaded = await loadReplayFile(replayFile, raft, base);
    const again = finishRun(startRun(raft, loaded.config, { ...loaded.options, keepTrace: true }));
    t.is(traceDigest(traceOf(again)), traceDigest(traceOf(first)), 'the replay is the same run, trace for trace');
    t.true(replayMatches(replay, again));
    t.deepEqual(
      again.verdicts.filter((v) => v.status === 'fail').map((v) => `${v.name}: ${v.detail}`),
      failure.verdicts.map((v) => `${v.name}: ${v.detail}`),
    );
  });
}
