/**
 * The search's memo (specs/memo.ts): whatever window of a bitset it keeps, it answers "seen
 * before" exactly for the (set, state) pairs added before, and it refuses, rather than grows
 * past, its memory budget.
 */
import test from 'ava';
import fc from 'fast-check';
import { Memo, MemoryBudget } from '../specs/memo.js';

/** A bitset as the search builds it: all ones, then mixed words, then zeros; pending words apart. */
const bitsets = (completedWords: number, pendingWords: number): fc.Arbitrary<Uint32Array> =>
  fc
    .tuple(fc.nat(completedWords), fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 3 }), fc.array(fc.nat({ max: 3 }), { minLength: pendingWords, maxLength: pendingWords }))
    .map(([ones, mixed, pending]) => {
      const bits = new Uint32Array(completedWords + pendingWords);
      for (let i = 0; i < Math.min(ones, completedWords); i++) bits[i] = 0xffffffff;
      mixed.forEach((w, k) => {
        if (ones + k < completedWords) bits[ones + k] = w;
      });
      pending.forEach((w, k) => (bits[completedWords + k] = w));
      return bits;
    });

/** The first word that is not all ones, and the last non-zero one, below `completedWords`. */
function bounds(bits: Uint32Array, completedWords: number): [number, number] {
  let lo = 0;
  while (lo < completedWords && bits[lo] === 0xffffffff) lo++;
  let hi = completedWords - 1;
  while (hi >= 0 && bits[hi] === 0) hi--;
  return [lo, hi];
}

test('the memo says "seen" exactly for pairs added before, whatever their windows', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(bitsets(6, 2), fc.nat(3)), { minLength: 1, maxLength: 300 }), (pairs) => {
      const memo = new Memo(new MemoryBudget(2 ** 24), 6, 8);
      const reference = new Set<string>();
      return pairs.every(([bits, state]) => {
        const key = `${state}:${bits.join(',')}`;
        // A deliberately poor hash (state only), so that distinct pairs share slots.
        const added = memo.add(state, state, bits, ...bounds(bits, 6));
        const expected = reference.has(key) ? 0 : 1;
        reference.add(key);
        return added === expected && memo.size === reference.size;
      });
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('a memo refuses an entry past its memory budget, and gives the memory back when released', (t) => {
  const budget = new MemoryBudget(16 * 1024);
  const memo = new Memo(budget, 1, 1);
  let added = 0;
  for (let i = 0; i < 100_000; i++) {
    const result = memo.add(i, i, Uint32Array.of(i & 0xff), 0, 0);
    if (result === -1) break;
    added++;
  }
  t.true(added > 100 && added < 100_000, `${added} added`);
  t.true(budget.used <= budget.cap);
  t.is(memo.add(1, 1, Uint32Array.of(1), 0, 0), 0, 'what it holds it still knows');
  memo.release();
  t.is(budget.used, 0);
  t.is(new Memo(new MemoryBudget(1), 1, 1).add(0, 0, Uint32Array.of(0), 0, -1), -1, 'not even an empty index fits');
});
