/**
 * The README's side-by-side table of Raft and MultiPaxos is what the runs give: the same kv
 * workload on the same network, messages per request and the requests' latency in virtual time,
 * read off each run's trace the same way (src/emulations/raft/bench.ts `kvWorkloadFigures`).
 * Virtual time makes the figures exact, so the README states them to the digit; a change to
 * either protocol that moves them fails here, with the new table to paste.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { emulationOf, parseConfig } from '../src/emulations/index.js';
import { kvWorkloadFigures } from '../src/emulations/raft/bench.js';
import { emulate } from '../src/emulations/run.js';
import { notOk, repoRoot } from './harness.js';

interface Row {
  readonly workload: string;
  readonly cluster: string;
  readonly toml: string;
}

const check = 'check_steps = 1000000\n';
const sequential = '[workload]\nrequests = 200\n';
const busy = '[workload]\nrequests = 20\n';

/** Each workload on a MultiPaxos cluster and on the Raft cluster that survives as many crashes. */
const rows: readonly Row[] = [
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

function table(t: import('ava').ExecutionContext): string {
  const lines = ['| workload | cluster | messages / request | latency mean | p50 | p99 |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    const config = parseConfig(row.toml, 'side-by-side');
    const result = emulate(emulationOf(config), config, { keepTrace: true });
    t.deepEqual(notOk(result), [], row.cluster);
    const f = kvWorkloadFigures(result.trace!);
    lines.push(`| ${row.workload} | ${row.cluster} | ${(f.messages / f.requests).toFixed(2)} | ${f.mean_ms.toFixed(1)} ms | ${f.p50_ms} ms | ${f.p99_ms} ms |`);
  }
  return lines.join('\n');
}

test('README: the side-by-side table of Raft and MultiPaxos is what the runs give', (t) => {
  const expected = table(t);
  t.log(`\n${expected}`);
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  t.true(readme.includes(expected), `the README's table differs from the runs; it should read:\n${expected}`);
});
