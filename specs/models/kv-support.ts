/**
 * A fast refutation for one key of the kv model: finds an operation that no linearization can
 * place, by looking only at which write it could rest on. Sound (it never refutes a
 * linearizable history) but incomplete (it finds local contradictions, not all of them); the
 * search decides whatever it leaves. It runs in O(n log n), so a stale read in a history of
 * 10,000 operations with 130 of them overlapping is found at once, where a search would have
 * to try every order of the operations before it (test/checker.fastpaths.test.ts holds it to
 * the plain search).
 *
 * Every operation with a known answer *needs* a state of the key just before it: a get of v
 * needs the key to hold v; a get that found nothing, a failed delete and a successful put need
 * it absent; a failed put and a successful delete need it present. In a linearization, the
 * state before an operation g is made by the last state-changing operation W before g (or is
 * the initial, absent key). So some *support* W must exist:
 *
 * - W makes what g needs (a put of v for "holds v", a delete for "absent", a put for
 *   "present"), it succeeded or its outcome is unknown, and it was called before g returned;
 * - no operation X sits strictly between W and g in real time (called after W returned,
 *   returned before g was called) that would contradict it: X is then between W and g in
 *   every linearization, so X changes nothing (no successful put or delete can be there) and
 *   sees the state W left (a get of another value, say, cannot be there).
 *
 * A support with a later return leaves fewer operations strictly after it, so only the
 * candidate that returns last needs checking (pending ones never return: always fine). Each
 * query is a binary search over the candidates sorted by call, and over the contradicting
 * operations sorted by call with suffix minima of their returns.
 */
import { describeCommand, describeResult, keyExists, keyNotFound, type KvCommand, type KvResult } from '../../src/kv/kv.js';
import { intervalText, type Operation } from '../history.js';
import type { Refutation } from '../model.js';

type KvOp = Operation<KvCommand, KvResult>;

/** What an operation needs of the key just before it. */
type Need = { readonly kind: 'holds'; readonly value: string } | { readonly kind: 'absent' } | { readonly kind: 'present' };

/** Finds an operation of `part` (one key) that no linearization can place, if it is a local one. */
export function refuteKvPart(part: readonly KvOp[]): Refutation<KvCommand, KvResult> | undefined {
  const needs = part.map(needOf);
  const impossible = part.find((_, i) => needs[i] === 'impossible');
  if (impossible !== undefined) {
    return { culprit: impossible, reasons: ['no state of the key gives that answer'], involved: [] };
  }
  const index = new SupportIndex(part, needs as (Need | undefined)[]);
  const readers = part.map((op, i) => ({ op, need: needs[i] as Need | undefined })).filter((r): r is { op: KvOp; need: Need } => r.need !== undefined);
  readers.sort((a, b) => a.op.ret - b.op.ret || a.op.call - b.op.call || a.op.id - b.op.id);
  for (const { op, need } of readers) {
    const refutation = index.refute(op, need);
    if (refutation !== undefined) return refutation;
  }
  return undefined;
}

/** What `op` needs just before it; undefined for an unknown output; 'impossible' for an answer the store never gives. */
function needOf(op: KvOp): Need | 'impossible' | undefined {
  const { input, output } = op;
  if (output === undefined) return undefined;
  if (output.ok) {
    if (input.op === 'get') return output.value === undefined ? 'impossible' : { kind: 'holds', value: output.value };
    if (output.value !== undefined) return 'impossible';
    return input.op === 'put' ? { kind: 'absent' } : { kind: 'present' };
  }
  if (input.op === 'put') return output.error === keyExists(input.key) ? { kind: 'present' } : 'impossible';
  return output.error === keyNotFound(input.key) ? { kind: 'absent' } : 'impossible';
}

const isMutation = (op: KvOp): boolean => op.input.op !== 'get' && op.output?.ok === true;

/**
 * Whether a definite operation with need `need` can sit between a support and its reader when
 * the state there is `state`: it must change nothing and accept that state. For "present" the
 * value is not known, so a get of any value counts as accepting it (weaker, still sound).
 */
function fits(op: KvOp, need: Need, state: Need): boolean {
  if (isMutation(op)) return false;
  if (state.kind === 'absent') return need.kind === 'absent';
  if (state.kind === 'present') return need.kind !== 'absent';
  return need.kind === 'present' || (need.kind === 'holds' && need.value === state.value);
}

/** Operations sorted by call, with the one returning first among each suffix. */
class BySuffix {
  readonly calls: number[];
  readonly firstReturn: KvOp[];

