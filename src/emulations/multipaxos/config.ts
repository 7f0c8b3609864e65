/**
 * The MultiPaxos emulation's config sections, `[topology]`, `[workload]` and `[paxos]`, and the
 * node names its topology creates, in boot order: acceptors, leaders, replicas, clients.
 */
import * as v from 'valibot';
import { count, LIMITS, positiveMs } from '../../config/base.js';
import type { Config, ConfigProblem } from '../api/emulation.js';
import { WorkloadSchema, type WorkloadConfig } from '../kv/workload.js';

export const TopologySchema = v.strictObject({
  /** Acceptors: a majority of them is a quorum. */
  acceptors: v.optional(count(1), 3),
  /** Leaders (proposers); clients are spread over them. */
  leaders: v.optional(count(1), 1),
  /** Replicas: learners that apply the log to their own store. */
  replicas: v.optional(count(0), 2),
  /** Clients, each making `workload.requests` requests one at a time. */
  clients: v.optional(count(1), 3),
});

export const PaxosSchema = v.strictObject({
  /** Slots a leader may have in Phase 2 at once (pipelining). */
  window: v.optional(count(1, LIMITS.window), 4),
  /** Client requests a leader packs into one slot (one accept round for them all); 1: none. */
  batch: v.optional(count(1, LIMITS.window), 1),
  /** A leader re-sends unanswered prepares / accepts this often. */
  retry_ms: v.optional(positiveMs(), 50),
  /** A preempted leader waits a random time, doubling from min up to max, before Phase 1. */
  backoff_min_ms: v.optional(positiveMs(), 20),
  backoff_max_ms: v.optional(positiveMs(), 640),
  /** Learners (replicas, leaders) ask a peer for missed decisions this often, when they see a
   *  gap or heard no new decision in that time. */
  catch_up_ms: v.optional(positiveMs(), 100),
});

/** What the schema cannot say of `[paxos]`: the backoff's range runs upwards. */
export function checkPaxos(paxos: PaxosSections['paxos']): ConfigProblem | undefined {
  if (paxos.backoff_min_ms > paxos.backoff_max_ms) {
    return { path: ['paxos', 'backoff_max_ms'], detail: `must be >= backoff_min_ms (${paxos.backoff_min_ms}), got ${paxos.backoff_max_ms}` };
  }
  return undefined;
}

export const sections = { topology: v.optional(TopologySchema, {}), workload: v.optional(WorkloadSchema, {}), paxos: v.optional(PaxosSchema, {}) };

export interface PaxosSections {
  readonly topology: v.InferOutput<typeof TopologySchema>;
  readonly workload: WorkloadConfig;
  readonly paxos: v.InferOutput<typeof PaxosSchema>;
}

export type PaxosConfig = Config<PaxosSections>;

export const acceptorId = (i: number): string => `acceptor ${i}`;
export const leaderId = (i: number): string => `leader ${i}`;
export const replicaId = (i: number): string => `replica ${i}`;
export const clientId = (i: number): string => `client ${i}`;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

export interface Topology {
  readonly acceptors: readonly string[];
  readonly leaders: readonly string[];
  readonly replicas: readonly string[];
  readonly clients: readonly string[];
}

export function topologyOf(config: Pick<PaxosConfig, 'topology'>): Topology {
  const t = config.topology;
  return {
    acceptors: range(t.acceptors).map(acceptorId),
    leaders: range(t.leaders).map(leaderId),
    replicas: range(t.replicas).map(replicaId),
    clients: range(t.clients).map(clientId),
  };
}

/** Which leader client `i` is given: clients are spread over the leaders round-robin. */
export const leaderOfClient = (client: number, leaders: number): number => ((client - 1) % leaders) + 1;
