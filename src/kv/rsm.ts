/**
 * The replicated state machine: the kv store plus a client table. The table remembers, per
 * client, the last request applied and its result, so that a request retried after a lost
 * reply is answered from the table instead of being applied twice (a retried put must not
 * report `key already exists` for its own earlier success). The kv server, every leader and
 * every replica apply requests through `applyRequest`.
 */
import { apply, emptyStore, type KvCommand, type KvResult, type KvStore } from './kv.js';

export interface Session {
  readonly request_id: number;
  readonly result: KvResult;
}

export interface Rsm {
  readonly store: KvStore;
  readonly sessions: ReadonlyMap<number, Session>;
}

export const emptyRsm: Rsm = { store: emptyStore, sessions: new Map() };

export interface Applied {
  readonly rsm: Rsm;
  /** The result to give the client (for a stale retry of an older request: undefined). */
  readonly result: KvResult | undefined;
  /** False when the request had been applied already: the store is unchanged. */
  readonly fresh: boolean;
}

/** Applies `command` for (client, request_id) unless that request was applied before. */
export function applyRequest(rsm: Rsm, client: number, request_id: number, command: KvCommand, dedup = true): Applied {
  const session = rsm.sessions.get(client);
  if (dedup && session && request_id <= session.request_id) {
    return { rsm, result: request_id === session.request_id ? session.result : undefined, fresh: false };
  }
  const [store, result] = apply(rsm.store, command);
  const sessions = new Map(rsm.sessions);
  sessions.set(client, { request_id, result });
  return { rsm: { store, sessions }, result, fresh: true };
}

/** The answer already known for (client, request_id), if that request was applied. */
export function cachedResult(rsm: Rsm, client: number, request_id: number): KvResult | undefined {
  const session = rsm.sessions.get(client);
  return session?.request_id === request_id ? session.result : undefined;
}
