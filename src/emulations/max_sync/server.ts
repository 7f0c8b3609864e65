/**
 * A max-sync server: it holds a number that only grows (the peer-synchronisation example of
 * the original project). A client's write raises it to at least the written value; every
 * `sync_ms` the server tells every peer its number, and a server that hears a larger one
 * adopts it. The number is written to disk before anyone is told of it (an ack, a sync), so a
 * crash-recover cannot make it go back: what a server acknowledged, it still holds.
 *
 *   write(seq, v)   held = max(held, v); persist; ack(seq, held)
 *   sync(v)         v > held ? held = v; persist : ignore
 *   sync timer      sync(held) -> every peer
 *
 * Deliberately broken variants (mutants, off unless named): a server that takes the last
 * number it hears instead of the max, one with no disk, which restarts at 0 (both unsafe), and
 * one that forgets to re-arm its sync timer, so it gossips once and never again (safe, but the
 * servers stop converging: a liveness bug).
 */
import { setup, type MachineContext } from 'xstate';
import { step } from '../../sim/outbox.js';
import type { NodeId } from '../../sim/trace.js';
import type { Effect, Fact, Message, NodeEvent, Outbox } from './messages.js';

export interface ServerRules {
  /** Does a sync raise the number only when it is larger (the correct rule)? */
  readonly keepsMax: boolean;
  /** Is the number written to disk? */
  readonly durable: boolean;
  /** After gossiping, does it arm its sync timer again (gossip every sync_ms, for ever)? */
  readonly regossips: boolean;
}

export interface ServerInput {
  readonly peers: readonly NodeId[];
  readonly sync_ms: number;
  readonly rules: ServerRules;
  readonly disk?: ServerDisk;
}

export interface ServerDisk {
  readonly value: number;
}

export interface ServerState extends MachineContext, Omit<ServerInput, 'disk'> {
  readonly value: number;
  /** Who last raised the number, for the dashboard. */
  readonly lastRaise: string;
}

const SYNC = 'sync';

/** Does hearing `value` change the number? Correct: only a larger one. */
const raises = (state: ServerState, value: number): boolean => (state.rules.keepsMax ? value > state.value : value !== state.value);

function hold(state: ServerState, value: number, cause: 'write' | 'sync', by: string, out: Outbox): ServerState {
  if (state.rules.durable) out.persist({ value } satisfies ServerDisk);
  return { ...state, value, lastRaise: `${cause} from ${by}` };
}

/** (Re)started: say what it holds, and start gossiping. */
function start(state: ServerState, _event: NodeEvent, out: Outbox): ServerState {
  out.note(() => `START holding ${state.value}${state.rules.durable && state.value > 0 ? ' (from disk)' : ''}`, { kind: 'held', value: state.value, cause: 'start' });
  out.setTimer(SYNC, state.sync_ms);
  return state;
}

function onWrite(state: ServerState, event: NodeEvent, out: Outbox): ServerState {
  if (event.type !== 'write') return state;
  let next = state;
  if (raises(state, event.value)) {
    next = hold(state, event.value, 'write', event.from, out);
    out.note(() => `WRITE ${event.value} from ${event.from} -> hold ${event.value} (was ${state.value})`, { kind: 'held', value: event.value, cause: 'write' });
  } else {
    out.note(() => `WRITE ${event.value} from ${event.from}: holding ${state.value} already`);
  }
  out.send(event.from, { type: 'ack', seq: event.seq, held: next.value });
  return next;
}

function onSync(state: ServerState, event: NodeEvent, out: Outbox): ServerState {
  if (event.type !== 'sync') return state;
  if (!raises(state, event.value)) return state;
  const relation = event.value > state.value ? '>' : '<';
  out.note(() => `SYNC from ${event.from}: ${event.value} ${relation} ${state.value} -> adopt ${event.value}`, { kind: 'held', value: event.value, cause: 'sync' });
  return hold(state, event.value, 'sync', event.from, out);
}

function gossip(state: ServerState, _event: NodeEvent, out: Outbox): ServerState {
  out.broadcast(state.peers, { type: 'sync', value: state.value });
  if (state.rules.regossips) out.setTimer(SYNC, state.sync_ms);
  return state;
}

export const serverMachine = setup({
  types: { context: {} as ServerState, events: {} as NodeEvent, input: {} as ServerInput, emitted: {} as Effect },
  guards: { isSyncTimer: ({ event }) => event.type === 'timeout' && event.timer === SYNC },
  actions: {
    start: step<ServerState, NodeEvent, Message, Fact>(start),
    onWrite: step<ServerState, NodeEvent, Message, Fact>(onWrite),
    onSync: step<ServerState, NodeEvent, Message, Fact>(onSync),
    gossip: step<ServerState, NodeEvent, Message, Fact>(gossip),
  },
}).createMachine({
  id: 'server',
  context: ({ input }) => ({
    peers: input.peers,
    sync_ms: input.sync_ms,
    rules: input.rules,
    value: input.rules.durable ? (input.disk?.value ?? 0) : 0,
    lastRaise: '-',
  }),
  initial: 'serving',
  states: {
    serving: {
      on: {
        start: { actions: 'start' },
        write: { actions: 'onWrite' },
        sync: { actions: 'onSync' },
        timeout: { guard: 'isSyncTimer', actions: 'gossip' },
      },
    },
  },
});
