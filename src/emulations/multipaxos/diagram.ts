/**
 * MultiPaxos in the diagram's words: what the generic message-sequence diagram (src/view/)
 * needs from this emulation — short labels, categories (client, phase 1, phase 2, learning),
 * the fields a reader filters by (slot, ballot), which notes are worth a badge (DECIDED,
 * LEADING, PREEMPTED), the client operations — and the explanation of an agreement violation
 * and of a broken invariant.
 * (Which traffic is background, catch-up polling, ./views.ts `background` says.)
 *
 * Explaining an agreement violation. Paxos is safe because any two quorums intersect: once a
 * value is chosen in ballot b (accepted by a quorum Q2 of acceptors), a leader of any higher
 * ballot b' runs Phase 1 with some quorum Q1; an acceptor in Q1 ∩ Q2 reports the value in its
 * promise, and the leader must adopt it. So for two different decisions of one slot under
 * ballots b < b', the picture shows three sets of acceptors: the quorum that accepted b
 * ("quorum A"), the one that accepted b' ("quorum B") and the one whose promises b' counted.
 * Either the promises of b' and the acceptances of b do not intersect (quorums too small), or
 * they do and the explanation says what the shared acceptor did wrong or what the leader
 * ignored: it accepted b after promising b', or its promise left out what it had accepted, or
 * the leader did not adopt what the promise reported.
 *
 * Explaining a broken invariant (./invariants.ts: one-value, quorum-backed, votes-safe,
 * promises-kept). These usually fail long before two decisions differ, at the first bad vote,
 * promise or decision. The invariants are checked again over the picture's events, as the run's
 * judge checks them, and each failure is pointed at: the step that broke it and the earlier
 * votes, promises and decisions its words name (`Verdict.at`), ringed together.
 */
import { describeCommand } from '../../kv/kv.js';
import type { TraceEvent } from '../../sim/trace.js';
import { verdictNote } from '../../../specs/verdict.js';
import type { DiagramEvent, DiagramExplanation, DiagramSpec, Highlight, Lane, Mark, NoteEvent } from '../api/diagram.js';
import type { MessageWords } from '../api/emulation.js';
import { explainLinearizability, kvOperations, requestTag, shortCommand, shortLog, shortResult } from '../kv/diagram.js';
import { FactReader } from '../kv/log-checks.js';
import { VotingInvariants } from './invariants.js';
import { ballotText, compareBallots, describeLogCommand as describeLog, sameLogCommand as sameCommand, type Ballot, type Fact, type LogCommand, type Message } from './messages.js';
import { describeMessage } from './views.js';

export type RunEvent = DiagramEvent<Message, Fact>;

const b = (ballot: Ballot): string => `b${ballotText(ballot)}`;

/** MultiPaxos's words for its messages: a few words for traces, short labels, categories and
 *  fields for the diagram. */
export const messageWords: MessageWords<Message> = {
  describe: describeMessage,
  label(msg) {
    switch (msg.type) {
      case 'request':
        return `request ${requestTag(msg.client, msg.request_id)} ${shortCommand(msg.command)}`;
      case 'reply':
        return `reply #${msg.request_id} ${shortResult(msg.result)}`;
      case 'prepare':
        return `prepare ${b(msg.ballot)} s≥${msg.from_slot}`;
      case 'promise':
        return `promise ${b(msg.ballot)}${msg.accepted.length ? ` (${msg.accepted.length} acc)` : ''}`;
      case 'accept':
        return `accept s${msg.slot} ${b(msg.ballot)} ${shortLog(msg.command)}`;
      case 'accepted':
        return `accepted s${msg.slot} ${b(msg.ballot)}`;
      case 'nack':
        return `nack ${b(msg.ballot)} < ${ballotText(msg.promised)}`;
      case 'decision':
        return `decision s${msg.slot} ${shortLog(msg.command)}`;
      case 'catch-up':
        return `catch-up s≥${msg.from_slot}`;
      case 'decisions':
        return `decisions s≥${msg.from_slot} (${msg.entries.length})`;
    }
  },
  detail(msg) {
    const text = describeMessage(msg);
    if (msg.type === 'accept' || msg.type === 'decision') return `${text}: ${describeLog(msg.command)}`;
    if (msg.type === 'request') return `${text}: ${describeCommand(msg.command)}`;
    if (msg.type === 'promise' && msg.accepted.length > 0) return `${text}: ${msg.accepted.map((p) => `slot ${p.slot} ballot ${ballotText(p.ballot)} ${describeLog(p.command)}`).join('; ')}`;
    return text;
  },
  category(msg) {
    switch (msg.type) {
      case 'request':
      case 'reply':
        return 'client';
      case 'prepare':
      case 'promise':
      case 'nack':
        return 'phase 1';
      case 'accept':
      case 'accepted':
        return 'phase 2';
      default:
        return 'learning';
    }
  },
  fields(msg) {
    const fields: Record<string, string | number> = {};
    if ('slot' in msg) fields.slot = msg.slot;
    if ('ballot' in msg) fields.ballot = ballotText(msg.ballot);
    return fields;
  },
};

