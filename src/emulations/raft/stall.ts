/**
 * When a Raft run has nothing left to show, and why one stalled.
 *
 * Quiescent (asked once the clients are done, no message is in flight and no planned fault is
 * left): every live server is in one term, exactly one of them leads it, and every live log
 * has the same length, all of it committed and applied. From then on only timers fire: the
 * leader's heartbeats carry nothing new and keep the followers' election timers from firing.
 * A crashed server with no restart planned stays down: it is left out.
 *
 * Stalled: fewer than a majority of the servers up, or no majority able to reach each other,
 * means nothing can be elected or committed; otherwise the requests were too slow.
 */
import { separated } from '../../sim/network.js';
import type { NodeView } from '../../sim/router.js';
import type { RunEnd } from '../api/emulation.js';
import { topState } from '../api/rows.js';
import { slowRunReasons, type KvTally } from '../kv/judge.js';
import { topologyOf, type RaftConfig } from './config.js';
import { majority } from './rules.js';
import type { ServerState } from './state.js';

export function quiescent(views: readonly NodeView[]): boolean {
  const live = views.filter((v) => v.role === 'server' && v.status === 'up');
  if (live.length === 0) return true;
  const servers = live.map((v) => v.context as ServerState);
  const { term, log } = servers[0]!;
  const settled = servers.every((s) => s.term === term && s.log.lastIndex === log.lastIndex && s.log.lastTerm === log.lastTerm && s.commit === log.lastIndex && s.applied === log.lastIndex);
  return settled && live.filter((v) => topState(v.state) === 'leader').length === 1;
}

export function stallReasons(config: RaftConfig, end: RunEnd, tally: KvTally): string[] {
  const servers = topologyOf(config).servers;
  const up = servers.filter((s) => end.views.find((v) => v.id === s)?.status === 'up');
  const needed = majority(servers.length);
  if (up.length < needed) {
    return [`only ${up.length} of ${servers.length} servers up (${up.join(', ') || 'none'}): ${needed} are needed to elect a leader and commit`];
  }
  const together = Math.max(...up.map((s) => up.filter((o) => !end.partitions.some((w) => separated(w, s, o))).length));
  if (together < needed) return [`no ${needed} of the servers up can reach each other: nothing can be elected or committed`];
  if (end.stalled.length > 0) return [];
  const leaders = end.views.filter((v) => v.role === 'server' && v.status === 'up' && topState(v.state) === 'leader').map((v) => v.id);
  const { window, batch } = config.raft;
  return slowRunReasons(
    end,
    tally,
    { clients: config.topology.clients, requests: config.workload.requests, time_limit_ms: config.time_limit_ms, timeout_ms: config.workload.timeout_ms },
    [
      `${leaders.length === 0 ? 'no server leads at the end' : `${leaders.join(', ')} leads at the end`}, with at most raft.window = ${window} AppendEntries ` +
        `of raft.batch = ${batch} entr${batch === 1 ? 'y' : 'ies'} on their way to each follower: raise raft.batch for more throughput`,
    ],
  );
}
