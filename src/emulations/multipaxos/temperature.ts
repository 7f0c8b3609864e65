/**
 * What MultiPaxos owes, for liveness by temperature (src/emulations/temperature.ts), as every
 * kv emulation does (../kv/temperature.ts): every kv client's outstanding request, and every
 * live learner (leader or replica) behind the one furthest ahead (`replica 1 at 4`).
 *
 * The default bound: after the heal a request may wait for the client's timeout (it was lost),
 * a preempted leader's longest backoff, a retry of its prepares or accepts, catch-up polls of
 * each peer in turn (the first asked may be behind too), and a few network delays (request,
 * prepare, accept, decision, catch-up, each there and back): four times all that
 * (../api/temperature.ts).
 */
import type { NodeView } from '../../sim/router.js';
import type { TemperatureSpec } from '../api/emulation.js';
import { boundOf } from '../api/temperature.js';
import { clientsHot, learnersBehind } from '../kv/temperature.js';
import type { PaxosSections } from './config.js';

/** The nodes with a store: leaders and replicas (the kv judge's learners too). */
export const isLearner = (view: NodeView): boolean => view.role === 'leader' || view.role === 'replica';

export const temperature: TemperatureSpec<PaxosSections> = {
  hot(views) {
    return learnersBehind(views, isLearner, 'slots', clientsHot(views));
  },
  /** The keys name clients, requests and learners (leaders, replicas), and `hot` never reads an
   *  acceptor: a mirror image (acceptors renamed) has the same keys. */
  symmetric: true,
  bound(config) {
    const peers = config.topology.leaders + config.topology.replicas - 1;
    return boundOf([
      { key: 'workload.timeout_ms', ms: config.workload.timeout_ms },
      { key: 'paxos.backoff_max_ms', ms: config.paxos.backoff_max_ms },
      { key: 'paxos.retry_ms', ms: config.paxos.retry_ms },
      ...(peers > 0 ? [{ key: 'paxos.catch_up_ms', ms: config.paxos.catch_up_ms, times: peers }] : []),
      { key: 'network.delay_max_ms', ms: config.network.delay_max_ms, times: 10 },
    ]);
  },
};
