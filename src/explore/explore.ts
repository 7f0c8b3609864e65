/**
 * Random schedule exploration (fast-check). One property, checked for many generated
 * schedules (./schedule.ts):
 *
 *   for every schedule within the config's `[faults]` budget, the run it drives is judged ok:
 *   no check of the emulation's judge fails (its safety checks, and liveness once healed).
 *
 * A run has two phases. The safety phase [0, safety_ms) has the schedule's faults: message
 * drops, duplicates and delays (./network.ts), crash-recover events, partitions. Then the
 * healed phase: every node is up, no new fault, the network is reliable. Liveness is judged by
 * temperature (src/emulations/temperature.ts): once the schedule's last fault has healed
 * (`scheduleHealing`), nothing the emulation calls hot may stay hot longer than the liveness
 * bound, and a run in which something does is stopped there; a run that gets to its end is
 * also judged as every run is (every client finished). To be sure the healed phase really
 * happens, explored runs drain for `drain_ms + safety_ms` after the last client finishes
 * (`explorationConfig`), and the liveness bound longer (src/emulations/run.ts). The drain ends
 * sooner when nothing can change any more: no message in flight, no planned fault left, and
 * the emulation says its nodes are quiescent (`explore.quiescent`).
 *
 * The search is a fixed list of chunks of runs (./search.ts), each one fast-check check; run i's
 * schedule depends only on (seed, i), so workers and machines can share the chunks out.
 *
 * Schedules are drawn by a strategy: `random` (the config's fault mix for every schedule; the
 * order of events follows from random delays), `swarm` (each schedule draws its own mix:
 * ./swarm.ts) or `pct` (the order of events chosen by priorities, with a guarantee per bug
 * depth: ./pct.ts). All three are fast-check values, chunked, shrunk and replayable alike.
 *
 * On a failure fast-check shrinks the schedule (each shrink step is one more run) to a minimal
 * one, in the chunk that found it; `failureReport` explains it with the failing verdicts'
 * details and the faults that the run injected, and ./replay.ts writes it to a file
 * `mpkv run --replay` reproduces exactly.
 *
 * A run depends only on (config, schedule): no wall clock, no Math.random. The wall clock is
 * read here only for progress and timing.
 */
import fc from 'fast-check';
import type { AnyEmulation, Config, JudgeOptions } from '../emulations/api/emulation.js';
import { emulate, type RunOptions, type RunResult } from '../emulations/run.js';
import type { Verdict } from '../../specs/verdict.js';
import type { StepRecord } from '../verify/world.js';
import { describeFault, scheduleHealing, scheduleNetwork, type InjectedFault } from './network.js';
import { DEFAULT_PCT, describePct, pctArbitrary, runPct, type PctOptions, type PctSchedule } from './pct.js';
import { faultCount, scheduleArbitrary, type Schedule } from './schedule.js';
import { searchChunks, type Chunk, type Shard } from './search.js';
import { swarmArbitrary } from './swarm.js';

/** How schedules are drawn (see the top of this file). */
export type Strategy = 'random' | 'swarm' | 'pct';
export const STRATEGIES: readonly Strategy[] = ['random', 'swarm', 'pct'];

/** The config a schedule runs under: its seed, the mutants asked for, the longer drain. */
export function explorationConfig(config: Config, seed: number, mutants: readonly string[] = config.mutants.enable): Config {
  return { ...config, seed, drain_ms: config.drain_ms + config.faults.safety_ms, mutants: { enable: [...mutants] } };
}

/** The router options a schedule drives: its network, crashes and partitions; liveness judged by
 *  temperature once they have healed (src/emulations/temperature.ts); and the run ends once
 *  nothing can change any more (the long drain would only watch idle timers). */
export function scheduleOptions(config: Config, schedule: Schedule) {
  const network = scheduleNetwork(config, schedule);
  const temperature = scheduleHealing(config, schedule, network);
  return { network, crashes: schedule.crashes, partitions: schedule.partitions, endWhenQuiescent: true, temperature };
}

export interface ScheduleRun {
  readonly result: RunResult;
  readonly injected: readonly InjectedFault[];
}

/** What a schedule's run is asked for besides its verdicts: a judge's budget, the trace kept,
 *  or its digest (for a replay file). Exploration asks for neither. */
export type ScheduleRunOptions = Pick<RunOptions, 'judge' | 'keepTrace' | 'digest'>;

