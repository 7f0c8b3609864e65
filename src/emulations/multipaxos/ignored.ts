/**
 * The messages a leader or an acceptor ignores for good, for the model checker
 * (`VerifySpec.ignoresForGood`: it takes them out of flight at once, so that states differing
 * only in a message nobody will ever read are one). Derived from the roles' transitions
 * (./leader.ts, ./acceptor.ts) and their rules, so a mutant that counts stale messages keeps
 * them alive:
 *
 *   A leader's ballot only grows: each Phase 1 takes a round above every round it has seen,
 *   and the round is on its disk before it is used, so a restarted leader starts at the round
 *   it last used and prepares above it (unless `durableLeaderRound` is off: then a restart
 *   reuses rounds, and nothing tied to a ballot is dead for a leader that may restart).
 *   `preparing` is only ever entered with a new ballot, so once a leader leads or backs off,
 *   its ballot never collects promises again.
 *
 *   promise(b)      counted in `preparing` under ballot B if countsPromise(b, B), once per
 *                   acceptor: dead if it cannot count under the present ballot (not preparing,
 *                   or counted already from that acceptor, or the rule says no) nor under any
 *                   later one.
 *   accepted(b, s)  counted in `leading` under B if countsAck(b, B), while slot s is proposed
 *                   (once per acceptor, with `distinctAcks`): dead if it cannot count under the
 *                   present ballot (not leading nor about to lead; or s decided, or below the
 *                   next free slot and not proposed: a slot is proposed under a ballot only when
 *                   it starts leading or at the next free slot; or counted already) nor later.
 *   nack(b, p)      preempts in `preparing` or `leading` under B if b = B < p: dead if b is not
 *                   the present ballot of a leader in one of those states and not above it.
 *   decision(s)     learned unless s is decided or applied already — both only grow, until a
 *                   restart empties them: dead if so and the leader never restarts.
 *
 *   An acceptor's promise only grows (and is on its disk, unless a mutant forgets it), so a
 *   prepare or accept below it is refused for good: it changes nothing, notes no fact, and
 *   answers nack(ballot, promised) — dead once the leader ignores that nack for good.
 *
 * "Any later ballot": the rules compare ballots by their order only (./rules.ts), and a later
 * ballot B' is above the present B, so a message for b <= B compares with every B' as with one
 * ballot just above B; a message for a ballot above B is never dead.
 */
import type { Envelope } from '../../sim/trace.js';
import type { AcceptorState } from './acceptor.js';
import { compareBallots, type Ballot, type Message, type NodeId } from './messages.js';
import type { LeaderState } from './leader.js';

/**
 * Does the acceptor ignore `message` for good (`restarts`: it may crash and restart from its
 * disk)? Only a prepare or accept below its promise: it refuses it, changing nothing, and
 * answers nack(ballot, promised) — dead if the leader ignores that nack for good, whatever
 * the acceptor will have promised by then (asked with the highest ballot: a nack matters to a
 * leader only if it names a promise above its ballot). Its promise only grows (on its disk, if
 * it may restart), and the rules compare ballots by their order only, so a ballot it refuses
 * now it refuses for good.
 */
export function acceptorIgnoresForGood(state: { readonly context: AcceptorState }, message: Message, restarts: boolean, answerIgnored: (answer: Envelope) => boolean): boolean {
  const { promised, rules } = state.context;
  if (restarts && !(rules.durableAcceptor && rules.durablePromise)) return false;
  if (message.type !== 'prepare' && message.type !== 'accept') return false;
  if (compareBallots(message.ballot, promised) >= 0) return false;
  const accepts = message.type === 'prepare' ? rules.acceptsPrepare : rules.acceptsProposal;
  const nack: Message = { type: 'nack', ballot: message.ballot, promised: HIGHEST };
  return !accepts(message.ballot, promised) && answerIgnored(nack);
}

/** Above every ballot: the promise a refusal could name that would matter most. */
const HIGHEST: Ballot = { round: Number.MAX_SAFE_INTEGER, leader: Number.MAX_SAFE_INTEGER };

/** Does the leader in machine state `value` with context `leader` ignore `message` from
 *  `from` for good (`restarts`: it may crash and restart from its disk)? */
export function leaderIgnoresForGood(state: { readonly value: unknown; readonly context: LeaderState }, message: Message, from: NodeId, restarts: boolean): boolean {
  const { value, context: leader } = state;
  const rules = leader.rules;
  if (message.type === 'decision') return !restarts && (leader.decided.has(message.slot) || message.slot < leader.applied);
  if (restarts && !rules.durableLeaderRound) return false;
  const order = ballotOrder(message, leader.ballot);
  if (order === undefined || order > 0) return false;
  const later = aboveOf(leader.ballot);
  switch (message.type) {
    case 'promise':
      return !rules.countsPromise(message.ballot, later) && !(value === 'preparing' && rules.countsPromise(message.ballot, leader.ballot) && !leader.promises.has(from));
    case 'accepted':
      return !rules.countsAck(message.ballot, later) && !(rules.countsAck(message.ballot, leader.ballot) && mayCountAck(value, leader, message.slot, from));
    case 'nack':
      return !(order === 0 && (value === 'preparing' || value === 'leading') && compareBallots(message.promised, leader.ballot) > 0);
    default:
      return false;
  }
}

/** Could an acknowledgement for `slot` from `from` still count under the present ballot? */
function mayCountAck(value: unknown, leader: LeaderState, slot: number, from: NodeId): boolean {
  if (value === 'preparing') return true; // it may lead under this ballot yet
  if (value !== 'leading') return false;
  const proposal = leader.proposals.get(slot);
  if (proposal) return !(leader.rules.distinctAcks && proposal.acks.includes(from));
  return !leader.decided.has(slot) && slot >= leader.nextSlot;
}

/** The order of the ballot a message is for against the leader's (undefined: not one of these). */
function ballotOrder(message: Message, ballot: Ballot): number | undefined {
  if (message.type !== 'promise' && message.type !== 'accepted' && message.type !== 'nack') return undefined;
  return compareBallots(message.ballot, ballot);
}

/** A ballot just above `ballot` of the same leader: how the rules see every later ballot. */
const aboveOf = (ballot: Ballot): Ballot => ({ round: ballot.round + 1, leader: ballot.leader });
