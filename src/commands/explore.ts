/**
 * `mpkv explore <config> [--runs N] [--seed S] [--workers K] [--mutant NAME] [--out FILE]
 *  [--list-mutants]`: random schedule exploration (src/explore/). Checks the property — every
 * run linearizable, agreement, validity, integrity, order, convergence, liveness after
 * healing — for N generated schedules; on a violation prints the shrunk schedule, the
 * violation explained, the seed, and writes a replay file for `mpkv run --replay`.
 *
 * Progress: a one-line bar redrawn in place on a terminal; plain lines (every tenth of the
 * runs) otherwise. Exit status: 0 no violation, 1 a violation, 2 bad input.
 */
import { availableParallelism } from 'node:os';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../emulations/api/emulation.js';
import { failureReport, runSchedule, STRATEGIES, type ExploreOutcome, type Failure, type PctFailure, type Progress, type Strategy } from '../explore/explore.js';
import { calibratedSteps, DEFAULT_PCT, MAX_STEPS, type PctOptions } from '../explore/pct.js';
import { exploreWithWorkers } from '../explore/pool.js';
import { replayFileFor, writeReplayFile } from '../explore/replay.js';
import { topologyVariants, type Target } from '../explore/topologies.js';
import { EMULATIONS, emulationOf, loadConfig } from '../emulations/index.js';
import { finishRun, startRun } from '../emulations/run.js';
import { describeSteps, StepRouter, stepsReplayFile, writeStepsReplayFile } from '../verify/replay.js';
import { writeFileAtomic } from '../util/files.js';
import { flushStdout, intFlag, UsageError, type Io } from './io.js';
import type { JudgeOptions } from '../emulations/api/emulation.js';

export const EXPLORE_HELP = `Usage: mpkv explore <config.toml>... [options]

Generates random schedules within the config's [faults] budget (message drops, duplicates,
delays; crash-recover; partitions) for a safety phase, then heals everything, and checks each
run: linearizability, agreement, validity, integrity, order, convergence, liveness.
On a violation the schedule is shrunk to a minimal one and written to a replay file.

Several config files, or --topologies, explore several topologies in one command (the
runs each). Strategies: random (the config's fault mix for every schedule), swarm (each
schedule draws its own mix: which faults are on, their rates, which nodes crash and when),
pct (PCT: the order of events chosen by random node priorities with d-1 priority changes,
which finds a bug of depth d among n nodes and k steps with probability >= 1/(n k^(d-1))
per run; safety checks only).

Options:
  --runs N          schedules to try (default 100)
  --strategy S      random (default), swarm or pct
  --pct-depth D     pct: the depth of bug aimed at (default ${DEFAULT_PCT.depth}: D-1 priority changes)
  --pct-steps K     pct: priority changes land in the first K steps (default: the length
                    of a run with no change and no fault)
  --topologies T    also explore these variations of [topology]: "clients=2,4"
                    (every combination; a violation's config is written beside its replay)
  --seed S          the search's seed (default: random, printed); same seed, same schedules
  --workers K       worker threads (default 1)
  --mutant NAME     enable a deliberately broken rule (see --list-mutants)
  --out FILE        where to write the replay file (default <config>[-<mutant>].replay.json)
  --check-steps N   the linearizability search's step budget per run (deterministic;
                    a run whose search runs out counts as undecided, never as passed)
  --list-mutants    print the mutants with their descriptions
  -h, --help        this help

Exit status: 0 no violation, 1 a violation (replay with mpkv run <config> --replay FILE),
2 usage or config error, 3 no violation but some run's checks could not decide.`;

