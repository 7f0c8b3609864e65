/**
 * What `npm run bench` measures of Raft:
 *  - messages per completed request and the requests' latency in virtual time, read off the
 *    run's trace the same way for any kv emulation (../kv/figures.ts; the side-by-side table
 *    with MultiPaxos: `npm run bench -- consensus`);
 *  - delivered messages per second of wall-clock time in a long run (100 clients x 100
 *    requests: the simulator's speed, not the protocol's);
 *  - where exploration and the model checker hunt each mutant.
 */
import type { BenchSpec } from '../api/emulation.js';
import { kvWorkloadFigures, workloadText } from '../kv/figures.js';
import type { LivenessMutantName, MutantName, SafetyMutantName } from './mutants.js';

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
  'follower-ignores-leader-commit': 'configs/raft.toml',
};

/** The safety mutants'; the liveness mutant's lasso is in `livenessGrounds`. */
const verifyGrounds: Record<SafetyMutantName, string> = {
  'votes-twice-in-a-term': 'configs/verify/raft-election.toml',
  'commits-earlier-term-by-counting': 'configs/verify/raft-figure8.toml',
  'appends-without-truncating': 'configs/verify/raft-truncate.toml',
  'forgets-vote-on-restart': 'configs/verify/raft-restart.toml',
  'leader-ignores-higher-term': 'configs/verify/raft-election.toml',
  'votes-for-stale-log': 'configs/verify/raft-election.toml',
};

/** Where `mpkv verify` catches the liveness mutant as a lasso. */
const livenessGrounds: Record<LivenessMutantName, string> = {
  'follower-ignores-leader-commit': 'configs/verify/raft-liveness.toml',
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
  livenessGrounds,
};
