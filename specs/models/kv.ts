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
import type { Operation } from '../history.js';
import { partitionByKey, type Model } from '../model.js';
import { refuteKvPart } from './kv-support.js';

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
  simplify: renameUnreadValues,
  refute: refuteKvPart,
  enables: (writer, written, reader, read) => writer.key === reader.key && enables(writer, written, reader, read),
  describePart: (ops) => (ops.length === 0 ? 'no key' : `key ${JSON.stringify(ops[0]!.input.key)}`),
  describeOperation: (command, result) => `${describeCommand(command)} -> ${result === undefined ? '?' : exactResult(command, result)}`,
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

/**
 * What a reader needs of its key, and who can give it: a get of v needs a put of v; a get
 * that found nothing or a failed delete needs a delete; a failed put needs some put. A write
 * counts when it succeeded or its outcome is unknown.
 */
function enables(writer: KvCommand, written: KvResult | undefined, reader: KvCommand, read: KvResult | undefined): boolean {
  if (read === undefined || (written !== undefined && !written.ok) || writer.op === 'get') return false;
  if (read.ok) return reader.op === 'get' && writer.op === 'put' && (read.value === undefined || read.value === writer.value);
  if (read.error === keyNotFound(reader.key)) return writer.op === 'delete';
  return writer.op === 'put';
}

/**
 * Within one key's part, the values that no get reads are indistinguishable: a get of another
 * value, a failed put or delete, a get that found nothing see the same thing whichever of them
 * the key holds. So every put of such a value is rewritten to put one stand-in value, and an
 * order is a linearization of the rewritten part exactly when it is one of the original. This
 * lets the search treat those puts as one class (most puts, when many clients write random
 * values), and try only one of them at a time.
 */
function renameUnreadValues(part: readonly Operation<KvCommand, KvResult>[]): Operation<KvCommand, KvResult>[] {
  const read = new Map<string, Set<string>>();
  for (const { input, output } of part) {
    if (input.op !== 'get' || !output?.ok || output.value === undefined) continue;
    const values = read.get(input.key) ?? new Set<string>();
    values.add(output.value);
    read.set(input.key, values);
  }
  return part.map((op) => {
    const command = op.input;
    const values = read.get(command.key);
    if (command.op !== 'put' || values?.has(command.value)) return op;
    return { ...op, input: { ...command, value: standIn(values) } };
  });
}

/**
 * The value that stands for every value no get reads: it says so in explanations (a search
 * state that held it is shown as such), and it is made to differ from every value read.
 */
function standIn(read: ReadonlySet<string> | undefined): string {
  let value = '(a value no get reads)';
  while (read?.has(value)) value += "'";
  return value;
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

/**
 * A result in the trace's words (`NOT FOUND`, `OK "val_3"`), unless those words would hide what
 * was answered: an error about another key, a successful get with no value. Then it is shown
 * exactly, so an explanation never reads "returned NOT FOUND, but would return NOT FOUND".
 */
function exactResult(command: KvCommand, result: KvResult): string {
  const canonical = result.ok ? command.op !== 'get' || result.value !== undefined : result.error === keyNotFound(command.key) || result.error === keyExists(command.key);
  return canonical ? describeResult(result) : JSON.stringify(result);
}