/** A decision's badge (strong), and a leader's LEADING and PREEMPTED. */
function mark(note: NoteEvent<Fact>): Mark | undefined {
  const fact = note.fact;
  if (fact?.kind === 'decide') {
    return { text: `DECIDED s${fact.slot} ${shortLog(fact.command)}`, fields: { slot: fact.slot, ...(fact.ballot ? { ballot: ballotText(fact.ballot) } : {}) }, strong: true };
  }
  const word = note.text.split(' ')[0];
  if (word === 'LEADING') return { text: note.text.replace(/^LEADING with ballot ([\d.]+).*/, 'LEADING b$1') };
  if (word === 'PREEMPTED') return { text: note.text.replace(/^PREEMPTED by ballot ([\d.]+).*/, 'PREEMPTED by $1') };
  return undefined;
}

// ---- agreement ------------------------------------------------------------------------------

interface Decision {
  readonly event: number;
  readonly node: string;
  readonly t: number;
  readonly slot: number;
  readonly command: LogCommand;
  readonly ballot?: Ballot;
  /** The acceptors whose `accepted` the deciding leader counted (its decide fact names them). */
  readonly quorum?: readonly string[];
  readonly verb: string;
}

/** The first two decisions (or applies) of one slot with different commands, as the
 *  agreement check finds them; undefined when every slot has one command. */
export function firstConflict(events: readonly RunEvent[]): [Decision, Decision] | undefined {
  const first = new Map<number, Decision>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.kind !== 'note' || !e.fact || (e.fact.kind !== 'decide' && e.fact.kind !== 'apply') || e.fact.slot < 0) continue;
    const f = e.fact;
    const d: Decision = {
      event: i,
      node: e.node,
      t: e.t,
      slot: f.slot,
      command: f.command,
      verb: f.kind === 'decide' ? 'decided' : 'applied',
      ...(f.kind === 'decide' && f.ballot ? { ballot: f.ballot } : {}),
      ...(f.kind === 'decide' && f.quorum ? { quorum: f.quorum } : {}),
    };
    const seen = first.get(f.slot);
    if (!seen) first.set(f.slot, d);
    else if (!sameCommand(seen.command, f.command)) return [seen, d];
  }
  return undefined;
}

/** The decide fact behind an apply (the same command decided for the slot, with a ballot). */
function withBallot(events: readonly RunEvent[], d: Decision): Decision {
  if (d.ballot) return d;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.kind === 'note' && e.fact?.kind === 'decide' && e.fact.slot === d.slot && e.fact.ballot && sameCommand(e.fact.command, d.command)) {
      return { event: i, node: e.node, t: e.t, slot: d.slot, command: d.command, ballot: e.fact.ballot, verb: 'decided', ...(e.fact.quorum ? { quorum: e.fact.quorum } : {}) };
    }
  }
  return d;
}

/** Deliveries to `node` of messages of `type` for `ballot` (and `slot`), after its last
 *  restart before `until` and before `until`. */
function deliveries(events: readonly RunEvent[], node: string, until: number, match: (msg: Message) => boolean): number[] {
  let from = 0;
  for (let i = until; i >= 0; i--) {
    const e = events[i]!;
    if (e.kind === 'restart' && e.node === node) {
      from = i;
      break;
    }
  }
  const found: number[] = [];
  const seen = new Set<string>();
  for (let i = from; i <= until; i++) {
    const e = events[i]!;
    if (e.kind === 'deliver' && e.to === node && match(e.msg) && !seen.has(e.from)) {
      seen.add(e.from);
      found.push(i);
    }
  }
  return found;
}

