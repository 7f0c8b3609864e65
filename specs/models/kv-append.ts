/**
 * Porcupine's key-value model with get / put / append (its `kvModel`, used by its `kv/c*`
 * tests). Per key the state is a string that starts empty: get returns it, put replaces it,
 * append concatenates to it. Partitioned per key, so a state is one string.
 */
import { partitionByKey, type Model } from '../model.js';

export type KvAppendInput =
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'put' | 'append'; readonly key: string; readonly value: string };

/** A get's output is the value it read; put and append say nothing. */
export type KvAppendOutput = { readonly value?: string };

export const kvAppendModel: Model<string, KvAppendInput, KvAppendOutput> = {
  name: 'kv-append',
  init: () => '',
  step(state, input, output) {
    switch (input.op) {
      case 'get':
        return { ok: output === undefined || output.value === state, state };
      case 'put':
        return { ok: true, state: input.value };
      case 'append':
        return { ok: true, state: state + input.value };
    }
  },
  partition: (ops) => partitionByKey(ops, (input) => input.key),
  hash: (state) => state,
  describeOperation(input, output) {
    const key = JSON.stringify(input.key);
    if (input.op === 'get') return `get ${key} -> ${output?.value === undefined ? '?' : JSON.stringify(output.value)}`;
    return `${input.op} ${key} ${JSON.stringify(input.value)}`;
  },
  describeState: (state) => `the value is ${JSON.stringify(state)}`,
  explainRejection(state, input, output) {
    return `get ${JSON.stringify(input.key)} returned ${JSON.stringify(output?.value)}, but the value was ${JSON.stringify(state)}`;
  },
};
