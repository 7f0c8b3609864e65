/**
 * The mpkv kv_store as a checker model. The semantics are not restated here: `step` runs the
 * project's one `apply` (src/kv/kv.ts) and compares its answer with the observed one using
 * `sameResult`. The state is the store itself; the model partitions the history per key, so
 * within a part the store holds at most that one key, and states stay tiny.
 *
 * The search's hooks (specs/model.ts) follow from `apply`: an operation's behaviour is what it
 * asks of the key (absent, present, holding v) and what it does to it, so a failed delete and
 * a get that found nothing are the same class ("the key is absent"), and every operation that
 * failed, like every get, is read-only.
 */
import { apply, describeCommand, describeResult, emptyStore, keyExists, keyNotFound, sameResult, type KvCommand, type KvResult, type KvStore } from '../../src/kv/kv.js';
import { partitionByKey, type Model } from '../model.js';

export type KvOperationInput = KvCommand;
export type KvOperationOutput = KvResult;

export const kvModel: Model<KvStore, KvCommand, KvResult> = {
  name: 'kv',
  init: () => emptyStore,
  step(store, command, observed) {
    const [next, expected] = apply(store, command);
    // An unknown output: the command did whatever it would have done.
    return { ok: observed === undefined || sameResult(expected, observed), state: next };
  },
  partition: (ops) => partitionByKey(ops, (command) => command.key),
  hash: storeKey,
  operationKey: behaviourKey,
  readOnly: (command, observed) => command.op === 'get' || (observed !== undefined && !observed.ok),
  describePart: (ops) => (ops.length === 0 ? 'no key' : `key ${JSON.stringify(ops[0]!.input.key)}`),
  describeOperation: (command, result) => `${describeCommand(command)} -> ${result === undefined ? '?' : describeResult(result)}`,
  describeState: describeStore,
  explainRejection(store, command, observed) {
    const [, expected] = apply(store, command);
    const seen = observed === undefined ? '?' : describeResult(observed);
    return `${describeCommand(command)} returned ${seen}, but with ${describeKey(store, command.key)} it would return ${describeResult(expected)}`;
  },
};

/**
 * Operations with equal keys take the same steps from every store (see `apply` and
 * `sameResult`): what matters is the key, what the operation requires of it and what it writes.
 * Anything unusual (an output `apply` never gives) falls back to the exact operation.
 */
function behaviourKey(command: KvCommand, observed: KvResult | undefined): string {
  const key = JSON.stringify(command.key);
  const exact = `${key} exactly ${JSON.stringify(command)} -> ${JSON.stringify(observed)}`;
  if (observed === undefined) return command.op === 'put' ? `${key} put? ${JSON.stringify(command.value)}` : `${key} ${command.op}?`;
  if (observed.ok) {
    if (command.op === 'get') return observed.value === undefined ? exact : `${key} holds ${JSON.stringify(observed.value)}`;
    if (observed.value !== undefined) return exact;
    return command.op === 'put' ? `${key} put ${JSON.stringify(command.value)}` : `${key} delete`;
  }
  if (command.op !== 'put' && observed.error === keyNotFound(command.key)) return `${key} absent`;
  if (command.op === 'put' && observed.error === keyExists(command.key)) return `${key} present`;
  return exact;
}

/** A primitive key for the store: its entries, sorted (one key or none within a part). */
function storeKey(store: KvStore): string {
  if (store.size === 0) return '';
  return [...store.keys()].sort().map((key) => `${key}\u0000${store.get(key)}`).join('\u0001');
}

function describeKey(store: KvStore, key: string): string {
  const value = store.get(key);
  return value === undefined ? `${JSON.stringify(key)} absent` : `${JSON.stringify(key)} = ${JSON.stringify(value)}`;
}

function describeStore(store: KvStore): string {
  if (store.size === 0) return 'the store is empty';
  return [...store.keys()].sort().map((key) => describeKey(store, key)).join(', ');
}
