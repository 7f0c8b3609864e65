/**
 * The mpkv kv_store as a checker model. The semantics are not restated here: `step` runs the
 * project's one `apply` (src/kv/kv.ts) and compares its answer with the observed one using
 * `sameResult`. The state is the store itself; the model partitions the history per key, so
 * within a part the store holds at most that one key, and states stay tiny.
 */
import { apply, describeCommand, describeResult, emptyStore, sameResult, type KvCommand, type KvResult, type KvStore } from '../../src/kv/kv.js';
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
  describeOperation: (command, result) => `${describeCommand(command)} -> ${result === undefined ? '?' : describeResult(result)}`,
  describeState: describeStore,
  explainRejection(store, command, observed) {
    const [, expected] = apply(store, command);
    let seen = observed === undefined ? '?' : describeResult(observed);
    let would = describeResult(expected);
    // Same words, different answers (an error about another key, a get with no value): show both exactly.
    if (seen === would) [seen, would] = [JSON.stringify(observed), JSON.stringify(expected)];
    return `${describeCommand(command)} returned ${seen}, but with ${describeKey(store, command.key)} it would return ${would}`;
  },
};

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
