/**
 * How Raft looks in traces and on the dashboard: each message in a few words, and the servers'
 * rows and summary.
 *
 *   server 1    leader      term 3  commit 15  log 17 (t3)  applied 15  next 18/18
 *   server 2    follower    term 3  commit 15  log 17 (t3)  applied 15  leader server 1
 *   server 3    candidate   term 4  commit 12  log 14 (t2)  applied 12  votes 1/2
 */
import type { NodeView } from '../../sim/router.js';
import type { Role, RowText } from '../api/emulation.js';
import { fitParts, span, topState, type RowPart } from '../api/rows.js';
import type { Message } from './messages.js';
import type { ServerState } from './state.js';

export function describeMessage(msg: Message): string {
  switch (msg.type) {
    case 'request':
      return `request ${msg.request_id} of client ${msg.client}`;
    case 'reply':
      return `reply to request ${msg.request_id}`;
    case 'forward':
      return `forward request ${msg.request_id} of client ${msg.client}`;
    case 'request-vote':
      return `request-vote term ${msg.term} (log ends at index ${msg.last_index}, term ${msg.last_term})`;
    case 'vote':
      return `vote term ${msg.term} ${msg.granted ? 'granted' : 'refused'}`;
    case 'append-entries':
      return msg.entries.length === 0
        ? `heartbeat term ${msg.term} after index ${msg.prev_index} commit ${msg.commit}`
        : `append-entries term ${msg.term} index ${entryRange(msg.prev_index, msg.entries.length)} commit ${msg.commit}`;
    case 'append-result':
      return msg.success ? `append-result term ${msg.term} ok up to index ${msg.match}` : `append-result term ${msg.term} refused after index ${msg.prev_index} (log ends at ${msg.last_index})`;
  }
}

/** `5`, or `5-7`: the indexes of `count` entries after `prev`. */
export const entryRange = (prev: number, count: number): string => (count === 1 ? `${prev + 1}` : `${prev + 1}-${prev + count}`);

// ---- rows ----------------------------------------------------------------------------------------

type ServerCtx = Partial<ServerState>;

const ctxOf = (view: NodeView): ServerCtx => (view.context ?? {}) as ServerCtx;

/** `term 3  commit 15  log 17 (t3)  applied 15`, then the role's own part. */
function serverDetail(ctx: ServerCtx, width?: number): string {
  const log = ctx.log;
  const parts: RowPart[] = [
    { full: `term ${ctx.term ?? 0}`, short: `t${ctx.term ?? 0}` },
    { full: `commit ${ctx.commit ?? 0}`, short: `c${ctx.commit ?? 0}` },
    { full: `log ${log?.lastIndex ?? 0} (t${log?.lastTerm ?? 0})`, short: `log ${log?.lastIndex ?? 0}` },
    { full: `applied ${ctx.applied ?? 0}`, short: `app ${ctx.applied ?? 0}`, optional: true },
  ];
  if (ctx.role === 'leader' && ctx.progress) {
    const matched = [...ctx.progress.values()].filter((p) => p.match === log?.lastIndex).length;
    parts.push({ full: `followers up to date ${matched}/${ctx.progress.size}`, short: `synced ${matched}/${ctx.progress.size}`, optional: true });
  } else if (ctx.role === 'candidate' && ctx.votes && ctx.peers && ctx.rules) {
    parts.push({ full: `votes ${ctx.votes.length}/${ctx.rules.quorum(ctx.peers.length + 1)}` });
  } else if (ctx.leader) {
    parts.push({ full: `leader ${ctx.leader}`, short: `ldr ${ctx.leader.split(' ')[1]}`, optional: true });
  }
  return fitParts(parts, width);
}

const tones: Record<string, RowText['tone']> = { leader: 'good', candidate: 'busy', follower: 'normal' };

export const serverRole: Role = {
  name: 'server',
  crashable: true,
  row(view, width) {
    const state = topState(view.state);
    return { state, detail: serverDetail(ctxOf(view), width), tone: tones[state] ?? 'dim' };
  },
  /** `leader server 1 (term 3), commit 12-15`: who leads, and how far the servers committed. */
  summary(views) {
    const up = views.filter((v) => v.status !== 'crashed').map(ctxOf);
    const leaders = views.filter((v) => v.status !== 'crashed' && topState(v.state) === 'leader');
    const who = leaders.length === 0 ? 'no leader' : leaders.map((v) => `leader ${v.id} (term ${ctxOf(v).term ?? 0})`).join(', ');
    return up.length === 0 ? who : `${who}, commit ${span(up.map((c) => c.commit ?? 0))}`;
  },
};