const sameBallot = (a: Ballot, x: Ballot): boolean => compareBallots(a, x) === 0;
const list = (ids: readonly string[]): string => `{${ids.join(', ')}}`;

/** The explanation of the first agreement violation in the run, or undefined if there is none. */
export function explainAgreement(events: readonly RunEvent[], lanes: readonly Lane[]): DiagramExplanation | undefined {
  const conflict = firstConflict(events);
  if (!conflict) return undefined;
  const [x, y] = conflict.map((d) => withBallot(events, d)) as [Decision, Decision];
  const slot = x.slot;
  const acceptors = lanes.filter((l) => l.group === 'acceptor').length;
  const lines = [
    `AGREEMENT VIOLATED in slot ${slot}: ${conflict[0].node} ${conflict[0].verb} ${describeLog(conflict[0].command)} at t=${conflict[0].t}, ` +
      `but ${conflict[1].node} ${conflict[1].verb} ${describeLog(conflict[1].command)} at t=${conflict[1].t}.`,
  ];
  const highlights: Highlight[] = [
    { role: 'violation', title: `agreement: two commands decided for slot ${slot}`, text: lines[0]!, events: [conflict[0].event, conflict[1].event], tag: `slot ${slot} conflict` },
  ];
  const focus = { field: 'slot', value: String(slot) };
  if (!x.ballot || !y.ballot) return { lines, highlights, focus };
  // Order the two decisions by ballot: `lo` was chosen first in ballot order.
  const [lo, hi] = compareBallots(x.ballot, y.ballot) <= 0 ? [x, y] : [y, x];
  // The acceptances each leader counted: the deliveries of their `accepted` (from the acceptors
  // its decide fact names, when it names them).
  const accepted = (d: Decision): number[] =>
    deliveries(events, d.node, d.event, (m) => m.type === 'accepted' && m.slot === slot && sameBallot(m.ballot, d.ballot!)).filter(
      (i) => !d.quorum || d.quorum.includes((events[i] as { from: string }).from),
    );
  const firstAccept = events.findIndex((e) => e.kind === 'send' && e.from === hi.node && e.msg.type === 'accept' && sameBallot(e.msg.ballot, hi.ballot!));
  const promised = firstAccept < 0 ? [] : deliveries(events, hi.node, firstAccept, (m) => m.type === 'promise' && sameBallot(m.ballot, hi.ballot!));
  const from = (list_: number[]): string[] => list_.map((i) => (events[i] as { from: string }).from);
  const qA = from(accepted(lo));
  const qB = from(accepted(hi));
  const p1 = from(promised);
  const majority = Math.floor(acceptors / 2) + 1;
  lines.push(
    `quorum A: ${lo.node} decided ${describeLog(lo.command)} under ballot ${ballotText(lo.ballot!)} at t=${lo.t} once ${list(qA)} accepted it (${qA.length} of ${acceptors} acceptors).`,
    `quorum B: ${hi.node} decided ${describeLog(hi.command)} under the higher ballot ${ballotText(hi.ballot!)} at t=${hi.t} once ${list(qB)} accepted it; ` +
      `before proposing, it had counted the promises of ${list(p1)} for ballot ${ballotText(hi.ballot!)} (its Phase 1 quorum).`,
  );
  const shared = p1.filter((a) => qA.includes(a));
  if (shared.length === 0) {
    lines.push(
      `These quorums do not intersect: no acceptor that accepted ballot ${ballotText(lo.ballot!)}'s command in slot ${slot} promised ballot ${ballotText(hi.ballot!)}, ` +
        `so ${hi.node} could not learn that a command was already chosen there and proposed its own. ` +
        `A quorum must be a majority (${majority} of ${acceptors} acceptors): any two majorities share an acceptor, which would have reported it.`,
    );
  } else {
    lines.push(`The quorums intersect in ${list(shared)}, so adoption should have carried ballot ${ballotText(lo.ballot!)}'s command into ballot ${ballotText(hi.ballot!)}:`);
    for (const a of shared) lines.push(`  ${a}: ${sharedAcceptorStory(events, a, lo, hi, promised)}`);
  }
  highlights.push(
    { role: 'evidence', title: `quorum A: ${list(qA)} accepted ballot ${ballotText(lo.ballot!)} in slot ${slot}`, text: lines[1]!, events: accepted(lo), lanes: qA, tag: 'quorum A' },
    { role: 'evidence', title: `quorum B: ${list(qB)} accepted ballot ${ballotText(hi.ballot!)} in slot ${slot}`, text: lines[2]!, events: accepted(hi), lanes: qB, tag: 'quorum B' },
    { role: 'evidence', title: `Phase 1 of ballot ${ballotText(hi.ballot!)}: promises of ${list(p1)}`, text: lines[2]!, events: promised, lanes: p1, tag: `promised ${ballotText(hi.ballot!)}` },
  );
  return { lines, highlights, focus };
}

