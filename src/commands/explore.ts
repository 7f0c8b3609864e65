/**
 * `mpkv explore <config>... [--runs N] [--seed S] [--workers K] [--strategy random|swarm|pct]
 *  [--topologies T] [--shard I/N] [--mutant NAME] [--out FILE] [--result FILE] [--list-mutants]`,
 * and `mpkv explore --merge FILE...`: schedule exploration (src/explore/). Checks the property — every run linearizable, agreement,
 * validity, integrity, order, convergence, liveness after healing — for N generated schedules;
 * on a violation prints the shrunk schedule, the violation explained, the seed, and writes a
 * replay file for `mpkv run --replay`. With `--shard I/N` it explores one of N disjoint shares
 * of the search (src/explore/search.ts) and ends with one JSON line (src/explore/shards.ts);
 * `--merge` puts the shards' lines back together.
 *
 * Progress: a one-line bar redrawn in place on a terminal; plain lines (every tenth of the
 * runs) otherwise. Exit status: 0 no violation, 1 a violation, 2 bad input.
 */
import { availableParallelism } from 'node:os';
import { basename, extname } from 'node:path';
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { analyseFaults, failureReport, runSchedule, scheduleSize, STRATEGIES, type ExploreOutcome, type Failure, type PctFailure, type Progress, type Strategy } from '../explore/explore.js';
import { finishRun, startRun, type RunResult } from '../emulations/run.js';
import { livenessBound } from '../emulations/temperature.js';
import { calibratedSteps, DEFAULT_PCT, MAX_STEPS, type PctOptions } from '../explore/pct.js';
import { exploreWithWorkers, type PoolOutcome } from '../explore/pool.js';
import { configDigest, replayFileFor, writeReplayFile } from '../explore/replay.js';
import { parseShard, runsIn, searchChunks, WHOLE, type Shard } from '../explore/search.js';
import { mergeShardResults, readShardResult, RESULT_VERSION, type ShardResult } from '../explore/shards.js';
import { topologyVariants, type Target } from '../explore/topologies.js';
import { describeSteps, StepRouter, stepsReplayFile, writeStepsReplayFile } from '../verify/replay.js';
import { writeFileAtomic } from '../util/files.js';
import { EMULATIONS, emulationOf, loadConfig } from '../emulations/index.js';
import { checkOutputs, checkReplayOutput, flushStdout, intFlag, type Io, parseFlags, Stopper, UsageError } from './io.js';
import type { JudgeOptions } from '../emulations/api/emulation.js';
import { withMutant } from './mutant.js';

export const EXPLORE_HELP = `Usage: mpkv explore <config.toml>... [options]

Generates random schedules within the config's [faults] budget (message drops, duplicates,
delays; crash-recover; partitions) for a safety phase, then heals everything, and checks each
run: linearizability, agreement, validity, integrity, order, convergence, the protocol's own
invariants, and liveness: once the faults heal, nothing the emulation calls hot (a request
unanswered, a node behind) may stay hot longer than [faults] liveness_ms (default: derived
from the config's timeouts, printed). On a violation the schedule is shrunk to a minimal one
and written to a replay file.

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
  --workers K       worker threads (default 1); the schedules are the same for any K
  --shard I/N       explore only share I of N (0 <= I < N) of the search, and end with one
                    JSON result line; the N shards together explore exactly the search's
                    schedules. auto/N takes I from JOB_COMPLETION_INDEX (Kubernetes)
  --result FILE     also write the JSON result line to FILE
  --merge FILE...   combine the result files of all N shards of one search (no config)
  --mutant NAME     enable a deliberately broken rule (see --list-mutants)
  --out FILE        where to write the replay file (default
                    <config>[-<mutant>].explore[-<strategy>].replay.json)
  --force           overwrite a file that holds the replay of another run (another
                    config, mutant or kind): refused without it
  --check-steps N   the linearizability search's step budget per run (deterministic;
                    a run whose search runs out counts as undecided, never as passed)
  --list-mutants    print the mutants with their descriptions
  -h, --help        this help

Exit status: 0 no violation, 1 a violation (replay with mpkv run <config> --replay FILE),
2 usage or config error (a merge of another search's or missing shards too), 3 no violation
but some run's checks could not decide, or Ctrl-C stopped the search (what it explored so
far is printed).`;

