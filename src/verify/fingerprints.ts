/**
 * A state's fingerprint: everything that decides what can happen next and how it will be
 * judged — each node's status, machine state, context (less its fixed setting), disk and armed
 * timers; the multiset of messages in flight; the budget left; the judge's memory — each part
 * fingerprinted (./hash.ts), and the parts' fingerprints mixed. Equal states reached by different paths get equal fingerprints and are explored once.
 * A part's fingerprint is kept with the part (node states and messages are shared between
 * states and never change), so a step pays only for the parts it changed.
 *
 * Symmetry reduction: when the emulation says a role's nodes are interchangeable, all mirror
 * images of a state (the state with those nodes renamed everywhere: their places, the names
 * inside contexts, disks, messages and the judge's memory) must share one fingerprint. Taking
 * the least fingerprint over every renaming does that, but costs n! for n nodes. So, as
 * Stateright's representatives do, the renamings tried are only those that sort the
 * interchangeable nodes by their own state (written with their group's names blanked out, so
 * that the key does not depend on the naming); only nodes whose states tie are tried in every
 * order. Every mirror image sorts to the same images, so the least is the same for all of them;
 * and it is usually one renaming, not n!.
 */
import { hashFields, hashOf, hashText, mix, type Renaming } from './hash.js';
import type { NodeState, Packet, World, WorldState } from './world.js';

/** Node index -> its index after renaming. */
type Perm = readonly number[];

const TWO32 = 4_294_967_296;

interface NodeEntry {
  /** Fingerprint without renaming. */
  readonly plain: number;
  /** Does it name a member of a symmetric group (then renaming changes it)? */
  readonly named: boolean;
  /** For a node of a symmetric group: its fingerprint with the group's names blanked. */
  key?: number;
  renamed?: Map<string, number>;
}

export class Fingerprinter {
  /** The interchangeable nodes, by role (groups of two or more). */
  private readonly groups: readonly (readonly number[])[];
  /** Every name in a group, quoted as canonical text writes it: does a text mention one? */
  private readonly quotedNames: readonly string[];
  /** Names each group's members as the group, for sort keys that ignore the naming. */
  private readonly blank: Renaming;
  private readonly identity: Perm;
  /** The names of the symmetric groups' members. */
  private readonly names_: ReadonlySet<string>;
  private readonly entries = new WeakMap<NodeState, NodeEntry>();
  private readonly packets = new WeakMap<Packet, { plain: number; named: boolean; renamed?: Map<string, number> }>();

  constructor(private readonly world: World) {
    const symmetric = world.emulation.verify?.symmetric ?? [];
    this.groups = symmetric.map((role) => world.specs.flatMap((s, i) => (s.role === role ? [i] : []))).filter((g) => g.length > 1);
    const groupOf = new Map(this.groups.flatMap((g, k) => g.map((i) => [world.ids[i]!, `<${k}>`] as const)));
    this.quotedNames = [...groupOf.keys()].map((name) => JSON.stringify(name));
    this.names_ = new Set(groupOf.keys());
    this.blank = { name: (text) => groupOf.get(text) ?? text, key: 'blank' };
    this.identity = world.ids.map((_, i) => i);
  }

  /** Whether the emulation declared interchangeable nodes. */
  get symmetric(): boolean {
    return this.groups.length > 0;
  }

  of(state: WorldState): number {
    if (this.groups.length === 0) return this.under(state, this.identity);
    let least = Infinity;
    for (const perm of this.renamings(state)) least = Math.min(least, this.under(state, perm));
    return least;
  }

  /** The renamings that sort each group's nodes by their state (ties in every order). */
  renamings(state: WorldState): Perm[] {
    let perms: number[][] = [this.identity as number[]];
    for (const group of this.groups) {
      const keyed = group.map((i) => ({ i, key: this.entry(state.nodes[i]!, i).key! })).sort((a, b) => a.key - b.key);
      // Runs of equal keys: their members may take the run's places in any order.
      const runs: number[][] = [];
      keyed.forEach((k, n) => (n > 0 && keyed[n - 1]!.key === k.key ? runs[runs.length - 1]!.push(k.i) : runs.push([k.i])));
      let place = 0;
      for (const run of runs) {
        const places = group.slice(place, place + run.length);
        place += run.length;
        perms = perms.flatMap((perm) =>
          permutations(run).map((order) => {
            const next = [...perm];
            order.forEach((node, k) => (next[node] = places[k]!));
            return next;
          }),
        );
      }
    }
    return perms;
  }

