/**
 * `mpkv verify`'s liveness report: runs the liveness pass (src/verify/liveness.ts) once the
 * safety search found no violation, prints its verdict — ok, a lasso (the stem, then the loop
 * and where it repeats from), or unknown and why — and writes a lasso as a replay file that
 * `mpkv run --replay` plays (the dashboard and the diagram mark the loop).
 */
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { finishRun, startRun } from '../emulations/run.js';
import { timeBudget } from '../util/budget.js';
import { playBack, reportCounterexample } from './counterexample.js';
import { checkLivenessAsync, livenessSymmetry, type Lasso, type LivenessOutcome } from '../verify/liveness.js';
import { describeSteps, StepRouter, stepsReplayFile, writeStepsReplayFile, type LassoMark } from '../verify/replay.js';
import { Stopper, type Io } from './io.js';

/** The liveness pass's own bound (the command's flags). */
export interface LivenessBound {
  readonly maxDepth: number;
  readonly maxStates: number;
  readonly timeoutMs?: number;
  /** The pass's own budget of early timer firings (default: the config's `verify.timeouts`). */
  readonly timeouts?: number;
}

export const LIVENESS_DEFAULTS = { maxDepth: 200, maxStates: 500_000 } as const;

/** The pass's bound for `config` without flags: the defaults, and what its `[verify]` table
 *  says of the pass (`liveness_states`, `liveness_timeouts`). */
export function livenessBoundOf(config: Config): LivenessBound {
  const { liveness_states, liveness_timeouts } = config.verify;
  return { ...LIVENESS_DEFAULTS, maxStates: liveness_states ?? LIVENESS_DEFAULTS.maxStates, ...(liveness_timeouts === undefined ? {} : { timeouts: liveness_timeouts }) };
}

/** The pass's rules, in one line, for the report. */
export function livenessRules(emulation: AnyEmulation, config: Config): string {
  const timing = emulation.verify?.expiresFirst?.(config);
  const which = timing ? `an armed timer fires, spending no budget; which first: ${timing.says}` : 'any armed timer may fire, spending no budget';
  return (
    `liveness: weak fairness on every delivery, restart and armed timer; once no message is in flight, time passes (${which}); ` +
    `sleep sets off for this pass (they drop edges a cycle needs); ${livenessSymmetry(emulation, config)}`
  );
}

/** The line that says the pass's budget of early timer firings is not the safety search's. */
export function livenessBudget(timeouts: number, safety: number): string {
  return `liveness budget: at most ${timeouts} early timer firing(s) per path (verify.liveness_timeouts or --liveness-timeouts), where the safety search allowed ${safety}: the verdict below is for those runs`;
}

/** For a graph cut by its bound while the pass allows early timer firings: that each one
 *  multiplies the graph, and how to give the pass fewer (the report then says so). */
function smallerBudget(outcome: LivenessOutcome, timeouts: number): string | undefined {
  if (outcome.complete || timeouts === 0 || !outcome.why?.startsWith('the graph was cut: max_states')) return undefined;
  return `  each early timer firing the pass allows (${timeouts} here) multiplies its graph: --liveness-timeouts ${timeouts - 1} (or [verify] liveness_timeouts) proves liveness for runs with fewer, and the report says so`;
}

/** Runs the pass and reports it; returns the exit status it calls for (0 ok, 1 a lasso, 3 unknown;
 *  0 too when the reader went away). A Ctrl-C stops the pass: liveness unknown. */
export async function reportLiveness(io: Io, file: string, emulation: AnyEmulation, config: Config, bound: LivenessBound, out: string): Promise<number> {
  if (!emulation.temperature) {
    io.stdout(`liveness: not judged (${config.emulation} declares nothing hot)`);
    return 0;
  }
  io.stdout(livenessRules(emulation, config));
  if (bound.timeouts !== undefined && bound.timeouts !== config.verify.timeouts) io.stdout(livenessBudget(bound.timeouts, config.verify.timeouts));
  const started = performance.now();
  const stopper = new Stopper(io);
  let outcome: LivenessOutcome;
  try {
    const deadline = bound.timeoutMs ? { deadline: timeBudget(bound.timeoutMs) } : {};
    outcome = await checkLivenessAsync(emulation, config, { ...bound, ...deadline, interrupted: () => (stopper.noticeClosed(), stopper.reason !== undefined) });
  } finally {
    stopper.dispose();
  }
  if (stopper.reason === 'output closed') return 0;
  const seconds = (performance.now() - started) / 1000;
  const graph = `${outcome.distinct.toLocaleString('en-US')} states, ${outcome.edges.toLocaleString('en-US')} edges, depth ${outcome.depth}`;
  const rate = `  ${seconds.toFixed(1)}s, ${Math.round(outcome.distinct / Math.max(seconds, 1e-3)).toLocaleString('en-US')} states/s (liveness graph)`;
  if (outcome.verdict === 'ok') {
    io.stdout(`liveness ok: no lasso in the whole graph (${graph}; ${outcome.hotStates.toLocaleString('en-US')} hot states, ${outcome.components} hot cycle(s), none fair with an obligation hot throughout)`);
    io.stdout(rate);
    return 0;
  }
  if (outcome.unsafe) {
    reportUnsafe(io, file, emulation, config, outcome, out);
    io.stdout(`liveness unknown: ${outcome.why} (${graph})`);
    io.stdout(rate);
    return 1;
  }
  if (outcome.verdict === 'unknown') {
    io.stdout(`liveness unknown: ${outcome.why} (${graph})`);
    const hint = smallerBudget(outcome, bound.timeouts ?? config.verify.timeouts);
    if (hint) io.stdout(hint);
    io.stdout(rate);
    return 3;
  }
  printLasso(io, emulation, outcome.lasso!, outcome);
  writeLasso(io, file, emulation, config, outcome, out);
  io.stdout(rate);
  return 1;
}

