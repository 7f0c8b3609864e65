import test from 'ava';
import fc from 'fast-check';
import { apply, applyInPlace, emptyStore, type KvCommand, type KvResult, type KvStore } from '../src/kv/kv.js';
import { applyRequest, applyRequestInPlace, emptyRsm, newRsm, type Rsm } from '../src/kv/rsm.js';

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

// ---- the pure and the in-place paths agree ---------------------------------------------------

const command = fc.oneof(
  fc.record({ op: fc.constant('put' as const), key: fc.constantFrom('a', 'b', 'c'), value: fc.constantFrom('val_1', 'val_2') }),
  fc.record({ op: fc.constant('get' as const), key: fc.constantFrom('a', 'b', 'c') }),
  fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom('a', 'b', 'c') }),
);

test('kv: applyInPlace gives the results and the store apply gives, and apply never changes its input', (t) => {
  fc.assert(
    fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
      let pure: KvStore = emptyStore;
      const mutable = new Map<string, string>();
      for (const c of commands) {
        const before = JSON.stringify([...pure]);
        const [next, expected] = apply(pure, c);
        if (JSON.stringify([...pure]) !== before) return false;
        if (JSON.stringify(applyInPlace(mutable, c)) !== JSON.stringify(expected)) return false;
        pure = next;
        if (JSON.stringify([...pure].sort()) !== JSON.stringify([...mutable].sort())) return false;
      }
      return true;
    }),
    { numRuns: 300, seed: 12 },
  );
  t.pass();
});

test('rsm: applyRequestInPlace answers, dedups and stores as applyRequest does, retries and stale requests included', (t) => {
  // Requests of three clients, retried and replayed out of order (ids may go backwards).
  const request = fc.record({ client: fc.integer({ min: 1, max: 3 }), request_id: fc.integer({ min: 1, max: 5 }), command, dedup: fc.boolean() });
  let retriesSeen = 0;
  fc.assert(
    fc.property(fc.array(request, { maxLength: 40 }), (requests) => {
      let pure: Rsm = emptyRsm;
      const mutable = newRsm();
      for (const r of requests) {
        const a = applyRequest(pure, r.client, r.request_id, r.command, r.dedup);
        const b = applyRequestInPlace(mutable, r.client, r.request_id, r.command, r.dedup);
        if (!a.fresh) retriesSeen++;
        if (a.fresh !== b.fresh || JSON.stringify(a.result) !== JSON.stringify(b.result)) return false;
        pure = a.rsm;
        if (JSON.stringify([...pure.store].sort()) !== JSON.stringify([...mutable.store].sort())) return false;
        if (JSON.stringify([...pure.sessions].sort()) !== JSON.stringify([...mutable.sessions].sort())) return false;
      }
      return true;
    }),
    { numRuns: 300, seed: 13 },
  );
  t.true(retriesSeen > 100, 'the property saw many retries answered from the table');
  t.is(emptyRsm.store.size + emptyRsm.sessions.size, 0, 'the shared empty state machine was never written to');
});
