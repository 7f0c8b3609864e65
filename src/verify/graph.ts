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
 *                 (state, next edge) frames and typed columns per state (no map);
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
    const { index, low } = this.scratch();
    const onStack = this.onStack;
    const stack: number[] = [];
    const frames: number[] = []; // pairs: state, next edge to look at
    const opened: number[] = [];
    let counter = 0;
    const open = (s: number): void => {
      index[s] = low[s] = counter++;
      opened.push(s);
      stack.push(s);
      onStack[s] = 1;
      frames.push(s, this.start(s));
    };
    for (let m = 0; m < members.length; m++) {
      const root = members[m]!;
      if (index[root]! >= 0) continue;
      open(root);
      while (frames.length > 0) {
        const s = frames[frames.length - 2]!;
        const e = frames[frames.length - 1]!;
        if (e < this.end(s)) {
          frames[frames.length - 1] = e + 1;
          const t = this.to.at(e);
          if (t >= this.expanded || !isMember(t)) continue; // (a state not expanded is on no cycle)
          if (index[t]! < 0) open(t);
          else if (onStack[t]) low[s] = Math.min(low[s]!, index[t]!);
          continue;
        }
        frames.length -= 2;
        if (frames.length > 0) {
          const parent = frames[frames.length - 2]!;
          low[parent] = Math.min(low[parent]!, low[s]!);
        }
        if (low[s] !== index[s]) continue;
        const component: number[] = [];
        let t: number;
        do {
          t = stack.pop()!;
          onStack[t] = 0;
          component.push(t);
        } while (t !== s);
        if (component.length > 1 || this.hasSelfLoop(s)) found(Int32Array.from(component));
      }
    }
    for (const s of opened) index[s] = -1;
  }

  private indexes = new Int32Array(0);
  private lows = new Int32Array(0);
  private onStack = new Uint8Array(0);

  /** Tarjan's per-state columns, one per state (index -1: not visited), kept between calls
   *  (a call leaves every index it set back at -1). */
  private scratch(): { index: Int32Array; low: Int32Array } {
    const size = this.expanded + 1;
    if (this.indexes.length < size) {
      this.indexes = new Int32Array(size * 2).fill(-1);
      this.lows = new Int32Array(size * 2);
      this.onStack = new Uint8Array(size * 2);
    }
    return { index: this.indexes, low: this.lows };
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
