/**
 * The Raft emulation: a kv store replicated with Raft (Ongaro & Ousterhout, §5), on the same kv
 * clients, workload, client table and checks as MultiPaxos. Client i knows one server,
 * ((i - 1) mod n) + 1; a follower forwards its clients' requests to the leader and answers them
 * once it has applied them, so the kv client is the very one MultiPaxos and kv_store use.
 */
import type { Emulation } from '../api/emulation.js';
import { clientSpecs } from '../kv/client.js';
import { kvJudge } from '../kv/judge.js';
import { clientRole } from '../kv/views.js';
import { sections, serverOfClient, topologyOf, validate, type RaftConfig, type RaftSections } from './config.js';
import { RaftLog } from './log.js';
import type { Fact, Message, NodeId } from './messages.js';
import { MUTANTS, rulesFor } from './mutants.js';
import { majorityStaysUp } from '../api/quorum.js';
import { serverMachine } from './server.js';
import type { ServerDisk, ServerInput } from './state.js';
import { serverRole } from './views.js';
import { quiescent, stallReasons } from './stall.js';
import { RaftInvariants } from './invariants.js';
import { background, diagram, messageWords } from './diagram.js';
import { bench } from './bench.js';
import { temperature } from './temperature.js';
import { expiresFirst } from './timing.js';
import { serverIgnoresForGood } from './ignored.js';
import { forgetCount } from '../api/behaviour.js';

export const raft: Emulation<RaftSections, Message, Fact> = {
  name: 'raft',
  sections,
  overrides: { clients: ['topology', 'clients'], requests: ['workload', 'requests'] },
  validate,
  topology(config) {
    const t = topologyOf(config);
    return [
      { role: 'server', nodes: t.servers },
      { role: 'client', nodes: t.clients },
    ];
  },
  nodes(config) {
    const t = topologyOf(config);
    const rules = rulesFor(config.mutants.enable);
    const servers = t.servers.map((self, i) => {
      const seeded = seededDisk(config, self);
      return {
        id: self,
        role: 'server',
        machine: serverMachine,
        input: (disk: unknown): ServerInput => ({
          id: i + 1,
          self,
          peers: t.servers.filter((other) => other !== self),
          raft: config.raft,
          rules,
          ...(disk ? { disk: disk as ServerDisk } : seeded ? { disk: seeded, seeded: true } : {}),
        }),
      };
    });
    const clients = clientSpecs(config.seed, config.workload, t.clients, (client) => serverOfClient(client, config.topology.servers));
    return [...servers, ...clients];
  },
  roles: [serverRole, clientRole],
  messages: messageWords,
  background,
  diagram,
  mutants: MUTANTS,
  judge: (config, options) =>
    kvJudge<Fact>(
      {
        requests: config.workload.requests,
        isLearner: (view) => view.role === 'server',
        stallReasons: (end, tally) => stallReasons(config, end, tally),
        protocolChecks: () => [new RaftInvariants()],
      },
      options,
    ),
  explore: {
    links(config) {
      const t = topologyOf(config);
      const clients = t.clients.flatMap((c, i): [NodeId, NodeId][] => {
        const server = serverOfClient(i + 1, config.topology.servers);
        return [
          [c, server],
          [server, c],
        ];
      });
      const peers = t.servers.flatMap((a) => t.servers.filter((b) => b !== a).map((b): [NodeId, NodeId] => [a, b]));
      return [...clients, ...peers];
    },
    /** Never a majority of the servers down at once: Raft promises nothing then. */
    mayBeDown(config, down) {
      return majorityStaysUp(topologyOf(config).servers, down);
    },
    quiescent,
  },
  /** Servers are interchangeable: they run the same logic and count each other alike. A
   *  client's server is part of its state, renamed with the servers (not its fixed setting),
   *  so a config whose clients tell the servers apart is reduced only where they do not. */
  verify: {
    symmetric: ['server'],
    setting: {
      server: ['id', 'self', 'peers', 'raft', 'rules', 'seeded'],
      client: ['id', 'workload', 'seed', 'timeout_ms', 'rules'],
    },
    /** The state machine (store and client table) changes in place; everything else in a
     *  server's context, its log included (./log.ts), is replaced, never changed. */
    mutable: { server: ['rsm'], client: [] },
    // No `orderedFacts`: facts noted at different servers do not commute for the checks (the
    // Raft invariants keep what was written at an index in the order it was noted, and check
    // leader completeness at an election against the commits noted before it), so every step
    // the checks read stays dependent on every other (the model checker's safe default).
    /** For the liveness pass: a client's retry count only numbers its retries in notes. */
    behaviour: { client: (context) => forgetCount(context, 'outstanding', 'sends') },
    /** For the liveness pass: the current leader's heartbeat expires before an election
     *  timeout, and (assumed) a follower's election timeout before a candidate's (./timing.ts). */
    expiresFirst,
    /** Stale votes and AppendEntries answers, which no server will read (./ignored.ts). */
    ignoresForGood: { server: (state, message, from) => serverIgnoresForGood(state, message as Message, from) },
  },
  bench,
  temperature,
};

/** The disk `[[disks]]` gives a server to start from, if any. */
function seededDisk(config: RaftConfig, server: string): ServerDisk | undefined {
  const disk = config.disks.find((d) => d.server === server);
  if (!disk) return undefined;
  const log = RaftLog.of(disk.log.map((term) => Object.freeze({ term, command: { kind: 'noop' as const } })));
  return { term: disk.term, votedFor: disk.voted_for, log };
}
