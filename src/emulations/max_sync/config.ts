/**
 * The peer-sync max emulation's config sections, `[topology]`, `[workload]` and `[sync]`, and
 * the node names its topology creates: servers, then clients (`clients_per_server` per
 * server; client i talks to server ((i - 1) mod servers) + 1).
 */
import * as v from 'valibot';
import { count, LIMITS, positiveMs } from '../../config/base.js';
import type { Config } from '../api/emulation.js';

export const TopologySchema = v.strictObject({
  /** Servers, each holding a number and gossiping it to the others. */
  servers: v.optional(count(1), 5),
  /** Clients per server. */
  clients_per_server: v.optional(count(0), 2),
});

export const WorkloadSchema = v.strictObject({
  /** Numbers each client sends to its server, one at a time. */
  messages: v.optional(count(0, LIMITS.requests), 100),
  /** Numbers are drawn uniformly from [1, max_value]. */
  max_value: v.optional(count(1, LIMITS.values), 1_000_000),
  /** A client re-sends a write that has had no ack for this long. */
  timeout_ms: v.optional(positiveMs(), 200),
});

export const SyncSchema = v.strictObject({
  /** Every server sends its number to every peer this often. */
  sync_ms: v.optional(positiveMs(), 100),
});

export const sections = { topology: v.optional(TopologySchema, {}), workload: v.optional(WorkloadSchema, {}), sync: v.optional(SyncSchema, {}) };

export interface MaxSyncSections {
  readonly topology: v.InferOutput<typeof TopologySchema>;
  readonly workload: v.InferOutput<typeof WorkloadSchema>;
  readonly sync: v.InferOutput<typeof SyncSchema>;
}

export type MaxSyncConfig = Config<MaxSyncSections>;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

export const serverId = (i: number): string => `server ${i}`;
export const clientId = (i: number): string => `client ${i}`;

export function topologyOf(config: Pick<MaxSyncConfig, 'topology'>): { servers: string[]; clients: string[] } {
  const { servers, clients_per_server } = config.topology;
  return { servers: range(servers).map(serverId), clients: range(servers * clients_per_server).map(clientId) };
}

/** The server client `i` writes to: clients are spread over the servers round-robin. */
export const serverOfClient = (client: number, servers: number): number => ((client - 1) % servers) + 1;