export async function exploreCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      mutant: { type: 'string' },
      out: { type: 'string' },
      'check-steps': { type: 'string' },
      strategy: { type: 'string' },
      'pct-depth': { type: 'string' },
      'pct-steps': { type: 'string' },
      topologies: { type: 'string' },
      'list-mutants': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(EXPLORE_HELP);
    return 0;
  }
  if (values['list-mutants']) {
    const width = Math.max(...EMULATIONS.flatMap((e) => Object.keys(e.mutants).map((m) => m.length)));
    for (const emulation of EMULATIONS) {
      const mutants = Object.entries(emulation.mutants);
      if (mutants.length === 0) continue;
      io.stdout(`${emulation.name}:`);
      for (const [name, description] of mutants) io.stdout(`  ${name.padEnd(width)}  ${description}`);
    }
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('explore: expected a config file, e.g. mpkv explore configs/default.toml');
  const strategy = (values.strategy ?? 'random') as Strategy;
  if (!STRATEGIES.includes(strategy)) throw new UsageError(`--strategy: expected one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(values.strategy)}`);
  const pctSteps = intFlag('pct-steps', values['pct-steps'], 1, MAX_STEPS);
  const pct: PctOptions = {
    depth: intFlag('pct-depth', values['pct-depth'], 1, 10) ?? DEFAULT_PCT.depth,
    ...(pctSteps === undefined ? {} : { steps: pctSteps }),
  };
  const runs = intFlag('runs', values.runs, 1) ?? 100;
  const seed = intFlag('seed', values.seed) ?? randomSeed();
  if (seed > 0x7fffffff) throw new UsageError(`--seed: expected an integer < 2^31, got ${seed}`);
  const workers = intFlag('workers', values.workers, 1) ?? 1;
  const checkSteps = intFlag('check-steps', values['check-steps'], 1);
  const cores = availableParallelism();
  if (workers > 4 * cores) throw new UsageError(`--workers: expected at most ${4 * cores} on this machine, got ${workers}`);
  const mutant = values.mutant;
  const targets: Target[] = positionals.flatMap((file) => {
    const loaded = loadConfig(file);
    return [{ file, config: loaded }, ...(values.topologies ? topologyVariants(file, values.topologies) : [])];
  });
  const pending = targets.length;
  let last = 0;
  for (const target of targets) {
    const code = await exploreTarget(io, target, { runs, seed, workers, checkSteps, mutant, strategy, pct, out: values.out, several: pending > 1 });
    if (code === 1 || code === 2) return code;
    last = Math.max(last, code);
  }
  return last;
}

interface TargetOptions {
  readonly runs: number;
  readonly seed: number;
  readonly workers: number;
  readonly checkSteps: number | undefined;
  readonly mutant: string | undefined;
  readonly strategy: Strategy;
  readonly pct: PctOptions;
  readonly out: string | undefined;
  /** Several targets: name each replay file after its target. */
  readonly several: boolean;
}

/** Explores one config (a file, or a variation of its topology). */
async function exploreTarget(io: Io, target: Target, options: TargetOptions): Promise<number> {
  const { runs, seed, workers, checkSteps, mutant, strategy, pct } = options;
  const file = target.file;
  const loaded = target.config;
  const known = Object.keys(emulationOf(loaded).mutants);
  if (mutant !== undefined && !known.includes(mutant)) {
    throw new UsageError(`--mutant: ${loaded.emulation} has no mutant ${JSON.stringify(mutant)} (expected one of ${known.join(', ')})`);
  }
  const config: Config = mutant ? { ...loaded, mutants: { enable: [mutant] } } : loaded;
  const stem = `${basename(file, extname(file))}${target.label ? `-${target.label}` : ''}${mutant ? `-${mutant}` : ''}`;
  const out = options.out && !options.several ? options.out : `${stem}.replay.json`;

  io.stdout(
    `mpkv explore ${file}${target.label ? ` (${target.label})` : ''}: ${runs} schedule(s)${strategy === 'random' ? '' : ` (${strategy})`}, seed ${seed}, ${workers} worker(s)` +
      (config.mutants.enable.length ? `, mutants: ${config.mutants.enable.join(', ')}` : ''),
  );
  io.stdout(`budget: ${budgetText(config)}`);
  if (strategy === 'pct') {
    const k = pct.steps ?? calibratedSteps(config, pct.depth);
    io.stdout(`pct: depth d = ${pct.depth} (${pct.depth - 1} priority change(s) in the first ${k} steps); timers fire when no message is in flight; safety checks only`);
  }
  const started = performance.now();
  const progress = progressPrinter(io, runs, started);
  const outcome = await exploreWithWorkers(config, {
    runs,
    seed,
    workers,
    strategy,
    pct,
    ...(checkSteps === undefined ? {} : { checkSteps }),
    onProgress: progress.update,
  });
  progress.end();
  const seconds = (performance.now() - started) / 1000;
  const rate = `${(outcome.runs / Math.max(seconds, 1e-3)).toFixed(1)} schedules/s`;
  if (!outcome.failure && outcome.undecided > 0) {
    io.stdout(
      `unknown: no violation in ${outcome.runs} schedule(s), but in ${outcome.undecided} of them a check could not decide ` +
        `(${outcome.faults} fault(s) injected, ${seconds.toFixed(1)}s, ${rate})`,
    );
    io.stdout(`  for example: ${outcome.undecidedExample ?? '?'}`);
    io.stdout('  give the linearizability search more steps with --check-steps N');
    return 3;
  }
  if (!outcome.failure) {
    io.stdout(`ok: ${outcome.runs} schedule(s) passed, ${outcome.faults} fault(s) injected, ${seconds.toFixed(1)}s (${rate})`);
    return 0;
  }
  const judge: JudgeOptions = checkSteps === undefined ? {} : { check: { max_steps: checkSteps } };
  // A variation of a topology has no file of its own: write one, for the replay to name.
  const configFile = target.source === undefined ? file : `${stem}.toml`;
  if (target.source !== undefined) writeFileAtomic(configFile, target.source);
  const again = `mpkv explore ${file}${target.label ? ` --topologies "${target.spec}"` : ''} --seed ${outcome.failure.seed} --workers 1 --strategy ${strategy}${mutant ? ` --mutant ${mutant}` : ''}`;
  return reportViolation(io, configFile, config, outcome as ExploreOutcome<Failure | PctFailure>, { seconds, rate, again, out, judge });
}

