/**
 * Random schedule exploration (fast-check). One property, checked for many generated
 * schedules (./schedule.ts):
 *
 *   for every schedule within the config's `[faults]` budget, the run it drives is judged ok:
 *   no check of the emulation's judge fails (its safety checks, and liveness once healed).
 *
 * A run has two phases. The safety phase [0, safety_ms) has the schedule's faults: message
 * drops, duplicates and delays (./network.ts), crash-recover events, partitions. Then the
 * healed phase: every node is up, no new fault, the network is reliable. To be sure the healed
 * phase really happens, explored runs drain for `drain_ms + safety_ms` after the last client
 * finishes (`explorationConfig`); liveness is judged at the end of it.
 *
 * On a failure fast-check shrinks the schedule (each shrink step is one more run) to a minimal
 * one; `failureReport` explains it with the failing verdicts' details and the faults that the
 * run injected, and ./replay.ts writes it to a file `mpkv run --replay` reproduces exactly.
 *
 * A run depends only on (config, schedule): no wall clock, no Math.random. The wall clock is
 * read here only for progress and timing.
 */
import fc from 'fast-check';
import type { Config, JudgeOptions } from '../emulations/api/emulation.js';
import { emulate, type RunResult } from '../emulations/run.js';
import type { Verdict } from '../../specs/verdict.js';
import type { StepRecord } from '../verify/world.js';
import { describeFault, scheduleNetwork, type InjectedFault } from './network.js';
import { DEFAULT_PCT, describePct, pctArbitrary, runPct, type PctOptions, type PctSchedule } from './pct.js';
import { faultCount, scheduleArbitrary, type Schedule } from './schedule.js';
import { swarmArbitrary } from './swarm.js';

/**
 * How schedules are drawn: `random` (the config's fault mix for every schedule; the order of
 * events follows from random delays), `swarm` (each schedule draws its own mix: ./swarm.ts) or
 * `pct` (the order of events chosen by priorities with a guarantee per bug depth: ./pct.ts).
 */
export type Strategy = 'random' | 'swarm' | 'pct';
export const STRATEGIES: readonly Strategy[] = ['random', 'swarm', 'pct'];

/** The config a schedule runs under: its seed, the mutants asked for, the longer drain. */
export function explorationConfig(config: Config, seed: number, mutants: readonly string[] = config.mutants.enable): Config {
  return { ...config, seed, drain_ms: config.drain_ms + config.faults.safety_ms, mutants: { enable: [...mutants] } };
}

/** The router options a schedule drives: its network, crashes and partitions. */
export function scheduleOptions(config: Config, schedule: Schedule) {
  const network = scheduleNetwork(config, schedule);
  return { network, crashes: schedule.crashes, partitions: schedule.partitions };
}

export interface ScheduleRun {
  readonly result: RunResult;
  readonly injected: readonly InjectedFault[];
}

/** Runs one schedule to the end and judges it. `config` is the explored config as loaded. */
export function runSchedule(config: Config, schedule: Schedule, judge: JudgeOptions = {}): ScheduleRun {
  const runConfig = explorationConfig(config, schedule.seed);
  const options = scheduleOptions(runConfig, schedule);
  const result = emulate(runConfig, { ...options, judge });
  return { result, injected: options.network.injected };
}

export const failedVerdicts = (result: RunResult): Verdict[] => result.verdicts.filter((v) => v.status === 'fail');

export interface Progress {
  /** Schedules run so far (while searching, then while shrinking). */
  readonly runs: number;
  readonly shrinks: number;
  /** Faults the runs have injected so far (messages actually faulted, crashes, partitions). */
  readonly faults: number;
  readonly found: boolean;
  /** Runs (before any violation) in which some check could not decide (unknown). */
  readonly undecided: number;
}

export interface ExploreOptions {
  readonly runs: number;
  /** `random` unless said (`pct` goes through `explorePct`). */
  readonly strategy?: Strategy;
  /** PCT's depth and step range. */
  readonly pct?: PctOptions;
  /** fast-check's seed: the same seed explores the same schedules. */
  readonly seed: number;
  /** The linearizability search's step budget per run (default: the checker's). */
  readonly checkSteps?: number;
  readonly onProgress?: (p: Progress) => void;
  /** Called once, when the first violation is seen (before shrinking). */
  readonly onFound?: () => void;
}