export async function exploreCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('explore', args, {
    runs: { type: 'string' },
    seed: { type: 'string' },
    workers: { type: 'string' },
    mutant: { type: 'string' },
    out: { type: 'string' },
    shard: { type: 'string' },
    result: { type: 'string' },
    merge: { type: 'boolean' },
    'check-steps': { type: 'string' },
    strategy: { type: 'string' },
    'pct-depth': { type: 'string' },
    'pct-steps': { type: 'string' },
    topologies: { type: 'string' },
    'list-mutants': { type: 'boolean' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
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
  if (values.merge) return mergeCommand(positionals, io);
  if (positionals.length === 0) throw new UsageError('expected a config file, e.g. mpkv explore configs/default.toml');
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
  const shard = values.shard === undefined ? undefined : parseShard(values.shard, process.env);
  if (typeof shard === 'string') throw new UsageError(`--shard: ${shard}`);
  if (shard && (positionals.length > 1 || values.topologies)) throw new UsageError('--shard: shards one search of one config: give one config file and no --topologies');
  const targets = distinctTargets(
    positionals.flatMap((file): Target[] => [{ file, config: loadConfig(file) }, ...(values.topologies ? topologyVariants(file, values.topologies) : [])]),
    io,
  );
  checkTargetOutputs(targets, { mutant: values.mutant, out: values.out, several: targets.length > 1, strategy, ...(shard ? { shard } : {}) }, values);
  const search: SearchOptions = {
    runs,
    seed,
    workers,
    checkSteps,
    mutant: values.mutant,
    strategy,
    pct,
    out: values.out,
    several: targets.length > 1,
    ...(shard ? { shard } : {}),
    ...(values.result ? { result: values.result } : {}),
  };
  // A Ctrl-C ends the search with what it found so far; a reader gone (`| head`) ends it quietly.
  const stopper = new Stopper(io);
  try {
    let last = 0;
    for (const target of targets) {
      const code = await exploreTarget(io, target, search, stopper);
      if (code === 1 || code === 2 || stopper.reason !== undefined) return code;
      last = Math.max(last, code);
    }
    return last;
  } finally {
    stopper.dispose();
  }
}

/** How each target is explored (the command's options). */
interface SearchOptions {
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
  readonly shard?: Shard;
  /** Where to write the shard's result line too. */
  readonly result?: string;
}

/** The targets less those that are another's config again (a variation naming the base's own
 *  topology, a file given twice): each config is explored once, and the dropped are named. */
function distinctTargets(targets: readonly Target[], io: Io): Target[] {
  const seen = new Map<string, Target>();
  const name = (t: Target): string => `${t.file}${t.label ? ` (${t.label})` : ''}`;
  return targets.filter((target) => {
    const key = `${configDigest(target.config)}/${target.config.seed}/${target.config.mutants.enable.join()}`;
    const first = seen.get(key);
    if (first) io.stdout(`${name(target)}: the same config as ${name(first)}, explored once`);
    else seen.set(key, target);
    return first === undefined;
  });
}

/** What a target's exploration may write: its replay file, and a variation's config (`stem`.toml). */
function filesOf(target: Target, options: Pick<SearchOptions, 'mutant' | 'out' | 'several' | 'shard' | 'strategy'>): { stem: string; out: string; config?: string } {
  const { mutant, shard, strategy } = options;
  const shardTag = shard ? `-shard${shard.index}of${shard.count}` : '';
  const stem = `${basename(target.file, extname(target.file))}${target.label ? `-${target.label}` : ''}${mutant ? `-${mutant}` : ''}`;
  const out = options.out && !options.several ? options.out : `${stem}${shardTag}.explore${strategy === 'random' ? '' : `-${strategy}`}.replay.json`;
  return { stem, out, ...(target.source === undefined ? {} : { config: `${stem}.toml` }) };
}

/** Before any search: every file the targets' explorations may write can be written, and no
 *  replay file holds another run's replay (unless --force). */
function checkTargetOutputs(targets: readonly Target[], options: Pick<SearchOptions, 'mutant' | 'out' | 'several' | 'shard' | 'strategy'>, flags: { result?: string; force?: boolean }): void {
  const outputs: Record<string, string | undefined> = { '--result': flags.result };
  const replays: Array<[string, string, Target]> = [];
  for (const target of targets) {
    const files = filesOf(target, options);
    const name = options.out && !options.several ? '--out' : `the replay file of ${target.file}${target.label ? ` (${target.label})` : ''}`;
    outputs[name] = files.out;
    replays.push([name, files.out, target]);
    if (files.config) outputs[`the config of ${target.label}`] = files.config;
  }
  checkOutputs(outputs, [...new Set(targets.map((t) => t.file))]);
  for (const [name, file, target] of replays) {
    const mutants = options.mutant ? [options.mutant] : target.config.mutants.enable;
    checkReplayOutput(name, file, { config_digest: configDigest(target.config), mutants, kind: options.strategy === 'pct' ? 'steps' : 'schedule' }, flags.force);
  }
}

/** Explores one config (a file, or a variation of its topology); the exit status. */
async function exploreTarget(io: Io, target: Target, options: SearchOptions, stopper: Stopper): Promise<number> {
  const { runs, seed, workers, checkSteps, mutant, strategy, pct, shard } = options;
  const file = target.file;
  const loaded = target.config;
  const emulation = emulationOf(loaded);
  const config: Config = withMutant(emulation, loaded, mutant);
  const { stem, out } = filesOf(target, options);
  const share = runsIn(searchChunks(seed, runs, shard ?? WHOLE));

  io.stdout(
    `mpkv explore ${file}${target.label ? ` (${target.label})` : ''}: ${runs} schedule(s)${strategy === 'random' ? '' : ` (${strategy})`}, seed ${seed}, ${workers} worker(s)` +
      (shard ? `, shard ${shard.index}/${shard.count} (${share} of the runs)` : '') +
      (config.mutants.enable.length ? `, mutants: ${config.mutants.enable.join(', ')}` : ''),
  );
  io.stdout(`budget: ${budgetText(config)}`);
  const bound = strategy === 'pct' ? undefined : livenessBound(emulation, config);
  if (bound) io.stdout(`liveness: once the faults heal, nothing may stay hot longer than ${bound.ms} ms (${bound.why})`);
  // PCT's k, measured once here rather than by every chunk and worker.
  const k = strategy === 'pct' ? (pct.steps ?? calibratedSteps(emulation, config, pct.depth)) : undefined;
  if (k !== undefined) {
    io.stdout(`pct: depth d = ${pct.depth} (${pct.depth - 1} priority change(s) in the first ${k} steps); timers fire when no message is in flight; safety checks only`);
  }
  const started = performance.now();
  const progress = progressPrinter(io, share, started);
  const outcome = await exploreWithWorkers(emulation, config, {
    runs,
    seed,
    workers,
    strategy,
    pct: k === undefined ? pct : { ...pct, steps: k },
    ...(shard ? { shard } : {}),
    ...(checkSteps === undefined ? {} : { checkSteps }),
    // On worker threads even with one worker: this thread stays free to hear a Ctrl-C.
    ...(stopper.signal ? { signal: stopper.signal } : {}),
    onProgress: (p) => {
      progress.update(p);
      stopper.noticeClosed();
    },
  });
  progress.end();
  if (stopper.reason === 'output closed') return 0; // piped into `head`: nobody reads on
  const seconds = (performance.now() - started) / 1000;
  // Interrupted: what was explored so far (a shard's partial share writes no result line).
  if (outcome.stopped) return reportStopped(io, outcome, { seconds, share, seed });
  const code = await report(io, target, emulation, config, outcome, { seconds, mutant, out, stem, checkSteps, strategy, runs });
  if (shard) {
    const result = shardResult(file, config, { seed, runs, shard, checkSteps, seconds }, outcome, code === 1 ? out : undefined);
    const line = JSON.stringify(result);
    if (options.result) writeFileAtomic(options.result, `${line}\n`);
    io.stdout(line);
  }
  return code;
}

/** An exploration stopped by a Ctrl-C: what it explored so far; exit 3 (it did not cover the
 *  search), or 1 when it had found a violation it was still shrinking. */
function reportStopped(io: Io, outcome: PoolOutcome, how: { seconds: number; share: number; seed: number }): number {
  const rate = `${(outcome.runs / Math.max(how.seconds, 1e-3)).toFixed(1)} schedules/s`;
  if (outcome.stopped?.found) {
    io.stdout(`VIOLATION found, but interrupted (Ctrl-C) while shrinking it: run the same command again (--seed ${how.seed}) to have it shrunk and its replay file written`);
    return 1;
  }
  const undecided = outcome.undecided > 0 ? `, ${outcome.undecided} of them undecided` : '';
  io.stdout(
    `unknown: interrupted (Ctrl-C) after ${outcome.runs} of ${how.share} schedule(s): no violation so far${undecided}, ${outcome.faults} fault(s) injected, ${how.seconds.toFixed(1)}s (${rate})`,
  );
  return 3;
}

/** The human report of an exploration; its exit status. */
function report(
  io: Io,
  target: Target,
  emulation: AnyEmulation,
  config: Config,
  outcome: ExploreOutcome,
  how: { seconds: number; mutant: string | undefined; out: string; stem: string; checkSteps: number | undefined; strategy: Strategy; runs: number },
): Promise<number> | number {
  const { seconds } = how;
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
  const judge: JudgeOptions = how.checkSteps === undefined ? {} : { check: { max_steps: how.checkSteps } };
  const { file } = target;
  // A variation of a topology has no file of its own: write one, for the replay to name.
  const configFile = target.source === undefined ? file : `${how.stem}.toml`;
  if (target.source !== undefined) writeFileAtomic(configFile, target.source);
  const f = outcome.failure;
  const chunk = f.chunkRuns === undefined ? '' : ` --runs ${f.chunkRuns}`;
  const again =
    `mpkv explore ${file}${target.label ? ` --topologies "${target.spec}"` : ''} --seed ${f.seed}${chunk} --workers 1` +
    `${how.strategy === 'random' ? '' : ` --strategy ${how.strategy}`}${how.mutant ? ` --mutant ${how.mutant}` : ''}`;
  return reportViolation(io, configFile, emulation, config, outcome, { seconds, rate, again, out: how.out, judge });
}

/** The machine-readable line of one shard (src/explore/shards.ts). */
function shardResult(
  file: string,
  config: Config,
  search: { seed: number; runs: number; shard: Shard; checkSteps: number | undefined; seconds: number },
  outcome: ExploreOutcome,
  replay: string | undefined,
): ShardResult {
  const f = outcome.failure;
  return {
    mpkv_explore_result: RESULT_VERSION,
    config: file,
    config_digest: configDigest(config),
    emulation: config.emulation,
    mutants: config.mutants.enable,
    seed: search.seed,
    runs: search.runs,
    check_steps: search.checkSteps ?? null,
    shard: search.shard,
    explored: outcome.runs,
    faults: outcome.faults,
    undecided: outcome.undecided,
    ...(outcome.undecidedExample === undefined ? {} : { undecided_example: outcome.undecidedExample }),
    seconds: Math.round(search.seconds * 1000) / 1000,
    ...(f
      ? {
          violation: {
            run: f.runsToFind - 1,
            seed: f.seed,
            chunk_runs: f.chunkRuns ?? search.runs,
            path: f.path,
            shrinks: f.shrinks,
            failed: f.verdicts.map((v) => v.name),
            faults: f.strategy === 'pct' ? f.pct.messages.length + f.pct.crashes.length : scheduleSize(f.schedule),
            ...(replay ? { replay } : {}),
            report: failureReport(f),
          },
        }
      : {}),
  };
}

/** `mpkv explore --merge FILE...`: the whole search's verdict from its shards' result lines. */
function mergeCommand(files: readonly string[], io: Io): number {
  const merged = mergeShardResults(files.map((file) => ({ file, result: readShardResult(file) })));
  const s = merged.first;
  io.stdout(
    `mpkv explore --merge: ${s.config} (${s.emulation}), seed ${s.seed}, ${s.runs} schedule(s) in ${s.shard.count} shard(s)` +
      (s.mutants.length ? `, mutants: ${s.mutants.join(', ')}` : ''),
  );
  const rate = `${(merged.explored / Math.max(merged.seconds, 1e-3)).toFixed(1)} schedules/s with the shards side by side`;
  const first = merged.violations[0];
  if (first) {
    io.stdout(`VIOLATION in shard ${first.shard}/${s.shard.count}, run #${first.run} of the search (${merged.violations.length} shard(s) found one):`);
    for (const line of first.report) io.stdout(`  ${line}`);
    io.stdout(`  again: mpkv explore ${s.config} --seed ${first.seed} --runs ${first.chunk_runs} --workers 1${s.mutants.length ? ` --mutant ${s.mutants[0]}` : ''}`);
    if (first.replay) io.stdout(`  replay file (on the machine that ran shard ${first.shard}): ${first.replay}`);
    io.stdout(`${merged.explored} schedule(s) explored before the shards stopped, ${merged.faults} fault(s) injected, ${merged.seconds.toFixed(1)}s (${rate})`);
    return 1;
  }
  if (merged.undecided > 0) {
    io.stdout(`unknown: no violation in ${merged.explored} schedule(s), but in ${merged.undecided} of them a check could not decide (${merged.faults} fault(s) injected)`);
    io.stdout(`  for example: ${merged.undecidedExample ?? '?'}`);
    return 3;
  }
  io.stdout(`ok: ${merged.explored} schedule(s) passed, ${merged.faults} fault(s) injected, ${merged.seconds.toFixed(1)}s (${rate})`);
  return 0;
}

/** The emulation's explanation of a failed run (the one its diagram shows). */
async function explanationOf(emulation: AnyEmulation, run: RunResult): Promise<string[]> {
  const { explainRun } = await import('../view/trace-adapter.js');
  return explainRun(emulation, run.trace!, run.verdicts);
}

async function reportViolation(
  io: Io,
  file: string,
  emulation: AnyEmulation,
  config: Config,
  outcome: ExploreOutcome,
  how: { seconds: number; rate: string; again: string; out: string; judge: JudgeOptions },
): Promise<number> {
  const failure = outcome.failure!;
  if (failure.strategy === 'pct') await reportPath(io, file, emulation, config, failure, how);
  else await reportSchedule(io, file, emulation, config, failure, how);
  io.stdout(`search: fast-check seed ${failure.seed}, path ${failure.path}; ${outcome.runs} schedule(s) in ${how.seconds.toFixed(1)}s (${how.rate})`);
  io.stdout(`  again: ${how.again}`);
  io.stdout(`replay file: ${how.out}`);
  io.stdout(`  replay: mpkv run ${file} --replay ${how.out}`);
  return 1;
}

/** A shrunk random or swarm schedule: explained, each fault's part, and its replay file. */
async function reportSchedule(io: Io, file: string, emulation: AnyEmulation, config: Config, failure: Failure, how: { out: string; judge: JudgeOptions }): Promise<void> {
  const run = failure.error === undefined ? runSchedule(emulation, config, failure.schedule, { judge: how.judge, digest: true, keepTrace: true }).result : undefined;
  const extras = run ? { explanation: await explanationOf(emulation, run), faults: analyseFaults(emulation, config, failure, how.judge) } : {};
  for (const line of failureReport(failure, extras)) io.stdout(line);
  writeReplayFile(how.out, replayFileFor(file, config, failure, run));
}

/** A shrunk PCT schedule: its run's path of events, explained, written as a steps replay file. */
async function reportPath(io: Io, file: string, emulation: AnyEmulation, config: Config, failure: PctFailure, how: { out: string; judge: JudgeOptions }): Promise<void> {
  const replayed = failure.error === undefined ? finishRun(startRun(emulation, config, { router: new StepRouter(emulation, config, failure.events), judge: how.judge })) : undefined;
  const describeEvents = (events: Parameters<typeof describeSteps>[1]): string[] => describeSteps(emulation, events);
  const extras = replayed ? { explanation: await explanationOf(emulation, replayed), describeEvents } : { describeEvents };
  for (const line of failureReport(failure, extras)) io.stdout(line);
  const search = { strategy: 'pct', seed: failure.seed, path: failure.path, runs: failure.runsToFind, shrinks: failure.shrinks };
  writeStepsReplayFile(how.out, stepsReplayFile(file, config, failure.events, search, replayed));
}

export function budgetText(config: Config): string {
  const f = config.faults;
  const crashes =
    f.crash_roles.length === 0
      ? `no crashes (no role of ${config.emulation} may crash)`
      : f.crashes === 0
        ? 'no crashes'
        : `<= ${f.crashes} crash(es) of ${f.crash_roles.join('/')}, <= ${f.max_crashed} down at once`;
  return (
    `safety phase ${f.safety_ms}ms; ${crashes}; ` +
    `<= ${f.partitions} partition(s); per message: drop ${f.drop_rate}, duplicate ${f.duplicate_rate}, delay ${f.delay_rate} (<= ${f.delay_max_ms}ms), ` +
    `among the first ${f.link_messages} on each link`
  );
}

/** Piped, a progress line at least this often (a log shows the search is alive; a reader that
 *  went away, `| head`, is noticed by the next line). */
const PROGRESS_LINE_MS = 10_000;

/** A progress bar on a terminal (redrawn at most 10 times a second), plain lines otherwise:
 *  every tenth of the runs, or every PROGRESS_LINE_MS. */
function progressPrinter(io: Io, total: number, started: number): { update: (p: Progress) => void; end: () => void } {
  let lastDraw = 0;
  let lastTenth = 0;
  let lastLine = started;
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
      const now = performance.now();
      if (!p.found && (tenth > lastTenth || now - lastLine >= PROGRESS_LINE_MS)) {
        lastTenth = tenth;
        lastLine = now;
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
