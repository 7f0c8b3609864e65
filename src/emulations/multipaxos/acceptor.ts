/**
 * Acceptor: the memory of Paxos. It keeps one promised ballot and, per slot, the last
 * (ballot, command) it accepted. Both are written to stable storage before it answers, so a
 * crash-recover cannot make it break a promise or forget a vote — that durability is what lets
 * a chosen value survive any minority of crashes.
 *
 *   prepare(b, from)   b >= promised ? promise(b, accepted >= from)  : nack(promised)
 *   accept(b, s, c)    b >= promised ? accepted(b, s), remember c@s  : nack(promised)
 *
 * The accepted map is updated in place (one entry per accept; copying it each time made long
 * runs quadratic); the promised ballot and the state object itself are replaced.
 */
import { setup, type MachineContext } from 'xstate';
import { step } from '../../sim/outbox.js';
import { ballotText, compareBallots, describeLogCommand, zeroBallot, type Ballot, type Effect, type NodeEvent, type Outbox, type PValue } from './messages.js';
import type { Rules } from './rules.js';

export interface AcceptorInput {
  readonly id: number;
  readonly rules: Rules;
  readonly disk?: AcceptorDisk;
}

/** What survives a crash. */
export interface AcceptorDisk {
  readonly promised: Ballot;
  readonly accepted: ReadonlyMap<number, PValue>;
}

export interface AcceptorState extends MachineContext {
  readonly id: number;
  readonly rules: Rules;
  readonly promised: Ballot;
  readonly accepted: Map<number, PValue>;
}

function persist(state: AcceptorState, out: Outbox): void {
  // The disk holds the accepted map itself: it is only ever updated right before a persist, so
  // sharing it writes through at no cost; a restart starts from a copy.
  const { rules } = state;
  if (!rules.durableAcceptor) return;
  out.persist({
    promised: rules.durablePromise ? state.promised : zeroBallot,
    accepted: rules.durableVotes ? state.accepted : new Map(),
  } satisfies AcceptorDisk);
}

/** Phase 1b: promise, and report what was accepted from `from_slot` on. */
function onPrepare(state: AcceptorState, event: NodeEvent, out: Outbox): AcceptorState {
  if (event.type !== 'prepare') return state;
  const { ballot, from_slot } = event;
  if (!state.rules.acceptsPrepare(ballot, state.promised)) {
    out.note(() => `PREPARE ballot ${ballotText(ballot)} -> rejected (promised ${ballotText(state.promised)})`);
    out.send(event.from, { type: 'nack', ballot, promised: state.promised });
    return state;
  }
  const next = { ...state, promised: ballot };
  persist(next, out);
  const accepted = [...state.accepted.values()].filter((pv) => state.rules.reportsSlot(pv.slot, from_slot)).sort((a, b) => a.slot - b.slot);
  out.observe({ kind: 'promise', ballot, from_slot, accepted });
  out.note(() => `PROMISE ballot ${ballotText(ballot)} from slot ${from_slot} (${accepted.length} accepted) -> ${event.from}`);
  out.send(event.from, { type: 'promise', ballot, accepted });
  return next;
}

/** Phase 2b: accept unless a higher ballot was promised. */
function onAccept(state: AcceptorState, event: NodeEvent, out: Outbox): AcceptorState {
  if (event.type !== 'accept') return state;
  const { ballot, slot, command } = event;
  if (!state.rules.acceptsProposal(ballot, state.promised)) {
    out.note(() => `ACCEPT slot ${slot} ballot ${ballotText(ballot)} -> rejected (promised ${ballotText(state.promised)})`);
    out.send(event.from, { type: 'nack', ballot, promised: state.promised });
    return state;
  }
  state.accepted.set(slot, { slot, ballot, command });
  // The accepted map changed in place; the state object changes only with the promise.
  const next = state.rules.acceptRaisesPromise && compareBallots(ballot, state.promised) > 0 ? { ...state, promised: ballot } : state;
  persist(next, out);
  out.observe({ kind: 'vote', ballot, slot, command });
  out.note(() => `ACCEPT slot ${slot} ballot ${ballotText(ballot)} ${describeLogCommand(command)} -> accepted`);
  out.send(event.from, { type: 'accepted', ballot, slot });
  return next;
}

export const acceptorMachine = setup({
  types: { context: {} as AcceptorState, events: {} as NodeEvent, input: {} as AcceptorInput, emitted: {} as Effect },
  actions: { onPrepare: step(onPrepare), onAccept: step(onAccept) },
}).createMachine({
  id: 'acceptor',
  context: ({ input }) => ({
    id: input.id,
    rules: input.rules,
    promised: input.disk?.promised ?? zeroBallot,
    accepted: new Map(input.disk?.accepted ?? []),
  }),
  initial: 'serving',
  states: {
    serving: { on: { prepare: { actions: 'onPrepare' }, accept: { actions: 'onAccept' } } },
  },
});
