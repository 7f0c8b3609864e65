/**
 * The dashboard's simulation driver: it owns the pace, not the components. Each real tick it
 * advances a virtual clock by `speed` virtual ms per real second and steps the router until
 * the router's time passes the clock; space pauses it, `n` steps one protocol event, `+`/`-`
 * double or halve the speed. The components only ever see `snapshot()`s.
 *
 * Nothing here reads the wall clock: the ticker tells the driver how much real time passed
 * (real timers in `intervalTicker`, a manual ticker in tests). The router does not know it is
 * being watched: the same seed gives the same trace as the plain view, whatever the pace.
 *
 * The router offers no peek at its next event, so a step may carry the run one event past the
 * clock (then the driver waits for the clock to catch up): an event can show up at most one
 * event early, never late, and the total pace is right.
 */
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { finishRun, type Run, type RunResult, type RunRouter } from '../emulations/run.js';
import type { NodeView } from '../sim/router.js';
import type { EndReason, TraceEvent } from '../sim/trace.js';
import type { Verdict } from '../../specs/verdict.js';
import { formatEvent } from './plain.js';
import type { NetworkCounters } from './panels.js';

/** Virtual ms per real second when `--speed` is not given: configs/default.toml (600 virtual
 *  ms, its protocol traffic in the first ~150) plays in about 6 seconds. */
export const DEFAULT_SPEED = 100;
export const MIN_SPEED = 1;
export const MAX_SPEED = 1_000_000;

export type LogTone = 'normal' | 'fault' | 'end';

export interface LogLine {
  /** Position in the log, a stable React key. */
  readonly key: number;
  readonly text: string;
  readonly tone: LogTone;
}

/** Everything a frame shows: a snapshot, never mutated after it is handed out. */
export interface Frame {
  readonly title: string;
  /** Draws the nodes' rows. */
  readonly emulation: AnyEmulation;
  /** Virtual time of the latest event (ms). */
  readonly time: number;
  readonly speed: number;
  readonly paused: boolean;
  /** Set once the run has ended. */
  readonly ended: EndReason | undefined;
  readonly views: readonly NodeView[];
  /** The whole log so far (the `Static` log prints only what is new). */
  readonly log: readonly LogLine[];
  readonly network: NetworkCounters;
  /** Set once the run has ended and been judged. */
  readonly verdicts: readonly Verdict[] | undefined;
  readonly steps: number;
}

export interface DriverOptions {
  readonly speed?: number | undefined;
  readonly paused?: boolean;
  /** The replay file being played, if any: the header says REPLAY. */
  readonly replay?: string | undefined;
  /** At most this many router steps per tick, so input stays responsive at any speed. */
  readonly maxStepsPerTick?: number;
}

const FAULTS = new Set<TraceEvent['kind']>(['drop', 'duplicate', 'crash', 'restart', 'partition-start', 'partition-end']);

export class SimDriver {
  private clock: number;
  private speedValue: number;
  private pausedValue: boolean;
  private readonly log: LogLine[] = [];
  private resultValue: RunResult | undefined;
  private version = 0;
  private cached: { version: number; frame: Frame } | undefined;
  private readonly maxStepsPerTick: number;
  private readonly config: Config;
  private readonly router: RunRouter;

