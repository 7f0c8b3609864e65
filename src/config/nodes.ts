/** The node addresses a config's topology creates, in boot order. */
import type { Config } from './schema.js';

export const acceptorId = (i: number): string => `acceptor ${i}`;
export const leaderId = (i: number): string => `leader ${i}`;
export const replicaId = (i: number): string => `replica ${i}`;
export const clientId = (i: number): string => `client ${i}`;
export const SERVER = 'server';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

export interface Topology {
  readonly acceptors: readonly string[];
  readonly leaders: readonly string[];
  readonly replicas: readonly string[];
  readonly servers: readonly string[];
  readonly clients: readonly string[];
}

export function topologyOf(config: Pick<Config, 'emulation' | 'topology'>): Topology {
  const t = config.topology;
  const paxos = config.emulation === 'multipaxos';
  return {
    acceptors: paxos ? range(t.acceptors).map(acceptorId) : [],
    leaders: paxos ? range(t.leaders).map(leaderId) : [],
    replicas: paxos ? range(t.replicas).map(replicaId) : [],
    servers: paxos ? [] : [SERVER],
    clients: range(t.clients).map(clientId),
  };
}

export function allNodes(topology: Topology): string[] {
  return [...topology.acceptors, ...topology.leaders, ...topology.replicas, ...topology.servers, ...topology.clients];
}

/** Which leader client `i` is given: clients are spread over the leaders round-robin. */
export const leaderOfClient = (client: number, leaders: number): number => ((client - 1) % leaders) + 1;
