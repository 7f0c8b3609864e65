/**
 * When an explored MultiPaxos run has nothing left to show. Asked once the clients are done,
 * no message is in flight and no planned fault is left (src/sim/router.ts `quiescent`): from
 * then on only timers fire, and they change nothing if
 *
 *  - every live learner (leader or replica) has applied every slot any of them decided, with
 *    no gap (a catch-up poll then brings nobody anything new), and
 *  - no live leader has work: nothing queued, no slot in flight, and it is not in Phase 1 (a
 *    Phase 1 could adopt a value some acceptor accepted but nobody decided, and decide it).
 *
 * A crashed node with no restart planned stays down: it is left out.
 */
import type { NodeView } from '../../sim/router.js';
import { topState } from '../api/rows.js';

interface LearnerCtx {
  readonly applied: number;
  readonly lastDecided: number;
}

interface LeaderCtx extends LearnerCtx {
  readonly queue: { readonly length: number };
  readonly proposals: ReadonlyMap<number, unknown>;
}

export function quiescent(views: readonly NodeView[]): boolean {
  const live = views.filter((v) => v.status === 'up' && (v.role === 'leader' || v.role === 'replica'));
  const learners = live.map((v) => v.context as LearnerCtx);
  const top = Math.max(0, ...learners.map((l) => l.lastDecided + 1));
  if (!learners.every((l) => l.applied === top && l.lastDecided + 1 === top)) return false;
  return live.filter((v) => v.role === 'leader').every((v) => {
    const leader = v.context as LeaderCtx;
    return leader.queue.length === 0 && leader.proposals.size === 0 && topState(v.state) !== 'preparing' && topState(v.state) !== 'starting';
  });
}