/** What every shrunk counterexample says: plain data, so a worker can post it. */
interface FailureBase {
  readonly verdicts: readonly Verdict[];
  /** Router steps of the shrunk run, and its trace's size. */
  readonly steps: number;
  readonly time_ms: number;
  /** fast-check: its seed, the runs it took to find, the shrink steps, and the path that replays. */
  readonly seed: number;
  readonly runsToFind: number;
  readonly shrinks: number;
  readonly path: string;
  /** An exception thrown by the run, instead of a failing verdict. */
  readonly error?: string;
}

/** A shrunk schedule (random or swarm exploration). */
export interface Failure extends FailureBase {
  readonly strategy: 'random' | 'swarm';
  readonly schedule: Schedule;
  readonly injected: readonly InjectedFault[];
}

/** A shrunk PCT schedule, and the path of events its run took (what a replay file lists). */
export interface PctFailure extends FailureBase {
  readonly strategy: 'pct';
  readonly pct: PctSchedule;
  readonly events: readonly StepRecord[];
}

export interface ExploreOutcome<F = Failure> {
  readonly runs: number;
  readonly faults: number;
  /** Runs in which no check failed but some could not decide. */
  readonly undecided: number;
  /** One example of an undecided check, for the report. */
  readonly undecidedExample?: string;
  readonly failure?: F;
}

/**
 * Checks the property for `options.runs` schedules from `options.seed`; on a violation fast-check
 * shrinks it, and the outcome carries the minimal schedule.
 */
