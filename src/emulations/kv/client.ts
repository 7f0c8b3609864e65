/**
 * Client: makes `requests` random requests, one at a time, to the one node whose address it is
 * given (the kv server, or its MultiPaxos leader — it cannot tell which; there is no leader
 * discovery). A request that gets no reply within `timeout_ms` is sent again with the same
 * (client, request_id), so the store can recognise the retry. The request counters are
 * persisted before each first send and on each completion: a client that crashes and restarts
 * never reuses an id, and if it crashed with a request in flight it sends that same request
 * again (same id: the store's client table answers it if it was applied already), so a
 * restart loses no request and applies none twice.
 *
 *   idle --start--> waiting --reply--> waiting ... --last reply--> done (final)
 *   idle --start (restarted with a request in flight)--> waiting (that request re-sent)
 *
 * The client's one rule a mutant may break is that it keeps re-sending: every kv emulation
 * lists `CLIENT_MUTANTS` among its own.
 */
import { setup, type MachineContext } from 'xstate';
import { describeCommand, describeResult, type KvCommand } from '../../kv/kv.js';
import type { NodeSpec } from '../../sim/interpreter.js';
import { step, type Outbox as AnyOutbox } from '../../sim/outbox.js';
import type { Effect as AnyEffect, NodeEvent as AnyNodeEvent, NodeId } from '../../sim/trace.js';
import type { ClientFact, ClientMessage } from './messages.js';
import { requestCommand, type Workload, type WorkloadConfig } from './workload.js';

type NodeEvent = AnyNodeEvent<ClientMessage>;
type Effect = AnyEffect<ClientMessage, ClientFact>;
type Outbox = AnyOutbox<ClientMessage, ClientFact>;

/** The client's rules: the correct one, or a mutant's (`CLIENT_MUTANTS`). */
export interface ClientRules {
  /** After re-sending an unanswered request, does it wait `timeout_ms` again and re-send again,
   *  for as long as no answer comes? */
  readonly keepsRetrying: boolean;
}

/** The kv client's deliberately broken variants, which every kv emulation lists among its own. */
export const CLIENT_MUTANTS = {
  'client-stops-retrying': 'a client re-sends an unanswered request once, at its first timeout, and then waits forever',
} as const;

/** The client's rules with the named mutants applied (names that are not the client's are
 *  ignored: they are the emulation's). */
export const clientRulesFor = (mutants: readonly string[]): ClientRules => ({ keepsRetrying: !mutants.includes('client-stops-retrying') });

export interface ClientInput {
  readonly id: number;
  readonly server: NodeId;
  readonly workload: Workload;
  readonly seed: number;
  readonly timeout_ms: number;
  readonly rules: ClientRules;
  /** What the client persisted before a crash. */
  readonly disk?: ClientDisk;
}

export interface ClientDisk {
  /** Requests started so far. */
  readonly started: number;
  /** Requests whose result it received; when below `started`, request `started` was in flight. */
  readonly completed: number;
}

export interface ClientState extends MachineContext {
  readonly id: number;
  readonly server: NodeId;
  readonly workload: Workload;
  readonly seed: number;
  readonly timeout_ms: number;
  readonly rules: ClientRules;
  readonly started: number;
  readonly completed: number;
  readonly outstanding: { readonly request_id: number; readonly command: KvCommand; readonly sends: number } | undefined;
}

const RETRY = 'retry';

/** Starts request number `started + 1`: persist the counter, then send it. */
function issueNext(state: ClientState, out: Outbox): ClientState {
  const request_id = state.started + 1;
  const command = requestCommand(state.workload, state.seed, state.id, request_id);
  out.persist({ started: request_id, completed: state.completed } satisfies ClientDisk);
  out.note(() => `${describeCommand(command)} (request ${request_id}) -> ${state.server}`, {
    kind: 'invoke',
    client: state.id,
    request_id,
    command,
  });
  out.send(state.server, { type: 'request', client: state.id, request_id, command });
  out.setTimer(RETRY, state.timeout_ms);
  return { ...state, started: request_id, outstanding: { request_id, command, sends: 1 } };
}

/** The reply to the outstanding request: record it, and go on if there is more to do. */
function complete(state: ClientState, event: NodeEvent, out: Outbox): ClientState {
  if (event.type !== 'reply' || !state.outstanding) return state;
  const { request_id, command } = state.outstanding;
  out.cancelTimer(RETRY);
  out.note(() => `${describeCommand(command)} -> ${describeResult(event.result)}`, {
    kind: 'complete',
    client: state.id,
    request_id,
    command,
    result: event.result,
  });
  const next = { ...state, completed: state.completed + 1, outstanding: undefined };
  out.persist({ started: next.started, completed: next.completed } satisfies ClientDisk);
  return hasMore(next) ? issueNext(next, out) : next;
}

