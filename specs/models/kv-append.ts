/**
 * Porcupine's key-value model with get / put / append (its `kvModel`, used by its `kv/c*`
 * tests). Per key the value is a string that starts empty: get returns it, put replaces it,
 * append concatenates to it. Partitioned per key, so a state is one string.
 *
 * The state carries a polynomial hash of its string beside it, updated as values are appended,
 * so that the checker can intern states (`hash`, then `equal`) without reading strings that
 * grow with the history: hashing each new state in full cost more than the search itself.
 */
import { partitionByKey, type Model } from '../model.js';

export type KvAppendInput =
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'put' | 'append'; readonly key: string; readonly value: string };

/** A get's output is the value it read; put and append say nothing. */
export type KvAppendOutput = { readonly value?: string };

/** The key's value, and `textHash(value)`. */
export interface KvAppendState {
  readonly value: string;
  readonly hash: number;
}

const BASE = 0x01000193;

/** sum of text[i] * BASE^(length-1-i), mod 2^32. */
function textHash(text: string, from = 0): number {
  let h = from;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
  return h;
}

/**
 * put and append ignore their output; a get is its key and the value it read. The key's length
 * comes first, so that no two different operations can spell the same string.
 */
function operationKey(input: KvAppendInput, output: KvAppendOutput | undefined): string {
  const key = `${input.key.length}:${input.key}`;
  if (input.op !== 'get') return `${key}${input.op === 'put' ? 'p' : 'a'}${input.value}`;
  if (output === undefined) return `${key}g?`;
  return output.value === undefined ? `${key}g!` : `${key}g=${output.value}`;
}

const empty: KvAppendState = { value: '', hash: 0 };

export const kvAppendModel: Model<KvAppendState, KvAppendInput, KvAppendOutput> = {
  name: 'kv-append',
  init: () => empty,
  step(state, input, output) {
    switch (input.op) {
      case 'get':
        return { ok: output === undefined || output.value === state.value, state };
      case 'put':
        return { ok: true, state: { value: input.value, hash: textHash(input.value) } };
      case 'append':
        return { ok: true, state: { value: state.value + input.value, hash: textHash(input.value, state.hash) } };
    }
  },
  partition: (ops) => partitionByKey(ops, (input) => input.key),
  hash: (state) => state.hash,
  equal: (a, b) => a.value === b.value,
  operationKey,
  readOnly: (input) => input.op === 'get',
  // A get of s needs s put, or a suffix of s appended.
  enables(writer, _written, reader, read) {
    if (read === undefined || writer.op === 'get' || writer.key !== reader.key) return false;
    if (read.value === undefined) return true;
    return writer.op === 'put' ? writer.value === read.value : read.value.endsWith(writer.value);
  },
  describePart: (ops) => (ops.length === 0 ? 'no key' : `key ${JSON.stringify(ops[0]!.input.key)}`),
  describeOperation(input, output) {
    const key = JSON.stringify(input.key);
    if (input.op === 'get') return `get ${key} -> ${output?.value === undefined ? '?' : JSON.stringify(output.value)}`;
    return `${input.op} ${key} ${JSON.stringify(input.value)}`;
  },
  describeState: (state) => `the value is ${JSON.stringify(state.value)}`,
  explainRejection(state, input, output) {
    return `get ${JSON.stringify(input.key)} returned ${JSON.stringify(output?.value)}, but the value was ${JSON.stringify(state.value)}`;
  },
};
