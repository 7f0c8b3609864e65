/**
 * Symmetry in the liveness pass (./liveness.ts): the quotient graph, and the concrete graph
 * lifted back out of it where fairness must be judged.
 *
 * The quotient. With the emulation's interchangeable nodes (./symmetry.ts), the pass keeps one
 * state per orbit: the first concrete state met of it, r_q, stored as it was reached. Each
 * state is fingerprinted under the renaming that makes it least (./fingerprints.ts), and the
 * pass keeps that renaming's number with the state; so for an edge r_q --c--> t', where t'
 * falls on stored state t, it knows the renaming π with t' = π(r_t) (t' renamed by its least
 * renaming equals r_t renamed by its own), and keeps π with the edge, a small number. The
 * quotient graph with a renaming on each edge is a *voltage graph*: no information is lost.
 *
 * The lift. The concrete state g(r_q), for a renaming g, is the pair (q, g); its steps are the
 * renamed steps g(c) of r_q's, and step c's edge to t with renaming π leads to (t, g∘π) — the
 * model commutes with renaming (what makes the safety search's symmetry sound: an emulation
 * declares interchangeable only nodes the protocol never tells apart), and so does the
 * emulation's `behaviour` view, which never reads a name. Hot keys are the same in a mirror
 * image (the emulation says so: `TemperatureSpec.symmetric`), so the hot states, and the hot
 * states of each key, are unions of orbits — or they name the interchangeable nodes by id and
 * are renamed with them (`TemperatureSpec.namesNodes`: the keys of (q, g) are q's renamed by g,
 * `renameText`), so the hot states are unions of orbits and the split by key is made on the
 * lift instead. A strongly connected component C of the quotient's hot states lifts to
 * components of concrete states that are each other's images:
 * the one through (q0, identity) for any q0 of C is D, found breadth first from it inside the
 * lift of C (every lifted state lies on a lifted cycle through all of C — a closed walk through
 * C repeated as often as its renaming's order — so the lift's components have no edge between
 * them, and each is D renamed). D has at most (number of renamings) x |C| states.
 *
 * Fairness is judged on D, exactly as on the plain graph: a step's identity is the concrete
 * step, g(c) — a message with its link and its names renamed (its fingerprint under g,
 * ./fingerprints.ts), a timer or restart at the renamed node. A renaming of D (its image) is
 * fair exactly when D is. So the pass's verdict with symmetry is the verdict it would give on
 * the whole concrete graph: every lasso of the concrete graph has an image through D, and
 * every fair cycle of D is a concrete fair cycle. (TLC, by contrast, warns that its symmetry
 * may miss liveness violations: it checks the quotient as if it were the graph.)
 */
import type { Fingerprinter } from './fingerprints.js';
import { StateGraph } from './graph.js';
import { mix } from './hash.js';
import { codeOf, DELIVER, DROP, DUPLICATE, kindOf, payloadOf, TIMER, type Model } from './model.js';

/** The renamings' arithmetic: compositions and inverses, by number (0: the identity). */
export class Renamings {
  readonly count: number;
  /** then[a * count + b]: the renaming "b, then a" (node i to perms[a][perms[b][i]]). */
  private readonly then: Int32Array;
  private readonly inverse: Int32Array;

  constructor(model: Model) {
    const perms = model.symmetry.perms;
    this.count = perms.length;
    const index = new Map(perms.map((p, k) => [p.join(','), k]));
    this.then = new Int32Array(this.count * this.count);
    this.inverse = new Int32Array(this.count);
    perms.forEach((a, ka) =>
      perms.forEach((b, kb) => {
        const k = index.get(Array.from(b, (to) => a[to]!).join(','))!;
        this.then[ka * this.count + kb] = k;
        if (k === 0) this.inverse[ka] = kb;
      }),
    );
  }

  /** g∘p: p first, then g. */
  compose(g: number, p: number): number {
    return this.then[g * this.count + p]!;
  }

  /** The renaming π with t' = π(r_t), when t' renamed by `reached` equals r_t renamed by
   *  `stored` (the least renamings of each): π = reached⁻¹∘stored. */
  between(reached: number, stored: number): number {
    return this.compose(this.inverse[reached]!, stored);
  }

  invert(g: number): number {
    return this.inverse[g]!;
  }
}

