/**
 * MultiPaxos and Raft side by side (`npm run bench -- consensus`): the same kv workload on the
 * same network, each on the cluster that survives as many crashes, messages per request and the
 * requests' latency in virtual time, read off each run's trace the same way
 * (src/emulations/kv/figures.ts). Virtual time makes the figures exact: the README's table is
 * this table, and test/raft-vs-multipaxos.test.ts holds it to that.
 */
import type { AnyEmulation, Config } from '../src/emulations/api/emulation.js';
import { kvWorkloadFigures } from '../src/emulations/kv/figures.js';
import { emulate, type RunResult } from '../src/emulations/run.js';

export interface SideBySideRow {
  /** The workload, on the first row of its group. */
  readonly workload: string;
  readonly cluster: string;
  readonly toml: string;
}

const check = 'check_steps = 1000000\n';
const sequential = '[workload]\nrequests = 200\n';
const busy = '[workload]\nrequests = 20\n';

/** Each workload on a MultiPaxos cluster and on the Raft cluster that survives as many crashes. */
export const SIDE_BY_SIDE: readonly SideBySideRow[] = [
  { workload: '3 clients x 200 requests', cluster: 'MultiPaxos: 3 acceptors, 1 leader, 2 replicas', toml: `emulation = "multipaxos"\n${check}[topology]\nacceptors = 3\nreplicas = 2\nclients = 3\n${sequential}` },
  { workload: '', cluster: 'Raft: 3 servers', toml: `emulation = "raft"\n${check}[topology]\nservers = 3\nclients = 3\n${sequential}` },
  { workload: '3 clients x 200 requests', cluster: 'MultiPaxos: 5 acceptors, 1 leader, 4 replicas', toml: `emulation = "multipaxos"\n${check}[topology]\nacceptors = 5\nreplicas = 4\nclients = 3\n${sequential}` },
  { workload: '', cluster: 'Raft: 5 servers', toml: `emulation = "raft"\n${check}[topology]\nservers = 5\nclients = 3\n${sequential}` },
  { workload: '100 clients x 20 requests', cluster: 'MultiPaxos: 3 acceptors, 1 leader, 2 replicas', toml: `emulation = "multipaxos"\n${check}[topology]\nacceptors = 3\nreplicas = 2\nclients = 100\n${busy}` },
  { workload: '', cluster: 'Raft: 3 servers, pipelined (window 4, batch 1)', toml: `emulation = "raft"\n${check}[topology]\nservers = 3\nclients = 100\n${busy}[raft]\nwindow = 4\nbatch = 1\n` },
  { workload: '', cluster: 'Raft: 3 servers', toml: `emulation = "raft"\n${check}[topology]\nservers = 3\nclients = 100\n${busy}` },
  {
    workload: '100 clients x 20 requests, batch 16',
    cluster: 'MultiPaxos: 3 acceptors, 1 leader, 2 replicas',
    toml: `emulation = "multipaxos"\n${check}[topology]\nacceptors = 3\nreplicas = 2\nclients = 100\n${busy}[paxos]\nbatch = 16\n`,
  },
  { workload: '', cluster: 'Raft: 3 servers', toml: `emulation = "raft"\n${check}[topology]\nservers = 3\nclients = 100\n${busy}[raft]\nbatch = 16\n` },
];

/** The table in Markdown, each row's run given to `judged` (a test checks its verdicts). */
export function sideBySideTable(
  configOf: (toml: string) => { emulation: AnyEmulation; config: Config },
  judged: (row: SideBySideRow, result: RunResult) => void = () => {},
): string {
  const lines = ['| workload | cluster | messages / request | latency mean | p50 | p99 |', '|---|---|---|---|---|---|'];
  for (const row of SIDE_BY_SIDE) {
    const { emulation, config } = configOf(row.toml);
    const result = emulate(emulation, config, { keepTrace: true });
    judged(row, result);
    const f = kvWorkloadFigures(result.trace!);
    lines.push(`| ${row.workload} | ${row.cluster} | ${(f.messages / f.requests).toFixed(2)} | ${f.mean_ms.toFixed(1)} ms | ${f.p50_ms} ms | ${f.p99_ms} ms |`);
  }
  return lines.join('\n');
}

export async function benchConsensus(): Promise<string[]> {
  const { emulationOf, parseConfig } = await import('../src/emulations/index.js');
  const failed: string[] = [];
  const table = sideBySideTable(
    (toml) => {
      const config = parseConfig(toml, 'side-by-side');
      return { emulation: emulationOf(config), config };
    },
    (row, result) => result.status !== 'ok' && failed.push(`${row.cluster}: ${result.status}`),
  );
  return ['MultiPaxos and Raft on the same kv workload and network (virtual time: exact, the same on any machine):', ...table.split('\n'), ...failed.map((f) => `NOT OK: ${f}`)];
}
