/**
 * What MultiPaxos owes, for liveness by temperature (src/emulations/temperature.ts):
 *
 *  - every kv client's outstanding request (../kv/temperature.ts), answered once a leader has
 *    decided and applied it;
 *  - every live learner (leader or replica) behind another: slots some live learner has applied
 *    that it has not. Its obligation is named by where it stands (`replica 1 at slot 4`): a
 *    learner that moves on has a new one, so one that lags a busy leader by a few slots, as
 *    learners do, never stays hot, and one that is stuck does.
 *
 * The default bound: after the heal a request may wait for the client's timeout (it was lost),
 * a preempted leader's longest backoff, a retry of its prepares or accepts, catch-up polls of
 * each peer in turn (the first asked may be behind too), and a few network delays (request,
 * prepare, accept, decision, catch-up, each there and back): four times all that
 * (../api/temperature.ts).
 */
import type { NodeView } from '../../sim/router.js';
import type { Hot, TemperatureSpec } from '../api/emulation.js';
import { boundOf } from '../api/temperature.js';
import { clientsHot } from '../kv/temperature.js';
import type { PaxosSections } from './config.js';

interface LearnerCtx {
  readonly applied: number;
}

const isLearner = (v: NodeView): boolean => v.status === 'up' && (v.role === 'leader' || v.role === 'replica');

/** Every live learner that has applied fewer slots than the live learner furthest ahead. */
function learnersBehind(views: readonly NodeView[], into: Hot[]): void {
  let ahead: NodeView | undefined;
  let top = 0;
  for (const view of views) {
    if (!isLearner(view)) continue;
    const applied = (view.context as LearnerCtx).applied;
    if (applied > top) [ahead, top] = [view, applied];
  }
  if (!ahead) return;
  const leader = ahead.id;
  for (const view of views) {
    if (!isLearner(view)) continue;
    const applied = (view.context as LearnerCtx).applied;
    if (applied < top) into.push({ key: `${view.id} at slot ${applied}`, what: () => `${view.id} stuck at slot ${applied} (it has applied ${applied} slot(s), ${leader} ${top})` });
  }
}

export const temperature: TemperatureSpec<PaxosSections> = {
  hot(views) {
    const hot = clientsHot(views);
    learnersBehind(views, hot);
    return hot;
  },
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
