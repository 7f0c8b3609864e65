/**
 * The example emulation, ping-pong (test/example/ping-pong.ts), which the registry does not
 * list: handed to the core directly, everything works on it — a run and its verdicts, its
 * messages in its own words in the trace and the diagram, its dashboard rows, exploration that
 * finds its mutant and replays the run, the model checker that finds the mutant's shortest
 * counterexample and replays it. Nothing below a command looks an emulation up; only worker
 * threads, which find an emulation by its registered name, refuse it.
 */
import test from 'ava';
import { join } from 'node:path';
import { catalogueOf, ConfigError, parseConfigWith } from '../src/config/load.js';
import type { AnyEmulation } from '../src/emulations/api/emulation.js';
import { parseConfig } from '../src/emulations/index.js';
import { emulate, finishRun, startRun } from '../src/emulations/run.js';
import { explore, runSchedule } from '../src/explore/explore.js';
import { exploreWithWorkers } from '../src/explore/pool.js';
import { loadReplayFile, replayFileFor, replayMatches, writeReplayFile } from '../src/explore/replay.js';
import { layoutPanels } from '../src/ui/panels.js';
import { formatEvent } from '../src/ui/plain.js';
import { searchWithWorkers } from '../src/verify/parallel.js';
import { describeSteps, StepRouter } from '../src/verify/replay.js';
import { search } from '../src/verify/search.js';
import { renderRunSvg } from '../src/view/trace-adapter.js';
import { pingPong } from './example/ping-pong.js';
import { testDir, traceOf } from './harness.js';

const catalogue = catalogueOf([pingPong]);
const configOf = (toml = '') => parseConfigWith(catalogue, `emulation = "ping_pong"\n${toml}`, 'ping-pong.toml');
const broken = (toml = '') => ({ ...configOf(toml), mutants: { enable: ['accepts-any-pong'] } });
const failed = (verdicts: readonly { name: string; status: string }[]): string[] => verdicts.filter((v) => v.status === 'fail').map((v) => v.name);

test('ping-pong: a run passes its checks; its trace and its diagram put its messages in its own words', (t) => {
  const result = emulate(pingPong, configOf('[topology]\npingers = 2\n'), { keepTrace: true });
  t.deepEqual(
    result.verdicts.map((v) => `${v.name} ${v.status}`),
    ['echo ok', 'liveness ok'],
  );
  const trace = traceOf(result);
  t.is(trace.filter((e) => e.kind === 'note').length, 6, 'three answers for each of two pingers');
  const sent = trace.find((e) => e.kind === 'send')!;
  const emulation: AnyEmulation = pingPong;
  t.is(formatEvent(sent, (msg) => emulation.messages.describe(msg), true), '[t=0 net] SEND #1 pinger 1 -> ponger: ping 1');
  t.regex(renderRunSvg(pingPong, trace), />ping 1</, 'the diagram labels a message with its description (no diagram part: the default)');
});

test('ping-pong: with the ponger down for good, the pinger never gets its pongs, and liveness says so', (t) => {
  const result = emulate(pingPong, configOf('time_limit_ms = 2000\n[[crashes]]\nnode = "ponger"\nat_ms = 0\n'));
  t.deepEqual(failed(result.verdicts), ['liveness']);
  t.is(result.verdicts.find((v) => v.name === 'liveness')?.detail, 'pinger 1 did not get all 3 pongs');
});

test('ping-pong: the defaults — crash roles named by their plural, a row per node', (t) => {
  t.deepEqual(configOf().faults.crash_roles, ['pongers'], 'the crashable role, named by its default plural');
  const { router } = startRun(pingPong, configOf());
  router.run();
  const [panel] = layoutPanels(pingPong, router.views(), 10);
  t.deepEqual(
    panel!.map((g) => g.lines.map((l) => [l.id, l.state, l.detail])),
    [[['ponger', 'answering', '']], [['pinger 1', 'done', 'round 4']]],
  );
});

test('ping-pong: the mutant passes a run with no fault (it needs a late pong), and exploration finds it and replays it', async (t) => {
  t.deepEqual(failed(emulate(pingPong, broken()).verdicts), [], 'no retry, no duplicate: nothing to take wrongly');
  const correct = explore(pingPong, configOf(), { runs: 150, seed: 1 });
  t.is(correct.failure, undefined, 'the correct pinger passes every schedule');
  t.true(correct.faults > 150, `schedules inject faults (${correct.faults})`);
  const failure = explore(pingPong, broken(), { runs: 150, seed: 1 }).failure;
  if (!failure) return t.fail('accepts-any-pong not found in 150 schedules');
  t.deepEqual(failed(failure.verdicts), ['echo']);
  t.regex(failure.verdicts[0]!.detail, /^pinger 1 took pong \d for the answer to ping \d$/);
  const first = runSchedule(pingPong, broken(), failure.schedule, { digest: true }).result;
  const file = join(testDir(t, 'mpkv-ping-pong-'), 'replay.json');
  const replay = replayFileFor('ping-pong.toml', broken(), failure, first);
  writeReplayFile(file, replay);
  const loaded = await loadReplayFile(file, pingPong, configOf());
  t.true(replayMatches(replay, finishRun(startRun(pingPong, loaded.config, { ...loaded.options, digest: true }))));
});

test('ping-pong: the model checker finds the mutant at its shortest counterexample, which replays; the correct pinger is explored to exhaustion', (t) => {
  const correct = search(pingPong, configOf());
  t.is(correct.violation, undefined);
  t.true(correct.exhausted, `${correct.distinct} distinct states, depth ${correct.depth}`);
  const outcome = search(pingPong, broken());
  const violation = outcome.violation;
  if (!violation) return t.fail('accepts-any-pong not caught');
  // The retry's pong, arriving after the first one was taken, is taken for the answer to ping 2.
  t.deepEqual(describeSteps(pingPong, violation.steps), [
    '1. deliver pinger 1 -> ponger: ping 1',
    '2. timer retry fires at pinger 1',
    '3. deliver ponger -> pinger 1: pong 1',
    '4. deliver pinger 1 -> ponger: ping 1',
    '5. deliver ponger -> pinger 1: pong 1',
  ]);
  const replayed = finishRun(startRun(pingPong, broken(), { router: new StepRouter(pingPong, broken(), violation.steps) }));
  t.deepEqual(failed(replayed.verdicts), ['echo']);
  t.is(replayed.verdicts.find((v) => v.name === 'liveness')?.status, 'unknown', 'a replayed path is cut, not ended');
});

test('ping-pong: the registry does not know it, and worker threads, which find an emulation by its registered name, refuse it', async (t) => {
  t.throws(() => parseConfig('emulation = "ping_pong"\n'), { instanceOf: ConfigError, message: /emulation: expected one of "multipaxos", "kv_store", "max_sync"(, "[a-z_]+")*, got "ping_pong"/ });
  await t.throwsAsync(searchWithWorkers(pingPong, configOf(), { workers: 2 }), { message: /registered emulations only, and ping_pong is not one/ });
  await t.throwsAsync(exploreWithWorkers(pingPong, configOf(), { runs: 300, seed: 1, workers: 2 }), { message: /registered emulations only/ });
});