/** Runs one schedule to the end and judges it. `config` is the explored config as loaded. */
export function runSchedule(emulation: AnyEmulation, config: Config, schedule: Schedule, options: ScheduleRunOptions = {}): ScheduleRun {
  const runConfig = explorationConfig(config, schedule.seed);
  const router = scheduleOptions(runConfig, schedule);
  const result = emulate(emulation, runConfig, { ...router, ...options });
  return { result, injected: router.network.injected };
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
  /** The search: `runs` schedules from `seed` (./search.ts); the same seed explores the same
   *  schedules, however the search is shared out. */
  readonly runs: number;
  readonly seed: number;
  /** `random` unless said. */
  readonly strategy?: Strategy;
  /** PCT's depth and step range (strategy `pct`). */
  readonly pct?: PctOptions;
  /** Explore only this share of the search's chunks (default: all of them). */
  readonly shard?: Shard;
  /** The linearizability search's step budget per run (default: the checker's). */
  readonly checkSteps?: number;
  readonly onProgress?: (p: Progress) => void;
  /** Called once, when the first violation is seen (before shrinking). */
  readonly onFound?: () => void;
  /** Shrink a failing schedule (default true); false: stop at the first failure as found (to
   *  count the schedules it takes to find, as the bench does). */
  readonly shrink?: boolean;
  /** Every schedule explored (before shrinking), with its index in the search. */
  readonly onRun?: (index: number, schedule: Schedule | PctSchedule) => void;
}

/** What exploring some chunks needs (the search's `runs` and `seed` are in the chunks). */
export type ChunkOptions = Omit<ExploreOptions, 'runs' | 'seed' | 'shard'>;

/** What every shrunk counterexample says: plain data, so a worker can post it. */
interface FailureBase {
  readonly verdicts: readonly Verdict[];
  /** Router steps of the shrunk run, and its trace's size. */
  readonly steps: number;
  readonly time_ms: number;
  /** fast-check: its seed (the chunk's: ./search.ts), the runs it took to find, the shrink
   *  steps, and the path that replays. */
  readonly seed: number;
  /** The failing run's index in the search is `runsToFind - 1`; its chunk has `chunkRuns` runs
   *  (`--seed <seed> --runs <chunkRuns>` explores that chunk alone). */
  readonly runsToFind: number;
  readonly chunkRuns?: number;
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

export interface ExploreOutcome<F = Failure | PctFailure> {
  readonly runs: number;
  readonly faults: number;
  /** Runs in which no check failed but some could not decide. */
  readonly undecided: number;
  /** One example of an undecided check, for the report. */
  readonly undecidedExample?: string;
  readonly failure?: F;
}

/**
 * Checks the property for the random or swarm schedules of the search (`options.runs` from
 * `options.seed`, or the shard's share of them); on a violation fast-check shrinks it, and the
 * outcome carries the minimal schedule.
 */
export function explore(emulation: AnyEmulation, config: Config, options: ExploreOptions & { readonly strategy?: 'random' | 'swarm' }): ExploreOutcome<Failure> {
  return exploreChunks(emulation, config, searchChunks(options.seed, options.runs, options.shard), options) as ExploreOutcome<Failure>;
}

/** PCT exploration: the failure carries the shrunk PCT schedule and the path its run took. */
export function explorePct(emulation: AnyEmulation, config: Config, options: Omit<ExploreOptions, 'strategy'>): ExploreOutcome<PctFailure> {
  return exploreChunks(emulation, config, searchChunks(options.seed, options.runs, options.shard), { ...options, strategy: 'pct' }) as ExploreOutcome<PctFailure>;
}

/** Exploration with the strategy the options name. */
export function exploreWith(emulation: AnyEmulation, config: Config, options: ExploreOptions): ExploreOutcome {
  return exploreChunks(emulation, config, searchChunks(options.seed, options.runs, options.shard), options);
}

/** Checks the property chunk after chunk, stopping at the first violation. */
export function exploreChunks(emulation: AnyEmulation, config: Config, chunks: readonly Chunk[], options: ChunkOptions): ExploreOutcome {
  const search = new Search(emulation, config, options);
  for (const chunk of chunks) {
    const failure = search.chunk(chunk);
    if (failure) return { ...search.tally(), failure };
  }
  return search.tally();
}

/**
 * Explores chunks one at a time, as a worker thread is handed them, each with its own outcome
 * (its runs, faults, undecided runs, its failure), while the schedules' drawing — and the
 * fault-free calibration run swarm and PCT measure a config with — is made once, not per chunk.
 */
export function chunkExplorer(emulation: AnyEmulation, config: Config, options: ChunkOptions): (chunk: Chunk) => ExploreOutcome {
  const search = new Search(emulation, config, options);
  return (chunk) => {
    search.restartTally();
    const failure = search.chunk(chunk);
    return failure ? { ...search.tally(), failure } : search.tally();
  };
}

/** What the search learns of one schedule's run. */
interface Judged {
  readonly status: Verdict['status'];
  readonly faults: number;
  /** The first undecided check, for the report. */
  readonly undecided?: string;
}

/** What a failure says of the search that found it. */
type Found = Pick<FailureBase, 'seed' | 'runsToFind' | 'chunkRuns' | 'shrinks' | 'path'>;

/** A strategy as the search uses it: its schedules, how one is judged, and its failure. */
interface Drawing<S> {
  readonly arbitrary: fc.Arbitrary<S>;
  judge(schedule: S): Judged;
  failure(schedule: S, found: Found): Failure | PctFailure;
}

/** One exploration's counters, over the chunks it checks. */
class Search {
  private runs = 0;
  private shrinks = 0;
  private faults = 0;
  private found = false;
  private undecided = 0;
  private undecidedExample: string | undefined;
  private readonly drawing: Drawing<Schedule> | Drawing<PctSchedule>;

