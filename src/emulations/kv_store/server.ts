/**
 * The single kv server: the baseline every replicated run is judged against. It applies each
 * request to its store the moment it arrives, and answers a retried request from its client
 * table instead of applying it twice. It has no durable state: a crash loses the store.
 */
import { setup, type MachineContext } from 'xstate';
import { describeCommand, describeResult } from '../../kv/kv.js';
import { applyRequestInPlace, newRsm, type MutableRsm } from '../../kv/rsm.js';
import { step, type Outbox as AnyOutbox } from '../../sim/outbox.js';
import type { Effect as AnyEffect, NodeEvent as AnyNodeEvent } from '../../sim/trace.js';
import type { ClientMessage, KvFact } from '../kv/messages.js';

type NodeEvent = AnyNodeEvent<ClientMessage>;
type Effect = AnyEffect<ClientMessage, KvFact>;
type Outbox = AnyOutbox<ClientMessage, KvFact>;

export interface ServerInput {
  /** Answer retries from the client table (turned off only by the `no-retry-dedup` mutant). */
  readonly dedup: boolean;
}

export interface ServerState extends MachineContext {
  /** Changed in place (it has one future; copying it per request made runs quadratic). */
  readonly rsm: MutableRsm;
  readonly dedup: boolean;
  /** Requests applied so far; the kv server's "log position". */
  readonly applied: number;
}

function serve(state: ServerState, event: NodeEvent, out: Outbox): ServerState {
  if (event.type !== 'request') return state;
  const { client, request_id, command } = event;
  const done = applyRequestInPlace(state.rsm, client, request_id, command, state.dedup);
  const logCommand = { kind: 'request', client, request_id, command } as const;
  const applied = done.fresh ? state.applied + 1 : state.applied;
  const suffix = done.fresh ? '' : ' (retry: answered from the client table)';
  out.note(() => `${describeCommand(command)} -> ${done.result ? describeResult(done.result) : 'stale retry'}${suffix}`, {
    kind: 'apply',
    slot: done.fresh ? state.applied : -1,
    command: logCommand,
    ...(done.result ? { result: done.result } : {}),
    fresh: done.fresh,
  });
  if (done.result) out.send(event.from, { type: 'reply', request_id, result: done.result });
  return { ...state, applied };
}

export const serverMachine = setup({
  types: { context: {} as ServerState, events: {} as NodeEvent, input: {} as ServerInput, emitted: {} as Effect },
  actions: { serve: step(serve) },
}).createMachine({
  id: 'server',
  context: ({ input }) => ({ rsm: newRsm(), dedup: input.dedup, applied: 0 }),
  initial: 'serving',
  states: { serving: { on: { request: { actions: 'serve' } } } },
});
