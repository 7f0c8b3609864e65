/**
 * One run from start to verdicts, for any emulation (the one its caller resolved): build its
 * nodes from the config, hand them to one router with the config's network and planned faults,
 * let the emulation's judge watch every event as it happens, and at the end collect its
 * verdicts. The views (plain, JSON, dashboard) subscribe to the router's events too; nothing
 * here prints.
 *
 * Nothing keeps the trace unless asked (`keepTrace`: a trace file, a diagram, the dashboard's
 * replay, tests that read it); the checks read the facts as they stream, so a run's memory is
 * its nodes' state and what the checks keep, not the length of the run.
 */
import { TraceHash } from '../sim/digest.js';
import { Router, type RouterOptions, type RunSummary } from '../sim/router.js';
import type { NetworkModel } from '../sim/network.js';
import type { TraceEvent } from '../sim/trace.js';
import { overallStatus, type Verdict, type VerdictStatus } from '../../specs/verdict.js';
import type { AnyEmulation, ClientHistory, Config, JudgeOptions, RunEnd, RunJudge } from './api/emulation.js';
import { livenessBound, MonitoredRouter, type Healing } from './temperature.js';

/** What a run needs of the thing that drives it: the router's public side. A model checker's
 *  counterexample is replayed by a driver of its own with this same face (src/verify). */
export type RunRouter = Pick<
  Router,
  'onEvent' | 'trace' | 'keepsTrace' | 'eventCount' | 'time' | 'nextAt' | 'done' | 'boot' | 'run' | 'step' | 'summary' | 'views' | 'inFlight' | 'activePartitionWindows'
> & {
  /** Set when the run is cut rather than ended (see RunEnd.cut). */
  readonly cut?: string;
  /** A liveness failure the driver itself knows of (a replayed lasso of the model checker's):
   *  it takes the place of the judge's liveness verdict. */
  readonly liveness?: Verdict | undefined;
};

export interface RunOptions {
  /** Drive the run with this instead of a router built from the config (a replayed path). */
  readonly router?: RunRouter;
  /** Replaces the config's network (exploration drives it from a schedule). */
  readonly network?: NetworkModel;
  /** Replace the config's planned faults. */
  readonly partitions?: RouterOptions['partitions'];
  readonly crashes?: RouterOptions['crashes'];
  /** What the judge is told (the linearizability search's budget). */
  readonly judge?: JudgeOptions;
  /** Keep every trace event, for `RunResult.trace`. */
  readonly keepTrace?: boolean;
  /** Hash the trace as it streams, for `RunResult.trace_sha256` (replay files). */
  readonly digest?: boolean;
  /** End the drain as soon as nothing can change any more (the emulation's `explore.quiescent`). */
  readonly endWhenQuiescent?: boolean;
  /** Judge liveness by temperature (./temperature.ts): once the faults have healed, as this says
   *  when, nothing the emulation calls hot may stay hot longer than the config's bound. The drain
   *  lasts that bound longer, so that what is hot when the clients finish has its time. */
  readonly temperature?: Healing;
}

/** A run in progress: its router (step it, or let `finishRun` run it to the end) and its judge. */
export interface Run {
  readonly config: Config;
  readonly emulation: AnyEmulation;
  readonly router: RunRouter;
  readonly judge: RunJudge;
  readonly hash?: TraceHash;
  /** The liveness monitor stepping the router, when liveness is judged by temperature. */
  readonly monitor?: MonitoredRouter;
}

export interface RunResult {
  readonly config: Config;
  readonly summary: RunSummary;
  /** Every event of the run, when it was kept (`RunOptions.keepTrace`). */
  readonly trace?: readonly TraceEvent[];
  /** The sha256 of the trace's JSON Lines, when asked for (`RunOptions.digest`). */
  readonly trace_sha256?: string;
  /** The first lines of the summary, from the emulation (`requests completed: 15/15`). */
  readonly counts: readonly string[];
  readonly verdicts: readonly Verdict[];
  /** fail if a check failed, else unknown if one could not decide, else ok. */
  readonly status: VerdictStatus;
  /** The client history, if the emulation keeps one. */
  readonly history: ClientHistory | undefined;
}

/** Builds the world a config of `emulation` describes; the judge is already watching. */
export function startRun(emulation: AnyEmulation, config: Config, options: RunOptions = {}): Run {
  const bound = options.temperature && !options.router ? livenessBound(emulation, config) : undefined;
  const built = options.router ? undefined : routerFor(emulation, config, options, bound?.ms ?? 0);
  const monitor = built && bound ? new MonitoredRouter(built, emulation.temperature!, bound, options.temperature!) : undefined;
  const router: RunRouter = monitor ?? options.router ?? built!;
  const judge = emulation.judge(config, judgeOptions(config, options.judge));
  router.onEvent((event, index) => judge.observe(event, index), judge.reads);
  const watched = monitor ? { monitor } : {};
  if (!options.digest) return { config, emulation, router, judge, ...watched };
  const hash = new TraceHash();
  router.onEvent((event) => hash.update(event));
  return { config, emulation, router, judge, hash, ...watched };
}

