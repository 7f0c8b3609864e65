/**
 * The peer-sync max emulation (the original project's peer-synchronisation example): servers
 * each hold a number that only grows and gossip it to their peers every `sync_ms`; clients
 * send random numbers to their server. At the end every live server must hold the largest
 * number any server acknowledged. A second emulation, to show that mpkv's core knows no
 * protocol: everything it needs is in this folder.
 */
import type { Emulation } from '../api/emulation.js';
import { clientMachine, type ClientDisk, type ClientInput } from './client.js';
import { sections, serverId, serverOfClient, topologyOf, type MaxSyncSections } from './config.js';
import { diagram, messageWords } from './diagram.js';
import { maxSyncJudge } from './judge.js';
import type { Fact, Message } from './messages.js';
import { serverMachine, type ServerDisk, type ServerInput } from './server.js';
import { temperature } from './temperature.js';
import { background, clientRole, serverRole } from './views.js';
import { forgetCount } from '../api/behaviour.js';

export const MUTANTS = {
  'takes-last-value': 'a server takes the last number it hears (a write or a sync) instead of the largest',
  'server-without-disk': 'a server persists nothing: after a restart it holds 0',
  'server-stops-gossiping': 'a server does not re-arm its sync timer: it gossips once, sync_ms after it starts, and never again',
} as const;

export const maxSync: Emulation<MaxSyncSections, Message, Fact> = {
  name: 'max_sync',
  sections,
  overrides: { requests: ['workload', 'messages'] },
  topology(config) {
    const t = topologyOf(config);
    return [
      { role: 'server', nodes: t.servers },
      { role: 'client', nodes: t.clients },
    ];
  },
  nodes(config) {
    const t = topologyOf(config);
    const enabled = new Set(config.mutants.enable);
    const rules = { keepsMax: !enabled.has('takes-last-value'), durable: !enabled.has('server-without-disk'), regossips: !enabled.has('server-stops-gossiping') };
    const servers = t.servers.map((id) => ({
      id,
      role: 'server',
      machine: serverMachine,
      input: (disk: unknown): ServerInput => ({
        peers: t.servers.filter((p) => p !== id),
        sync_ms: config.sync.sync_ms,
        rules,
        ...(disk ? { disk: disk as ServerDisk } : {}),
      }),
    }));
    const clients = t.clients.map((id, i) => ({
      id,
      role: 'client',
      client: true,
      machine: clientMachine,
      input: (disk: unknown): ClientInput => ({
        id: i + 1,
        server: serverId(serverOfClient(i + 1, config.topology.servers)),
        seed: config.seed,
        messages: config.workload.messages,
        max_value: config.workload.max_value,
        timeout_ms: config.workload.timeout_ms,
        ...(disk ? { disk: disk as ClientDisk } : {}),
      }),
    }));
    return [...servers, ...clients];
  },
  roles: [serverRole, clientRole],
  messages: messageWords,
  background,
  diagram,
  mutants: MUTANTS,
  /** The clients are done: the run may end as soon as every live server holds the same number. */
  settled(views) {
    const held = views.filter((v) => v.role === 'server' && v.status === 'up').map((v) => (v.context as { value: number }).value);
    return held.every((v) => v === held[0]);
  },
  judge: maxSyncJudge,
  explore: {
    links(config) {
      const t = topologyOf(config);
      const clients = t.clients.flatMap((c, i): [string, string][] => {
        const server = serverId(serverOfClient(i + 1, config.topology.servers));
        return [
          [c, server],
          [server, c],
        ];
      });
      const peers = t.servers.flatMap((a) => t.servers.filter((b) => b !== a).map((b): [string, string] => [a, b]));
      return [...clients, ...peers];
    },
    /** Nothing in flight and every live server holds the same number: gossip changes nothing more. */
    quiescent(views) {
      return maxSync.settled!(views);
    },
  },
  /** For the model checker: the fixed part of each role's context (nodes are not interchangeable:
   *  each client writes to its own server). */
  verify: {
    setting: { server: ['peers', 'sync_ms', 'rules'], client: ['id', 'server', 'seed', 'messages', 'max_value', 'timeout_ms'] },
    mutable: { server: [], client: [] },
    /** The judge keeps each server's last number and the set of numbers written: the order of
     *  facts noted at different nodes never matters to it. */
    orderedFacts: [],
    /** For the liveness pass: a client's retry count only numbers its retries in notes. */
    behaviour: { client: (context) => forgetCount(context, 'outstanding', 'sends') },
  },
  bench: {
    figures: [
      {
        config: '[topology]\nservers = 5\nclients_per_server = 2\n[workload]\nmessages = 100\n',
        figure: ({ summary }) => `5 servers x 2 clients x 100 writes: ${summary.sent} messages, ${summary.time_ms} ms virtual (${summary.reason})`,
      },
    ],
    load: { name: '5 servers, 10 clients x 1,000 writes', config: '[topology]\nservers = 5\nclients_per_server = 2\n[workload]\nmessages = 1000\n' },
    huntingGrounds: { 'takes-last-value': 'configs/max-sync.toml', 'server-without-disk': 'configs/max-sync-lossy.toml', 'server-stops-gossiping': 'configs/max-sync.toml' },
    verifyGrounds: { 'takes-last-value': 'configs/verify/max-sync.toml', 'server-without-disk': 'configs/verify/max-sync.toml' },
    livenessGrounds: { 'server-stops-gossiping': 'configs/verify/max-sync.toml' },
  },
  temperature,
};
