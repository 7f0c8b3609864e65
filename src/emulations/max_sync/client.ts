/**
 * A max-sync client: sends `messages` random numbers to its server, one at a time, each until
 * it is acknowledged (a write with no ack within `timeout_ms` is sent again, same `seq`).
 * Number k of client c is a pure function of (seed, c, k). The write counters are persisted,
 * so a client that crashes and restarts re-sends its unacknowledged write.
 *
 *   idle --start--> waiting --ack--> waiting ... --last ack--> done (final)
 */
import { setup, type MachineContext } from 'xstate';
import { step } from '../../sim/outbox.js';
import { mixSeed, rngFromEntropy } from '../../sim/rng.js';
import type { NodeId } from '../../sim/trace.js';
import type { Effect, Fact, Message, NodeEvent, Outbox } from './messages.js';

export interface ClientInput {
  readonly id: number;
  readonly server: NodeId;
  readonly seed: number;
  readonly messages: number;
  readonly max_value: number;
  readonly timeout_ms: number;
  readonly disk?: ClientDisk;
}

export interface ClientDisk {
  readonly started: number;
  readonly acked: number;
}

export interface ClientState extends MachineContext, Omit<ClientInput, 'disk'> {
  readonly started: number;
  readonly acked: number;
  /** The largest of its numbers acknowledged so far (0: none): every server owes it
   *  (./temperature.ts). A function of `acked`, so a restart recomputes it. */
  readonly largest: number;
  readonly outstanding: { readonly seq: number; readonly value: number; readonly sends: number } | undefined;
}

const RETRY = 'retry';

/** The number client `client` sends as its write `seq` (1-based). */
export const writeValue = (seed: number, client: number, seq: number, max: number): number => rngFromEntropy(mixSeed(seed, client, seq, 0x3a5)).int(1, max);

function send(state: ClientState, seq: number, out: Outbox, first: boolean): ClientState {
  const value = writeValue(state.seed, state.id, seq, state.max_value);
  out.persist({ started: seq, acked: state.acked } satisfies ClientDisk);
  if (first) out.note(() => `WRITE ${value} (write ${seq}) -> ${state.server}`, { kind: 'write', client: state.id, seq, value });
  else out.note(() => `RESUME write ${seq} after a restart: ${value} -> ${state.server}`);
  out.send(state.server, { type: 'write', client: state.id, seq, value });
  out.setTimer(RETRY, state.timeout_ms);
  return { ...state, started: seq, outstanding: { seq, value, sends: 1 } };
}

function onAck(state: ClientState, event: NodeEvent, out: Outbox): ClientState {
  if (event.type !== 'ack' || event.seq !== state.outstanding?.seq) return state;
  const { seq, value } = state.outstanding;
  out.cancelTimer(RETRY);
  out.note(() => `ACK write ${seq}: ${state.server} holds ${event.held}`, { kind: 'acked', client: state.id, seq, value });
  const next = { ...state, acked: state.acked + 1, largest: Math.max(state.largest, value), outstanding: undefined };
  out.persist({ started: next.started, acked: next.acked } satisfies ClientDisk);
  return hasMore(next) ? send(next, next.started + 1, out, true) : next;
}

function retry(state: ClientState, _event: NodeEvent, out: Outbox): ClientState {
  const pending = state.outstanding;
  if (!pending) return state;
  out.note(() => `TIMEOUT write ${pending.seq}, retry #${pending.sends} -> ${state.server}`, { kind: 'retry', client: state.id, seq: pending.seq });
  out.send(state.server, { type: 'write', client: state.id, seq: pending.seq, value: pending.value });
  out.setTimer(RETRY, state.timeout_ms);
  return { ...state, outstanding: { ...pending, sends: pending.sends + 1 } };
}

const hasMore = (state: ClientState): boolean => state.started < state.messages;

/** The largest of writes 1..acked (a restarted client's, from its disk's count). */
function largestAcked(input: ClientInput, acked: number): number {
  let largest = 0;
  for (let seq = 1; seq <= acked; seq++) largest = Math.max(largest, writeValue(input.seed, input.id, seq, input.max_value));
  return largest;
}

export const clientMachine = setup({
  types: { context: {} as ClientState, events: {} as NodeEvent, input: {} as ClientInput, emitted: {} as Effect },
  guards: {
    inFlight: ({ context }) => context.acked < context.started,
    hasMore: ({ context }) => hasMore(context),
    isLastAck: ({ context, event }) => event.type === 'ack' && event.seq === context.outstanding?.seq && !hasMore(context),
    isRetryTimer: ({ event }) => event.type === 'timeout' && event.timer === RETRY,
  },
  actions: {
    resume: step<ClientState, NodeEvent, Message, Fact>((s, _e, out) => send(s, s.started, out, false)),
    first: step<ClientState, NodeEvent, Message, Fact>((s, _e, out) => send(s, s.started + 1, out, true)),
    onAck: step<ClientState, NodeEvent, Message, Fact>(onAck),
    retry: step<ClientState, NodeEvent, Message, Fact>(retry),
  },
}).createMachine({
  id: 'client',
  context: ({ input }) => ({
    id: input.id,
    server: input.server,
    seed: input.seed,
    messages: input.messages,
    max_value: input.max_value,
    timeout_ms: input.timeout_ms,
    started: input.disk?.started ?? 0,
    acked: input.disk?.acked ?? 0,
    largest: largestAcked(input, input.disk?.acked ?? 0),
    outstanding: undefined,
  }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        start: [
          { guard: 'inFlight', target: 'waiting', actions: 'resume' },
          { guard: 'hasMore', target: 'waiting', actions: 'first' },
          { target: 'done' },
        ],
      },
    },
    waiting: {
      on: {
        ack: [{ guard: 'isLastAck', target: 'done', actions: 'onAck' }, { actions: 'onAck' }],
        timeout: { guard: 'isRetryTimer', actions: 'retry' },
      },
    },
    done: { type: 'final' },
  },
});
