/**
 * Histories that are linearizable by construction, for property tests and benchmarks.
 *
 * Run the commands one after another against the real `apply` (so the results are right),
 * giving command i the linearization point 10·i. Then widen each operation into an interval
 * around its point, [point - before, point + after]: every interval still contains its point,
 * so the sequential order is a linearization that respects real time, and the history is
 * linearizable whatever the widths. Widths are clipped so that a process's operations never
 * overlap (a process has one operation at a time). A pending operation keeps its call and
 * loses its return and output: it did take effect, at its point, which is still allowed.
 */
import { apply, emptyStore, type KvCommand, type KvResult } from '../src/kv/kv.js';
import type { Operation } from './history.js';

export interface PlannedOperation {
  readonly process: number;
  readonly command: KvCommand;
  /** How far before its linearization point the call is (clipped by the process's last op). */
  readonly before: number;
  /** How far after it the return is (clipped by the process's next op). */
  readonly after: number;
  readonly pending?: boolean;
}

const SPACING = 10;

/** The concurrent history of a sequential plan (see the module doc). */
export function concurrentKvHistory(plan: readonly PlannedOperation[]): Operation<KvCommand, KvResult>[] {
  let store = emptyStore;
  const results = plan.map(({ command }) => {
    const [next, result] = apply(store, command);
    store = next;
    return result;
  });
  const nextOfProcess = plan.map((p, i) => plan.findIndex((q, j) => j > i && q.process === p.process));
  const lastReturn = new Map<number, number>();
  const ops: Operation<KvCommand, KvResult>[] = [];
  plan.forEach((p, i) => {
    const point = SPACING * (i + 1);
    const previous = lastReturn.get(p.process) ?? 0;
    const call = Math.max(point - p.before, previous + 1);
    const next = nextOfProcess[i]!;
    // Leave room before the process's next point so its next call can still precede it.
    const limit = next === -1 ? Infinity : SPACING * (next + 1) - 2;
    const ret = Math.min(point + p.after, limit);
    lastReturn.set(p.process, ret);
    ops.push({ id: i, process: p.process, call, ret: p.pending ? Infinity : ret, input: p.command, output: p.pending ? undefined : results[i] });
  });
  return ops;
}
