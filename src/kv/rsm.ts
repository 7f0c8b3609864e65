/**
 * The replicated state machine: the kv store plus a client table. The table remembers, per
 * client, the last request applied and its result, so that a request retried after a lost
 * reply is answered from the table instead of being applied twice (a retried put must not
 * report `key already exists` for its own earlier success). The kv server, every leader and
 * every replica apply requests through here.
 *
 * A node's state machine has one future, so it is changed in place (`applyRequestInPlace` on
 * a `newRsm()`): copying the store and a table as large as the client population on every
 * apply made a run quadratic in its clients. `applyRequest` is the pure form, for reasoning
 * and tests; both share the kv semantics of ./kv.ts and the dedup rule below.
 */
import { applyInPlace, apply, emptyStore, type KvCommand, type KvResult, type KvStore } from './kv.js';

export interface Session {
  readonly request_id: number;
  readonly result: KvResult;
}

export interface Rsm {
  readonly store: KvStore;
  readonly sessions: ReadonlyMap<number, Session>;
}

/** A node's own state machine, changed in place. */
export interface MutableRsm extends Rsm {
  readonly store: Map<string, string>;
  readonly sessions: Map<number, Session>;
}

export const emptyRsm: Rsm = { store: emptyStore, sessions: new Map() };

/** A fresh, empty state machine for one node (never share one between nodes or lives). */
export const newRsm = (): MutableRsm => ({ store: new Map(), sessions: new Map() });

export interface Applied {
  readonly rsm: Rsm;
  /** The result to give the client (for a stale retry of an older request: undefined). */
  readonly result: KvResult | undefined;
  /** False when the request had been applied already: the store is unchanged. */
  readonly fresh: boolean;
}

/** What applying (client, request_id) gave, in place. */
export type AppliedInPlace = Omit<Applied, 'rsm'>;

/** The retry rule: was (client, request_id) applied already? Then its answer, if it is the last. */
function retried(rsm: Rsm, client: number, request_id: number, dedup: boolean): AppliedInPlace | undefined {
  const session = rsm.sessions.get(client);
  if (!dedup || !session || request_id > session.request_id) return undefined;
  return { result: request_id === session.request_id ? session.result : undefined, fresh: false };
}

/** Applies `command` for (client, request_id) unless that request was applied before (pure). */
export function applyRequest(rsm: Rsm, client: number, request_id: number, command: KvCommand, dedup = true): Applied {
  const seen = retried(rsm, client, request_id, dedup);
  if (seen) return { rsm, ...seen };
  const [store, result] = apply(rsm.store, command);
  const sessions = new Map(rsm.sessions);
  sessions.set(client, { request_id, result });
  return { rsm: { store, sessions }, result, fresh: true };
}

/** The same as `applyRequest`, changing `rsm` itself. */
export function applyRequestInPlace(rsm: MutableRsm, client: number, request_id: number, command: KvCommand, dedup = true): AppliedInPlace {
  const seen = retried(rsm, client, request_id, dedup);
  if (seen) return seen;
  const result = applyInPlace(rsm.store, command);
  rsm.sessions.set(client, { request_id, result });
  return { result, fresh: true };
}

/** The answer already known for (client, request_id), if that request was applied. */
export function cachedResult(rsm: Rsm, client: number, request_id: number): KvResult | undefined {
  const session = rsm.sessions.get(client);
  return session?.request_id === request_id ? session.result : undefined;
}
