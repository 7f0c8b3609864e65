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
import { agreement, convergence, factsOf, integrity, liveness, order, validity, type ClientEnd, type LearnerEnd, type Noted } from '../../specs/invariants.js';
import { guarded, overallStatus, type Verdict, type VerdictStatus } from '../../specs/verdict.js';
import { stallReasons } from './diagnose.js';
import { createRouter, type EmulationOptions } from './index.js';

/** One line of the client history (`--history FILE`, `mpkv check --format mpkv`). */
export type HistoryEvent = MpkvHistoryEvent;

export interface RunResult {
  readonly config: Config;
  readonly summary: RunSummary;
  readonly trace: readonly TraceEvent[];
  readonly history: HistoryEvent[];
  /** Each client at the end: requests, completions, whether it was down. */
  readonly clients: readonly ClientEnd[];
  readonly verdicts: Verdict[];
  /** fail if a check failed, else unknown if one could not decide, else ok. */
  readonly status: VerdictStatus;
}

/** Judges what linearizability means for a history; supplied by specs/ (see checks.ts). */
export type HistoryJudge = (history: readonly HistoryEvent[]) => Verdict;

/** Runs to the end (or continues a router the caller has been stepping). */
export function finishRun(config: Config, router: Router, judge?: HistoryJudge): RunResult {
  const summary = router.run();
  const trace = router.trace;
  const history = historyOf(trace);
  const facts = factsOf(trace);
  const views = router.views();
  const learners: LearnerEnd[] = views
    .filter((v) => /^(leader|replica|server)/.test(v.id))
    .map((v) => {
      const context = v.context as { applied?: number; rsm?: Rsm } | undefined;
      return { node: v.id, up: v.status === 'up', applied: context?.applied ?? 0, store: context?.rsm?.store ?? new Map() };
    });
  const clients = clientEnds(config, views, facts);
  const why = (): string[] => stallReasons({ config, summary, views, partitions: router.activePartitionWindows(), facts });
  const verdicts = [
    ...(judge ? [guarded('linearizability', () => judge(history))] : []),
    guarded('agreement', () => agreement(facts)),
    guarded('validity', () => validity(facts)),
    guarded('integrity', () => integrity(facts)),
    guarded('order', () => order(facts)),
    guarded('convergence', () => convergence(learners)),
    guarded('liveness', () => liveness(clients, `${summary.reason} at t=${summary.time_ms}`, clients.some((c) => !c.down && c.completed < c.requests) ? why() : [])),
  ];
  return { config, summary, trace, history, clients, verdicts, status: overallStatus(verdicts) };
}

export function emulate(config: Config, options: EmulationOptions = {}, judge?: HistoryJudge): RunResult {
  return finishRun(config, createRouter(config, options), judge);
}

/** Each client's requests and distinct completions, from its facts, and whether it ended down. */
function clientEnds(config: Config, views: readonly { id: string; status: string }[], facts: readonly Noted[]): ClientEnd[] {
  const completed = new Map<string, Set<number>>();
  for (const { node, fact } of facts) {
    if (fact.kind !== 'complete') continue;
    let seen = completed.get(node);
    if (!seen) completed.set(node, (seen = new Set()));
    seen.add(fact.request_id);
  }
  return views
    .filter((v) => v.id.startsWith('client '))
    .map((v) => ({ node: v.id, requests: config.workload.requests, completed: completed.get(v.id)?.size ?? 0, down: v.status === 'crashed' }));
}

/**
 * The client history, from the trace: a request's first send is its invocation, its reply
 * the completion. A client that crashes for good leaves its request pending; one that restarts
 * re-sends its in-flight request with the same id, so the operation stays one operation of the
 * same process, completed when the answer comes.
 */
export function historyOf(trace: readonly TraceEvent[]): HistoryEvent[] {
  const history: HistoryEvent[] = [];
  for (const e of trace) {
    if (e.kind !== 'note' || !e.fact) continue;
    const fact = e.fact;
    if (fact.kind === 'invoke') history.push(invokeEvent(fact.client, fact.command, e.t));
    else if (fact.kind === 'complete') history.push(okEvent(fact.client, fact.command, fact.result, e.t));
  }
  return history;
}
