/**
 * The search's fast paths against the plain search, on thousands of small random histories,
 * linearizable and not: each optional model hook (symmetry classes, read-only forcing,
 * lookahead, the kv rewrite of unread values, the kv refutation, the replay of parts whose
 * operations never overlap) must leave every verdict as the search without it finds it, and
 * that search must agree with trying every order.
 */
import test from 'ava';
import fc from 'fast-check';
import type { Operation } from '../specs/history.js';
import { checkOperations } from '../specs/linearizability.js';
import type { Model } from '../specs/model.js';
import { kvAppendModel } from '../specs/models/kv-append.js';
import { kvModel } from '../specs/models/kv.js';
import { registerModel } from '../specs/models/register.js';
import { MemoryBudget } from '../specs/memo.js';
import { PartSearch } from '../specs/search.js';
import { serviceKvHistory } from '../specs/generate.js';
import { bruteForce, isLinearization, kvAppendHistories, kvHistories, only, plain, registerHistories } from './histories.js';

type Hook = 'operationKey' | 'readOnly' | 'enables' | 'simplify' | 'refute';

/** Same verdict as the plain search, and an `ok` comes with real linearizations of every operation. */
function agrees<S, I, O>(model: Model<S, I, O>, fast: Model<S, I, O>, ops: Operation<I, O>[]): boolean {
  const expected = checkOperations(plain(model), ops).verdict;
  const result = checkOperations(fast, ops);
  if (result.verdict !== expected) return false;
  if (result.verdict !== 'ok') return true;
  const lins = result.linearizations!;
  return lins.every((l) => isLinearization(model, l)) && lins.flat().length === ops.length;
}

/** Counts verdicts so that a property that only ever saw one verdict fails loudly. */
function tally(): { seen: Record<string, number>; note: (v: string) => void } {
  const seen: Record<string, number> = {};
  return { seen, note: (v) => (seen[v] = (seen[v] ?? 0) + 1) };
}

const cases: { name: string; model: Model<any, any, any>; histories: fc.Arbitrary<Operation<any, any>[]>; hooks: Hook[] }[] = [
  { name: 'kv', model: kvModel, histories: kvHistories(12), hooks: ['operationKey', 'readOnly', 'enables', 'simplify', 'refute'] },
  { name: 'register', model: registerModel, histories: registerHistories(10), hooks: ['operationKey', 'readOnly', 'enables'] },
  { name: 'kv-append', model: kvAppendModel, histories: kvAppendHistories(9), hooks: ['operationKey', 'readOnly', 'enables'] },
];

for (const { name, model, histories, hooks } of cases) {
  test(`${name}: the plain search agrees with trying every order`, (t) => {
    const { seen, note } = tally();
    fc.assert(
      fc.property(histories, (ops) => {
        const verdict = checkOperations(plain(model), ops).verdict;
        note(verdict);
        return verdict === (bruteForce(model, ops) ? 'ok' : 'illegal');
      }),
      { numRuns: 1500 },
    );
    t.true((seen.ok ?? 0) > 100 && (seen.illegal ?? 0) > 100, JSON.stringify(seen));
  });

  for (const hook of hooks) {
    test(`${name}: the ${hook} fast path alone keeps every verdict of the plain search`, (t) => {
      const { seen, note } = tally();
      fc.assert(
        fc.property(histories, (ops) => {
          note(checkOperations(plain(model), ops).verdict);
          return agrees(model, only(model, hook), ops);
        }),
        { numRuns: 1000 },
      );
      t.true((seen.ok ?? 0) > 100 && (seen.illegal ?? 0) > 100, JSON.stringify(seen));
    });
  }

  test(`${name}: all fast paths together keep every verdict of the plain search`, (t) => {
    const { seen, note } = tally();
    fc.assert(
      fc.property(histories, (ops) => {
        note(checkOperations(plain(model), ops).verdict);
        return agrees(model, model, ops);
      }),
      { numRuns: 2000 },
    );
    t.true((seen.ok ?? 0) > 200 && (seen.illegal ?? 0) > 200, JSON.stringify(seen));
  });
}

