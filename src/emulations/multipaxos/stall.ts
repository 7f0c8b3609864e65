/**
 * Why a MultiPaxos run stalled, beyond the nodes down and partitions the core reports: whether
 * each leader could reach a quorum of acceptors (up, and not cut off by a partition), and,
 * when nothing was down or cut off, the throughput against what the workload needed.
 */
import { separated } from '../../sim/network.js';
import type { NodeView } from '../../sim/router.js';
import type { RunEnd } from '../api/emulation.js';
import { slowRunReasons, type KvTally } from '../kv/judge.js';
import type { PaxosConfig } from './config.js';
import { topologyOf } from './config.js';
import { rulesFor } from './mutants.js';

const isUp = (v: NodeView | undefined): boolean => v !== undefined && v.status === 'up';

export function stallReasons(config: PaxosConfig, end: RunEnd, tally: KvTally): string[] {
  const cutOff = quorumReasons(config, end);
  if (cutOff.length > 0 || end.stalled.length > 0) return cutOff;
  return slowRunReasons(
    end,
    tally,
    { clients: config.topology.clients, requests: config.workload.requests, time_limit_ms: config.time_limit_ms, timeout_ms: config.workload.timeout_ms },
    [
      `the leaders decided ${tally.decided} slot(s) (${(tally.decided / (Math.max(end.summary.time_ms, 1) / 1000)).toFixed(1)}/s) ` +
        `with at most paxos.window = ${config.paxos.window} slot(s) in flight each: raise paxos.window for more throughput`,
    ],
  );
}

/** For each leader: can it reach a quorum of acceptors at the end? */
function quorumReasons(config: PaxosConfig, end: RunEnd): string[] {
  const topology = topologyOf(config);
  const byId = new Map(end.views.map((v) => [v.id, v]));
  const quorum = rulesFor(new Set(config.mutants.enable as never[])).quorum(topology.acceptors.length);
  if (!topology.leaders.some((l) => isUp(byId.get(l)))) return ['no leader is up: nobody can propose, and clients get no answer'];
  const reasons: string[] = [];
  for (const leader of topology.leaders) {
    if (!isUp(byId.get(leader))) {
      reasons.push(`${leader} is down: its clients get no answer`);
      continue;
    }
    const reachable = topology.acceptors.filter((a) => isUp(byId.get(a)) && !end.partitions.some((w) => separated(w, leader, a)));
    if (reachable.length < quorum) {
      reasons.push(
        `${leader} cannot reach a quorum of acceptors: ${reachable.length} of ${topology.acceptors.length} up and reachable` +
          ` (${reachable.join(', ') || 'none'}), ${quorum} needed`,
      );
    }
  }
  return reasons;
}