  /** The state's fingerprint under a renaming. */
  under(state: WorldState, perm: Perm): number {
    const plain = perm === this.identity || perm.every((to, from) => to === from);
    const key = plain ? '' : perm.join(',');
    const rename = plain ? undefined : this.renameBy(perm, key);
    let nodes: number;
    if (plain) {
      nodes = state.nodes.length;
      for (let i = 0; i < state.nodes.length; i++) nodes = mix(nodes, this.nodePrint(state.nodes[i]!, i, key, rename));
    } else {
      const placed = new Array<number>(state.nodes.length);
      state.nodes.forEach((node, i) => (placed[perm[i]!] = this.nodePrint(node, i, key, rename)));
      nodes = placed.reduce(mix, state.nodes.length);
    }
    // The messages in flight are a multiset: their fingerprints are added up, in any order.
    let lo = 0;
    let hi = 0;
    for (const p of state.packets) {
      const x = mix(mix(perm[p.from]!, perm[p.to]!), this.packetPrint(p, key, rename));
      lo = (lo + (x % TWO32)) % TWO32;
      hi = (hi + Math.floor(x / TWO32)) & 0x1fffff;
    }
    const { drops, duplicates, crashes, timeouts } = state.budget;
    let h = mix(mix(nodes, state.packets.length), hi * TWO32 + lo);
    h = mix(mix(mix(mix(h, drops), duplicates), crashes), timeouts);
    return mix(h, hashOf(state.judge.memory(), rename)) || 1;
  }

  private renameBy(perm: Perm, key: string): Renaming {
    const ids = this.world.ids;
    const names = new Map<string, string>();
    perm.forEach((to, from) => to !== from && names.set(ids[from]!, ids[to]!));
    return { name: (text) => names.get(text) ?? text, key };
  }

  private entry(node: NodeState, i: number): NodeEntry {
    let entry = this.entries.get(node);
    if (!entry) {
      const named = this.names(node, i);
      entry = { plain: this.print(node, i, undefined), named };
      if (this.groups.some((g) => g.includes(i))) entry.key = named ? this.print(node, i, this.blank) : entry.plain;
      this.entries.set(node, entry);
    }
    return entry;
  }

  /** Does the node's context or disk name a member of a symmetric group? */
  private names(node: NodeState, i: number): boolean {
    if (this.groups.length === 0) return false;
    return mentions(node.snapshot?.context, this.names_, this.world.setting[i]) || mentions(node.disk, this.names_);
  }

  private nodePrint(node: NodeState, i: number, key: string, rename: Renaming | undefined): number {
    const entry = this.entry(node, i);
    if (!rename || !entry.named) return entry.plain;
    entry.renamed ??= new Map();
    let print = entry.renamed.get(key);
    if (print === undefined) entry.renamed.set(key, (print = this.print(node, i, rename)));
    return print;
  }

  private print(node: NodeState, i: number, rename: Renaming | undefined): number {
    const snapshot = node.snapshot;
    let h = hashText(node.status);
    if (snapshot) h = mix(mix(h, hashOf(snapshot.value)), this.contextPrint(snapshot.context, i, rename));
    return mix(mix(h, hashOf(node.disk, rename)), hashText(node.timers.join(',')));
  }

  /** A context's fingerprint: its setting left out; with the emulation's word on which fields
   *  change in place, the others' fingerprints are kept from step to step. */
  private contextPrint(context: Record<string, unknown>, i: number, rename: Renaming | undefined): number {
    const mutable = this.world.mutable[i];
    if (!mutable) return hashOf(context, rename, this.world.setting[i]);
    return hashFields(context, rename, this.world.setting[i]!, (key) => !mutable.has(key));
  }

  private packetPrint(packet: Packet, key: string, rename: Renaming | undefined): number {
    let entry = this.packets.get(packet);
    if (!entry) this.packets.set(packet, (entry = { plain: hashOf(packet.msg), named: this.quotedNames.some((q) => packet.text.includes(q)) }));
    if (!rename || !entry.named) return entry.plain;
    entry.renamed ??= new Map();
    let print = entry.renamed.get(key);
    if (print === undefined) entry.renamed.set(key, (print = hashOf(packet.msg, rename)));
    return print;
  }
}

/** Does `value` hold one of `names` (as a whole string, anywhere; `omit`: top-level fields skipped)? */
function mentions(value: unknown, names: ReadonlySet<string>, omit?: ReadonlySet<string>): boolean {
  if (typeof value === 'string') return names.has(value);
  if (typeof value !== 'object' || value === null) return false;
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

/** Every order of `items` (the orders of 0..n-1 are worked out once per n). */
function permutations(items: readonly number[]): number[][] {
  if (items.length === 1) return [[items[0]!]];
  let orders = ORDERS.get(items.length);
  if (!orders) ORDERS.set(items.length, (orders = ordersOf(items.length)));
  return orders.map((order) => order.map((k) => items[k]!));
}

const ORDERS = new Map<number, number[][]>();

function ordersOf(n: number): number[][] {
  if (n <= 1) return [[0].slice(0, n)];
  return ordersOf(n - 1).flatMap((order) => Array.from({ length: n }, (_, at) => [...order.slice(0, at), n - 1, ...order.slice(at)]));
}