/** Restarted with request `started` in flight: send it again, same id (no new invocation). */
function resume(state: ClientState, out: Outbox): ClientState {
  const request_id = state.started;
  const command = requestCommand(state.workload, state.seed, state.id, request_id);
  out.note(() => `RESUME request ${request_id} after a restart: ${describeCommand(command)} (same id) -> ${state.server}`);
  out.send(state.server, { type: 'request', client: state.id, request_id, command });
  out.setTimer(RETRY, state.timeout_ms);
  return { ...state, outstanding: { request_id, command, sends: 1 } };
}

/** No reply in time: send the same request again. */
function retry(state: ClientState, _event: NodeEvent, out: Outbox): ClientState {
  const pending = state.outstanding;
  if (!pending) return state;
  out.note(() => `TIMEOUT request ${pending.request_id}, retry #${pending.sends} -> ${state.server}`, {
    kind: 'retry',
    client: state.id,
    request_id: pending.request_id,
  });
  out.send(state.server, { type: 'request', client: state.id, request_id: pending.request_id, command: pending.command });
  if (state.rules.keepsRetrying) out.setTimer(RETRY, state.timeout_ms);
  return { ...state, outstanding: { ...pending, sends: pending.sends + 1 } };
}

const hasMore = (state: ClientState): boolean => state.started < state.workload.requests;
const hasInFlight = (state: ClientState): boolean => state.completed < state.started;

export const clientMachine = setup({
  types: {
    context: {} as ClientState,
    events: {} as NodeEvent,
    input: {} as ClientInput,
    emitted: {} as Effect,
  },
  guards: {
    hasMoreRequests: ({ context }) => hasMore(context),
    hasRequestInFlight: ({ context }) => hasInFlight(context),
    isReplyToOutstanding: ({ context, event }) => event.type === 'reply' && event.request_id === context.outstanding?.request_id,
    isLastReply: ({ context, event }) =>
      event.type === 'reply' && event.request_id === context.outstanding?.request_id && !hasMore(context),
    isRetryTimer: ({ event }) => event.type === 'timeout' && event.timer === RETRY,
  },
  actions: {
    issueNext: step<ClientState, NodeEvent, ClientMessage, ClientFact>((state, _event, out) => issueNext(state, out)),
    resume: step<ClientState, NodeEvent, ClientMessage, ClientFact>((state, _event, out) => resume(state, out)),
    complete: step(complete),
    retry: step(retry),
  },
}).createMachine({
  id: 'client',
  context: ({ input }) => ({
    id: input.id,
    server: input.server,
    workload: input.workload,
    seed: input.seed,
    timeout_ms: input.timeout_ms,
    rules: input.rules,
    started: input.disk?.started ?? 0,
    completed: input.disk?.completed ?? 0,
    outstanding: undefined,
  }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        start: [
          { guard: 'hasRequestInFlight', target: 'waiting', actions: 'resume' },
          { guard: 'hasMoreRequests', target: 'waiting', actions: 'issueNext' },
          { target: 'done' },
        ],
      },
    },
    waiting: {
      on: {
        reply: [
          { guard: 'isLastReply', target: 'done', actions: 'complete' },
          { guard: 'isReplyToOutstanding', actions: 'complete' },
        ],
        timeout: { guard: 'isRetryTimer', actions: 'retry' },
      },
    },
    done: { type: 'final' },
  },
});

/** The client nodes `clients` (`client 1`...), client i talking to `serverOf(i)`, with the
 *  client's mutants among `mutants` applied. */
export function clientSpecs(
  seed: number,
  workload: WorkloadConfig,
  clients: readonly string[],
  serverOf: (client: number) => string,
  mutants: readonly string[] = [],
): NodeSpec[] {
  const rules = clientRulesFor(mutants);
  return clients.map((id, i) => ({
    id,
    role: 'client',
    client: true,
    machine: clientMachine,
    input: (disk: unknown): ClientInput => ({
      id: i + 1,
      server: serverOf(i + 1),
      workload,
      seed,
      timeout_ms: workload.timeout_ms,
      rules,
      ...(disk ? { disk: disk as ClientDisk } : {}),
    }),
  }));
}
