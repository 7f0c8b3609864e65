/**
 * Every Raft safety mutant (src/emulations/raft/mutants.ts) is caught by `mpkv verify`: the model
 * checker finds it at its shortest counterexample on its verify config (the bench's verify
 * grounds, src/emulations/raft/bench.ts), and that counterexample, written and read back,
 * replays to the same violation; without the mutant the same events keep every check. (Each is
 * found by exploration too, on its hunting ground: test/long/raft-mutants.test.ts.) The Raft
 * invariants (Figure 3) catch each mutant before, or without, the outcome checks. (The liveness
 * mutant is a lasso of the liveness pass: test/verify-liveness.test.ts.)
 */
import test from 'ava';
import { join } from 'node:path';
import { testDir } from './harness.js';
import type { Config } from '../src/emulations/api/emulation.js';
import { loadConfig } from '../src/emulations/index.js';
import { bench } from '../src/emulations/raft/bench.js';
import { raft } from '../src/emulations/raft/index.js';
import { SAFETY_MUTANT_NAMES, type SafetyMutantName } from '../src/emulations/raft/mutants.js';
import { finishRun, startRun } from '../src/emulations/run.js';
import { loadStepsReplay, StepRouter, stepsReplayDivergence, stepsReplayFile, writeStepsReplayFile } from '../src/verify/replay.js';
import { search } from '../src/verify/search.js';

/** Where verify catches each mutant: the length of its shortest counterexample, and the check. */
const catches: Record<SafetyMutantName, { depth: number; caughtBy: string }> = {
  'votes-twice-in-a-term': { depth: 6, caughtBy: 'election-safety' },
  'commits-earlier-term-by-counting': { depth: 10, caughtBy: 'leader-completeness' },
  'appends-without-truncating': { depth: 8, caughtBy: 'log-matching' },
  'forgets-vote-on-restart': { depth: 8, caughtBy: 'election-safety' },
  'leader-ignores-higher-term': { depth: 5, caughtBy: 'election-safety' },
  'votes-for-stale-log': { depth: 8, caughtBy: 'leader-completeness' },
};

test('raft mutants: every safety mutant has a verify ground and the depth of its shortest counterexample', (t) => {
  t.deepEqual(Object.keys(catches).sort(), [...SAFETY_MUTANT_NAMES].sort());
  t.deepEqual(Object.keys(bench.verifyGrounds!).sort(), [...SAFETY_MUTANT_NAMES].sort());
});

for (const mutant of SAFETY_MUTANT_NAMES) {
  test(`raft mutants: verify catches ${mutant} at its shortest counterexample, which replays`, async (t) => {
    const { depth, caughtBy } = catches[mutant];
    const file = bench.verifyGrounds![mutant]!;
    const base = loadConfig(file);
    const config: Config = { ...base, verify: { ...base.verify, max_depth: depth }, mutants: { enable: [mutant] } };
    const outcome = search(raft, config);
    const violation = outcome.violation;
    if (!violation) return t.fail(`${mutant} not caught within depth ${depth} on ${file}`);
    t.log(`${mutant}: depth ${violation.depth}, ${outcome.distinct} distinct states`);
    t.is(violation.depth, depth, 'BFS: the first violation is at the depth recorded for it');
    t.true(violation.verdicts.some((v) => v.name === caughtBy), violation.verdicts.map((v) => `${v.name}: ${v.detail}`).join('\n'));
    const first = finishRun(startRun(raft, config, { router: new StepRouter(raft, config, violation.steps) }));
    const replayFile = join(testDir(t, 'mpkv-raft-verify-'), `${mutant}.replay.json`);
    writeStepsReplayFile(replayFile, stepsReplayFile(file, config, violation.steps, { depth }, first));
    const loaded = await loadStepsReplay(replayFile, raft, base);
    const again = finishRun(startRun(raft, loaded.config, { router: loaded.router }));
    t.is(stepsReplayDivergence(loaded, again), undefined);
    const failures = again.verdicts.filter((v) => v.status === 'fail');
    t.true(failures.some((v) => v.name === caughtBy && v.at?.t === depth), 'the replayed run fails at its last step');
    t.deepEqual(
      violation.verdicts.map((v) => `${v.name}: ${v.detail}`),
      failures.map((v) => `${v.name}: ${v.detail}`).filter((line) => violation.verdicts.some((v) => line === `${v.name}: ${v.detail}`)),
    );
    // Without the mutant the same events keep every check (or cannot even happen).
    const clean: Config = { ...config, mutants: { enable: [] } };
    const router = new StepRouter(raft, clean, violation.steps);
    const correct = finishRun(startRun(raft, clean, { router }));
    t.deepEqual(correct.verdicts.filter((v) => v.status === 'fail'), [], router.problem ?? 'the correct protocol keeps every check on this path');
  });
}
