/**
 * The nodes' local states, each kept once (hash-consed): a global state of the model
 * (./model.ts) names each node's state by its number here. A local state is what decides the
 * node's future and how it is compared — its status, its machine's state and context (less its
 * fixed setting), its disk and armed timers — and its fingerprint (./hash.ts) is computed once,
 * when it is first met, as is, for a node of an interchangeable group, its fingerprint under
 * each renaming of the group (lazily) and its sort key with the group's names blanked
 * (./symmetry.ts). Two local states with one fingerprint are one state (as in TLC and
 * Stateright, a fingerprint stands for the state; the odds of two sharing one are printed).
 *
 * Each local state also keeps the steps worked out from it (./stepper.ts), by event: a node's
 * step is a pure function of its state and the event, so it is worked out once.
 */
import { hashFields, hashOf, hashText, mix, type Renaming } from './hash.js';
import type { NodeState, Op } from './stepper.js';
import type { Symmetry } from './symmetry.js';

/** A step of one node from one local state: its result, worked out once (./model.ts). */
export interface LocalStep {
  /** The local state after it. */
  readonly next: number;
  /** Its trace, as templates (./stepper.ts): for a path's trace and the judge. */
  readonly ops: readonly Op[];
  /** The messages it sends, as packet numbers, in order (the k-th: `sends[k]`). */
  readonly sends: Int32Array;
  /** The node finished: the messages in flight to it are dropped. */
  readonly finishes: boolean;
  /** The judge's part of it (./judges.ts: a list of events the judge reads), or -1: none. */
  readonly judged: number;
  /** Does it tell the judge something whose order against other such steps may matter (the
   *  partial-order reduction keeps those steps in every order: ./reduction.ts)? */
  readonly ordered: boolean;
}

export interface LocalState extends NodeState {
  readonly id: number;
  readonly node: number;
  /** Fingerprint, unrenamed (of the state alone: where the node sits is added by the state's
   *  fingerprint, so that mirror images of a node's state match). */
  readonly hash: number;
  /** Does its context or disk name a member of an interchangeable group (then renaming changes it)? */
  readonly named: boolean;
  /** Its sort key among its group (its fingerprint with the group's names blanked). */
  readonly key: number;
  /** The step codes of its armed timers that may fire (./model.ts), while it is up. */
  readonly timerSteps: Int32Array;
  /** Its steps worked out so far, by event code (./model.ts). */
  readonly steps: Map<number, LocalStep>;
  /** Its fingerprint under each renaming (NaN: not worked out yet). */
  renamed: Float64Array | undefined;
  /** Per packet (and sender's state, if it depends on it), whether it is dead here
   *  (./model.ts `dead`), worked out once. */
  readonly dead: Map<number, number>;
}

export interface LocalSetting {
  /** Per node, the context fields left out of comparisons (its fixed setting). */
  readonly setting: readonly ReadonlySet<string>[];
  /** Per node, the context fields updated in place (undefined: any may be). */
  readonly mutable: readonly (ReadonlySet<string> | undefined)[];
  readonly symmetry: Symmetry;
  /** The step codes of node `node`'s armed `timers` that may fire. */
  timerSteps(node: number, timers: readonly string[]): Int32Array;
}

export class LocalStates {
  readonly states: LocalState[] = [];
  private readonly byHash = new Map<number, number>();
  /** Which group each node is in (-1: none). */
  private readonly inGroup: Int8Array;

  constructor(private readonly setting: LocalSetting, nodes: number) {
    this.inGroup = new Int8Array(nodes).fill(-1);
    setting.symmetry.groups.forEach((g, k) => g.forEach((i) => (this.inGroup[i] = k)));
  }

  get size(): number {
    return this.states.length;
  }

  /** The number of node `node`'s state `state` (the same number for equal states). */
  intern(node: number, state: NodeState): number {
    const hash = this.print(node, state, undefined);
    const internKey = mix(node + 1, hash);
    const known = this.byHash.get(internKey);
    if (known !== undefined) return known;
    const id = this.states.length;
    const named = this.names(node, state);
    const key = this.inGroup[node]! >= 0 && named ? this.print(node, state, this.setting.symmetry.blank) : hash;
    const timerSteps = state.status === 'up' ? this.setting.timerSteps(node, state.timers) : EMPTY;
    this.states.push({ ...state, id, node, hash, named, key, timerSteps, steps: new Map(), renamed: undefined, dead: new Map() });
    this.byHash.set(internKey, id);
    return id;
  }

  /** Local state `id`'s fingerprint under renaming number `k`. */
  renamedHash(id: number, k: number): number {
    const state = this.states[id]!;
    if (k === 0 || !state.named) return state.hash;
    state.renamed ??= new Float64Array(this.setting.symmetry.count).fill(NaN);
    let print = state.renamed[k]!;
    if (Number.isNaN(print)) state.renamed[k] = print = this.print(state.node, state, this.setting.symmetry.renamings[k]);
    return print;
  }

  private print(i: number, node: NodeState, rename: Renaming | undefined): number {
    const snapshot = node.snapshot;
    let h = hashText(node.status);
    if (snapshot) h = mix(mix(h, hashOf(snapshot.value)), this.contextPrint(snapshot.context, i, rename));
    return mix(mix(h, hashOf(node.disk, rename)), hashText(node.timers.join(',')));
  }

  /** A context's fingerprint: its setting left out; with the emulation's word on which fields
   *  change in place, the others' fingerprints are kept from step to step. */
  private contextPrint(context: Record<string, unknown>, i: number, rename: Renaming | undefined): number {
    const mutable = this.setting.mutable[i];
    if (!mutable) return hashOf(context, rename, this.setting.setting[i]);
    return hashFields(context, rename, this.setting.setting[i]!, (key) => !mutable.has(key));
  }

  /** Does the node's context or disk name a member of a symmetric group? */
  private names(i: number, node: NodeState): boolean {
    const names = this.setting.symmetry.names;
    if (names.size === 0) return false;
    return mentions(node.snapshot?.context, names, this.setting.setting[i]) || mentions(node.disk, names);
  }
}

const EMPTY = new Int32Array(0);

/** Does `value` hold one of `names` (as a whole string, anywhere; `omit`: top-level fields skipped)? */
export function mentions(value: unknown, names: ReadonlySet<string>, omit?: ReadonlySet<string>): boolean {
  if (typeof value === 'string') return names.has(value);
  if (typeof value !== 'object' || value === null) return false;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return mentions(toJSON.call(value), names);
  if (Array.isArray(value)) return value.some((v) => mentions(v, names));
  if (value instanceof Map) {
    for (const [k, v] of value) if (mentions(k, names) || mentions(v, names)) return true;
    return false;
  }
  if (value instanceof Set) {
    for (const v of value) if (mentions(v, names)) return true;
    return false;
  }
  for (const key in value) if (!omit?.has(key) && mentions((value as Record<string, unknown>)[key], names)) return true;
  return false;
}
