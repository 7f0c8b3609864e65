/**
 * How MultiPaxos looks in traces and on the dashboard: each message in a few words, and each
 * role's row and summary.
 *
 *   acceptor 1  serving     promised 1.1  accepted 15 (slots 0-14)
 *   leader 1    leading     ballot 1.1  next 17  decided/applied 15/15  in flight 2 (15-16)
 *   leader 2    preempted   ballot 1.2  next 0  decided/applied 15/15  in flight 0  backing off
 *   replica 1   learning    applied 15  store {a=val_3, c=val_9}
 */
import type { NodeView } from '../../sim/router.js';
import type { TraceEvent } from '../../sim/trace.js';
import type { Role, RowText } from '../api/emulation.js';
import { learnerDetail, learnersSummary, type LearnerCtx } from '../kv/views.js';
import { fitParts, numberRanges, span, stateText, topState, type RowPart } from '../api/rows.js';
import { QUIET_POLL } from './learner.js';
import { ballotText, compareBallots, type Ballot, type Fact, type LogCommand, type Message, type PValue } from './messages.js';

/**
 * Steady-state chatter, the dashboard's and the diagram's to fold: a learner's catch-up
 * polling while it has no gap to fill (the note of such a poll), and the polls and answers
 * with nothing in them.
 */
export function background(event: TraceEvent<Message, Fact>): string | undefined {
  if (event.kind === 'note') return event.text.endsWith(`(${QUIET_POLL})`) ? QUIET_POLLS : undefined;
  if (!('msg' in event)) return undefined;
  const msg = event.msg;
  return msg.type === 'catch-up' || (msg.type === 'decisions' && msg.entries.length === 0) ? QUIET_POLLS : undefined;
}

const QUIET_POLLS = 'quiet catch-up polls';

export function describeMessage(msg: Message): string {
  switch (msg.type) {
    case 'request':
      return `request ${msg.request_id} of client ${msg.client}`;
    case 'reply':
      return `reply to request ${msg.request_id}`;
    case 'prepare':
      return `prepare ballot ${ballotText(msg.ballot)} from slot ${msg.from_slot}`;
    case 'promise':
      return `promise ballot ${ballotText(msg.ballot)} (${msg.accepted.length} accepted)`;
    case 'accept':
      return `accept slot ${msg.slot} ballot ${ballotText(msg.ballot)}`;
    case 'accepted':
      return `accepted slot ${msg.slot} ballot ${ballotText(msg.ballot)}`;
    case 'nack':
      return `nack ballot ${ballotText(msg.ballot)} (promised ${ballotText(msg.promised)})`;
    case 'decision':
      return `decision slot ${msg.slot}`;
    case 'catch-up':
      return `catch-up from slot ${msg.from_slot}`;
    case 'decisions':
      return `decisions from slot ${msg.from_slot} (${msg.entries.length})`;
  }
}

// ---- rows ----------------------------------------------------------------------------------------

interface AcceptorCtx {
  readonly promised?: Ballot;
  readonly accepted?: ReadonlyMap<number, PValue>;
}
interface LeaderCtx extends LearnerCtx {
  readonly ballot?: Ballot;
  readonly decided?: ReadonlyMap<number, LogCommand>;
  readonly promises?: ReadonlyMap<string, unknown>;
  readonly acceptors?: readonly string[];
  readonly proposals?: ReadonlyMap<number, unknown>;
  readonly nextSlot?: number;
  readonly queue?: { readonly length: number };
  readonly rules?: { readonly quorum: (n: number) => number };
}

const ctxOf = <C>(view: NodeView): C => (view.context ?? {}) as C;

/** What a leader's preempted substates mean, appended to its detail (full and short). */
const PHASES: Record<string, RowPart> = {
  'preempted.backingOff': { full: 'backing off', short: 'backoff' },
  'preempted.standingBy': { full: 'standing by (no work)', short: 'idle' },
};

/** One past the highest decided slot (0 when none is decided). */
function decidedTo(ctx: LeaderCtx): number {
  let top = (ctx.applied ?? 0) - 1;
  for (const slot of ctx.decided?.keys() ?? []) top = Math.max(top, slot);
  return top + 1;
}

function acceptorDetail(ctx: AcceptorCtx): string {
  const accepted = ctx.accepted ?? new Map<number, PValue>();
  const slots = accepted.size === 0 ? 'none' : `${accepted.size} (slots ${numberRanges(accepted.keys())})`;
  return `promised ${ctx.promised ? ballotText(ctx.promised) : '-'}  accepted ${slots}`;
}

