/**
 * Every server's state machine side (Figure 2, "Rules for Servers, All Servers": if commitIndex
 * > lastApplied, increment lastApplied and apply log[lastApplied] to the state machine): the
 * committed entries are applied in index order through the at-most-once client table
 * (../../kv/rsm.ts), and the server a client asked answers it once the client's request is
 * applied. A retry of a request applied already is answered from the table, at once.
 *
 * The kv checks count log positions as slots from 0 (MultiPaxos's): Raft index i is slot i - 1.
 */
import { describeCommand, describeResult, type KvResult } from '../../kv/kv.js';
import { applyRequestInPlace, cachedResult } from '../../kv/rsm.js';
import { describeLogCommand, requestsIn } from '../kv/messages.js';
import type { Entry, Outbox, Received } from './messages.js';
import type { ServerState } from './state.js';

/** The kv checks' slot of Raft index `index`. */
export const slotOf = (index: number): number => index - 1;

/** Raises the commit index to `index` (never lowers it), and applies what became committed. */
export function raiseCommit<S extends ServerState>(state: S, index: number, out: Outbox, quorum?: readonly string[]): S {
  if (index <= state.commit) return state;
  const entry_term = state.log.termAt(index)!;
  const by = quorum ? `: stored on ${quorum.join(', ')}` : ` (the leader's commit index)`;
  out.note(() => `COMMIT up to index ${index} (term ${entry_term})${by}`, {
    kind: 'commit',
    index,
    entry_term,
    in_term: state.term,
    ...(quorum ? { quorum } : {}),
  });
  return applyCommitted({ ...state, commit: index }, out);
}

/** Applies the entries committed and not yet applied, in order; answers waiting clients. */
export function applyCommitted<S extends ServerState>(state: S, out: Outbox): S {
  if (state.applied >= state.commit) return state;
  let applied = state.applied;
  while (applied < state.commit) {
    applied++;
    applyEntry(state, applied, state.log.at(applied)!, out);
  }
  return { ...state, applied };
}

function applyEntry(state: ServerState, index: number, entry: Entry, out: Outbox): void {
  const { command } = entry;
  if (command.kind !== 'request') {
    // A no-op, or (never made here) a batch: the kv apply fact for the whole entry.
    out.note(() => `APPLY index ${index} ${describeLogCommand(command)}`, { kind: 'apply', slot: slotOf(index), command, fresh: requestsIn(command).length === 0 });
    return;
  }
  const done = applyRequestInPlace(state.rsm, command.client, command.request_id, command.command);
  const outcome = done.fresh ? describeResult(done.result!) : `already applied (client ${command.client} request ${command.request_id}): skipped`;
  out.note(() => `APPLY index ${index} ${describeCommand(command.command)} -> ${outcome}`, {
    kind: 'apply',
    slot: slotOf(index),
    command,
    ...(done.result ? { result: done.result } : {}),
    fresh: done.fresh,
  });
  if (done.result) answer(state, command.client, command.request_id, done.result, out);
}

/** Sends the result to the client, if it asked this server. */
function answer(state: ServerState, client: number, request_id: number, result: KvResult, out: Outbox): void {
  const address = state.clients.get(client);
  if (address) out.send(address, { type: 'reply', request_id, result });
}

/**
 * A client's request: remember where to answer it; if it was applied already, answer from the
 * client table. Returns the state, and whether the request still needs the log.
 */
export function receiveRequest<S extends ServerState>(state: S, event: Received<'request'>, out: Outbox): [S, boolean] {
  const { client, request_id, command, from } = event;
  // A client always writes from the same address: copy the table only when it changes.
  const known = state.clients.get(client) === from ? state : { ...state, clients: new Map(state.clients).set(client, from) };
  const result = cachedResult(state.rsm, client, request_id);
  if (!result) return [known, true];
  out.note(() => `${describeCommand(command)} (client ${client} request ${request_id}) already applied: answering from the client table`);
  out.send(from, { type: 'reply', request_id, result });
  return [known, false];
}
