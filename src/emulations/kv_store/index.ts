/**
 * The kv_store emulation, the baseline every replicated run is judged against: one kv server
 * and clients making random requests to it, with exactly the semantics MultiPaxos replicates.
 */
import * as v from 'valibot';
import { count } from '../../config/base.js';
import type { Config, Emulation } from '../api/emulation.js';
import { CLIENT_MUTANTS, clientSpecs } from '../kv/client.js';
import { downOrCutOff, kvJudge, slowRunReasons } from '../kv/judge.js';
import type { ClientMessage, KvFact } from '../kv/messages.js';
import { clientRole, learnerDetail } from '../kv/views.js';
import { clientsHot } from '../kv/temperature.js';
import { boundOf } from '../api/temperature.js';
import { checkWorkload, WorkloadSchema, type WorkloadConfig } from '../kv/workload.js';
import { topState } from '../api/rows.js';
import { diagram, messageWords } from './diagram.js';
import { serverMachine, type ServerInput } from './server.js';

const TopologySchema = v.strictObject({
  /** The single server (exactly 1). */
  servers: v.optional(count(0), 1),
  /** Clients, each making `workload.requests` requests one at a time. */
  clients: v.optional(count(1), 3),
});

interface KvStoreSections {
  readonly topology: v.InferOutput<typeof TopologySchema>;
  readonly workload: WorkloadConfig;
}

const SERVER = 'server';
const clientsOf = (config: Config<KvStoreSections>): string[] => Array.from({ length: config.topology.clients }, (_, i) => `client ${i + 1}`);

export const MUTANTS = {
  'no-retry-dedup': 'a retried request is applied again instead of being answered from the client table',
  ...CLIENT_MUTANTS,
} as const;

export const kvStore: Emulation<KvStoreSections, ClientMessage, KvFact> = {
  name: 'kv_store',
  sections: { topology: v.optional(TopologySchema, {}), workload: v.optional(WorkloadSchema, {}) },
  overrides: { clients: ['topology', 'clients'], requests: ['workload', 'requests'] },
  validate(config) {
    if (config.topology.servers !== 1) return { path: ['topology', 'servers'], detail: `kv_store runs exactly 1 server, got ${config.topology.servers}` };
    return checkWorkload(config.workload, config.topology.clients);
  },
  topology: (config) => [
    { role: 'server', nodes: [SERVER] },
    { role: 'client', nodes: clientsOf(config) },
  ],
  nodes(config) {
    const server = {
      id: SERVER,
      role: 'server',
      machine: serverMachine,
      input: (): ServerInput => ({ dedup: !config.mutants.enable.includes('no-retry-dedup') }),
    };
    return [server, ...clientSpecs(config.seed, config.workload, clientsOf(config), () => SERVER, config.mutants.enable)];
  },
  roles: [
    {
      name: 'server',
      crashable: false,
      row: (view) => ({ state: topState(view.state), detail: learnerDetail(view.context ?? {}), tone: 'normal' }),
      summary: () => '',
    },
    clientRole,
  ],
  messages: messageWords,
  diagram,
  mutants: MUTANTS,
  judge: (config, options) =>
    kvJudge(
      {
        requests: config.workload.requests,
        isLearner: (view) => view.role === 'server',
        stallReasons(end, tally) {
          if (end.views.find((view) => view.id === SERVER)?.status !== 'up') return ['the kv server is down: no client can get an answer'];
          if (downOrCutOff(end)) return [];
          const { clients } = config.topology;
          const { requests, timeout_ms } = config.workload;
          return slowRunReasons(end, tally, { clients, requests, time_limit_ms: config.time_limit_ms, timeout_ms });
        },
      },
      options,
    ),
  explore: {
    links(config) {
      return clientsOf(config).flatMap((c): [string, string][] => [
        [c, SERVER],
        [SERVER, c],
      ]);
    },
    /** The server only answers requests: with the clients done and nothing in flight, it is idle. */
    quiescent: () => true,
  },
  /** A client's outstanding request: the server answers at once, so a request waits after the
   *  heal for the client's timeout (it was lost) and a message each way. */
  temperature: {
    hot: (views) => clientsHot(views),
    bound: (config) =>
      boundOf([
        { key: 'workload.timeout_ms', ms: config.workload.timeout_ms },
        { key: 'network.delay_max_ms', ms: config.network.delay_max_ms, times: 2 },
      ]),
  },
};
