/**
 * The judge of a kv emulation's run (kv_store, MultiPaxos): it reads the facts as they stream
 * and gives, in order, linearizability of the client history, the replicated-log checks
 * (./log-checks.ts), convergence of the learners' stores and per-client liveness, with the
 * reasons a stalled run stalled.
 */
import type { Rsm } from '../../kv/rsm.js';
import type { NodeView } from '../../sim/router.js';
import type { TraceEvent } from '../../sim/trace.js';
import { formatMpkvHistory, invokeEvent, okEvent, type MpkvHistoryEvent } from '../../../specs/formats/mpkv.js';
import { liveness, type ClientEnd } from '../../../specs/liveness.js';
import { guarded, type Verdict, type VerdictAt } from '../../../specs/verdict.js';
import type { JudgeOptions, RunEnd, RunJudge } from '../api/emulation.js';
import { linearizabilityJudgeWith } from './linearizability.js';
import { Agreement, atFact, convergence, FactReader, Integrity, Order, Validity, type FactCheck, type LearnerEnd } from './log-checks.js';
import type { KvFact } from './messages.js';

/** What a run's facts add up to, for the summary and for explaining a stall. */
export interface KvTally {
  /** Distinct requests answered, per client node. */
  readonly completed: ReadonlyMap<string, ReadonlySet<number>>;
  /** Requests re-sent after a timeout. */
  readonly retries: number;
  /** Slots decided by the node that counted the quorum (facts with a ballot). */
  readonly decided: number;
}

export interface KvJudgeSpec {
  /** Requests each client makes. */
  readonly requests: number;
  /** The nodes whose stores must converge (leaders and replicas; the kv server). */
  isLearner(view: NodeView): boolean;
  /** Why a run whose clients did not finish stalled, beyond what the core knows. */
  stallReasons(end: RunEnd, tally: KvTally): readonly string[];
}

export function kvJudge(spec: KvJudgeSpec, options: JudgeOptions): RunJudge<never, KvFact> {
  const reader = new FactReader();
  const agreement = new Agreement();
  const checks: Array<[string, FactCheck]> = [
    ['agreement', agreement],
    ['validity', new Validity()],
    ['integrity', new Integrity()],
    ['order', new Order()],
  ];
  const history: MpkvHistoryEvent[] = [];
  /** Where each history event was noted (for the step at which linearizability broke). */
  const historyAt: VerdictAt[] = [];
  const completed = new Map<string, Set<number>>();
  let retries = 0;
  let decided = 0;
  const linearizability = linearizabilityJudgeWith(options.check ?? {});

  return {
    reads: FactReader.reads,
    observe(event: TraceEvent<never, KvFact>, index: number): void {
      const noted = reader.read(event, index);
      if (!noted) return;
      for (const [, check] of checks) check.observe(noted);
      const fact = noted.fact;
      if (fact.kind === 'invoke') {
        history.push(invokeEvent(fact.client, fact.command, noted.t));
        historyAt.push(atFact(noted));
      } else if (fact.kind === 'complete') {
        history.push(okEvent(fact.client, fact.command, fact.result, noted.t));
        historyAt.push(atFact(noted));
        let seen = completed.get(noted.node);
        if (!seen) completed.set(noted.node, (seen = new Set()));
        seen.add(fact.request_id);
      } else if (fact.kind === 'retry') retries++;
      else if (fact.kind === 'decide' && fact.ballot !== undefined) decided++;
    },

    finish(end: RunEnd) {
      const clients = clientEnds(end.views, spec.requests, completed);
      const stalled = clients.some((c) => !c.down && c.completed < c.requests);
      const why = (): string[] => [...end.stalled, ...spec.stallReasons(end, { completed, retries, decided })];
      const verdicts: Verdict[] = [
        guarded('linearizability', () => linearizability(history, options.witness === false ? undefined : agreement.requestsInLogOrder(), historyAt)),
        ...checks.map(([name, check]) => guarded(name, () => check.verdict())),
        guarded('convergence', () => convergence(learnerEnds(end.views, spec))),
        guarded('liveness', () => liveness(clients, `${end.summary.reason} at t=${end.summary.time_ms}`, stalled ? why() : [])),
      ];
      const down = clients.filter((c) => c.down).length;
      const counts = [
        `requests completed: ${sum(clients.map((c) => c.completed))}/${sum(clients.map((c) => c.requests))}`,
        ...(down > 0 ? [`clients down at the end: ${down}`] : []),
      ];
      return { verdicts, counts };
    },

    history: () => ({ model: 'kv', text: () => formatMpkvHistory(history) }),
  };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

function clientEnds(views: readonly NodeView[], requests: number, completed: ReadonlyMap<string, ReadonlySet<number>>): ClientEnd[] {
  return views
    .filter((v) => v.role === 'client')
    .map((v) => ({ node: v.id, requests, completed: completed.get(v.id)?.size ?? 0, down: v.status === 'crashed' }));
}

function learnerEnds(views: readonly NodeView[], spec: KvJudgeSpec): LearnerEnd[] {
  return views.filter(spec.isLearner).map((v) => {
    const context = v.context as { applied?: number; rsm?: Rsm } | undefined;
    return { node: v.id, up: v.status === 'up', applied: context?.applied ?? 0, store: context?.rsm?.store ?? new Map() };
  });
}

/**
 * Nothing was down or cut off, yet the clients did not finish: the requests were too slow.
 * What was done against what was needed, and the keys that change it (kv emulations share it).
 */
export function slowRunReasons(
  end: RunEnd,
  tally: KvTally,
  cfg: { clients: number; requests: number; time_limit_ms: number; timeout_ms: number },
  /** The protocol's own figures and knobs (decided slots per second, its window). */
  protocol: readonly string[] = [],
): string[] {
  const seconds = Math.max(end.summary.time_ms, 1) / 1000;
  const needed = cfg.clients * cfg.requests;
  const completed = sum([...tally.completed.values()].map((s) => s.size));
  const per = (n: number): string => `${(n / seconds).toFixed(1)}/s`;
  const lines = [
    `nothing was down or cut off: the requests were too slow. ${completed}/${needed} requests completed in ${end.summary.time_ms} ms (${per(completed)}); ` +
      `finishing in time_limit_ms needs ${(needed / (cfg.time_limit_ms / 1000)).toFixed(1)}/s`,
    ...protocol,
  ];
  if (tally.retries > 0) {
    lines.push(
      `clients re-sent requests ${tally.retries} time(s) after workload.timeout_ms = ${cfg.timeout_ms} ms without a reply: ` +
        `retries add load; raise workload.timeout_ms when replies are merely slow`,
    );
  }
  lines.push(`or give the run longer: time_limit_ms = ${cfg.time_limit_ms}`);
  return lines;
}