/** `ballot 1.1  next 17  decided/applied 15/15  in flight 2 (15-16)  queued 3`, or, when `width`
 *  is short, `b1.1  next 17  dec/app 15/15  flight 2 (15-16)  queued 3`, then without the slot
 *  ranges. */
function leaderDetail(ctx: LeaderCtx, state: string, value: unknown, width?: number): string {
  const ballot = ctx.ballot ? ballotText(ctx.ballot) : '-';
  const parts: RowPart[] = [{ full: `ballot ${ballot}`, short: `b${ballot}` }];
  if (state === 'preparing' && ctx.promises && ctx.acceptors) {
    const quorum = ctx.rules?.quorum(ctx.acceptors.length) ?? Math.floor(ctx.acceptors.length / 2) + 1;
    parts.push({ full: `promises ${ctx.promises.size}/${quorum}`, short: `prom ${ctx.promises.size}/${quorum}` });
  }
  parts.push({ full: `next ${ctx.nextSlot ?? 0}` }, { full: `decided/applied ${decidedTo(ctx)}/${ctx.applied ?? 0}`, short: `dec/app ${decidedTo(ctx)}/${ctx.applied ?? 0}` });
  const inFlight = ctx.proposals ? [...ctx.proposals.keys()] : [];
  parts.push(
    inFlight.length === 0
      ? { full: 'in flight 0', short: 'flight 0' }
      : { full: `in flight ${inFlight.length} (${numberRanges(inFlight, 2)})`, short: `flight ${inFlight.length} (${numberRanges(inFlight, 1)})` },
  );
  // Requests waiting for a slot: never shortened to `q N` (q is also the quit key).
  if (ctx.queue && ctx.queue.length > 0) parts.push({ full: `queued ${ctx.queue.length}` });
  const phase = PHASES[stateText(value)];
  if (phase) parts.push(phase);
  const fitted = fitParts(parts, width);
  // Still too long: the slot ranges in flight are what a reader misses least.
  return width !== undefined && fitted.length > width ? fitParts(parts.map((p) => (p.full.startsWith('in flight') ? { full: `flight ${inFlight.length}` } : p)), width) : fitted;
}

const leaderTone = (state: string): RowText['tone'] => (state === 'leading' ? 'good' : state.startsWith('preempted') ? 'warn' : 'busy');

export const acceptorRole: Role = {
  name: 'acceptor',
  crashable: true,
  summariseFirst: 3,
  row: (view) => ({ state: topState(view.state), detail: acceptorDetail(ctxOf(view)), tone: 'normal' }),
  summary(views) {
    const ctxs = views.map((v) => ctxOf<AcceptorCtx>(v)).filter((c) => c.promised !== undefined || c.accepted !== undefined);
    const parts: string[] = [];
    const promised = ctxs.map((c) => c.promised).filter((b): b is Ballot => b !== undefined);
    const top = promised.reduce<Ballot | undefined>((a, b) => (!a || compareBallots(b, a) > 0 ? b : a), undefined);
    if (top) parts.push(`promised ${ballotText(top)} by ${promised.filter((b) => compareBallots(b, top) === 0).length}`);
    const sizes = ctxs.map((c) => c.accepted?.size ?? 0);
    if (sizes.length > 0) parts.push(`accepted ${span(sizes)} slots`);
    return parts.join('  ');
  },
};

export const leaderRole: Role = {
  name: 'leader',
  crashable: true,
  row(view, width) {
    const state = topState(view.state);
    return { state, detail: leaderDetail(ctxOf(view), state, view.state, width), tone: leaderTone(state) };
  },
  /** `1 leading 3.1, 2 preempted 2.2`: who thinks it leads, under which ballot. */
  summary: (views) =>
    views
      .filter((v) => v.status !== 'crashed')
      .map((v) => `${v.id.split(' ')[1]} ${topState(v.state)} ${ctxOf<LeaderCtx>(v).ballot ? ballotText(ctxOf<LeaderCtx>(v).ballot!) : '-'}`)
      .join(', '),
};

export const replicaRole: Role = {
  name: 'replica',
  crashable: true,
  summariseFirst: 2,
  row: (view, width) => ({ state: topState(view.state), detail: learnerDetail(ctxOf(view), width), tone: 'normal' }),
  summary: (views) => learnersSummary(views.filter((v) => v.status !== 'crashed')),
};
