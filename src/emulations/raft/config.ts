/**
 * The Raft emulation's config sections, `[topology]`, `[workload]` and `[raft]`, and the node
 * names its topology creates, in boot order: servers, then clients. Client i knows server
 * ((i - 1) mod n) + 1, so the clients are spread over the servers, followers and leader alike.
 */
import * as v from 'valibot';
import { count, LIMITS, positiveMs } from '../../config/base.js';
import type { Config, ConfigProblem } from '../api/emulation.js';
import { checkWorkload, WorkloadSchema, type WorkloadConfig } from '../kv/workload.js';

export const TopologySchema = v.strictObject({
  /** Raft servers: a majority of them elects a leader and commits an entry. */
  servers: v.optional(count(1), 3),
  /** Clients, each making `workload.requests` requests one at a time to the server it knows. */
  clients: v.optional(count(1), 3),
});

export const RaftSchema = v.strictObject({
  /** A follower that hears from no leader for a random time in [election_min_ms,
   *  election_max_ms] (drawn afresh each time) stands for election (§5.2). */
  election_min_ms: v.optional(positiveMs(), 150),
  election_max_ms: v.optional(positiveMs(), 300),
  /** A leader sends each follower an AppendEntries at least this often (a heartbeat when it has
   *  nothing new), and re-sends what a follower has not answered for this long. */
  heartbeat_ms: v.optional(positiveMs(), 50),
  /** AppendEntries carrying entries a leader may have in flight to one follower at once. */
  window: v.optional(count(1, LIMITS.window), 4),
  /** Entries one AppendEntries carries, at most; 1: none batched. */
  batch: v.optional(count(1, LIMITS.window), 1),
});

export const sections = { topology: v.optional(TopologySchema, {}), workload: v.optional(WorkloadSchema, {}), raft: v.optional(RaftSchema, {}) };

export type RaftTiming = v.InferOutput<typeof RaftSchema>;

export interface RaftSections {
  readonly topology: v.InferOutput<typeof TopologySchema>;
  readonly workload: WorkloadConfig;
  readonly raft: RaftTiming;
}

export type RaftConfig = Config<RaftSections>;

export const serverId = (i: number): string => `server ${i}`;
export const clientId = (i: number): string => `client ${i}`;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

export interface Topology {
  readonly servers: readonly string[];
  readonly clients: readonly string[];
}

export function topologyOf(config: Pick<RaftConfig, 'topology'>): Topology {
  return { servers: range(config.topology.servers).map(serverId), clients: range(config.topology.clients).map(clientId) };
}

/** The server client `i` knows. */
export const serverOfClient = (client: number, servers: number): string => serverId(((client - 1) % servers) + 1);

/** What the schemas cannot say: the election timeouts' range, and the workload's. */
export function validate(config: RaftConfig): ConfigProblem | undefined {
  const { election_min_ms, election_max_ms } = config.raft;
  if (election_max_ms < election_min_ms) {
    return { path: ['raft', 'election_max_ms'], detail: `must be >= election_min_ms (${election_min_ms}), got ${election_max_ms}` };
  }
  return checkWorkload(config.workload, config.topology.clients);
}
