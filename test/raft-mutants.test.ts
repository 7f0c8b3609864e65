/**
 * Every Raft mutant (src/emulations/raft/mutants.ts) is caught twice:
 *
 *  - by `mpkv explore`: random or swarm schedules on its hunting ground find a violation within a
 *    bounded number of schedules, shrink it, and the shrunk counterexample, written to a replay
 *    file and replayed from it, shows the same violation on the same trace; without the mutant
 *    the same schedule passes;
 *  - by `mpkv verify`: the model checker finds it at its shortest counterexample on its verify
 *    config, and that counterexample, written and read back, replays to the same violation;
 *    without the mutant the same events keep every check.
 *
 * The hunting and verify grounds are the bench's (src/emulations/raft/bench.ts); the configs say
 * why in their comments. The Raft invariants (Figure 3) catch each mutant before, or without,
 * the outcome checks.
 */
import test from 'ava';
import { join } from 'node:path';
import { testDir, traceOf } from './harness.js';
import type { Config } from '../src/emulations/api/emulation.js';
import { loadConfig } from '../src/emulations/index.js';
import { bench } from '../src/emulations/raft/bench.js';
import { MUTANT_NAMES, type MutantName } from '../src/emulations/raft/mutants.js';
import { finishRun, startRun } from '../src/emulations/run.js';
import { exploreWith, failureReport, runSchedule, type Strategy } from '../src/explore/explore.js';
import { loadReplayFile, replayFileFor, replayMatches, traceDigest, writeReplayFile } from '../src/explore/replay.js';
import { loadStepsReplay, StepRouter, stepsReplayDivergence, stepsReplayFile, writeStepsReplayFile } from '../src/verify/replay.js';
import { search } from '../src/verify/search.js';

/** The Raft invariants, and the outcome checks they protect. */
const RAFT = ['election-safety', 'leader-append-only', 'log-matching', 'leader-completeness', 'state-machine-safety'];

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
};

/** Where verify catches each mutant: the length of its shortest counterexample, and the check. */
const catches: Record<MutantName, { depth: number; caughtBy: string }> = {
  'votes-twice-in-a-term': { depth: 6, caughtBy: 'election-safety' },
  'commits-earlier-term-by-counting': { depth: 10, caughtBy: 'leader-completeness' },
  'appends-without-truncating': { depth: 8, caughtBy: 'log-matching' },
  'forgets-vote-on-restart': { depth: 8, caughtBy: 'election-safety' },
  'leader-ignores-higher-term': { depth: 5, caughtBy: 'election-safety' },
  'votes-for-stale-log': { depth: 8, caughtBy: 'leader-completeness' },
};

test('raft mutants: every mutant has a hunt, a hunting ground and a verify ground', (t) => {
  t.deepEqual(Object.keys(hunts).sort(), [...MUTANT_NAMES].sort());
  t.deepEqual(Object.keys(catches).sort(), [...MUTANT_NAMES].sort());
  t.deepEqual(Object.keys(bench.huntingGrounds!).sort(), [...MUTANT_NAMES].sort());
  t.deepEqual(Object.keys(bench.verifyGrounds!).sort(), [...MUTANT_NAMES].sort());
});

for (const mutant of MUTANT_NAMES) {
  test(`raft mutants: explore finds ${mutant}, shrinks it, and replays it from its file`, async (t) => {
    const hunt = hunts[mutant];
    const file = bench.huntingGrounds![mutant]!;
    const base = loadConfig(file);
    const config: Config = { ...base, mutants: { enable: [mutant] } };
    const failure = exploreWith(config, { runs: hunt.within, seed: hunt.seed, strategy: hunt.strategy }).failure;
    if (!failure || failure.strategy === 'pct') return t.fail(`${mutant} not found in ${hunt.within} ${hunt.strategy} schedules of ${file} (seed ${hunt.seed})`);
    t.log(`${mutant}: found after ${failure.runsToFind} ${hunt.strategy} schedule(s), ${failure.shrinks} shrink(s)`);
    const failed = failure.verdicts.map((v) => v.name);
    t.true(failed.some((name) => RAFT.includes(name)), `caught by ${failed.join(', ')}\n${failureReport(failure).join('\n')}`);
    t.is(runSchedule(base, failure.schedule).result.status, 'ok', 'the shrunk schedule passes without the mutant');
    const first = runSchedule(config, failure.schedule, { keepTrace: true }).result;
    const replay = replayFileFor(file, config, failure, first);
    const replayFile = join(testDir(t, 'mpkv-raft-mutant-'), `${mutant}.replay.json`);
    writeReplayFile(replayFile, replay);
    const loaded = await loadReplayFile(replayFile, base);
    const again = finishRun(startRun(loaded.config, { ...loaded.options, keepTrace: true }));
    t.is(traceDigest(traceOf(again)), traceDigest(traceOf(first)), 'the replay is the same run, trace for trace');
    t.true(replayMatches(replay, again));
    t.deepEqual(
      again.verdicts.filter((v) => v.status === 'fail').map((v) => `${v.name}: ${v.detail}`),
      failure.verdicts.map((v) => `${v.name}: ${v.detail}`),
    );
  });

  test(`raft mutants: verify catches ${mutant} at its shortest counterexample, which replays`, async (t) => {
    const { depth, caughtBy } = catches[mutant];
    const file = bench.verifyGrounds![mutant]!;
    const base = loadConfig(file);
    const config: Config = { ...base, verify: { ...base.verify, max_depth: depth }, mutants: { enable: [mutant] } };
    const outcome = search(config);
    const violation = outcome.violation;
    if (!violation) return t.fail(`${mutant} not caught within depth ${depth} on ${file}`);
    t.log(`${mutant}: depth ${violation.depth}, ${outcome.distinct} distinct states`);
    t.is(violation.depth, depth, 'BFS: the first violation is at the depth recorded for it');
    t.true(violation.verdicts.some((v) => v.name === caughtBy), violation.verdicts.map((v) => `${v.name}: ${v.detail}`).join('\n'));
    const first = finishRun(startRun(config, { router: new StepRouter(config, violation.steps) }));
    const replayFile = join(testDir(t, 'mpkv-raft-verify-'), `${mutant}.replay.json`);
    writeStepsReplayFile(replayFile, stepsReplayFile(file, config, violation.steps, { depth }, first));
    const loaded = await loadStepsReplay(replayFile, base);
    const again = finishRun(startRun(loaded.config, { router: loaded.router }));
    t.is(stepsReplayDivergence(loaded, again), undefined);
    const failures = again.verdicts.filter((v) => v.status === 'fail');
    t.true(failures.some((v) => v.name === caughtBy && v.at?.t === depth), 'the replayed run fails at its last step');
    t.deepEqual(
      violation.verdicts.map((v) => `${v.name}: ${v.detail}`),
      failures.map((v) => `${v.name}: ${v.detail}`).filter((line) => violation.verdicts.some((v) => line === `${v.name}: ${v.detail}`)),
    );
    // Without the mutant the same events keep every check (or cannot even happen).
    const clean: Config = { ...config, mutants: { enable: [] } };
    const router = new StepRouter(clean, violation.steps);
    const correct = finishRun(startRun(clean, { router }));
    t.deepEqual(correct.verdicts.filter((v) => v.status === 'fail'), [], router.problem ?? 'the correct protocol keeps every check on this path');
  });
}
