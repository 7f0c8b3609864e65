/**
 * One emulation run from start to verdicts: build the world from the config, run the router to
 * the end, then judge the trace. The views (plain, JSON, dashboard) subscribe to the router's
 * events; nothing here prints.
 */
import type { Config } from '../config/schema.js';
import { invokeEvent, okEvent, type MpkvHistoryEvent } from '../../specs/formats/mpkv.js';
import type { Rsm } from '../kv/rsm.js';
import type { Router, RunSummary } from '../sim/router.js';
import type { TraceEvent } from '../sim/trace.js';
import { agreement, convergence, factsOf, integrity, liveness, order, validity, type LearnerEnd, type Verdict } from '../../specs/invariants.js';
import { createRouter, type EmulationOptions } from './index.js';

/** One line of the client history (`--history FILE`, `mpkv check --format mpkv`). */
export type HistoryEvent = MpkvHistoryEvent;

export interface RunResult {
  readonly config: Config;
  readonly summary: RunSummary;
  readonly trace: readonly TraceEvent[];
  readonly history: HistoryEvent[];
  readonly completed: number;
  readonly expected: number;
  readonly verdicts: Verdict[];
}

/** Judges what linearizability means for a history; supplied by specs/ (see checks.ts). */
export type HistoryJudge = (history: readonly HistoryEvent[]) => Verdict;

/** Runs to the end (or continues a router the caller has been stepping). */
export function finishRun(config: Config, router: Router, judge?: HistoryJudge): RunResult {
  const summary = router.run();
  const trace = router.trace;
  const history = historyOf(trace);
  const facts = factsOf(trace);
  const completed = facts.filter((f) => f.fact.kind === 'complete').length;
  const views = router.views();
  const expected = views
    .filter((v) => v.id.startsWith('client ') && v.status !== 'crashed')
    .reduce((n) => n + config.workload.requests, 0);
  const learners: LearnerEnd[] = views
    .filter((v) => /^(leader|replica|server)/.test(v.id))
    .map((v) => {
      const context = v.context as { applied?: number; rsm?: Rsm } | undefined;
      return { node: v.id, up: v.status === 'up', applied: context?.applied ?? 0, store: context?.rsm?.store ?? new Map() };
    });
  const verdicts = [
    ...(judge ? [judge(history)] : []),
    agreement(facts),
    validity(facts),
    integrity(facts),
    order(facts),
    convergence(learners),
    liveness(completed, expected, summary.reason),
  ];
  return { config, summary, trace, history, completed, expected, verdicts };
}

export function emulate(config: Config, options: EmulationOptions = {}, judge?: HistoryJudge): RunResult {
  return finishRun(config, createRouter(config, options), judge);
}

/**
 * The client history, from the trace: a request's first send is its invocation, its reply
 * the completion. A client that crashes leaves its request pending; after a restart it
 * continues as a new process (process ids above the client count), as in Jepsen.
 */
export function historyOf(trace: readonly TraceEvent[]): HistoryEvent[] {
  const history: HistoryEvent[] = [];
  const process = new Map<string, number>();
  let nextProcess = 1 + Math.max(0, ...trace.flatMap((e) => (e.kind === 'note' && e.fact?.kind === 'invoke' ? [e.fact.client] : [])));
  for (const e of trace) {
    if (e.kind === 'restart' && process.has(e.node)) process.set(e.node, nextProcess++);
    if (e.kind !== 'note' || !e.fact) continue;
    const fact = e.fact;
    if (fact.kind !== 'invoke' && fact.kind !== 'complete') continue;
    if (!process.has(e.node)) process.set(e.node, fact.client);
    const p = process.get(e.node)!;
    history.push(fact.kind === 'invoke' ? invokeEvent(p, fact.command, e.t) : okEvent(p, fact.command, fact.result, e.t));
  }
  return history;
}