/** The identity of the concrete step g(c): a renamed message by its fingerprint (with the kind
 *  of step: zero or more), a timer, restart or crash by its code at the renamed node (negative). */
export function stepIdentity(model: Model, prints: Fingerprinter, g: number, code: number): number {
  const kind = kindOf(code);
  const payload = payloadOf(code);
  if (kind === DELIVER || kind === DROP || kind === DUPLICATE) return mix(prints.packetPrint(payload, g), kind + 1);
  const perm = model.symmetry.perms[g]!;
  if (kind === TIMER) {
    const timer = model.timers[payload]!;
    return -1 - codeOf(TIMER, model.timerId(perm[timer.node]!, timer.name));
  }
  return -1 - codeOf(kind, perm[payload]!);
}

/** Text that names interchangeable nodes by their ids (a hot key: `server 2 at 4`) as it reads
 *  in the image by renaming `g`: each id replaced by its image's, the convention of the steps
 *  (`stepIdentity`: node i becomes node perms[g][i]). */
export function renameText(text: string, model: Model, g: number): string {
  const perm = model.symmetry.perms[g]!;
  const ids = model.ids;
  const members = model.symmetry.groups.flat();
  // Longest first: an id that begins another (`server 1`, `server 1 b`) never matches short.
  const names = members.map((i) => ids[i]!).sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`\\b(${names.map(escapeRegExp).join('|')})\\b`, 'g');
  return text.replace(pattern, (id) => ids[perm[ids.indexOf(id)]!]!);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A component lifted: its concrete states as a graph of their own (state k is the quotient's
 *  `quotient[k]` renamed by `renaming[k]`), whose edge codes number the concrete steps
 *  (`identities[code]`). */
export interface Lifted {
  readonly graph: StateGraph;
  readonly quotient: Int32Array;
  readonly renaming: Int32Array;
  readonly identities: readonly number[];
  /** Per lifted state: the steps fairness covers there, as the lifted graph's codes. */
  obligations(k: number): number[];
}

/** What lifting needs of the quotient graph. */
export interface Quotient {
  readonly graph: StateGraph;
  readonly model: Model;
  readonly prints: Fingerprinter;
  readonly renamings: Renamings;
  /** The renaming kept with edge `e`. */
  edgeRenaming(e: number): number;
  /** The steps fairness covers in quotient state `q`, as codes of r_q. */
  obligations(q: number): number[];
}

/** D: the concrete states reachable from (entry, identity) inside the lift of `component`,
 *  breadth first (the component's concrete image through that state). */
export function lift(quotient: Quotient, component: Int32Array, entry: number): Lifted {
  const { graph: g, renamings } = quotient;
  const member = new Set(component);
  const number = new Map<number, number>(); // q * count + renaming -> lifted state
  const states: number[] = [];
  const ids = new Map<number, number>();
  const identities: number[] = [];
  const codeOfStep = (renaming: number, code: number): number => {
    const id = stepIdentity(quotient.model, quotient.prints, renaming, code);
    let c = ids.get(id);
    if (c === undefined) {
      ids.set(id, (c = identities.length));
      identities.push(id);
    }
    return c;
  };
  const visit = (q: number, renaming: number): number => {
    const key = q * renamings.count + renaming;
    let k = number.get(key);
    if (k === undefined) {
      number.set(key, (k = states.length / 2));
      states.push(q, renaming);
    }
    return k;
  };
  const lifted = new StateGraph();
  visit(entry, 0);
  for (let k = 0; k < states.length / 2; k++) {
    const q = states[2 * k]!;
    const renaming = states[2 * k + 1]!;
    for (let e = g.start(q); e < g.end(q); e++) {
      const t = g.to.at(e);
      if (!member.has(t)) continue;
      lifted.edge(visit(t, renamings.compose(renaming, quotient.edgeRenaming(e))), codeOfStep(renaming, g.code.at(e)));
    }
    lifted.close();
  }
  const quotientOf = Int32Array.from({ length: states.length / 2 }, (_, k) => states[2 * k]!);
  const renamingOf = Int32Array.from({ length: states.length / 2 }, (_, k) => states[2 * k + 1]!);
  return {
    graph: lifted,
    quotient: quotientOf,
    renaming: renamingOf,
    identities,
    obligations: (k) => quotient.obligations(quotientOf[k]!).map((code) => codeOfStep(renamingOf[k]!, code)),
  };
}
