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
 *
 * Going to the point. The driver can run ahead to the next fault, the next milestone (a note the
 * emulation's diagram draws as a strong badge) or crash, and to the violation: a run is
 * deterministic, so a rehearsal (a fresh copy of the same run, judged silently: `rehearse`) says
 * at which event a check first failed (`Verdict.at`), and the live run is stepped to exactly that
 * event, marked in the log, and paused there; the earlier steps the failure names (`at.evidence`:
 * e.g. the step it conflicts with) are marked as play passes them.
 * When several checks fail, the first in time is the one shown, and the bar names the others.
 * With a replay or a mutant the rehearsal goes on in the background, a few milliseconds a tick,
 * so the violation is marked when play reaches it.
 *
 * A step the emulation records as a bare fact (a note without words) is shown by the node's next
 * line: its mark waits for that line (or for the end of the step, when none comes).
 *
 * Quiet stretches. Consecutive log lines the emulation calls background (`Emulation.background`,
 * e.g. polling while nothing happens) are folded into one line as they come; a fault never is.
 * And when the nodes have settled (`Emulation.settled`: the run would end now, were the clients
 * done) while clients are still at work, the frame says so, with since when, so that rows that
 * no longer change are not a mystery.
 */
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { finishRun, type Run, type RunResult, type RunRouter } from '../emulations/run.js';
import type { NodeView } from '../sim/router.js';
import type { EndReason, TraceEvent } from '../sim/trace.js';
import type { Verdict } from '../../specs/verdict.js';
import { formatEvent } from './plain.js';
import type { NetworkCounters } from './panels.js';
import { RunLog, type LogLine, type LogTone } from './log.js';
import { firstViolation, Rehearsal, type EventTarget, type InjectedNote, type JumpTarget, type Violation } from './rehearsal.js';

export type { LogLine, LogTone } from './log.js';
export type { InjectedNote, JumpTarget } from './rehearsal.js';

/** Virtual ms per real second when `--speed` is not given: configs/default.toml (600 virtual
 *  ms, its protocol traffic in the first ~150) plays in about 6 seconds. */
export const DEFAULT_SPEED = 100;
export const MIN_SPEED = 1;
export const MAX_SPEED = 1_000_000;

/** Where the run first failed a check (./rehearsal.ts), and whether the watched run is there yet. */
export interface ViolationMark extends Violation {
  /** Has the live run reached it yet? */
  readonly reached: boolean;
}

/** Everything a frame shows: a snapshot, never mutated after it is handed out. */
export interface Frame {
  /** `<emulation> · seed 1 · mutant <name>`. */
  readonly title: string;
  /** The same, in parts, for a header that must shorten it. */
  readonly heading: { readonly emulation: string; readonly seed: number; readonly mutants: readonly string[] };
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
  /** The replay file being played, if any. */
  readonly replay: string | undefined;
  /** `step` when time is a path's step number (a model checker's counterexample), else ms. */
  readonly timeUnit: 'ms' | 'step';
  /** The first violation, when known. */
  readonly violation: ViolationMark | undefined;
  /** Background lines being folded right now (`… 5 quiet polls, t=300..500`). */
  readonly folding: string | undefined;
  /** The nodes have settled, but clients are still at work: since when, and how many. */
  readonly settled: string | undefined;
  /** A word about the last key (`no further crash in this run`). */
  readonly notice: string | undefined;
}

export interface DriverOptions {
  readonly speed?: number | undefined;
  readonly paused?: boolean;
  /** The replay file being played, if any: the header says REPLAY. */
  readonly replay?: string | undefined;
  /** At most this many router steps per tick, so input stays responsive at any speed. */
  readonly maxStepsPerTick?: number;
  /** A fresh, unstarted copy of the run (same config, same schedule): run silently to learn
   *  where a check first fails. Without it, the violation is known only at the end. */
  readonly rehearse?: () => Run;
  /** Rehearse in the background from the start (a replay, a mutant: a violation is likely). */
  readonly rehearseEarly?: boolean;
  /** The faults a schedule has injected so far into this run that the trace shows no event of
   *  their own for (a message held back), described; the rehearsal's copy has its own. */
  readonly injected?: (run: Run) => readonly InjectedNote[];
  /** `step` for a model checker's path, whose time is the step's number (default: ms). */
  readonly timeUnit?: 'ms' | 'step';
  /** A line the log shows before `event`, if any (a path's: the step the event begins, in the
   *  words of mpkv verify's report). */
  readonly narrate?: (event: TraceEvent) => string | undefined;
}

const FAULTS = new Set<TraceEvent['kind']>(['drop', 'duplicate', 'crash', 'restart', 'partition-start', 'partition-end']);
/** How much faster virtual time goes while only background lines come (a quiet stretch). */
export const QUIET_PACE = 10;
/** A jump runs at most this many router steps (then stops where it got). */
const MAX_JUMP_STEPS = 5_000_000;
/** Background rehearsal: at most this many real ms per tick (the dashboard measures them). */
export const REHEARSAL_MS_PER_TICK = 8;

/** Is `event` a fault a schedule or config injected (a drop by loss or partition, not one to a crashed node)? */
const isFault = (event: TraceEvent): boolean =>
  FAULTS.has(event.kind) && !(event.kind === 'drop' && (event.reason === 'crashed' || event.reason === 'finished'));

export class SimDriver {
  private clock: number;
  private speedValue: number;
  private pausedValue: boolean;
  private readonly log = new RunLog();
  private resultValue: RunResult | undefined;
  private version = 0;
  private cached: { version: number; frame: Frame } | undefined;
  private readonly maxStepsPerTick: number;
  private readonly config: Config;
  private readonly router: RunRouter;
  /** Events the router has emitted so far (the next event's index in the trace). */
  private events = 0;
  private rehearsal: Rehearsal | undefined;
  private violationValue: Violation | undefined;
  private reached = false;
  /** What the current jump looks for; set to 'found' by the event that matches it. */
  private jump: { target: JumpTarget; found: boolean } | undefined;
  private noticeValue: string | undefined;
  /** The index of the event a jump runs to, when the rehearsal knows it. */
  private jumpTarget: number | undefined;
  private injectedSeen = 0;
  /** The clients (whose end ends the run), if the emulation can say when its nodes settled. */
  private readonly clients: ReadonlySet<string> | undefined;
  /** Since when the nodes have been settled with clients still at work (undefined: they are not). */
  private settledSince: number | undefined;
  /** The earlier events the violation names (its `evidence`), as a set. */
  private evidence: ReadonlySet<number> = new Set();
  /** Per node, the mark its next log line carries: an event of it was marked but had no line. */
  private readonly owed = new Map<string, 'violation' | 'evidence'>();

  constructor(
    private readonly run: Run,
    private readonly options: DriverOptions = {},
  ) {
    const { config, router } = run;
    this.config = config;
    this.router = router;
    this.speedValue = clampSpeed(options.speed ?? DEFAULT_SPEED);
    this.pausedValue = options.paused ?? false;
    this.maxStepsPerTick = options.maxStepsPerTick ?? 20_000;
    this.clients = run.emulation.settled ? new Set(run.emulation.nodes(config).filter((n) => n.client).map((n) => n.id)) : undefined;
    router.onEvent((event) => this.onEvent(event, this.events++));
    if (router.eventCount === 0) router.boot();
    this.clock = router.time;
    this.settle();
  }

  /** One event of the live run: its log line (folded if background), and whether it is what
   *  a jump or the violation mark waits for. */
  private onEvent(event: TraceEvent, index: number): void {
    const { emulation } = this.run;
    const marked = this.markOf(event, index);
    const newFaults = this.newlyInjected();
    const seeking = this.jump !== undefined && !this.jump.found;
    const hitFault = seeking && this.jump!.target === 'fault' && newFaults.length > 0;
    const hit = seeking && !hitFault && this.matches(this.jump!.target, event, index);
    for (const fault of newFaults) this.log.add(`[t=${fault.t} net] SCHEDULE ${fault.text}`, hitFault ? 'target' : 'fault');
    const narration = this.options.narrate?.(event);
    if (narration !== undefined) this.log.add(narration, 'step');
    if (hitFault) this.jump!.found = true;
    const text = formatEvent(event, (msg) => emulation.messages.describe(msg));
    const node = 'node' in event ? event.node : undefined;
    // A bare fact has no line: the node's next line (in this step) shows it.
    if (marked && text === undefined && node !== undefined) this.owed.set(node, marked);
    const mark = text === undefined ? undefined : (marked ?? this.takeOwed(node));
    if (text !== undefined) {
      const kind = mark || hit || FAULTS.has(event.kind) ? undefined : emulation.background?.(event);
      if (kind !== undefined) this.log.addBackground(kind, event, text);
      else if (mark === 'evidence') this.log.add(`${text}  ◀ named by ${this.violationValue!.check}`, 'evidence');
      else {
        const tone: LogTone = mark === 'violation' ? 'violation' : hit ? 'target' : event.kind === 'end' ? 'end' : FAULTS.has(event.kind) ? 'fault' : 'normal';
        this.log.add(text, tone);
      }
    }
    if (mark === 'violation' || (marked === 'violation' && node === undefined)) this.markViolation();
    if (hit) this.jump!.found = true;
  }

  /** Is `event` the violation, or an earlier step it names (until the violation is reached)? */
  private markOf(event: TraceEvent, index: number): 'violation' | 'evidence' | undefined {
    if (this.reached) return undefined;
    if (this.isViolation(event, index)) return 'violation';
    return this.evidence.has(index) ? 'evidence' : undefined;
  }

  /** The mark `node`'s next line owes to a bare fact of it, if any. */
  private takeOwed(node: string | undefined): 'violation' | 'evidence' | undefined {
    if (node === undefined) return undefined;
    const mark = this.owed.get(node);
    this.owed.delete(node);
    return mark;
  }

  /** One router step; then the marks its bare facts still owe lapse. */
  private step(): boolean {
    const more = this.router.step();
    this.settleOwed();
    return more;
  }

  /** The end of a step: marks still owed lapse (a violation is marked all the same). */
  private settleOwed(): void {
    if (this.owed.size === 0) return;
    const violation = [...this.owed.values()].includes('violation');
    this.owed.clear();
    if (violation) this.markViolation();
  }

  private matches(target: JumpTarget, event: TraceEvent, index: number): boolean {
    if (target === 'violation') return this.isViolation(event, index);
    if (this.jumpTarget !== undefined) return index === this.jumpTarget;
    return this.kinds(event).includes(target);
  }

  /** What the jump keys (other than the violation) would stop at. */
  private kinds(event: TraceEvent): EventTarget[] {
    const kinds: EventTarget[] = [];
    if (isFault(event)) kinds.push('fault');
    if (event.kind === 'crash') kinds.push('crash');
    if (event.kind === 'note' && this.run.emulation.diagram?.mark?.(event)?.strong === true) kinds.push('milestone');
    return kinds;
  }

  /** The event the rehearsal named (or, if it named only a time, the first event at that time). */
  private isViolation(event: TraceEvent, index: number): boolean {
    const v = this.violationValue;
    if (!v) return false;
    return v.event !== undefined ? v.event === index : Number.isFinite(v.t) && event.t >= v.t && event.kind !== 'end';
  }

  /** The schedule's faults injected since the last event (the network decides at each send). */
  private newlyInjected(): readonly InjectedNote[] {
    const all = this.options.injected?.(this.run);
    if (!all || all.length === this.injectedSeen) return [];
    const fresh = all.slice(this.injectedSeen);
    this.injectedSeen = all.length;
    return fresh;
  }

  /** The live run is at the violation: say so in the log, and stop there to be looked at. */
  private markViolation(): void {
    const v = this.violationValue!;
    this.reached = true;
    const named = v.evidence.length > 0 ? ` (the earlier step(s) it names are marked ◀ above)` : '';
    this.log.add(`[t=${v.t} check] ▶ VIOLATION: ${v.check} first failed here${named}: ${v.detail.split('\n')[0]}`, 'violation');
    this.pausedValue = true;
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

  /** The rehearsal's judgement of the same run, once it has run to the end. */
  get rehearsed(): RunResult | undefined {
    return this.rehearsal?.judged;
  }

  /** The judged run, once it has ended. */
  get result(): RunResult | undefined {
    return this.resultValue;
  }

  /** `realMs` of real time passed: run the simulation that far (unless paused). */
  advance(realMs: number, shouldYield?: () => boolean): void {
    if (this.pausedValue || this.router.done) return;
    // Nothing but background lines since the last line that matters: nothing to watch, go faster.
    this.clock += ((this.log.folded > 0 ? QUIET_PACE : 1) * this.speedValue * realMs) / 1000;
    const before = this.events;
    for (let n = 0; n < this.maxStepsPerTick; n++) {
      const next = this.router.nextAt();
      if (next !== undefined && next > this.clock) break;
      if (!this.step()) break;
      if (this.pausedValue) break; // stopped at the violation
      if ((n & 63) === 63 && shouldYield?.()) break;
    }
    // Never let the clock run far ahead of a simulation that cannot keep up.
    this.clock = Math.min(this.clock, this.router.time + this.speedValue);
    if (this.events !== before) this.version++;
    this.settle();
  }

  /** Background work between frames: the rehearsal, when it should run early. */
  idle(shouldYield: () => boolean): void {
    if (!this.options.rehearseEarly || !this.options.rehearse || this.rehearsal?.done || this.resultValue) return;
    if (this.rehearse(shouldYield)) this.version++;
  }

  /** One protocol event: step until the log gains a line or a fold grows (or the run ends). */
  stepOne(): void {
    if (this.router.done) return;
    const lines = this.log.length;
    const folded = this.log.folded;
    for (let n = 0; n < 100_000 && this.log.length === lines && this.log.folded === folded; n++) if (!this.step()) break;
    this.clock = Math.max(this.clock, this.router.time);
    this.noticeValue = undefined;
    this.version++;
    this.settle();
  }

  /**
   * Runs the live run to the next event of the kind asked for and pauses there; the violation
   * is found by rehearsing the run first (once). Says so when there is none ahead.
   */
  jumpTo(target: JumpTarget): void {
    this.noticeValue = undefined;
    this.version++;
    if (this.router.done) {
      this.noticeValue = 'the run has ended';
      return;
    }
    if (target === 'violation' && !this.findViolation()) return;
    this.jumpTarget = undefined;
    if (target !== 'violation' && this.options.rehearse) {
      // The rehearsal knows whether there is one ahead: never run off to the end for nothing.
      this.rehearse(() => false);
      this.jumpTarget = this.rehearsal!.next(target, this.events);
      if (this.jumpTarget === undefined) {
        this.noticeValue = `no ${JUMP_WORDS[target]} in the rest of the run`;
        return;
      }
    }
    this.jump = { target, found: false };
    const endsAtEnd = target === 'violation' && this.violationValue?.event === undefined && !Number.isFinite(this.violationValue?.t ?? Infinity);
    for (let n = 0; n < MAX_JUMP_STEPS && !this.jump.found; n++) if (!this.step()) break;
    const found = this.jump.found || (endsAtEnd && this.router.done);
    this.jump = undefined;
    this.jumpTarget = undefined;
    this.log.flush();
    this.pausedValue = true;
    this.clock = Math.max(this.clock, this.router.time);
    if (!found) this.noticeValue = this.router.done ? `no ${JUMP_WORDS[target]} in the rest of the run` : `no ${JUMP_WORDS[target]} within ${MAX_JUMP_STEPS} steps`;
    this.settle();
  }

  /** Is there a violation ahead to jump to? (Rehearses the run if that is not known yet.) */
  private findViolation(): boolean {
    if (!this.violationValue && !this.resultValue && this.options.rehearse) this.rehearse(() => false);
    const v = this.violationValue ?? (this.resultValue ? firstViolation(this.resultValue.verdicts) : undefined);
    if (!v) {
      this.noticeValue = this.options.rehearse || this.resultValue ? 'no check fails in this run' : 'cannot tell where the violation is (no rehearsal)';
      return false;
    }
    if (this.reached || this.resultValue) {
      this.noticeValue = `the violation is behind (t=${Number.isFinite(v.t) ? v.t : 'end'}): replay the run to see it happen`;
      return false;
    }
    return true;
  }

  /** Steps the rehearsal (until `shouldStop`); true once it has judged the run. */
  private rehearse(shouldStop: () => boolean): boolean {
    this.rehearsal ??= new Rehearsal(this.options.rehearse!(), (event) => this.kinds(event), this.options.injected);
    if (this.rehearsal.done) return true;
    if (!this.rehearsal.advance(shouldStop)) return false;
    this.setViolation(firstViolation(this.rehearsal.judged!.verdicts));
    // The live run may be past it already (no mark then: the verdicts will say it).
    if (this.violationValue?.event !== undefined && this.events > this.violationValue.event) this.reached = true;
    return true;
  }

  /** Are the nodes settled while clients are still at work? Looked at after each batch of steps. */
  private watchSettled(): void {
    const { emulation } = this.run;
    if (!emulation.settled || !this.clients || this.router.done) return void (this.settledSince = undefined);
    const views = this.router.views();
    const busy = views.some((v) => this.clients!.has(v.id) && v.status === 'up');
    if (busy && emulation.settled(views)) this.settledSince ??= this.router.time;
    else this.settledSince = undefined;
  }

  private settledText(): string | undefined {
    if (this.settledSince === undefined) return undefined;
    const busy = this.router.views().filter((v) => this.clients!.has(v.id) && v.status === 'up').length;
    return `settled since t=${this.settledSince}: nothing left to agree on; waiting for ${busy} client(s) at work`;
  }

  togglePause(): void {
    this.pausedValue = !this.pausedValue;
    this.clock = Math.max(this.clock, this.router.time);
    this.noticeValue = undefined;
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
      title: frameTitle(this.config),
      heading: { emulation: this.config.emulation, seed: this.config.seed, mutants: this.config.mutants.enable },
      emulation: this.run.emulation,
      time: this.router.time,
      speed: this.speedValue,
      paused: this.pausedValue,
      ended: this.router.done ? summary.reason : undefined,
      views: this.router.views(),
      log: this.log.snapshot(),
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
      replay: this.options.replay,
      timeUnit: this.options.timeUnit ?? 'ms',
      violation: this.violationValue ? { ...this.violationValue, reached: this.reached || this.resultValue !== undefined } : undefined,
      folding: this.log.folding,
      settled: this.settledText(),
      notice: this.noticeValue,
    };
    this.cached = { version: this.version, frame };
    return frame;
  }

  private setViolation(v: Violation | undefined): void {
    this.violationValue = v;
    this.evidence = new Set(v?.evidence ?? []);
  }

  /** Once the router has ended, judge the run (once). */
  private settle(): void {
    this.watchSettled();
    if (this.router.done && !this.resultValue) {
      this.log.flush();
      this.resultValue = finishRun(this.run);
      if (!this.violationValue) this.setViolation(firstViolation(this.resultValue.verdicts));
      this.version++;
    }
  }
}

const JUMP_WORDS: Record<JumpTarget, string> = { violation: 'violation', fault: 'further fault', milestone: 'further milestone', crash: 'further crash' };

/** `<emulation> · seed 1 · mutant <name>` (the header shows REPLAY apart, in front). */
export function frameTitle(config: Config): string {
  const n = config.mutants.enable.length;
  const mutants = n ? ` · mutant${n > 1 ? 's' : ''} ${config.mutants.enable.join(', ')}` : '';
  return `${config.emulation} · seed ${config.seed}${mutants}`;
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