/** The router a config describes; `extraDrain`: how much longer than `drain_ms` it drains. */
function routerFor(emulation: AnyEmulation, config: Config, options: RunOptions, extraDrain: number): Router {
  return new Router({
    seed: config.seed,
    nodes: emulation.nodes(config),
    network: options.network ?? config.network,
    partitions: options.partitions ?? config.partitions,
    crashes: options.crashes ?? config.crashes,
    time_limit_ms: config.time_limit_ms,
    drain_ms: config.drain_ms + extraDrain,
    ...(emulation.settled ? { settled: emulation.settled.bind(emulation) } : {}),
    ...(options.endWhenQuiescent && emulation.explore.quiescent ? { quiescent: emulation.explore.quiescent.bind(emulation.explore) } : {}),
    ...(options.keepTrace ? { keepTrace: true } : {}),
  });
}

/** Runs to the end (or continues a run the caller has been stepping), then judges it. */
export function finishRun(run: Run): RunResult {
  const { router, judge, config } = run;
  const summary = router.run();
  const views = router.views();
  const partitions = router.activePartitionWindows();
  const end: RunEnd = { summary, views, partitions, stalled: stalledBy(views, partitions, summary, config), ...(router.cut ? { cut: router.cut } : {}) };
  const judged = judge.finish(end);
  const counts = judged.counts;
  const verdicts = withLiveness(judged.verdicts, run.monitor?.verdict() ?? router.liveness);
  return {
    config,
    summary,
    ...(router.keepsTrace ? { trace: router.trace } : {}),
    ...(run.hash ? { trace_sha256: run.hash.digest() } : {}),
    counts,
    verdicts,
    status: overallStatus(verdicts),
    history: judge.history?.(),
  };
}

/** The monitor's liveness failure takes the place of the judge's liveness verdict (it is the
 *  earlier, and the stricter: the judge's says only whether the clients finished by the end). */
function withLiveness(verdicts: readonly Verdict[], monitored: Verdict | undefined): readonly Verdict[] {
  if (!monitored) return verdicts;
  if (!verdicts.some((v) => v.name === monitored.name)) return [...verdicts, monitored];
  return verdicts.map((v) => (v.name === monitored.name ? monitored : v));
}

/** What the judge is told: the command's budget, else the config's `check_steps`. */
function judgeOptions(config: Config, given: JudgeOptions = {}): JudgeOptions {
  if (config.check_steps === undefined || given.check?.max_steps !== undefined) return given;
  return { ...given, check: { ...given.check, max_steps: config.check_steps } };
}

/** Runs a config of `emulation` from start to end. */
export function emulate(emulation: AnyEmulation, config: Config, options: RunOptions = {}): RunResult {
  return finishRun(startRun(emulation, config, options));
}

/** What the core knows of a stall: nodes down at the end, partitions still in force, messages
 *  the network lost. */
function stalledBy(views: RunEnd['views'], partitions: RunEnd['partitions'], summary: RunSummary, config: Config): string[] {
  const reasons: string[] = [];
  const down = views.filter((v) => v.status === 'crashed');
  if (down.length > 0) {
    const forGood = down.filter((v) => !v.restartPending).map((v) => v.id);
    const later = down.filter((v) => v.restartPending).map((v) => v.id);
    reasons.push(
      [forGood.length ? `crashed for good: ${forGood.join(', ')}` : '', later.length ? `down, restart planned after the end: ${later.join(', ')}` : '']
        .filter(Boolean)
        .join('; '),
    );
  }
  for (const w of partitions) reasons.push(`partition still active: ${w.groups.map((g) => `{${g.join(', ')}}`).join(' | ')} | rest`);
  const loss = lossReason(summary, config.network.drop_rate);
  if (loss) reasons.push(loss);
  return reasons;
}

/** The messages the network lost, when it lost any: all of them, or how many, and why. */
export function lossReason(summary: Pick<RunSummary, 'sent' | 'lost'>, dropRate: number): string | undefined {
  const { sent, lost } = summary;
  if (lost === 0) return undefined;
  const why = dropRate > 0 ? `network.drop_rate = ${dropRate}` : "the schedule's drops";
  if (lost === sent) return `the network lost every message sent (${sent} of ${sent}, ${why}): nothing could get through`;
  return `the network lost ${lost} of ${sent} messages sent (${Math.round((100 * lost) / sent)}%, ${why})`;
}
