/**
 * Why a MultiPaxos run stalled, beyond what the core reports (nodes down, partitions active,
 * messages lost): whether the waiting clients could reach their leader (a client talks to its
 * own leader only), whether each leader could reach a quorum of acceptors (up, and not cut off
 * by a partition), and, when nothing was down or cut off, the throughput against what the
 * workload needed.
 */
import { separated } from '../../sim/network.js';
import type { NodeView } from '../../sim/router.js';
import type { RunEnd } from '../api/emulation.js';
import { downOrCutOff, slowRunReasons, type KvTally } from '../kv/judge.js';
import type { PaxosConfig } from './config.js';
import { leaderOfClient, topologyOf } from './config.js';
import { rulesFor } from './mutants.js';

const isUp = (v: NodeView | undefined): boolean => v !== undefined && v.status === 'up';

export function stallReasons(config: PaxosConfig, end: RunEnd, tally: KvTally): string[] {
  const cutOff = [...clientReasons(config, end), ...quorumReasons(config, end)];
  if (cutOff.length > 0 || downOrCutOff(end)) return cutOff;
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

/** The waiting clients a partition cuts off from their leader (whose requests never arrive). */
function clientReasons(config: PaxosConfig, end: RunEnd): string[] {
  const { clients, leaders } = topologyOf(config);
  const byId = new Map(end.views.map((v) => [v.id, v]));
  const waiting = clients.filter((c) => isUp(byId.get(c)));
  const leaderOf = (client: string): string => leaders[leaderOfClient(Number(client.split(' ')[1]), leaders.length) - 1]!;
  const cut = waiting.filter((c) => end.partitions.some((w) => separated(w, c, leaderOf(c))));
  if (cut.length === 0) return [];
  const pairs = [...new Set(cut.map(leaderOf))].map((l) => `${cut.filter((c) => leaderOf(c) === l).join(', ')} off from ${l}`).join('; ');
  const fromAll = cut.filter((c) => leaders.every((l) => end.partitions.some((w) => separated(w, c, l))));
  if (fromAll.length === waiting.length) {
    return [`the clients cannot reach any leader: the partition cuts ${pairs} (a client sends only to its own leader), so no request arrives`];
  }
  return [`the partition cuts ${pairs}: those clients cannot reach their leader (a client sends only to its own leader)`];
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
