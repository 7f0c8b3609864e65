/**
 * Why a run stalled: what the router knows at the end of a run whose clients did not all
 * finish, in words a user can act on. Used by the liveness verdict.
 *
 *  - nodes down at the end (crashed for good, or still waiting for a planned restart);
 *  - partitions still active;
 *  - MultiPaxos: whether each leader could reach a quorum of acceptors (up, and not cut off by
 *    a partition); kv_store: whether the server is up;
 *  - when nothing was down or cut off, the requests were merely slow: the slots the leaders
 *    decided per virtual second against what the workload needed, the clients' retries, and
 *    the config keys that change them.
 */
import type { Config } from '../config/schema.js';
import { topologyOf } from '../config/nodes.js';
import { rulesFor } from '../roles/mutants.js';
import { separated, type PartitionWindow } from '../sim/network.js';
import type { NodeView, RunSummary } from '../sim/router.js';
import type { Noted } from '../../specs/invariants.js';

export interface StallContext {
  readonly config: Config;
  readonly summary: RunSummary;
  readonly views: readonly NodeView[];
  readonly partitions: readonly PartitionWindow[];
  readonly facts: readonly Noted[];
}

export function stallReasons(ctx: StallContext): string[] {
  const reasons: string[] = [];
  const down = ctx.views.filter((v) => v.status === 'crashed');
  if (down.length > 0) {
    const forGood = down.filter((v) => !v.restartPending).map((v) => v.id);
    const later = down.filter((v) => v.restartPending).map((v) => v.id);
    reasons.push(
      [forGood.length ? `crashed for good: ${forGood.join(', ')}` : '', later.length ? `down, restart planned after the end: ${later.join(', ')}` : '']
        .filter(Boolean)
        .join('; '),
    );
  }
  for (const w of ctx.partitions) reasons.push(`partition still active: ${w.groups.map((g) => `{${g.join(', ')}}`).join(' | ')} | rest`);
  const cutOff = ctx.config.emulation === 'kv_store' ? serverReasons(ctx) : quorumReasons(ctx);
  reasons.push(...cutOff);
  if (cutOff.length === 0 && down.length === 0 && ctx.partitions.length === 0) reasons.push(...throughputReasons(ctx));
  return reasons;
}

const isUp = (v: NodeView | undefined): boolean => v !== undefined && v.status === 'up';

function serverReasons(ctx: StallContext): string[] {
  const server = ctx.views.find((v) => v.id === 'server');
  return isUp(server) ? [] : ['the kv server is down: no client can get an answer'];
}

/** For each leader: can it reach a quorum of acceptors at the end? */
function quorumReasons(ctx: StallContext): string[] {
  const topology = topologyOf(ctx.config);
  const byId = new Map(ctx.views.map((v) => [v.id, v]));
  const quorum = rulesFor(new Set(ctx.config.mutants.enable)).quorum(topology.acceptors.length);
  const reasons: string[] = [];
  const liveLeaders = topology.leaders.filter((l) => isUp(byId.get(l)));
  if (liveLeaders.length === 0) return [`no leader is up: nobody can propose, and clients get no answer`];
  for (const leader of topology.leaders) {
    if (!isUp(byId.get(leader))) {
      reasons.push(`${leader} is down: its clients get no answer`);
      continue;
    }
    const reachable = topology.acceptors.filter((a) => isUp(byId.get(a)) && !ctx.partitions.some((w) => separated(w, leader, a)));
    if (reachable.length < quorum) {
      reasons.push(
        `${leader} cannot reach a quorum of acceptors: ${reachable.length} of ${topology.acceptors.length} up and reachable` +
          ` (${reachable.join(', ') || 'none'}), ${quorum} needed`,
      );
    }
  }
  return reasons;
}

/** Nothing was down or cut off: the run was too slow. Compare what was decided with what was needed. */
function throughputReasons(ctx: StallContext): string[] {
  const seconds = Math.max(ctx.summary.time_ms, 1) / 1000;
  const clients = ctx.config.topology.clients;
  const needed = clients * ctx.config.workload.requests;
  const completed = new Set(ctx.facts.flatMap(({ fact }) => (fact.kind === 'complete' ? [`${fact.client}/${fact.request_id}`] : []))).size;
  const retries = ctx.facts.filter(({ fact }) => fact.kind === 'retry').length;
  const decided = ctx.facts.filter(({ fact }) => fact.kind === 'decide' && fact.ballot !== undefined).length;
  const per = (n: number): string => `${(n / seconds).toFixed(1)}/s`;
  const limitSeconds = ctx.config.time_limit_ms / 1000;
  const lines = [
    `nothing was down or cut off: the requests were too slow. ${completed}/${needed} requests completed in ${ctx.summary.time_ms} ms (${per(completed)}); ` +
      `finishing in time_limit_ms needs ${(needed / limitSeconds).toFixed(1)}/s`,
  ];
  if (ctx.config.emulation === 'multipaxos') {
    lines.push(
      `the leaders decided ${decided} slot(s) (${per(decided)}) with at most paxos.window = ${ctx.config.paxos.window} slot(s) in flight each: ` +
        `raise paxos.window for more throughput`,
    );
  }
  if (retries > 0) {
    lines.push(
      `clients re-sent requests ${retries} time(s) after workload.timeout_ms = ${ctx.config.workload.timeout_ms} ms without a reply: ` +
        `retries add load; raise workload.timeout_ms when replies are merely slow`,
    );
  }
  lines.push(`or give the run longer: time_limit_ms = ${ctx.config.time_limit_ms}`);
  return lines;
}
