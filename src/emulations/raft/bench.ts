/**
 * What `npm run bench` measures of Raft:
 *  - messages per completed request and the requests' latency in virtual time, read off the
 *    run's trace the same way for any kv emulation (`kvWorkloadFigures`: the side-by-side
 *    table with MultiPaxos in the README is made with it, see test/raft-vs-multipaxos.test.ts);
 *  - delivered messages per second of wall-clock time in a long run (100 clients x 100
 *    requests: the simulator's speed, not the protocol's);
 *  - where exploration and the model checker hunt each mutant.
 */
import type { BenchSpec } from '../api/emulation.js';
import type { FactBase, TraceEvent } from '../../sim/trace.js';
import type { KvFact } from '../kv/messages.js';
import type { MutantName } from './mutants.js';

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

interface Shape {
  readonly servers: number;
  readonly clients: number;
  readonly requests: number;
  readonly batch?: number;
}

function toml(s: Shape): string {
  const raft = s.batch === undefined ? '' : `[raft]\nbatch = ${s.batch}\n`;
  // The figures read the messages, not the verdicts: a bounded linearizability search will do.
  return `check_steps = 1000000\n[topology]\nservers = ${s.servers}\nclients = ${s.clients}\n[workload]\nrequests = ${s.requests}\n${raft}`;
}

function figure(shape: Shape): BenchSpec['figures'][number] {
  return {
    config: toml(shape),
    figure: ({ trace }) =>
      `${shape.servers} servers, ${shape.clients} clients x ${shape.requests} requests${shape.batch ? `, batch ${shape.batch}` : ''}: ${workloadText(kvWorkloadFigures(trace))}`,
  };
}

const huntingGrounds: Record<MutantName, string> = {
  'votes-twice-in-a-term': 'configs/raft.toml',
  'commits-earlier-term-by-counting': 'configs/mutants/raft-figure8.toml',
  'appends-without-truncating': 'configs/raft-figure7.toml',
  'forgets-vote-on-restart': 'configs/mutants/raft-restarts.toml',
  'leader-ignores-higher-term': 'configs/raft-partition.toml',
  'votes-for-stale-log': 'configs/raft-crash-leader.toml',
};

const verifyGrounds: Record<MutantName, string> = {
  'votes-twice-in-a-term': 'configs/verify/raft-election.toml',
  'commits-earlier-term-by-counting': 'configs/verify/raft-figure8.toml',
  'appends-without-truncating': 'configs/verify/raft-truncate.toml',
  'forgets-vote-on-restart': 'configs/verify/raft-restart.toml',
  'leader-ignores-higher-term': 'configs/verify/raft-election.toml',
  'votes-for-stale-log': 'configs/verify/raft-election.toml',
};

export const bench: BenchSpec = {
  figures: [
    figure({ servers: 3, clients: 3, requests: 200 }),
    figure({ servers: 5, clients: 3, requests: 200 }),
    figure({ servers: 3, clients: 100, requests: 20, batch: 16 }),
    figure({ servers: 5, clients: 100, requests: 20, batch: 16 }),
  ],
  load: { name: '100 clients x 100 requests', config: toml({ servers: 3, clients: 100, requests: 100 }) },
  huntingGrounds,
  verifyGrounds,
};
