/**
 * The MultiPaxos emulation: a kv store replicated with MultiPaxos (acceptors, leaders,
 * replicas) and clients. Client i is given the address of leader ((i - 1) mod L) + 1, so with
 * several leaders they really compete.
 */
import type { Emulation } from '../api/emulation.js';
import { clientSpecs } from '../kv/client.js';
import { kvJudge } from '../kv/judge.js';
import { clientRole } from '../kv/views.js';
import { checkWorkload } from '../kv/workload.js';
import { acceptorMachine, type AcceptorDisk, type AcceptorInput } from './acceptor.js';
import { checkPaxos, leaderId, leaderOfClient, sections, topologyOf, type PaxosSections } from './config.js';
import { leaderMachine, type LeaderDisk, type LeaderInput } from './leader.js';
import type { Fact, Message, NodeId } from './messages.js';
import { MUTANTS, rulesFor, type MutantName } from './mutants.js';
import { replicaMachine, type ReplicaInput } from './replica.js';
import { majorityStaysUp } from '../api/quorum.js';
import { bench } from './bench.js';
import { diagram, messageWords } from './diagram.js';
import { quiescent } from './quiescent.js';
import { stallReasons } from './stall.js';
import { VotingInvariants } from './invariants.js';
import { isLearner, temperature } from './temperature.js';
import { acceptorIgnoresForGood, leaderIgnoresForGood } from './ignored.js';
import { acceptorRole, background, leaderRole, replicaRole } from './views.js';
import { forgetCount, roundRobin } from '../api/behaviour.js';

export const multipaxos: Emulation<PaxosSections, Message, Fact> = {
  name: 'multipaxos',
  sections,
  overrides: { clients: ['topology', 'clients'], requests: ['workload', 'requests'] },
  validate: (config) => checkWorkload(config.workload, config.topology.clients) ?? checkPaxos(config.paxos),
  topology(config) {
    const t = topologyOf(config);
    return [
      { role: 'acceptor', nodes: t.acceptors },
      { role: 'leader', nodes: t.leaders },
      { role: 'replica', nodes: t.replicas },
      { role: 'client', nodes: t.clients },
    ];
  },
  nodes(config) {
    const topology = topologyOf(config);
    const rules = rulesFor(new Set(config.mutants.enable as MutantName[]));
    const acceptors = topology.acceptors.map((id, i) => ({
      id,
      role: 'acceptor',
      machine: acceptorMachine,
      input: (disk: unknown): AcceptorInput => ({ id: i + 1, rules, ...(disk ? { disk: disk as AcceptorDisk } : {}) }),
    }));
    const leaders = topology.leaders.map((id, i) => ({
      id,
      role: 'leader',
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
    const replicas = topology.replicas.map((id, i) => ({
      id,
      role: 'replica',
      machine: replicaMachine,
      input: (): ReplicaInput => ({
        id: i + 1,
        peers: [...topology.leaders, ...topology.replicas.filter((other) => other !== id)],
        catch_up_ms: config.paxos.catch_up_ms,
        rules,
      }),
    }));
    const leaderOf = (client: number): string => leaderId(leaderOfClient(client, config.topology.leaders));
    const clients = clientSpecs(config.seed, config.workload, topology.clients, leaderOf, config.mutants.enable);
    return [...acceptors, ...leaders, ...replicas, ...clients];
  },
  roles: [acceptorRole, leaderRole, replicaRole, clientRole],
  messages: messageWords,
  background,
  diagram,
  mutants: MUTANTS,
  judge: (config, options) =>
    kvJudge<Fact>(
      {
        requests: config.workload.requests,
        isLearner,
        stallReasons: (end, tally) => stallReasons(config, end, tally),
        protocolChecks: () => [new VotingInvariants(config.topology.acceptors)],
      },
      options,
    ),
  explore: {
    links(config) {
      const t = topologyOf(config);
      const both = (a: readonly NodeId[], b: readonly NodeId[]): [NodeId, NodeId][] =>
        a.flatMap((x) => b.filter((y) => y !== x).flatMap((y): [NodeId, NodeId][] => [[x, y], [y, x]]));
      const clients = t.clients.flatMap((c, i): [NodeId, NodeId][] => {
        const leader = leaderId(leaderOfClient(i + 1, config.topology.leaders));
        return [[c, leader], [leader, c]];
      });
      const peers = (group: readonly NodeId[]): [NodeId, NodeId][] => group.flatMap((x) => group.filter((y) => y !== x).map((y): [NodeId, NodeId] => [x, y]));
      return [...clients, ...both(t.leaders, t.acceptors), ...both(t.leaders, t.replicas), ...peers(t.leaders), ...peers(t.replicas)];
    },
    /** Never a majority of the acceptors down at once: the protocol promises nothing then. */
    mayBeDown(config, down) {
      return majorityStaysUp(topologyOf(config).acceptors, down);
    },
    quiescent,
  },
  /** Acceptors are interchangeable: leaders count them, never tell them apart. */
  verify: {
    symmetric: ['acceptor'],
    setting: {
      acceptor: ['id', 'rules'],
      leader: ['id', 'acceptors', 'replicas', 'leaders', 'paxos', 'rules', 'peers'],
      replica: ['id', 'peers', 'catch_up_ms', 'rules'],
      client: ['id', 'server', 'workload', 'seed', 'timeout_ms', 'rules'],
    },
    /** The acceptor's accepted map, a learner's log and state machine (./acceptor.ts,
     *  ./learner.ts) and the leader's queue (./request-queue.ts) change in place; everything
     *  else in every role is replaced, never changed. */
    mutable: { acceptor: ['accepted'], leader: ['decided', 'rsm', 'queue'], replica: ['decided', 'rsm'], client: [] },
    /** Linearizability reads the real-time order of the clients' invocations and completions.
     *  Every other fact commutes between nodes: the log checks keep per-node records, or the
     *  first command of each slot (two different ones fail agreement in either order), and the
     *  voting invariants keep sets of votes and promises and each acceptor's highest ballot. */
    orderedFacts: ['invoke', 'complete'],
    /** For the liveness pass: a client's retry count only numbers its retries in notes; a
     *  learner asks its peers in turn, so only its turn modulo their number matters. */
    behaviour: {
      client: (context) => forgetCount(context, 'outstanding', 'sends'),
      leader: (context) => roundRobin(context, 'nextPeer', 'peers'),
      replica: (context) => roundRobin(context, 'nextPeer', 'peers'),
    },
    /** A leader's stale promises, acknowledgements and nacks, and decisions it has; an
     *  acceptor's prepares and accepts below its promise, once their nack is dead (./ignored.ts). */
    ignoresForGood: {
      leader: (state, message, from, restarts) => leaderIgnoresForGood(state, message as Message, from, restarts),
      acceptor: (state, message, _from, restarts, answerIgnored) => acceptorIgnoresForGood(state, message as Message, restarts, answerIgnored),
    },
  },
  bench,
  temperature,
};
