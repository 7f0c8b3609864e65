/**
 * A rehearsal: a copy of the watched run, played silently to its end and judged. A run is
 * deterministic (same config, same schedule: same trace), so the copy tells the dashboard, before
 * the watched run gets there, at which event a check first fails (`Verdict.at`) and where the
 * events the jump keys look for happen (their indices in the trace), so a jump knows whether
 * there is one ahead and stops exactly on it.
 */
import { finishRun, type Run, type RunResult } from '../emulations/run.js';
import type { TraceEvent } from '../sim/trace.js';
import type { Verdict } from '../../specs/verdict.js';

/** What the jump keys look for. */
export type JumpTarget = 'violation' | 'fault' | 'milestone' | 'crash';
export type EventTarget = Exclude<JumpTarget, 'violation'>;

/** A fault a schedule injected, as the log shows it. */
export interface InjectedNote {
  readonly t: number;
  readonly text: string;
}

/** Where the run first failed a check, once a rehearsal (or the end of the run) says so. */
export interface Violation {
  readonly check: string;
  readonly detail: string;
  /** Virtual time; Infinity when only the end of the run shows it. */
  readonly t: number;
  /** The trace event (index) at which it failed; undefined: not known. */
  readonly event: number | undefined;
  /** The earlier events the failure names (`VerdictAt.evidence`): marked in the log as they pass. */
  readonly evidence: readonly number[];
  /** The other checks that failed, first in time first. */
  readonly others: readonly string[];
}

/** The first failure with a place in the run (the earliest), else the first failure; with the
 *  names of the others. */
export function firstViolation(verdicts: readonly Verdict[]): Violation | undefined {
  const failed = verdicts.filter((v) => v.status === 'fail');
  const placed = failed.filter((v) => v.at).sort((a, b) => a.at!.t - b.at!.t || (a.at!.event ?? 0) - (b.at!.event ?? 0));
  const inTime = [...placed, ...failed.filter((v) => !v.at)];
  const v = inTime[0];
  if (!v) return undefined;
  const others = inTime.slice(1).map((o) => o.name);
  return { check: v.name, detail: v.detail, t: v.at?.t ?? Infinity, event: v.at?.event, evidence: v.at?.evidence ?? [], others };
}

export class Rehearsal {
  private result: RunResult | undefined;
  private booted = false;
  private count = 0;
  /** Per jump target, the indices of the events it stops at, in order. */
  readonly found: Record<EventTarget, number[]> = { fault: [], milestone: [], crash: [] };

  /**
   * `classify` says which jump targets an event is; `injected`, the schedule's faults that have
   * no event of their own so far (each counts as a fault at the event during which it came).
   */
  constructor(
    private readonly run: Run,
    classify: (event: TraceEvent) => readonly EventTarget[],
    injected?: (run: Run) => readonly InjectedNote[],
  ) {
    let seen = 0;
    run.router.onEvent((event) => {
      const index = this.count++;
      const faults = injected?.(run).length ?? 0;
      const kinds = classify(event);
      for (const target of kinds) this.found[target].push(index);
      if (faults > seen && !kinds.includes('fault')) this.found.fault.push(index);
      seen = faults;
    });
  }

  /** The judged run, once the rehearsal has reached its end. */
  get judged(): RunResult | undefined {
    return this.result;
  }

  get done(): boolean {
    return this.result !== undefined;
  }

  /** The first index at or after `from` of an event `target` stops at. */
  next(target: EventTarget, from: number): number | undefined {
    return this.found[target].find((index) => index >= from);
  }

  /** Steps on until `shouldStop` (asked every 64 steps) or the end; true once judged. */
  advance(shouldStop: () => boolean = () => false): boolean {
    if (this.result) return true;
    const { router } = this.run;
    if (!this.booted) {
      this.booted = true;
      router.boot();
    }
    for (let n = 1; !router.done; n++) {
      if (!router.step()) break;
      if ((n & 63) === 0 && shouldStop()) return false;
    }
    this.result = finishRun(this.run);
    return true;
  }
}