test('kv: the refutation never refutes a linearizable history, and finds most stale reads of generated ones', (t) => {
  let refuted = 0;
  fc.assert(
    fc.property(kvHistories(12), (ops) => {
      const parts = kvModel.partition!(ops);
      const found = parts.some((part) => kvModel.refute!(part) !== undefined);
      if (found) refuted++;
      return !found || !bruteForce(kvModel, ops);
    }),
    { numRuns: 3000 },
  );
  t.true(refuted > 300, `${refuted} refuted`);
});

/** The plain search alone on each part, without the replay of sequential parts. */
function searchAlone<S, I, O>(model: Model<S, I, O>, ops: Operation<I, O>[]): 'ok' | 'illegal' {
  const parts = model.partition ? model.partition(ops) : [ops];
  return parts.every((part) => {
    const search = new PartSearch(model, part, new MemoryBudget(2 ** 30));
    while (search.status === 'searching') search.advance(1_000_000);
    return search.status === 'ok';
  })
    ? 'ok'
    : 'illegal';
}

test('kv: a part whose operations never overlap is replayed, with the verdict of the search', (t) => {
  const { seen, note } = tally();
  fc.assert(
    fc.property(kvHistories(12), fc.boolean(), (drawn, lastPending) => {
      // One after another: [2k, 2k + 1]; the last may stay pending.
      const ops = drawn.map((o, k) => ({ ...o, call: 2 * k, ret: lastPending && k === drawn.length - 1 ? Infinity : 2 * k + 1, output: lastPending && k === drawn.length - 1 ? undefined : (o.output ?? { ok: true }) }));
      const result = checkOperations(plain(kvModel), ops);
      note(result.verdict);
      return result.verdict === searchAlone(plain(kvModel), ops) && result.steps === 0;
    }),
    { numRuns: 1000 },
  );
  t.true((seen.ok ?? 0) > 100 && (seen.illegal ?? 0) > 100, JSON.stringify(seen));
});

test('kv: longer histories (bitsets of several words) get the verdict of the plain search', (t) => {
  const { seen, note } = tally();
  fc.assert(
    fc.property(kvHistories(90), (drawn) => {
      // Spread the calls so that overlap stays small enough for the plain search.
      const ops = drawn.map((o, k) => ({ ...o, call: o.call + 20 * k, ret: o.ret === Infinity ? Infinity : o.ret + 20 * k }));
      const expected = checkOperations(plain(kvModel), ops).verdict;
      note(expected);
      return agrees(kvModel, kvModel, ops) && agrees(kvModel, only(kvModel, 'operationKey', 'readOnly', 'enables', 'simplify'), ops);
    }),
    { numRuns: 300 },
  );
  t.true((seen.ok ?? 0) > 20 && (seen.illegal ?? 0) > 20, JSON.stringify(seen));
});

test('kv: generated runs of 20 clients (dozens of operations per key, some pending) get their known verdict, and the plain search agrees where it decides', (t) => {
  const { seen, note } = tally();
  for (let seed = 1; seed <= 60; seed++) {
    const run = serviceKvHistory({ seed, clients: 20, requests: 12, keys: ['a', 'b'], lostReplies: 0.05, staleReads: seed % 2 });
    // Linearizable by construction, or certainly not with a stale read (test/generate.test.ts).
    const known = run.staleReads.length > 0 ? 'illegal' : 'ok';
    const plainVerdict = checkOperations(plain(kvModel), run.ops, { max_steps: 2_000_000 }).verdict;
    note(plainVerdict);
    t.true(plainVerdict === known || plainVerdict === 'unknown', `seed ${seed}: plain search`);
    for (const fast of [kvModel, only(kvModel, 'operationKey', 'readOnly', 'enables', 'simplify')]) {
      const result = checkOperations(fast, run.ops);
      t.is(result.verdict, known, `seed ${seed}`);
      if (result.verdict === 'ok') t.true(result.linearizations!.every((l) => isLinearization(kvModel, l)), `seed ${seed}`);
    }
  }
  t.true((seen.ok ?? 0) >= 25 && (seen.illegal ?? 0) >= 5, JSON.stringify(seen));
});
