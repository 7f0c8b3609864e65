/**
 * Certifying a history with a witness: an order the caller claims the operations took effect
 * in (for `mpkv run`, the replicated log's: the slot at which each request was applied).
 *
 * A witness is checked, never trusted. Per part of the model's partition (linearizability is
 * compositional, so each key may be certified on its own), the witness's order restricted to
 * the part must be a linearization:
 *
 * 1. every completed operation of the part appears exactly once; a pending one may appear (it
 *    took effect there) or not (it never took effect, which is the same as taking effect after
 *    everything else: it is then appended, so the linearization still lists every operation);
 * 2. real time: no operation is placed after one that was called after it returned. In one
 *    pass, keep the latest call seen so far: each next operation must not have returned before
 *    it (touching intervals count as concurrent, as in the search);
 * 3. replayed through the model from `init`, every operation is accepted with exactly the output
 *    its client saw.
 *
 * That is linear in the history (plus the model's steps). A part whose witness passes is
 * linearizable, and the order is its proof; a part whose witness fails is handed to the search,
 * which decides it either way, so a wrong witness can cost time but never a verdict.
 *
 * `witnessByProcess` turns (process, nth operation of that process) pairs into ids, for a
 * caller that knows which request of which client took effect when, but not how a parser
 * numbered the operations (mpkv's numbers them in order of completion).
 */
import { intervalText, type Operation } from './history.js';
import { defaultRejection, describePart, type Model } from './model.js';

/** A part's witness: a linearization, or why not, with the witness's order of the part's
 *  operations (to guide the search; empty when the witness is malformed). */
export type PartWitness<I, O> =
  | { readonly certified: true; readonly linearization: readonly Operation<I, O>[] }
  | { readonly certified: false; readonly reason: string; readonly order: readonly Operation<I, O>[] };

/**
 * Checks `witness` (operation ids in the order they took effect) against each part.
 * Returns one verdict per part, in partition order.
 */
export function verifyWitness<S, I, O>(model: Model<S, I, O>, parts: readonly (readonly Operation<I, O>[])[], witness: readonly number[]): PartWitness<I, O>[] {
  const partOf = new Map<number, number>();
  const opOf = new Map<number, Operation<I, O>>();
  parts.forEach((ops, p) =>
    ops.forEach((op) => {
      partOf.set(op.id, p);
      opOf.set(op.id, op);
    }),
  );
  const orders: Operation<I, O>[][] = parts.map(() => []);
  const seen = new Set<number>();
  for (const id of witness) {
    const op = opOf.get(id);
    const problem = op === undefined ? `it names operation ${id}, which is not in the history` : seen.has(id) ? `it names operation ${id} twice` : undefined;
    if (problem !== undefined) return parts.map(() => ({ certified: false, reason: `the witness is malformed: ${problem}`, order: [] }));
    seen.add(id);
    orders[partOf.get(id)!]!.push(op!);
  }
  return parts.map((ops, p) => verifyPart(model, ops, orders[p]!, seen, p));
}

function verifyPart<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[], order: readonly Operation<I, O>[], inWitness: ReadonlySet<number>, index: number): PartWitness<I, O> {
  const where = describePart(model, ops, index);
  const show = (op: Operation<I, O>): string => `p${op.process} ${model.describeOperation(op.input, op.output)} (${intervalText(op)})`;
  const missing = ops.find((op) => op.ret !== Infinity && !inWitness.has(op.id));
  if (missing !== undefined) return { certified: false, reason: `${where}: ${show(missing)} completed but is not in the witness`, order };
  let latest: Operation<I, O> | undefined;
  let state = model.init();
  for (let k = 0; k < order.length; k++) {
    const op = order[k]!;
    if (latest !== undefined && op.ret < latest.call) {
      return { certified: false, reason: `${where}: ${show(op)} is placed after ${show(latest)}, which was called after it returned`, order };
    }
    if (latest === undefined || op.call > latest.call) latest = op;
    const step = model.step(state, op.input, op.output);
    if (!step.ok) {
      const why = model.explainRejection?.(state, op.input, op.output) ?? defaultRejection(model, state, op.input, op.output);
      return { certified: false, reason: `${where}: replaying the witness, ${show(op)} (number ${k + 1} of the part) does not fit: ${why}`, order };
    }
    state = step.state;
  }
  const unplaced = ops.filter((op) => !inWitness.has(op.id));
  return { certified: true, linearization: [...order, ...unplaced] };
}

/**
 * Names a witness's operations by process: `order` lists (process, nth) pairs, the nth
 * operation (from 0) that the process invoked, in the order they took effect. A run that knows
 * which request of which client was applied when (the replicated log) can say that without
 * knowing how a history parser numbered the operations. A pair that names no operation becomes
 * an id no operation has, so the witness is then rejected as malformed, naming it.
 */
export function witnessByProcess<I, O>(ops: readonly Operation<I, O>[], order: readonly { readonly process: number; readonly nth: number }[]): number[] {
  const byProcess = new Map<number, Operation<I, O>[]>();
  for (const op of ops) {
    const list = byProcess.get(op.process);
    if (list) list.push(op);
    else byProcess.set(op.process, [op]);
  }
  for (const list of byProcess.values()) list.sort((a, b) => a.call - b.call || a.id - b.id);
  const missing = ops.reduce((max, op) => Math.max(max, op.id), -1) + 1;
  return order.map(({ process, nth }, k) => byProcess.get(process)?.[nth]?.id ?? missing + k);
}
