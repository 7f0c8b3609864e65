/**
 * MultiPaxos protocol figures:
 *  - messages per decided command against the steady-state optimum without batching,
 *    2 + 2A + R + (L - 1): request + reply, accept + accepted per acceptor, a decision per
 *    replica and per other leader;
 *  - delivered messages per second of wall-clock time in a long run (100 clients x 100
 *    requests), median of several runs.
 */
import { parseConfig } from '../src/config/load.js';
import { emulate } from '../src/emulations/run.js';
import { median } from './stats.js';

function topology(acceptors: number, replicas: number, clients: number, requests: number): string {
  return `[topology]\nacceptors = ${acceptors}\nleaders = 1\nreplicas = ${replicas}\nclients = ${clients}\n[workload]\nrequests = ${requests}\n`;
}

function messagesPerCommand(acceptors: number, replicas: number): string {
  const config = parseConfig(topology(acceptors, replicas, 3, 200), 'bench');
  const result = emulate(config);
  const decided = result.trace.filter((e) => e.kind === 'note' && e.fact?.kind === 'decide' && e.node.startsWith('leader') && e.fact.command.kind === 'request').length;
  const perCommand = result.summary.sent / decided;
  const optimum = 2 + 2 * acceptors + replicas;
  return `messages per decided command, ${acceptors} acceptors / 1 leader / ${replicas} replicas: ${perCommand.toFixed(2)} (optimum ${optimum}; ${((perCommand / optimum - 1) * 100).toFixed(1)}% above it, ${decided} commands)`;
}

function throughput(runs: number): string {
  const config = parseConfig(topology(3, 2, 100, 100), 'bench');
  const rates: number[] = [];
  let delivered = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = emulate({ ...config, seed: i + 1 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    delivered = result.summary.delivered;
    rates.push(result.summary.delivered / seconds);
  }
  return `delivered messages per wall-clock second, 100 clients x 100 requests (${delivered} messages a run): median ${Math.round(median(rates))} over ${runs} runs (min ${Math.round(Math.min(...rates))}, max ${Math.round(Math.max(...rates))})`;
}

export async function benchProtocol(): Promise<string[]> {
  return [messagesPerCommand(3, 2), messagesPerCommand(5, 3), throughput(3)];
}