/** A safety violation the pass met: its graph holds paths the safety search's budget leaves
 *  out (timers firing as time passes), and every state it adds is checked. */
function reportUnsafe(io: Io, file: string, emulation: AnyEmulation, config: Config, outcome: LivenessOutcome, out: string): void {
  const unsafe = outcome.unsafe!;
  const left = unsafe.timePassed ? 'a timer fires as time passes, spending no budget' : `deeper than the safety search's max_depth ${config.verify.max_depth}`;
  io.stdout(
    `VIOLATION found by the liveness pass at depth ${unsafe.depth}: on a path the safety search leaves out (${left}); ` +
      'the first met breadth first, among the states the pass keeps (one per behaviour, not per history: shorter ones may exist)',
  );
  // The checks' words as the path itself plays them (the pass's states keep the memory of the
  // first history that reached them, whose times may differ).
  const found = { file, emulation, config, out };
  const replayed = playBack(found, unsafe.steps);
  const failed = replayed.verdicts.filter((v) => v.status === 'fail');
  if (failed.length === 0) io.stdout('(the checks as the pass judged them: played back alone, the path fails none — a fault of the model checker, please report it)');
  reportCounterexample(io, found, unsafe.steps, failed.length > 0 ? failed : unsafe.verdicts, { depth: unsafe.depth, distinct: outcome.distinct }, replayed);
}

function printLasso(io: Io, emulation: AnyEmulation, lasso: Lasso, outcome: LivenessOutcome): void {
  const stuck = lasso.loop.length === 0;
  const others = lasso.others > 0 ? ` (${lasso.others} other obligation(s) hot throughout too)` : '';
  io.stdout(
    stuck
      ? `liveness FAIL: ${lasso.what} for ever: a path to a state where nothing can happen any more (no message in flight, no timer armed, no node down)${others}`
      : `liveness FAIL: ${lasso.what} for ever: a lasso, a path and then a fair loop (every message in flight and armed timer taken on it) that keeps it hot in every state${others}`,
  );
  io.stdout(`  the shortest path to the ${stuck ? 'stuck state' : `loop's cycle of ${lasso.component} state(s)`} (breadth first over ${outcome.distinct.toLocaleString('en-US')} states)`);
  const lines = describeSteps(emulation, [...lasso.stem, ...lasso.loop]);
  io.stdout(`stem (${lasso.stem.length} event(s) after boot):`);
  for (const line of lines.slice(0, lasso.stem.length)) io.stdout(`  ${line}`);
  if (stuck) {
    io.stdout('then nothing: stuck for ever');
    return;
  }
  const from = lasso.stem.length + 1;
  io.stdout(`loop (${lasso.loop.length} event(s)), repeats from step ${from} for ever:`);
  for (const line of lines.slice(lasso.stem.length)) io.stdout(`  ${line}`);
  io.stdout(`  ... back to step ${from}`);
}

function writeLasso(io: Io, file: string, emulation: AnyEmulation, config: Config, outcome: LivenessOutcome, out: string): void {
  const lasso = outcome.lasso!;
  const steps = [...lasso.stem, ...lasso.loop];
  const mark: LassoMark = { loop_from: lasso.stem.length + 1, key: lasso.key, what: lasso.what };
  const replayed = finishRun(startRun(emulation, config, { router: new StepRouter(emulation, config, steps, mark) }));
  const search = { stem: lasso.stem.length, loop: lasso.loop.length, distinct: outcome.distinct, edges: outcome.edges };
  writeStepsReplayFile(out, stepsReplayFile(file, config, steps, search, replayed, mark));
  io.stdout(`replay file: ${out} (the loop marked: it starts at event ${mark.loop_from})`);
  io.stdout(`  replay: mpkv run ${file} --replay ${out}`);
}
