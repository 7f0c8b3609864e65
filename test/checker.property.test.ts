/**
 * Properties over generated histories: run random kv commands one after another, widen each
 * into an interval around its linearization point (specs/generate.ts), and the result must be
 * linearizable; corrupt one result and it mostly must not be; turn some operations pending and
 * it still must be. The histories also go through the mpkv format and back.
 */
import test from 'ava';
import fc from 'fast-check';
import type { KvCommand, KvResult } from '../src/kv/kv.js';
import { formatMpkvHistory, infoEvent, invokeEvent, okEvent, parseMpkvHistory, type MpkvHistoryEvent } from '../specs/formats/mpkv.js';
import { concurrentKvHistory, type PlannedOperation } from '../specs/generate.js';
import type { Operation } from '../specs/history.js';
import { checkOperations } from '../specs/linearizability.js';
import { kvModel } from '../specs/models/kv.js';

type KvOp = Operation<KvCommand, KvResult>;

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const value = fc.integer({ min: 0, max: 99 }).map((n) => `val_${n}`);
const command: fc.Arbitrary<KvCommand> = fc.oneof(
  fc.record({ op: fc.constant('put' as const), key, value }),
  fc.record({ op: fc.constant('get' as const), key }),
  fc.record({ op: fc.constant('delete' as const), key }),
);
const planned = (pendingRate: number): fc.Arbitrary<PlannedOperation> =>
  fc.record({
    process: fc.integer({ min: 1, max: 5 }),
    command,
    before: fc.integer({ min: 0, max: 40 }),
    after: fc.integer({ min: 0, max: 40 }),
    pending: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x < pendingRate),
  });
const plan = (pendingRate = 0): fc.Arbitrary<PlannedOperation[]> => fc.array(planned(pendingRate), { minLength: 1, maxLength: 40 });

/** True when the order respects real time and every step is the model's. */
function isLinearization(order: readonly KvOp[]): boolean {
  let store = kvModel.init();
  for (let i = 0; i < order.length; i++) {
    const step = kvModel.step(store, order[i]!.input, order[i]!.output);
    if (!step.ok) return false;
    store = step.state;
    if (order.slice(i + 1).some((later) => later.ret < order[i]!.call)) return false;
  }
  return true;
}

test('a sequential run made concurrent is linearizable, and the linearization found is a real one', (t) => {
  fc.assert(
    fc.property(plan(), (p) => {
      const ops = concurrentKvHistory(p);
      const result = checkOperations(kvModel, ops);
      return result.verdict === 'ok' && result.linearizations!.every(isLinearization) && result.linearizations!.flat().length === ops.length;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('with some operations pending (outcome unknown) the history is still linearizable', (t) => {
  fc.assert(
    fc.property(plan(0.3), (p) => checkOperations(kvModel, concurrentKvHistory(p)).verdict === 'ok'),
    { numRuns: 300 },
  );
  t.pass();
});

/** Another answer to the same command: a different value, or success flipped. */
function corrupt(result: KvResult, command: KvCommand): KvResult {
  if (!result.ok) return command.op === 'get' ? { ok: true, value: 'val_corrupt' } : { ok: true };
  if (command.op === 'get') return { ok: true, value: `${result.value}_corrupt` };
  return { ok: false, error: command.op === 'put' ? `key already exists: ${command.key}` : `key not found: ${command.key}` };
}

test('one corrupted result makes most histories illegal, and never crashes the checker', (t) => {
  let illegal = 0;
  let runs = 0;
  fc.assert(
    fc.property(plan(), fc.nat(), (p, which) => {
      const ops = concurrentKvHistory(p);
      const victim = ops[which % ops.length]!;
      const corrupted = ops.map((o) => (o === victim ? { ...o, output: corrupt(o.output!, o.input) } : o));
      const result = checkOperations(kvModel, corrupted);
      runs++;
      if (result.verdict === 'illegal') {
        illegal++;
        return result.explanation !== undefined && result.explanation.culprit !== undefined;
      }
      return result.verdict === 'ok';
    }),
    { numRuns: 300 },
  );
  t.true(illegal / runs >= 0.5, `${illegal} of ${runs} corrupted histories were illegal`);
});

/** The events mpkv run would write for a history: one invoke and one completion per operation. */
function eventsOf(ops: readonly KvOp[]): MpkvHistoryEvent[] {
  const timed: { time: number; event: MpkvHistoryEvent }[] = [];
  for (const o of ops) {
    timed.push({ time: o.call, event: invokeEvent(o.process, o.input, o.call) });
    if (o.ret !== Infinity) timed.push({ time: o.ret, event: okEvent(o.process, o.input, o.output!, o.ret) });
    else timed.push({ time: o.call, event: infoEvent(o.process, o.input, o.call) });
  }
  return timed.sort((a, b) => a.time - b.time).map((e) => e.event);
}

test('histories survive the mpkv format: written, read back, same verdict and operations', (t) => {
  fc.assert(
    fc.property(plan(0.2), (p) => {
      const ops = concurrentKvHistory(p);
      const back = parseMpkvHistory(formatMpkvHistory(eventsOf(ops)));
      const key = (o: KvOp) => JSON.stringify([o.process, o.input, o.output ?? null, o.ret === Infinity]);
      return back.length === ops.length && back.map(key).sort().join() === ops.map(key).sort().join() && checkOperations(kvModel, back).verdict === 'ok';
    }),
    { numRuns: 200 },
  );
  t.pass();
});
