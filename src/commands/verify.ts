/**
 * `mpkv verify <config> [--max-depth N] [--max-states M] [--workers K] [--no-reduction]
 *  [--mutant NAME] [--out FILE] [--timeout-s S]`: bounded exhaustive model checking (src/verify). Every order of
 * events of a small configuration, breadth first, within the bound of its `[verify]` table; the
 * safety checks after every step. On a violation: the shortest counterexample, printed event by
 * event and written as a replay file (`mpkv run <config> --replay FILE` plays it; on a terminal
 * the dashboard steps through it).
 *
 * Exit status: 0 no violation within the bound, 1 a violation, 3 the search was cut short
 * (max states, memory or time) before it covered the bound, 2 bad input.
 */
import { availableParallelism } from 'node:os';
import { basename, extname } from 'node:path';
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { emulationOf, loadConfig } from '../emulations/index.js';
import { withMutant } from './mutant.js';
import { finishRun, startRun } from '../emulations/run.js';
import { searchWithWorkers } from '../verify/parallel.js';
import { describeSteps, StepRouter, stepsReplayFile, writeStepsReplayFile } from '../verify/replay.js';
import { boundText, type LevelProgress, type SearchOutcome } from '../verify/search.js';
import { checkOutputs, checkReplayOutput, flushStdout, intFlag, type Io, parseFlags, Stopper, UsageError } from './io.js';
import { configDigest } from '../explore/replay.js';
import { LIVENESS_DEFAULTS, reportLiveness, type LivenessBound } from './verify-liveness.js';

export const VERIFY_HELP = `Usage: mpkv verify <config.toml> [options]

Explores every order of events of a small configuration (breadth first: the first violation
found is a shortest one), within the bound of the config's [verify] table: paths of at most
max_depth events, and per path at most that many message drops, duplicates, crash-recoveries
and timer firings. Virtual time is abstract: any armed timer may fire at any step. Equal states
reached by different paths are explored once; interchangeable nodes are explored once.
The emulation's safety checks (its judge's: its log checks, protocol invariants,
linearizability) are asked after every step.

Options:
  --max-depth N     the longest path, in events (overrides verify.max_depth)
  --max-states M    stop after M distinct states (overrides verify.max_states)
  --workers K       worker threads sharing the frontier (default 1)
  --no-reduction    take every order of independent steps and every delivery, even one
                    that changes nothing (the reduction keeps verdicts and the depth of
                    the first violation: for comparison)
  --mutant NAME     enable a deliberately broken rule (see mpkv explore --list-mutants)
  --out FILE        where to write a counterexample (default
                    <config>[-<mutant>].verify.replay.json)
  --force           overwrite a file that holds the replay of another run (another
                    config, mutant or kind): refused without it
  --timeout-s S     also stop after S seconds of wall-clock time (off by default)
  --no-liveness     skip the liveness pass
  --liveness-depth N   the liveness pass's longest path to a loop (default 200)
  --liveness-states M  the liveness pass's most states (default 500000)
  -h, --help        this help

Liveness: once the safety search found no violation, a second pass explores the whole graph
(symmetry and sleep sets off; time passes when no message is in flight: any armed timer may
fire then, spending no budget) and looks for a lasso under weak fairness: a path to a fair
cycle, or to a state where nothing can happen, on which something the emulation calls hot
stays hot for ever. A lasso is printed (stem, then the loop and where it repeats from) and
written as the replay file.

Exit status: 0 no violation within the bound, 1 a violation or a lasso (replay it with
mpkv run <config> --replay FILE), 3 the search stopped before covering the bound (max
states, memory, --timeout-s, or Ctrl-C: what it explored so far is printed), or liveness
could not be decided within its bound, 2 bad input.`;