  constructor(
    emulation: AnyEmulation,
    config: Config,
    private readonly options: ChunkOptions,
  ) {
    const judge: JudgeOptions = options.checkSteps === undefined ? {} : { check: { max_steps: options.checkSteps } };
    const strategy = options.strategy === 'swarm' ? 'swarm' : 'random';
    this.drawing = options.strategy === 'pct' ? pctDrawing(emulation, config, options.pct ?? DEFAULT_PCT) : scheduleDrawing(emulation, config, strategy, judge);
  }

  /** Counts from zero again (the next chunk's own), keeping the drawing. */
  restartTally(): void {
    this.runs = this.shrinks = this.faults = this.undecided = 0;
    this.undecidedExample = undefined;
  }

  tally(): ExploreOutcome<never> {
    const { runs, faults, undecided, undecidedExample } = this;
    return { runs, faults, undecided, ...(undecidedExample === undefined ? {} : { undecidedExample }) };
  }

  /** One fast-check check over the chunk's runs; the shrunk failure, if any. */
  chunk(chunk: Chunk): Failure | PctFailure | undefined {
    const drawing = this.drawing as Drawing<Schedule | PctSchedule>;
    const { options } = this;
    let index = chunk.first;
    const property = fc.property(drawing.arbitrary, (schedule) => {
      if (!this.found) options.onRun?.(index++, schedule);
      const judged = drawing.judge(schedule);
      this.faults += judged.faults;
      // Only a failed check is a violation; an undecided one is counted and reported, never hidden.
      const ok = judged.status !== 'fail';
      if (this.found) this.shrinks++;
      else this.runs++;
      if (!this.found && judged.status === 'unknown') {
        this.undecided++;
        this.undecidedExample ??= judged.undecided;
      }
      if (!ok && !this.found) {
        this.found = true;
        options.onFound?.();
      }
      const { runs, shrinks, faults, found, undecided } = this;
      options.onProgress?.({ runs, shrinks, faults, found, undecided });
      return ok;
    });
    const details = fc.check(property, { seed: chunk.seed, numRuns: chunk.runs, ...(options.shrink === false ? { endOnFailure: true } : {}) });
    if (!details.failed || details.counterexample === null) return undefined;
    return drawing.failure(details.counterexample[0], {
      seed: details.seed,
      runsToFind: chunk.first + details.numRuns,
      chunkRuns: chunk.runs,
      shrinks: details.numShrinks,
      path: details.counterexamplePath ?? '',
    });
  }
}

/** Random or swarm schedules: timed runs of the router, judged by all the checks. */
function scheduleDrawing(emulation: AnyEmulation, config: Config, strategy: 'random' | 'swarm', judge: JudgeOptions): Drawing<Schedule> {
  return {
    arbitrary: strategy === 'swarm' ? swarmArbitrary(emulation, config) : scheduleArbitrary(emulation, config),
    judge(schedule) {
      const { result, injected } = runSchedule(emulation, config, schedule, { judge });
      const v = result.verdicts.find((x) => x.status === 'unknown');
      return {
        status: result.status,
        faults: injected.length + schedule.crashes.length + schedule.partitions.length,
        ...(v ? { undecided: `run seed ${schedule.seed}: ${v.name}: ${v.detail}` } : {}),
      };
    },
    /** The shrunk schedule, run once more to report what it breaks. */
    failure(schedule, found) {
      let error: string | undefined;
      let run: ScheduleRun | undefined;
      try {
        run = runSchedule(emulation, config, schedule, { judge });
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      if (!run && error === undefined) error = 'the run threw';
      return {
        strategy,
        schedule,
        verdicts: run ? failedVerdicts(run.result) : [],
        injected: run?.injected ?? [],
        steps: run?.result.summary.steps ?? 0,
        time_ms: run?.result.summary.time_ms ?? 0,
        ...found,
        ...(error === undefined ? {} : { error }),
      };
    },
  };
}

/** PCT schedules: ordered runs in the model checker's world, judged by the safety checks. */
function pctDrawing(emulation: AnyEmulation, config: Config, pct: PctOptions): Drawing<PctSchedule> {
  return {
    arbitrary: pctArbitrary(emulation, config, pct),
    judge(schedule) {
      const run = runPct(emulation, config, schedule);
      return { status: run.failed.length === 0 ? 'ok' : 'fail', faults: run.faults };
    },
    failure(schedule, found) {
      let run: ReturnType<typeof runPct> | undefined;
      let error: string | undefined;
      try {
        run = runPct(emulation, config, schedule);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      return {
        strategy: 'pct',
        pct: schedule,
        events: run?.path ?? [],
        verdicts: run?.failed ?? [],
        steps: run?.path.length ?? 0,
        // No clock in an ordered run: its length in events stands for its time.
        time_ms: run?.path.length ?? 0,
        ...found,
        ...(error === undefined ? {} : { error }),
      };
    },
  };
}

/** The number of faults a shrunk schedule needs: its size. */
export const scheduleSize = faultCount;

// ---- which faults the violation needs ---------------------------------------------------------

/** What one fault of a shrunk schedule did for the violation. */
export interface FaultRole {
  /** Without it the run passes (no check fails): the violation needs it. */
  readonly needed: boolean;
  /** Without it, these checks still fail (empty when needed). */
  readonly stillFailing: readonly string[];
}

/** What re-running a shrunk schedule without each of its faults shows. */
export interface FaultAnalysis {
  /** Per crash, per partition, per injected message fault, in the schedule's order. */
  readonly crashes: readonly FaultRole[];
  readonly partitions: readonly FaultRole[];
  readonly messages: readonly FaultRole[];
  /** Does the run with none of the faults (the same seed) fail too? */
  readonly faultFreeFails: boolean;
}

/**
 * Re-runs the shrunk schedule once without each of its faults (and once without any). A
 * schedule's normal delays do not depend on its faults (./network.ts), so leaving one fault out
 * changes nothing else: if the violation remains, that fault was incidental (fast-check's
 * shrinking keeps what it could not remove in one step, not only what is needed).
 */
export function analyseFaults(emulation: AnyEmulation, config: Config, failure: Failure, judge: JudgeOptions = {}): FaultAnalysis {
  const s = failure.schedule;
  const role = (schedule: Schedule): FaultRole => {
    const failed = failedVerdicts(runSchedule(emulation, config, schedule, { judge }).result).map((v) => v.name);
    return { needed: failed.length === 0, stillFailing: failed };
  };
  const without = <T>(list: readonly T[], i: number): T[] => list.filter((_, k) => k !== i);
  return {
    crashes: s.crashes.map((_, i) => role({ ...s, crashes: without(s.crashes, i) })),
    partitions: s.partitions.map((_, i) => role({ ...s, partitions: without(s.partitions, i) })),
    messages: failure.injected.map((f) => role({ ...s, messages: s.messages.filter((m) => !(m.from === f.from && m.to === f.to && m.n === f.n)) })),
    faultFreeFails: !role({ ...s, messages: [], crashes: [], partitions: [] }).needed,
  };
}

/** What the report adds when it can: the violation in the emulation's words, and each fault's part. */
export interface ReportExtras {
  /** The violation explained (the emulation's explanation of the shrunk run). */
  readonly explanation?: readonly string[];
  readonly faults?: FaultAnalysis;
  /** A PCT run's events in words (the emulation's view of a path). */
  readonly describeEvents?: (events: readonly StepRecord[]) => string[];
}

/** Events of a PCT run shown in a report (its replay file lists them all). */
const SHOWN = 20;

/** The time of the first failure (the earliest step a failing check names). */
export function violationTime(verdicts: readonly Verdict[]): { t: number; check: string } | undefined {
  const timed = verdicts.filter((v) => v.status === 'fail' && v.at).sort((a, b) => a.at!.t - b.at!.t);
  return timed[0] ? { t: timed[0].at!.t, check: timed[0].name } : undefined;
}

/** The violation, explained: failing verdicts and why, then the minimal schedule fault by fault,
 *  each placed in time against the violation and marked needed or incidental when known. */
export function failureReport(failure: Failure | PctFailure, extras: ReportExtras = {}): string[] {
  if (failure.strategy === 'pct') return pctReport(failure, extras);
  const s = failure.schedule;
  const when = violationTime(failure.verdicts);
  const lines = [
    `VIOLATION after ${failure.runsToFind} ${failure.strategy === 'swarm' ? 'swarm ' : ''}schedule(s); shrunk in ${failure.shrinks} step(s) to ${scheduleSize(s)} fault(s), a run of ${failure.steps} steps (${failure.time_ms} ms virtual)`,
    ...(failure.error ? [`the run threw: ${failure.error}`] : []),
    'failed checks:',
    ...failure.verdicts.map((v) => `  ${v.name}: ${v.detail}${v.at ? ` [first failed at t=${v.at.t}]` : ''}`),
  ];
  if (extras.explanation && extras.explanation.length > 0) lines.push('why:', ...extras.explanation.map((l) => `  ${l}`));
  const a = extras.faults;
  const part = (role: FaultRole | undefined, t: number): string => {
    const after = when && t > when.t ? `after the violation (t=${when.t}); ` : '';
    if (!role) return after ? ` (${after.slice(0, -2)})` : '';
    return role.needed
      ? ` — NEEDED: without it no check fails`
      : ` — incidental: ${after}without it ${role.stillFailing.join(', ')} still fail${role.stillFailing.length === 1 ? 's' : ''}`;
  };
  lines.push(`minimal schedule (run seed ${s.seed})${when ? `; the violation happened at t=${when.t} (${when.check})` : ''}:`);
  if (s.crashes.length === 0) lines.push('  crashes: none');
  s.crashes.forEach((c, i) => lines.push(`  crash: ${c.node} down at t=${c.at_ms}, restarted at t=${c.restart_ms}${part(a?.crashes[i], c.at_ms)}`));
  if (s.partitions.length === 0) lines.push('  partitions: none');
  s.partitions.forEach((p, i) =>
    lines.push(`  partition: {${p.groups.map((g) => g.join(', ')).join('} | {')}} cut off from the rest, t=${p.start_ms}..${p.end_ms}${part(a?.partitions[i], p.start_ms)}`),
  );
  lines.push(`  messages: ${failure.injected.length} faulted (the rest normal)`);
  failure.injected.forEach((f, i) => lines.push(`    ${describeFault(f)}${part(a?.messages[i], f.t)}`));
  if (a && scheduleSize(s) > 0) {
    const needed = [...a.crashes, ...a.partitions, ...a.messages].filter((r) => r.needed).length;
    lines.push(
      a.faultFreeFails
        ? '  none of these faults is needed: the same seed with no fault at all fails too (the broken rule needs only this interleaving)'
        : `  ${needed} of ${scheduleSize(s)} fault(s) needed on their own; without all of them the run passes`,
    );
  }
  return lines;
}

/** A PCT failure: failing verdicts and why, the schedule, then the run's last events. */
function pctReport(failure: PctFailure, extras: ReportExtras): string[] {
  const events = failure.events;
  return [
    `VIOLATION after ${failure.runsToFind} PCT schedule(s); shrunk in ${failure.shrinks} step(s) to a run of ${failure.steps} events`,
    ...(failure.error ? [`the run threw: ${failure.error}`] : []),
    'failed checks:',
    ...failure.verdicts.map((v) => `  ${v.name}: ${v.detail}`),
    ...(extras.explanation && extras.explanation.length > 0 ? ['why:', ...extras.explanation.map((l) => `  ${l}`)] : []),
    ...describePct(failure.pct),
    `the run's last ${Math.min(SHOWN, events.length)} of ${events.length} event(s) (the replay file has them all):`,
    ...(extras.describeEvents ? extras.describeEvents(events).slice(-SHOWN).map((l) => `  ${l}`) : []),
  ];
}
