/**
 * The renamings of interchangeable nodes (symmetry reduction; the emulation names the roles
 * whose nodes are interchangeable: `Emulation.verify.symmetric`). A renaming permutes the nodes
 * of each such group among themselves and leaves every other node in place; renaming a state
 * renames the nodes everywhere — their places, the names inside contexts, disks, messages and
 * the judge's memory. Every renaming of every group is numbered once here (0: the identity), so
 * that what a part of a state fingerprints to under a renaming can be kept by that number.
 *
 * Which renamings a state is fingerprinted under (./fingerprints.ts): only those that sort each
 * group's nodes by their own state written with the group's names blanked out (so the key does
 * not depend on the naming), as Stateright's representatives do; nodes whose keys tie are tried
 * in every order. Every mirror image of a state sorts to the same images, so the least
 * fingerprint over those renamings is the same for all of them.
 */
import type { NodeId } from '../sim/trace.js';
import type { Renaming } from './hash.js';

export class Symmetry {
  /** The interchangeable nodes, by role (groups of two or more). */
  readonly groups: readonly (readonly number[])[];
  /** Every renaming: node index -> its place after renaming. */
  readonly perms: readonly Int32Array[];
  /** Every renaming as a renaming of names (undefined: the identity). */
  readonly renamings: readonly (Renaming | undefined)[];
  /** The names of the groups' members: does a value mention one? */
  readonly names: ReadonlySet<string>;
  /** Names each group's members as the group, for sort keys that ignore the naming. */
  readonly blank: Renaming;
  /** Per group, the number of renamings of the groups before it (mixed radix). */
  private readonly radix: readonly number[];
  private readonly orders: readonly (readonly (readonly number[])[])[];
  /** With few renamings: per renaming, the node that goes to each place, group after group
   *  (-1 between groups); empty with many. */
  private readonly owners: readonly Int32Array[];

  constructor(ids: readonly NodeId[], roles: readonly string[], symmetric: readonly string[]) {
    this.groups = symmetric.map((role) => roles.flatMap((r, i) => (r === role ? [i] : []))).filter((g) => g.length > 1);
    const groupOf = new Map(this.groups.flatMap((g, k) => g.map((i) => [ids[i]!, `<${k}>`] as const)));
    this.names = new Set(groupOf.keys());
    this.blank = { name: (text) => groupOf.get(text) ?? text, key: 'blank' };
    this.orders = this.groups.map((g) => ordersOf(g.length));
    const radix: number[] = [];
    let count = 1;
    for (const orders of this.orders) {
      radix.push(count);
      count *= orders.length;
    }
    this.radix = radix;
    const perms: Int32Array[] = [];
    const renamings: (Renaming | undefined)[] = [];
    for (let k = 0; k < count; k++) {
      const perm = Int32Array.from(ids, (_, i) => i);
      this.groups.forEach((group, g) => {
        const order = this.orders[g]![Math.floor(k / this.radix[g]!) % this.orders[g]!.length]!;
        group.forEach((node, j) => (perm[node] = group[order[j]!]!));
      });
      perms.push(perm);
      renamings.push(k === 0 ? undefined : renamingOf(ids, perm, String(k)));
    }
    this.perms = perms;
    this.renamings = renamings;
    this.owners = count > 720 ? [] : perms.map((perm) => ownersOf(this.groups, perm));
  }

  get symmetric(): boolean {
    return this.groups.length > 0;
  }

  get count(): number {
    return this.perms.length;
  }

  /**
   * The renamings that sort each group's nodes by their keys (ties in every order), as
   * numbers, into `out`; returns how many. `keys[i]`: node i's sort key. With few renamings
   * (up to 720: six interchangeable nodes) every renaming is tested, with no garbage: is the
   * node it puts in each place of each group keyed no higher than the next one's?
   */
  sorting(keys: Float64Array, out: number[]): number {
    out.length = 0;
    if (this.owners.length > 0) {
      for (let k = 0; k < this.owners.length; k++) {
        const owners = this.owners[k]!;
        let sorted = true;
        for (let r = 1; r < owners.length && sorted; r++) if (owners[r - 1] >= 0 && owners[r]! >= 0 && keys[owners[r - 1]!]! > keys[owners[r]!]!) sorted = false;
        if (sorted) out.push(k);
      }
      return out.length;
    }
    return this.sortingMany(keys, out);
  }

  /** `sorting` for many renamings: each group sorted, runs of equal keys in every order. */
  private sortingMany(keys: Float64Array, out: number[]): number {
    out.push(0);
    this.groups.forEach((group, g) => {
      const sorted = [...group].sort((a, b) => keys[a]! - keys[b]! || a - b);
      const runs: number[][] = [];
      let runStart = 0;
      for (let r = 1; r <= sorted.length; r++) {
        if (r < sorted.length && keys[sorted[r]!] === keys[sorted[runStart]!]) continue;
        runs.push(sorted.slice(runStart, r));
        runStart = r;
      }
      let assignments: number[][] = [[]];
      for (const run of runs) {
        const next: number[][] = [];
        for (const before of assignments) for (const order of ordersOf(run.length)) next.push([...before, ...order.map((k) => run[k]!)]);
        assignments = next;
      }
      const base = [...out];
      out.length = 0;
      for (const assigned of assignments) {
        // assigned[r]: the node that goes to the r-th place of the group.
        const order = new Array<number>(group.length);
        assigned.forEach((node, r) => (order[group.indexOf(node)] = r));
        const index = this.orders[g]!.findIndex((o) => o.every((x, j) => x === order[j]));
        for (const k of base) out.push(k + index * this.radix[g]!);
      }
    });
    return out.length;
  }
}

/** Per place of each group (groups separated by -1), the node a renaming puts there. */
function ownersOf(groups: readonly (readonly number[])[], perm: Int32Array): Int32Array {
  const owners: number[] = [];
  for (const group of groups) {
    if (owners.length > 0) owners.push(-1);
    for (const place of group) owners.push(group.find((node) => perm[node] === place)!);
  }
  return Int32Array.from(owners);
}

function renamingOf(ids: readonly NodeId[], perm: Int32Array, key: string): Renaming {
  const names = new Map<string, string>();
  perm.forEach((to, from) => to !== from && names.set(ids[from]!, ids[to]!));
  return { name: (text) => names.get(text) ?? text, key };
}

const ORDERS = new Map<number, number[][]>();

/** Every order of 0..n-1, in lexicographic order (the identity first; worked out once per n). */
export function ordersOf(n: number): readonly (readonly number[])[] {
  let orders = ORDERS.get(n);
  if (!orders) ORDERS.set(n, (orders = n <= 1 ? [[0].slice(0, n)] : lexicographic(ordersOf(n - 1).flatMap((order) => Array.from({ length: n }, (_, at) => [...order.slice(0, at), n - 1, ...order.slice(at)])))));
  return orders;
}

function lexicographic(orders: number[][]): number[][] {
  return orders.sort((a, b) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  });
}
