import test from 'ava';
import { apply, emptyStore, type KvCommand, type KvResult, type KvStore } from '../src/kv/kv.js';

const store = (entries: Record<string, string>): KvStore => new Map(Object.entries(entries));

const cases: Array<[string, Record<string, string>, KvCommand, KvResult, Record<string, string>]> = [
  ['put on an empty store', {}, { op: 'put', key: 'a', value: 'val_1' }, { ok: true }, { a: 'val_1' }],
  ['put on an existing key', { a: 'val_1' }, { op: 'put', key: 'a', value: 'val_2' }, { ok: false, error: 'key already exists: a' }, { a: 'val_1' }],
  ['get a present key', { b: 'val_7' }, { op: 'get', key: 'b' }, { ok: true, value: 'val_7' }, { b: 'val_7' }],
  ['get a missing key', {}, { op: 'get', key: 'c' }, { ok: false, error: 'key not found: c' }, {}],
  ['delete a present key', { d: 'val_0' }, { op: 'delete', key: 'd' }, { ok: true }, {}],
  ['delete a missing key', { a: 'val_0' }, { op: 'delete', key: 'e' }, { ok: false, error: 'key not found: e' }, { a: 'val_0' }],
];

for (const [name, before, command, result, after] of cases) {
  test(`kv: ${name}`, (t) => {
    const input = store(before);
    const [next, got] = apply(input, command);
    t.deepEqual(got, result);
    t.deepEqual(Object.fromEntries(next), after);
    t.deepEqual(Object.fromEntries(input), before, 'apply never changes the store it is given');
  });
}

test('kv: a put after a delete of the same key succeeds', (t) => {
  let s = emptyStore;
  [s] = apply(s, { op: 'put', key: 'a', value: 'val_1' });
  [s] = apply(s, { op: 'delete', key: 'a' });
  const [, r] = apply(s, { op: 'put', key: 'a', value: 'val_2' });
  t.deepEqual(r, { ok: true });
});