  constructor(ops: KvOp[]) {
    ops.sort((a, b) => a.call - b.call);
    this.calls = ops.map((op) => op.call);
    this.firstReturn = new Array<KvOp>(ops.length);
    for (let i = ops.length - 1; i >= 0; i--) {
      const later = this.firstReturn[i + 1];
      this.firstReturn[i] = later !== undefined && later.ret < ops[i]!.ret ? later : ops[i]!;
    }
  }

  /** The operation called after `after` that returns first, if it returns before `before`. */
  between(after: number, before: number): KvOp | undefined {
    const i = firstAbove(this.calls, after);
    const op = this.firstReturn[i];
    return op !== undefined && op.ret < before ? op : undefined;
  }
}

/** Candidate supports sorted by call, with the one returning last among each prefix. */
class ByPrefix {
  readonly calls: number[];
  readonly lastReturn: KvOp[];

  constructor(ops: KvOp[]) {
    ops.sort((a, b) => a.call - b.call);
    this.calls = ops.map((op) => op.call);
    this.lastReturn = [];
    ops.forEach((op, i) => {
      const earlier = this.lastReturn[i - 1];
      this.lastReturn.push(earlier !== undefined && earlier.ret >= op.ret ? earlier : op);
    });
  }

  /** The candidate called no later than `time` that returns last. */
  latest(time: number): KvOp | undefined {
    return this.lastReturn[firstAbove(this.calls, time) - 1];
  }
}

/** The first index whose value is above `x` in an ascending array. */
function firstAbove(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class SupportIndex {
  private readonly supports = new Map<string, ByPrefix>();
  private readonly contradictions = new Map<string, BySuffix>();

  constructor(
    private readonly part: readonly KvOp[],
    private readonly needs: readonly (Need | undefined)[],
  ) {}

  refute(reader: KvOp, need: Need): Refutation<KvCommand, KvResult> | undefined {
    const key = JSON.stringify(reader.input.key);
    const needed = describeNeed(need, reader.input.key);
    const support = this.supportsOf(need).latest(reader.ret);
    if (support === undefined && need.kind !== 'absent') {
      const what = need.kind === 'holds' ? `put of ${JSON.stringify(need.value)} to ${key}` : `put to ${key}`;
      return { culprit: reader, reasons: [`it needs ${needed}, but no ${what} that succeeded (or may have) was called before it returned`], involved: [] };
    }
    // Without a support the key's initial state (absent) is the one it reads. The state the
    // support leaves is taken to be just what the reader needs: for "present" that forgets the
    // support's value, which keeps every candidate support facing the same contradictions (so
    // checking the last one is enough).
    const after = support === undefined ? -Infinity : support.ret;
    const blocker = this.contradictionsOf(need).between(after, reader.call);
    if (blocker === undefined) return undefined;
    const reasons =
      support === undefined
        ? [`it needs ${needed}; no delete of ${key} was called before it returned, so it must see the key as it started`, `but ${describe(blocker)} returned before it was called`]
        : [
            `it needs ${needed}; the last write it could see is ${describe(support)}`,
            `but ${describe(blocker)} comes between them in every order (called after that write returned, returned before this was called)`,
          ];
    return { culprit: reader, reasons, involved: support === undefined ? [blocker] : [support, blocker] };
  }

  /** The operations that can make `need` true: successful or pending puts (of v) or deletes. */
  private supportsOf(need: Need): ByPrefix {
    const key = need.kind === 'holds' ? `holds ${need.value}` : need.kind;
    let found = this.supports.get(key);
    if (found === undefined) {
      const makes = (op: KvOp): boolean => {
        if (op.output !== undefined && !op.output.ok) return false;
        if (need.kind === 'absent') return op.input.op === 'delete';
        return op.input.op === 'put' && (need.kind === 'present' || op.input.value === need.value);
      };
      found = new ByPrefix(this.part.filter(makes));
      this.supports.set(key, found);
    }
    return found;
  }

  /** The definite operations that cannot sit between a support that left `state` and its reader. */
  private contradictionsOf(state: Need): BySuffix {
    const key = state.kind === 'holds' ? `holds ${state.value}` : state.kind;
    let found = this.contradictions.get(key);
    if (found === undefined) {
      found = new BySuffix(this.part.filter((op, i) => this.needs[i] !== undefined && !fits(op, this.needs[i]!, state)));
      this.contradictions.set(key, found);
    }
    return found;
  }
}

function describeNeed(need: Need, key: string): string {
  const k = JSON.stringify(key);
  if (need.kind === 'holds') return `${k} = ${JSON.stringify(need.value)}`;
  return need.kind === 'absent' ? `${k} absent` : `${k} present`;
}

function describe(op: KvOp): string {
  const result = op.output === undefined ? '?' : describeResult(op.output);
  return `p${op.process} ${describeCommand(op.input)} -> ${result} (${intervalText(op)})`;
}
