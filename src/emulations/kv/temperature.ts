/**
 * What a replicated kv store owes, for liveness by temperature (src/emulations/temperature.ts),
 * shared by the kv emulations:
 *
 *  - a kv client (./client.ts) with a request outstanding is owed its answer: hot until it
 *    comes. Each request is its own obligation (`client 2 request 3`), so a client working
 *    through its requests one after the other is not one long hot stretch;
 *  - a live learner (a node with a store: a MultiPaxos leader or replica, a Raft server) that
 *    has applied fewer log entries than the learner furthest ahead is owed them. Its obligation
 *    is named by where it stands (`replica 1 at 4`): a learner that moves on has a new one,
 *    so one that lags a busy leader by a few entries, as learners do, never stays hot, and one
 *    that is stuck does.
 */
import { describeCommand, type KvCommand } from '../../kv/kv.js';
import type { NodeView } from '../../sim/router.js';
import type { Hot } from '../api/emulation.js';

interface ClientCtx {
  readonly outstanding?: { readonly request_id: number; readonly command: KvCommand };
}

/** Every live kv client's outstanding request. */
export function clientsHot(views: readonly NodeView[], into: Hot[] = []): Hot[] {
  for (const view of views) {
    if (view.role !== 'client' || view.status !== 'up') continue;
    const pending = (view.context as ClientCtx | undefined)?.outstanding;
    if (!pending) continue;
    const { request_id, command } = pending;
    into.push({ key: `${view.id} request ${request_id}`, what: () => `${view.id}'s request ${request_id} (${describeCommand(command)}) still unanswered` });
  }
  return into;
}

interface LearnerCtx {
  /** Log entries applied to its store (the kv judge reads the same count). */
  readonly applied: number;
}

/** Every live learner (`isLearner`) that has applied fewer entries than the one furthest ahead;
 *  `entries`: what they are called (`slots`). */
export function learnersBehind(views: readonly NodeView[], isLearner: (view: NodeView) => boolean, entries: string, into: Hot[] = []): Hot[] {
  const live = (view: NodeView): boolean => view.status === 'up' && isLearner(view);
  let ahead: string | undefined;
  let top = 0;
  for (const view of views) {
    if (!live(view)) continue;
    const applied = (view.context as LearnerCtx).applied;
    if (applied > top) [ahead, top] = [view.id, applied];
  }
  if (ahead === undefined) return into;
  for (const view of views) {
    if (!live(view)) continue;
    const applied = (view.context as LearnerCtx).applied;
    if (applied < top) into.push({ key: `${view.id} at ${applied}`, what: () => `${view.id} behind, ${applied} ${entries} applied to ${ahead}'s ${top}` });
  }
  return into;
}