export function explore(config: Config, options: ExploreOptions): ExploreOutcome {
  let runs = 0;
  let shrinks = 0;
  let faults = 0;
  let found = false;
  let undecided = 0;
  let undecidedExample: string | undefined;
  const judge: JudgeOptions = options.checkSteps === undefined ? {} : { check: { max_steps: options.checkSteps } };
  const strategy = options.strategy === 'swarm' ? 'swarm' : 'random';
  const schedules = strategy === 'swarm' ? swarmArbitrary(config) : scheduleArbitrary(config);
  const property = fc.property(schedules, (schedule) => {
    const { result, injected } = runSchedule(config, schedule, judge);
    faults += injected.length + schedule.crashes.length + schedule.partitions.length;
    // Only a failed check is a violation; an undecided one is counted and reported, never hidden.
    const ok = result.status !== 'fail';
    if (found) shrinks++;
    else runs++;
    if (!found && result.status === 'unknown') {
      undecided++;
      const v = result.verdicts.find((x) => x.status === 'unknown')!;
      undecidedExample ??= `run seed ${schedule.seed}: ${v.name}: ${v.detail}`;
    }
    if (!ok && !found) {
      found = true;
      options.onFound?.();
    }
    options.onProgress?.({ runs, shrinks, faults, found, undecided });
    return ok;
  });
  const details = fc.check(property, { seed: options.seed, numRuns: options.runs });
  const tally = { runs, faults, undecided, ...(undecidedExample === undefined ? {} : { undecidedExample }) };
  if (!details.failed || details.counterexample === null) return tally;
  const [schedule] = details.counterexample;
  let error: string | undefined;
  let run: ScheduleRun | undefined;
  try {
    run = runSchedule(config, schedule, judge);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  if (!run && error === undefined) error = 'the run threw';
  const failure: Failure = {
    strategy,
    schedule,
    verdicts: run ? failedVerdicts(run.result) : [],
    injected: run?.injected ?? [],
    steps: run?.result.summary.steps ?? 0,
    time_ms: run?.result.summary.time_ms ?? 0,
    seed: details.seed,
    runsToFind: details.numRuns,
    shrinks: details.numShrinks,
    path: details.counterexamplePath ?? '',
    ...(error === undefined ? {} : { error }),
  };
  return { ...tally, failure };
}

/**
 * PCT exploration: `options.runs` PCT schedules (./pct.ts) from `options.seed`; a run fails when
 * a safety check fails. On a failure fast-check shrinks the schedule, and the outcome carries it
 * with the path of events its run took.
 */
export function explorePct(config: Config, options: ExploreOptions): ExploreOutcome<PctFailure> {
  let runs = 0;
  let shrinks = 0;
  let faults = 0;
  let found = false;
  const pct = options.pct ?? DEFAULT_PCT;
  const property = fc.property(pctArbitrary(config, pct), (schedule) => {
    const run = runPct(config, schedule);
    faults += run.faults;
    if (found) shrinks++;
    else runs++;
    const ok = run.failed.length === 0;
    if (!ok && !found) {
      found = true;
      options.onFound?.();
    }
    options.onProgress?.({ runs, shrinks, faults, found, undecided: 0 });
    return ok;
  });
  const details = fc.check(property, { seed: options.seed, numRuns: options.runs });
  const tally = { runs, faults, undecided: 0 };
  if (!details.failed || details.counterexample === null) return tally;
  const [schedule] = details.counterexample;
  let run: ReturnType<typeof runPct> | undefined;
  let error: string | undefined;
  try {
    run = runPct(config, schedule);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const failure: PctFailure = {
    strategy: 'pct',
    pct: schedule,
    events: run?.path ?? [],
    verdicts: run?.failed ?? [],
    steps: run?.path.length ?? 0,
    time_ms: run?.path.length ?? 0,
    seed: details.seed,
    runsToFind: details.numRuns,
    shrinks: details.numShrinks,
    path: details.counterexamplePath ?? '',
    ...(error === undefined ? {} : { error }),
  };
  return { ...tally, failure };
}

/** Exploration with the strategy the options name. */
export function exploreWith(config: Config, options: ExploreOptions): ExploreOutcome<Failure | PctFailure> {
  return options.strategy === 'pct' ? explorePct(config, options) : explore(config, options);
}

/** The number of faults a shrunk schedule needs: its size. */
export const scheduleSize = faultCount;

/** Events of a PCT run shown in a report (its replay file lists them all). */
const SHOWN = 20;

/** The violation, explained: failing verdicts, then the minimal schedule fault by fault (for
 *  PCT: the schedule, then the run's path of events). */
export function failureReport(failure: Failure | PctFailure, describeEvents?: (events: readonly StepRecord[]) => string[]): string[] {
  if (failure.strategy === 'pct') {
    return [
      `VIOLATION after ${failure.runsToFind} PCT schedule(s); shrunk in ${failure.shrinks} step(s) to a run of ${failure.steps} events`,
      ...(failure.error ? [`the run threw: ${failure.error}`] : []),
      'failed checks:',
      ...failure.verdicts.map((v) => `  ${v.name}: ${v.detail}`),
      ...describePct(failure.pct),
      `the run's last ${Math.min(SHOWN, failure.events.length)} of ${failure.events.length} event(s) (the replay file has them all):`,
      ...(describeEvents ? describeEvents(failure.events).slice(-SHOWN).map((l) => `  ${l}`) : []),
    ];
  }
  const s = failure.schedule;
  const lines = [
    `VIOLATION after ${failure.runsToFind} ${failure.strategy === 'swarm' ? 'swarm ' : ''}schedule(s); shrunk in ${failure.shrinks} step(s) to ${scheduleSize(s)} fault(s), a run of ${failure.steps} steps (${failure.time_ms} ms virtual)`,
    ...(failure.error ? [`the run threw: ${failure.error}`] : []),
    'failed checks:',
    ...failure.verdicts.map((v) => `  ${v.name}: ${v.detail}`),
    `minimal schedule (run seed ${s.seed}):`,
  ];
  if (s.crashes.length === 0) lines.push('  crashes: none');
  for (const c of s.crashes) lines.push(`  crash: ${c.node} down at t=${c.at_ms}, restarted at t=${c.restart_ms}`);
  if (s.partitions.length === 0) lines.push('  partitions: none');
  for (const p of s.partitions) lines.push(`  partition: {${p.groups.map((g) => g.join(', ')).join('} | {')}} cut off from the rest, t=${p.start_ms}..${p.end_ms}`);
  lines.push(`  messages: ${failure.injected.length} faulted (the rest normal)`);
  for (const f of failure.injected) lines.push(`    ${describeFault(f)}`);
  return lines;
}