/** What a shared acceptor did, in the order that matters for adoption. */
function sharedAcceptorStory(events: readonly RunEvent[], acceptor: string, lo: Decision, hi: Decision, promised: number[]): string {
  const acceptedAt = events.findIndex((e) => e.kind === 'send' && e.from === acceptor && e.msg.type === 'accepted' && e.msg.slot === lo.slot && sameBallot(e.msg.ballot, lo.ballot!));
  const promiseAt = promised.find((i) => (events[i] as { from: string }).from === acceptor);
  if (promiseAt === undefined || acceptedAt < 0) return 'its part is not in the trace';
  const promise = events[promiseAt] as Extract<RunEvent, { kind: 'send' | 'deliver' | 'duplicate' }>;
  // Compare with when the acceptor sent its promise, not when the leader got it.
  const promisedAt = events.findIndex((e) => e.kind === 'send' && e.id === promise.id);
  if (acceptedAt > promisedAt) return `it accepted ballot ${ballotText(lo.ballot!)} at t=${events[acceptedAt]!.t}, after promising ballot ${ballotText(hi.ballot!)} at t=${events[promisedAt]!.t}: an acceptor must refuse a ballot below its promise.`;
  const reported = promise.msg.type === 'promise' ? promise.msg.accepted.find((p) => p.slot === lo.slot) : undefined;
  if (!reported) return `its promise for ballot ${ballotText(hi.ballot!)} (t=${events[promisedAt]!.t}) did not report what it had accepted in slot ${lo.slot} at t=${events[acceptedAt]!.t}: it forgot it (was it persisted before a restart?).`;
  return `its promise (t=${events[promisedAt]!.t}) reported ${describeLog(reported.command)} accepted under ballot ${ballotText(reported.ballot)} in slot ${lo.slot}, but ${hi.node} did not adopt it.`;
}

// ---- the protocol's invariants --------------------------------------------------------------

/** Each broken invariant of the run, pointed at: the step that broke it, and the earlier votes,
 *  promises and decisions it names. Quorums are majorities of the acceptors in the picture. */
export function explainInvariants(events: readonly RunEvent[], lanes: readonly Lane[]): DiagramExplanation[] {
  const check = new VotingInvariants(lanes.filter((l) => l.group === 'acceptor').length);
  const reader = new FactReader<Fact>();
  events.forEach((e, i) => {
    const noted = reader.read(e as TraceEvent<Message, Fact>, i);
    if (noted && check.kinds.includes(noted.fact.kind)) check.observe(noted);
  });
  return check.failures().map((v) => {
    const at = v.at!;
    const named = at.evidence ?? [];
    const title = `${v.name}: broken at t=${at.t}${named.length > 0 ? `; ${named.length} earlier step(s) it names ringed` : ''}`;
    const highlight: Highlight = { role: 'violation', title, text: verdictNote(v), events: [...named, at.event!], tag: v.name };
    return { lines: [verdictNote(v)], highlights: [highlight] };
  });
}

/** MultiPaxos's part of the diagram. */
export const diagram: DiagramSpec<Message, Fact> = {
  laneOrder: ['client', 'leader', 'acceptor', 'replica'],
  messageTypes: ['request', 'reply', 'prepare', 'promise', 'accept', 'accepted', 'nack', 'decision', 'catch-up', 'decisions'],
  mark,
  operations: kvOperations,
  explain(events, lanes) {
    const agreement = explainAgreement(events, lanes);
    return [...(agreement ? [agreement] : []), ...explainLinearizability(events), ...explainInvariants(events, lanes)];
  },
};
