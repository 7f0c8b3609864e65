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

/**
 * `[[disks]]`: what a server finds on its disk when it first boots, as if it were restarting:
 * its term, its vote, and the terms of its log's entries (no-ops). The paper's figures are such
 * states (Figure 7's followers, Figure 8's servers); a config may start from one.
 */
export const DiskSchema = v.strictObject({
  server: v.string('expected a server name such as "server 1"'),
  term: v.optional(count(0, LIMITS.depth), 0),
  voted_for: v.optional(v.string('expected a server name such as "server 1"')),
  /** The terms of its entries, first to last (each a no-op). */
  log: v.optional(v.pipe(v.array(count(1, LIMITS.depth), 'expected a list of terms'), v.maxLength(LIMITS.depth, `expected at most ${LIMITS.depth} entries`)), []),
});

export const RaftSchema = v.strictObject({
  /** A follower that hears from no leader for a random time in [election_min_ms,
   *  election_max_ms] (drawn afresh each time) stands for election (§5.2). */
  election_min_ms: v.optional(positiveMs(), 150),
  election_max_ms: v.optional(positiveMs(), 300),
  /** A leader sends each follower an AppendEntries at least this often (a heartbeat when it has
   *  nothing new), and re-sends what a follower has not answered for this long. */
  heartbeat_ms: v.optional(positiveMs(), 50),
  /** AppendEntries a leader may have on their way to one follower at once. More than one
   *  pipelines, but on a network that reorders messages they overtake each other and a follower
   *  refuses entries after a gap (README, "The Raft emulation"). */
  window: v.optional(count(1, LIMITS.window), 1),
  /** Entries one AppendEntries carries, at most: what a follower lacks goes in one message. */
  batch: v.optional(count(1, LIMITS.window), 64),
});

export const sections = {
  topology: v.optional(TopologySchema, {}),
  workload: v.optional(WorkloadSchema, {}),
  raft: v.optional(RaftSchema, {}),
  /** Servers that start from a given disk (the others start empty). */
  disks: v.optional(v.array(DiskSchema, 'expected a list of [[disks]] tables'), []),
};

/** The protocol's timings and sizes. */
export type RaftTiming = v.InferOutput<typeof RaftSchema>;
export type DiskConfig = v.InferOutput<typeof DiskSchema>;

export interface RaftSections {
  readonly topology: v.InferOutput<typeof TopologySchema>;
  readonly workload: WorkloadConfig;
  readonly raft: RaftTiming;
  readonly disks: readonly DiskConfig[];
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

/** What the schemas cannot say: the election timeouts' range, the starting disks, and the
 *  workload's. */
export function validate(config: RaftConfig): ConfigProblem | undefined {
  const { election_min_ms, election_max_ms } = config.raft;
  if (election_max_ms < election_min_ms) {
    return { path: ['raft', 'election_max_ms'], detail: `must be >= election_min_ms (${election_min_ms}), got ${election_max_ms}` };
  }
  return checkDisks(config) ?? checkWorkload(config.workload, config.topology.clients);
}

/** Each starting disk names a server of this topology once, votes for one, and holds a log whose
 *  terms never decrease and never pass its own term. */
function checkDisks(config: RaftConfig): ConfigProblem | undefined {
  const servers = topologyOf(config).servers;
  const seen = new Set<string>();
  for (const [i, disk] of config.disks.entries()) {
    const at = (key: string, detail: string): ConfigProblem => ({ path: ['disks', i, key], detail });
    const known = (name: string): string => `no server ${JSON.stringify(name)} in this topology (servers: ${servers.join(', ')})`;
    if (!servers.includes(disk.server)) return at('server', known(disk.server));
    if (seen.has(disk.server)) return at('server', `${disk.server} has two disks`);
    seen.add(disk.server);
    if (disk.voted_for !== undefined && !servers.includes(disk.voted_for)) return at('voted_for', known(disk.voted_for));
    const bad = disk.log.findIndex((term, k) => term > disk.term || (k > 0 && term < disk.log[k - 1]!));
    if (bad >= 0) return at('log', `entry ${bad + 1} has term ${disk.log[bad]}: a log's terms never decrease and never pass the server's term (${disk.term})`);
  }
  return undefined;
}
