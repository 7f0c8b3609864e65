/**
 * A kv run's traffic and latency, read off its trace the same way whatever the emulation: the
 * figures that compare replication protocols on one workload (`npm run bench -- consensus`).
 */
import type { FactBase, TraceEvent } from '../../sim/trace.js';
import type { KvFact } from './messages.js';

/** A kv run's traffic and latency, from its trace (sends, and the clients' invoke and complete
 *  facts): the figures the README compares between emulations. */
export interface WorkloadFigures {
  /** Distinct requests completed. */
  readonly requests: number;
  /** Messages sent until the last request completed (the drain after it is left out). */
  readonly messages: number;
  /** Virtual ms from a request's first send to its reply: mean, median, 99th percentile. */
  readonly mean_ms: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
}

export function kvWorkloadFigures(trace: readonly TraceEvent<{ readonly type: string }, FactBase>[]): WorkloadFigures {
  const started = new Map<string, number>();
  const latencies: number[] = [];
  let last = 0;
  for (const e of trace) {
    if (e.kind !== 'note' || !e.fact) continue;
    const fact = e.fact as KvFact;
    const key = `${e.node}/${'request_id' in fact ? fact.request_id : ''}`;
    if (fact.kind === 'invoke') started.set(key, e.t);
    else if (fact.kind === 'complete' && started.has(key)) {
      latencies.push(e.t - started.get(key)!);
      started.delete(key);
      last = e.t;
    }
  }
  const messages = trace.filter((e) => e.kind === 'send' && e.t <= last).length;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const mean = latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length);
  return { requests: latencies.length, messages, mean_ms: mean, p50_ms: at(0.5), p99_ms: at(0.99) };
}

/** `11.02 messages/request, latency mean 12.3 ms, p50 11, p99 31 (600 requests)`. */
export function workloadText(f: WorkloadFigures): string {
  return `${(f.messages / f.requests).toFixed(2)} messages per request, latency mean ${f.mean_ms.toFixed(1)} ms, p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms (${f.requests} requests)`;
}

