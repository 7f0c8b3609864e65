/**
 * The MultiPaxos emulation: acceptors, leaders, replicas and clients. Client i is given the
 * address of leader ((i - 1) mod L) + 1, so with several leaders they really compete.
 */
import type { Config } from '../config/schema.js';
import { leaderOfClient, leaderId, topologyOf } from '../config/nodes.js';
import { acceptorMachine, type AcceptorDisk, type AcceptorInput } from '../roles/acceptor.js';
import { leaderMachine, type LeaderDisk, type LeaderInput } from '../roles/leader.js';
import { rulesFor, type Mutants } from '../roles/mutants.js';
import { replicaMachine, type ReplicaInput } from '../roles/replica.js';
import type { NodeSpec } from '../sim/router.js';
import { clientSpecs } from './clients.js';

export function multipaxosNodes(config: Config, mutants: Mutants): NodeSpec[] {
  const topology = topologyOf(config);
  const rules = rulesFor(mutants);
  const acceptors: NodeSpec[] = topology.acceptors.map((id, i) => ({
    id,
    machine: acceptorMachine,
    input: (disk: unknown): AcceptorInput => ({ id: i + 1, rules, ...(disk ? { disk: disk as AcceptorDisk } : {}) }),
  }));
  const leaders: NodeSpec[] = topology.leaders.map((id, i) => ({
    id,
    machine: leaderMachine,
    input: (disk: unknown): LeaderInput => ({
      id: i + 1,
      acceptors: topology.acceptors,
      replicas: topology.replicas,
      leaders: topology.leaders.filter((other) => other !== id),
      paxos: config.paxos,
      rules,
      ...(disk ? { disk: disk as LeaderDisk } : {}),
    }),
  }));
  const replicas: NodeSpec[] = topology.replicas.map((id, i) => ({
    id,
    machine: replicaMachine,
    input: (): ReplicaInput => ({
      id: i + 1,
      peers: [...topology.leaders, ...topology.replicas.filter((other) => other !== id)],
      catch_up_ms: config.paxos.catch_up_ms,
      rules,
    }),
  }));
  const clients = clientSpecs(config, topology.clients, (client) => leaderId(leaderOfClient(client, config.topology.leaders)));
  return [...acceptors, ...leaders, ...replicas, ...clients];
}
