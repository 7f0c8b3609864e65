/**
 * The kv_store semantics, written once. The single kv server, every MultiPaxos leader and
 * replica, and the linearizability checker's sequential model all apply commands through
 * `effectOf` here, so "what a put/get/delete means" has exactly one definition in the project.
 * Two ways to apply it: `apply` is pure over immutable stores (the checker's model explores
 * many orders from one store), `applyInPlace` writes into a store that has one future (a
 * node's own store: copying it on every command made large runs quadratic).
 *
 *   put(key, value)  fails with `key already exists: <key>` when the key is present;
 *   get(key)         returns the value, or fails with `key not found: <key>`;
 *   delete(key)      fails with `key not found: <key>` when the key is absent.
 */

/** A client's request to the store. */
export type KvCommand =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'delete'; readonly key: string };

/** What the store answers. A get's success carries the value; put and delete carry nothing. */
export type KvResult =
  | { readonly ok: true; readonly value?: string }
  | { readonly ok: false; readonly error: string };

/** The store itself: an immutable map from key to value. */
export type KvStore = ReadonlyMap<string, string>;

export const emptyStore: KvStore = new Map();

export const keyExists = (key: string): string => `key already exists: ${key}`;
export const keyNotFound = (key: string): string => `key not found: ${key}`;

/** What a command does to a store: its result, and whether it writes (a put that succeeds
 *  sets its key, a delete that succeeds removes it; gets and failures change nothing). */
function effectOf(store: KvStore, command: KvCommand): { readonly result: KvResult; readonly writes: boolean } {
  switch (command.op) {
    case 'put':
      return store.has(command.key) ? { result: { ok: false, error: keyExists(command.key) }, writes: false } : { result: OK, writes: true };
    case 'get': {
      const value = store.get(command.key);
      return value === undefined ? { result: { ok: false, error: keyNotFound(command.key) }, writes: false } : { result: { ok: true, value }, writes: false };
    }
    case 'delete':
      return store.has(command.key) ? { result: OK, writes: true } : { result: { ok: false, error: keyNotFound(command.key) }, writes: false };
  }
}

const OK: KvResult = { ok: true };

/** Makes a write `effectOf` allowed. */
function write(store: Map<string, string>, command: KvCommand): void {
  if (command.op === 'put') store.set(command.key, command.value);
  else if (command.op === 'delete') store.delete(command.key);
}

/** Applies one command to a store: pure, the store passed in is never changed. */
export function apply(store: KvStore, command: KvCommand): [KvStore, KvResult] {
  const { result, writes } = effectOf(store, command);
  if (!writes) return [store, result];
  const next = new Map(store);
  write(next, command);
  return [next, result];
}

/** Applies one command to `store` itself (the same semantics as `apply`). */
export function applyInPlace(store: Map<string, string>, command: KvCommand): KvResult {
  const { result, writes } = effectOf(store, command);
  if (writes) write(store, command);
  return result;
}

/** `PUT "a" = "val_3"`, `GET "b"`, `DELETE "c"`: how commands appear in traces. */
export function describeCommand(command: KvCommand): string {
  switch (command.op) {
    case 'put':
      return `PUT ${JSON.stringify(command.key)} = ${JSON.stringify(command.value)}`;
    case 'get':
      return `GET ${JSON.stringify(command.key)}`;
    case 'delete':
      return `DELETE ${JSON.stringify(command.key)}`;
  }
}

/** `OK`, `OK "val_3"`, `NOT FOUND`, `ALREADY EXISTS`: how results appear in traces. */
export function describeResult(result: KvResult): string {
  if (result.ok) return result.value === undefined ? 'OK' : `OK ${JSON.stringify(result.value)}`;
  if (result.error.startsWith('key not found')) return 'NOT FOUND';
  if (result.error.startsWith('key already exists')) return 'ALREADY EXISTS';
  return `ERROR ${result.error}`;
}

/** Two results are the same answer (the checker compares observed and model outputs). */
export function sameResult(a: KvResult, b: KvResult): boolean {
  if (a.ok !== b.ok) return false;
  if (a.ok && b.ok) return a.value === b.value;
  return (a as { error: string }).error === (b as { error: string }).error;
}

/** A store as a plain sorted object, for printing and comparing. */
export function storeToObject(store: KvStore): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [...store.keys()].sort()) out[key] = store.get(key)!;
  return out;
}