export async function verifyCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('verify', args, {
    'max-depth': { type: 'string' },
    'max-states': { type: 'string' },
    workers: { type: 'string' },
    'no-reduction': { type: 'boolean' },
    mutant: { type: 'string' },
    out: { type: 'string' },
    'timeout-s': { type: 'string' },
    force: { type: 'boolean' },
    'no-liveness': { type: 'boolean' },
    'liveness-depth': { type: 'string' },
    'liveness-states': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(VERIFY_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('expected one config file, e.g. mpkv verify configs/verify/duplicates.toml');
  const file = positionals[0]!;
  const loaded = loadConfig(file);
  const emulation = emulationOf(loaded);
  const maxDepth = intFlag('max-depth', values['max-depth'], 1, 10_000);
  const maxStates = intFlag('max-states', values['max-states'], 1, 20_000_000);
  const workers = intFlag('workers', values.workers, 1) ?? 1;
  if (workers > 4 * availableParallelism()) throw new UsageError(`--workers: expected at most ${4 * availableParallelism()} on this machine, got ${workers}`);
  const timeout = intFlag('timeout-s', values['timeout-s'], 1);
  const liveness: LivenessBound | undefined = values['no-liveness']
    ? undefined
    : {
        maxDepth: intFlag('liveness-depth', values['liveness-depth'], 1, 100_000) ?? LIVENESS_DEFAULTS.maxDepth,
        maxStates: intFlag('liveness-states', values['liveness-states'], 1, 20_000_000) ?? LIVENESS_DEFAULTS.maxStates,
        ...(timeout ? { timeoutMs: timeout * 1000 } : {}),
      };
  const mutant = values.mutant;
  const mutated = withMutant(emulation, loaded, mutant);
  const config: Config = {
    ...mutated,
    verify: { ...loaded.verify, ...(maxDepth ? { max_depth: maxDepth } : {}), ...(maxStates ? { max_states: maxStates } : {}) },
  };
  const out = values.out ?? `${basename(file, extname(file))}${mutant ? `-${mutant}` : ''}.verify.replay.json`;
  const outName = values.out === undefined ? 'the replay file' : '--out';
  checkOutputs({ [outName]: out }, [file]);
  checkReplayOutput(outName, out, { config_digest: configDigest(config), mutants: config.mutants.enable, kind: 'steps' }, values.force);

  io.stdout(`mpkv verify ${file}: ${config.emulation}${config.mutants.enable.length ? `, mutants: ${config.mutants.enable.join(', ')}` : ''}, ${workers} worker(s)`);
  for (const line of boundText(emulation, config)) io.stdout(line);
  const started = performance.now();
  // On a worker thread even with one worker: this thread stays free to hear a Ctrl-C.
  const stopper = new Stopper(io);
  let outcome: SearchOutcome;
  try {
    outcome = await searchWithWorkers(emulation, config, {
      workers,
      reduction: !values['no-reduction'],
      ...(timeout ? { timeoutMs: timeout * 1000 } : {}),
      ...(stopper.signal ? { signal: stopper.signal } : {}),
      onLevel: (p) => {
        progress(io, p, started);
        stopper.noticeClosed();
      },
    });
  } finally {
    stopper.dispose();
  }
  if (stopper.reason === 'output closed') return 0; // piped into `head`: nobody reads on
  const seconds = (performance.now() - started) / 1000;
  const rate = `${Math.round(outcome.distinct / Math.max(seconds, 1e-3)).toLocaleString('en-US')} distinct states/s`;
  const tally = `${outcome.explored.toLocaleString('en-US')} transitions, ${outcome.distinct.toLocaleString('en-US')} distinct states`;
  if (outcome.violation) return reportViolation(io, file, emulation, config, outcome, { out, seconds, rate, tally });
  if (outcome.cut) {
    const why = {
      'max-states': `max_states (${config.verify.max_states.toLocaleString('en-US')}) reached`,
      deadline: `--timeout-s ${timeout} reached`,
      memory: 'the frontier no longer fits in memory',
      stopped: 'interrupted (Ctrl-C)',
    }[outcome.cut];
    io.stdout(`unknown: no violation among ${tally} explored, but the search stopped at depth ${outcome.depth} of ${config.verify.max_depth}: ${why}`);
    io.stdout(`  ${seconds.toFixed(1)}s, ${rate}`);
    if (liveness && outcome.cut !== 'stopped') await reportLiveness(io, file, emulation, config, liveness, out);
    return 3;
  }
  const space = outcome.exhausted
    ? `the whole space within the budget was explored: no event is left after depth ${outcome.depth} (${outcome.terminal.toLocaleString('en-US')} final state(s))`
    : `paths longer than ${config.verify.max_depth} events were not explored`;
  io.stdout(`ok: no violation within depth ${outcome.exhausted ? outcome.depth : config.verify.max_depth}: ${tally}; ${space}`);
  io.stdout(`  ${seconds.toFixed(1)}s, ${rate}`);
  return liveness ? await reportLiveness(io, file, emulation, config, liveness, out) : 0;
}

function reportViolation(io: Io, file: string, emulation: AnyEmulation, config: Config, outcome: SearchOutcome, how: { out: string; seconds: number; rate: string; tally: string }): number {
  const violation = outcome.violation!;
  io.stdout(`VIOLATION at depth ${violation.depth}: a shortest counterexample (every shorter path was explored), after ${how.tally} in ${how.seconds.toFixed(1)}s (${how.rate})`);
  io.stdout('failed checks:');
  for (const v of violation.verdicts) io.stdout(`  ${v.name}: ${v.detail}`);
  io.stdout(`counterexample (${violation.steps.length} event(s) after boot):`);
  for (const line of describeSteps(emulation, violation.steps)) io.stdout(`  ${line}`);
  const replayed = finishRun(startRun(emulation, config, { router: new StepRouter(emulation, config, violation.steps) }));
  const search = { depth: violation.depth, distinct: outcome.distinct, explored: outcome.explored };
  writeStepsReplayFile(how.out, stepsReplayFile(file, config, violation.steps, search, replayed));
  io.stdout(`replay file: ${how.out}`);
  io.stdout(`  replay: mpkv run ${file} --replay ${how.out}`);
  return 1;
}

function progress(io: Io, p: LevelProgress, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  io.stdout(`depth ${String(p.depth).padStart(3)}: ${p.distinct.toLocaleString('en-US')} distinct states, ${p.frontier.toLocaleString('en-US')} new at this depth (${seconds.toFixed(1)}s)`);
  flushStdout();
}