  constructor(
    private readonly run: Run,
    private readonly options: DriverOptions = {},
  ) {
    const { config, router, emulation } = run;
    this.config = config;
    this.router = router;
    this.speedValue = clampSpeed(options.speed ?? DEFAULT_SPEED);
    this.pausedValue = options.paused ?? false;
    this.maxStepsPerTick = options.maxStepsPerTick ?? 20_000;
    router.onEvent((event) => {
      const text = formatEvent(event, emulation.describeMessage);
      if (text === undefined) return;
      this.log.push({ key: this.log.length, text, tone: event.kind === 'end' ? 'end' : FAULTS.has(event.kind) ? 'fault' : 'normal' });
    });
    if (router.trace.length === 0) router.boot();
    this.clock = router.time;
    this.settle();
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  get speed(): number {
    return this.speedValue;
  }

  get done(): boolean {
    return this.router.done;
  }

  /** The judged run, once it has ended. */
  get result(): RunResult | undefined {
    return this.resultValue;
  }

  /** `realMs` of real time passed: run the simulation that far (unless paused). */
  advance(realMs: number, shouldYield?: () => boolean): void {
    if (this.pausedValue || this.router.done) return;
    this.clock += (this.speedValue * realMs) / 1000;
    const before = this.router.trace.length;
    for (let n = 0; n < this.maxStepsPerTick; n++) {
      const next = this.router.nextAt();
      if (next !== undefined && next > this.clock) break;
      if (!this.router.step()) break;
      if ((n & 63) === 63 && shouldYield?.()) break;
    }
    // Never let the clock run far ahead of a simulation that cannot keep up.
    this.clock = Math.min(this.clock, this.router.time + this.speedValue);
    if (this.router.trace.length !== before) this.version++;
    this.settle();
  }

  /** One protocol event: step until the log gains a line (or the run ends). */
  stepOne(): void {
    if (this.router.done) return;
    const lines = this.log.length;
    for (let n = 0; n < 100_000 && this.log.length === lines; n++) if (!this.router.step()) break;
    this.clock = Math.max(this.clock, this.router.time);
    this.version++;
    this.settle();
  }

  togglePause(): void {
    this.pausedValue = !this.pausedValue;
    this.clock = Math.max(this.clock, this.router.time);
    this.version++;
  }

  faster(): void {
    this.setSpeed(this.speedValue * 2);
  }

  slower(): void {
    this.setSpeed(this.speedValue / 2);
  }

  setSpeed(speed: number): void {
    this.speedValue = clampSpeed(speed);
    this.version++;
  }

  /** The current frame; the same object until something changes. */
  snapshot(): Frame {
    if (this.cached?.version === this.version) return this.cached.frame;
    const summary = this.router.summary();
    const frame: Frame = {
      title: frameTitle(this.config, this.options.replay),
      emulation: this.run.emulation,
      time: this.router.time,
      speed: this.speedValue,
      paused: this.pausedValue,
      ended: this.router.done ? summary.reason : undefined,
      views: this.router.views(),
      log: this.log.slice(),
      network: {
        inFlight: this.router.inFlight(),
        sent: summary.sent,
        delivered: summary.delivered,
        dropped: summary.dropped,
        duplicated: summary.duplicated,
        partitions: [...this.router.activePartitionWindows()],
      },
      verdicts: this.resultValue?.verdicts,
      steps: summary.steps,
    };
    this.cached = { version: this.version, frame };
    return frame;
  }

  /** Once the router has ended, judge the run (once). */
  private settle(): void {
    if (this.router.done && !this.resultValue) {
      this.resultValue = finishRun(this.run);
      this.version++;
    }
  }
}

/** `<emulation> · seed 1 · mutants: <names> · REPLAY`. */
export function frameTitle(config: Config, replay?: string): string {
  const mutants = config.mutants.enable.length ? ` · mutants: ${config.mutants.enable.join(', ')}` : '';
  return `${config.emulation} · seed ${config.seed}${mutants}${replay ? ' · REPLAY' : ''}`;
}

function clampSpeed(speed: number): number {
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, Math.round(speed)));
}

/** Calls `onTick(realMsSinceLastTick)` on a schedule; returns a stop function. */
export interface Ticker {
  start(onTick: (realMs: number) => void): () => void;
}

/** The real ticker: `setInterval` every `everyMs`, measuring the real time in between. */
export function intervalTicker(everyMs = 33): Ticker {
  return {
    start(onTick) {
      let last = performance.now();
      const handle = setInterval(() => {
        const now = performance.now();
        onTick(now - last);
        last = now;
      }, everyMs);
      return () => clearInterval(handle);
    },
  };
}

/** A ticker driven by hand, for tests: `tick(ms)` is one frame of `ms` real milliseconds. */
export class ManualTicker implements Ticker {
  private listener: ((realMs: number) => void) | undefined;

  start(onTick: (realMs: number) => void): () => void {
    this.listener = onTick;
    return () => {
      this.listener = undefined;
    };
  }

  get started(): boolean {
    return this.listener !== undefined;
  }

  tick(realMs: number): void {
    this.listener?.(realMs);
  }
}
