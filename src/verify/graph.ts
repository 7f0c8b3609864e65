/**
 * The explored state graph, kept compactly for a pass that needs its edges (the liveness pass,
 * ./liveness.ts): states are numbers (0 the root, in the order a breadth-first search found
 * them), and each expanded state's outgoing edges are a range of two flat logs, as in a CSR
 * (compressed sparse row) matrix: `to[e]` the state edge `e` leads to, `code[e]` the model's
 * step code that takes it (./model.ts). The search expands states in the order of their
 * numbers, so each state's range begins where the previous one's ended: one offset per state.
 *
 * On it, the algorithms of the pass, all iterative (no recursion: a graph may be a million
 * states deep):
 *
 *   `components`  Tarjan's strongly connected components of the subgraph a membership test
 *                 picks (only edges between members count), with an explicit stack of
 *                 (state, next edge) frames;
 *   `pathWithin`  a shortest path (breadth first) from one state to one of a set, inside a
 *                 subgraph: what a lasso's loop is built of.
 */

/** A growable Int32Array log. */
export class IntLog {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  at(i: number): number {
    return this.data[i]!;
  }

  get bytes(): number {
    return this.data.byteLength;
  }
}

export class StateGraph {
  /** Edge `e`: the state it leads to, and its step code. */
  readonly to = new IntLog(1 << 14);
  readonly code = new IntLog(1 << 14);
  /** State `s`'s edges are [start(s), start(s + 1)); states not yet expanded have none. */
  private readonly starts = new IntLog(1 << 12);

  constructor() {
    this.starts.push(0);
  }

  /** How many states have been expanded (their edges are known): states 0 .. expanded - 1. */
  get expanded(): number {
    return this.starts.length - 1;
  }

  /** Adds an edge of the state being expanded (the next one by number). */
  edge(to: number, code: number): void {
    this.to.push(to);
    this.code.push(code);
  }

  /** The state being expanded has all its edges. */
  close(): void {
    this.starts.push(this.to.length);
  }

  start(s: number): number {
    return s < this.expanded ? this.starts.at(s) : 0;
  }

  end(s: number): number {
    return s < this.expanded ? this.starts.at(s + 1) : 0;
  }

  get edges(): number {
    return this.to.length;
  }

  get bytes(): number {
    return this.to.bytes + this.code.bytes + this.starts.bytes;
  }

  /**
   * The strongly connected components of the subgraph of `members` (only edges between members
   * count), Tarjan's algorithm without recursion. Each component is handed to `found` as an
   * array of states; components with one state and no edge to itself are left out (no cycle
   * runs through them).
   */
  components(members: Int32Array, isMember: (s: number) => boolean, found: (component: Int32Array) => void): void {
    const index = new Map<number, number>();
    const low = new Map<number, number>();
    const onStack = new Set<number>();
    const stack: number[] = [];
    const frames: number[] = []; // pairs: state, next edge to look at
    let counter = 0;
    for (let m = 0; m < members.length; m++) {
      const root = members[m]!;
      if (index.has(root)) continue;
      const open = (s: number): void => {
        index.set(s, counter);
        low.set(s, counter++);
        stack.push(s);
        onStack.add(s);
        frames.push(s, this.start(s));
      };
      open(root);
      while (frames.length > 0) {
        const s = frames[frames.length - 2]!;
        const e = frames[frames.length - 1]!;
        if (e < this.end(s)) {
          frames[frames.length - 1] = e + 1;
          const t = this.to.at(e);
          if (!isMember(t)) continue;
          if (!index.has(t)) open(t);
          else if (onStack.has(t)) low.set(s, Math.min(low.get(s)!, index.get(t)!));
          continue;
        }
        frames.length -= 2;
        if (frames.length > 0) {
          const parent = frames[frames.length - 2]!;
          low.set(parent, Math.min(low.get(parent)!, low.get(s)!));
        }
        if (low.get(s) !== index.get(s)) continue;
        const component: number[] = [];
        let t: number;
        do {
          t = stack.pop()!;
          onStack.delete(t);
          component.push(t);
        } while (t !== s);
        if (component.length > 1 || this.hasSelfLoop(s)) found(Int32Array.from(component));
      }
    }
  }

  private hasSelfLoop(s: number): boolean {
    for (let e = this.start(s); e < this.end(s); e++) if (this.to.at(e) === s) return true;
    return false;
  }

  /**
   * A shortest path from `from` to a state `isTarget` accepts, through states `isMember`
   * accepts: the edges taken, in order (empty if `from` is a target; undefined if none is
   * reachable).
   */
  pathWithin(from: number, isTarget: (s: number) => boolean, isMember: (s: number) => boolean): number[] | undefined {
    if (isTarget(from)) return [];
    const cameBy = new Map<number, number>([[from, -1]]); // state -> edge that reached it
    const queue = [from];
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      for (let e = this.start(s); e < this.end(s); e++) {
        const t = this.to.at(e);
        if (cameBy.has(t) || !isMember(t)) continue;
        cameBy.set(t, e);
        if (isTarget(t)) return this.edgesTo(t, from, cameBy);
        queue.push(t);
      }
    }
    return undefined;
  }

  /** The edges from `from` to `t` a breadth-first search recorded, in order. */
  private edgesTo(t: number, from: number, cameBy: ReadonlyMap<number, number>): number[] {
    const edges: number[] = [];
    for (let at = t; at !== from; ) {
      const e = cameBy.get(at)!;
      edges.push(e);
      at = this.source(e);
    }
    return edges.reverse();
  }

  /** The state edge `e` leaves: the last state whose range starts at or before it (states
   *  with no edge have empty ranges, so the last such one is the one that holds it). */
  source(e: number): number {
    let lo = 0;
    let hi = this.expanded - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts.at(mid) <= e) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