function reportViolation(
  io: Io,
  file: string,
  config: Config,
  outcome: ExploreOutcome<Failure | PctFailure>,
  how: { seconds: number; rate: string; again: string; out: string; judge: JudgeOptions },
): number {
  const failure = outcome.failure!;
  for (const line of failureReport(failure, (events) => describeSteps(config, events))) io.stdout(line);
  if (failure.strategy === 'pct') {
    const replayed = failure.error === undefined ? finishRun(startRun(config, { router: new StepRouter(config, failure.events), judge: how.judge })) : undefined;
    const search = { strategy: 'pct', seed: failure.seed, path: failure.path, runs: failure.runsToFind, shrinks: failure.shrinks };
    writeStepsReplayFile(how.out, stepsReplayFile(file, config, failure.events, search, replayed));
  } else {
    const run = failure.error === undefined ? runSchedule(config, failure.schedule, how.judge).result : undefined;
    writeReplayFile(how.out, replayFileFor(file, config, failure, run));
  }
  io.stdout(`search: fast-check seed ${failure.seed}, path ${failure.path}; ${outcome.runs} schedule(s) in ${how.seconds.toFixed(1)}s (${how.rate})`);
  io.stdout(`  again: ${how.again}`);
  io.stdout(`replay file: ${how.out}`);
  io.stdout(`  replay: mpkv run ${file} --replay ${how.out}`);
  return 1;
}

export function budgetText(config: Config): string {
  const f = config.faults;
  return (
    `safety phase ${f.safety_ms}ms; <= ${f.crashes} crash(es) of ${f.crash_roles.join('/') || 'nobody'}, <= ${f.max_crashed} down at once; ` +
    `<= ${f.partitions} partition(s); per message: drop ${f.drop_rate}, duplicate ${f.duplicate_rate}, delay ${f.delay_rate} (<= ${f.delay_max_ms}ms), ` +
    `among the first ${f.link_messages} on each link`
  );
}

/** A progress bar on a terminal (redrawn at most 10 times a second), plain lines otherwise. */
function progressPrinter(io: Io, total: number, started: number): { update: (p: Progress) => void; end: () => void } {
  let lastDraw = 0;
  let lastTenth = 0;
  let shrinkAnnounced = false;
  let drawn = false;
  const line = (p: Progress): string => {
    const seconds = (performance.now() - started) / 1000;
    const rate = (p.runs / Math.max(seconds, 1e-3)).toFixed(1);
    return `${p.runs}/${total} schedules, ${rate}/s, ${p.faults} fault(s) injected${p.found ? `, shrinking (${p.shrinks} run(s))` : ''}`;
  };
  return {
    update(p) {
      if (io.tty) {
        const now = performance.now();
        if (now - lastDraw < 100 && p.runs < total) return;
        lastDraw = now;
        const width = 24;
        const filled = Math.round((width * Math.min(p.runs, total)) / total);
        process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line(p)}\u001b[K`);
        drawn = true;
        return;
      }
      if (p.found && !shrinkAnnounced) {
        shrinkAnnounced = true;
        io.stdout(`violation found after ${p.runs} schedule(s): shrinking`);
      }
      const tenth = Math.floor((10 * p.runs) / total);
      if (!p.found && tenth > lastTenth) {
        lastTenth = tenth;
        io.stdout(`progress: ${line(p)}`);
        flushStdout(); // exploration may hold the event loop: show progress now
      }
    },
    end() {
      if (drawn) process.stdout.write('\n');
    },
  };
}

function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}
