/**
 * What Raft owes, for liveness by temperature (src/emulations/temperature.ts), as every kv
 * emulation does (../kv/temperature.ts): every kv client's outstanding request, and every live
 * server that has applied fewer entries than the server furthest ahead (`server 2 at 4`).
 *
 * The default bound: after the heal a request may wait for the client's timeout (it was lost),
 * an election (the longest election timeout), a heartbeat to re-send what a follower has not
 * answered and another to carry the commit index to it, and a few network delays (request,
 * forward, vote, append, reply, each there and back): four times all that
 * (../api/temperature.ts). Split votes, like duelling proposers, are left to the slack: the
 * randomised election timeouts make them rare.
 */
import type { TemperatureSpec } from '../api/emulation.js';
import { boundOf } from '../api/temperature.js';
import { clientsHot, learnersBehind } from '../kv/temperature.js';
import type { RaftSections } from './config.js';

export const temperature: TemperatureSpec<RaftSections> = {
  hot: (views) => learnersBehind(views, (view) => view.role === 'server', 'entries', clientsHot(views)),
  bound: (config) =>
    boundOf([
      { key: 'workload.timeout_ms', ms: config.workload.timeout_ms },
      { key: 'raft.election_max_ms', ms: config.raft.election_max_ms },
      { key: 'raft.heartbeat_ms', ms: config.raft.heartbeat_ms, times: 2 },
      { key: 'network.delay_max_ms', ms: config.network.delay_max_ms, times: 10 },
    ]),
  // A key names a server by its id alone (`server 2 at 4`), and which servers are behind
  // depends on their applied counts, not on their names: a mirror image renames the keys.
  namesNodes: true,
};
