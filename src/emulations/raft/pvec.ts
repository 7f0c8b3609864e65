/**
 * A persistent vector: values at non-negative integer positions (log indexes, terms), where
 * setting one gives a new vector and leaves the old one as it was. It is a 32-way trie of
 * frozen arrays: a `set` copies only the path to its position (a few arrays of 32), so every
 * version stays valid and versions share all the rest. The Raft checks keep their tables in
 * these: a check costs O(log n) per fact however long the run, and a copy of a check (a model
 * checker forks one at every step) shares its tables for free.
 */
const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

type Trie = readonly unknown[];

/** The array slots copied by every `set` so far: the work, which tests count to show it stays
 *  O(log n) a set (test/raft-invariants.test.ts). */
export const pvecWork = { slots: 0 };

export class PVec<T> {
  private constructor(
    private readonly root: Trie | undefined,
    /** The bits of a position above the leaves' (0: the root is a leaf). */
    private readonly shift: number,
  ) {
    Object.freeze(this);
  }

  static empty<T>(): PVec<T> {
    return new PVec<T>(undefined, 0);
  }

  get(position: number): T | undefined {
    if (position < 0 || position >= WIDTH * 2 ** this.shift) return undefined;
    let node = this.root;
    for (let level = this.shift; level > 0 && node; level -= BITS) node = node[slot(position, level)] as Trie | undefined;
    return node?.[position & MASK] as T | undefined;
  }

  set(position: number, value: T): PVec<T> {
    let { root, shift } = this;
    while (position >= WIDTH * 2 ** shift) {
      root = root ? Object.freeze([root]) : undefined;
      shift += BITS;
    }
    return new PVec<T>(setIn(root, shift, position, value), shift);
  }

  /** Every position set, in order, with its value. */
  *entries(): IterableIterator<[number, T]> {
    yield* walk<T>(this.root, this.shift, 0);
  }
}

const slot = (position: number, level: number): number => Math.floor(position / 2 ** level) & MASK;

function setIn(node: Trie | undefined, level: number, position: number, value: unknown): Trie {
  const copy = node ? [...node] : [];
  pvecWork.slots += copy.length;
  const i = slot(position, level);
  copy[i] = level === 0 ? value : setIn(copy[i] as Trie | undefined, level - BITS, position, value);
  return Object.freeze(copy);
}

function* walk<T>(node: Trie | undefined, level: number, base: number): IterableIterator<[number, T]> {
  if (!node) return;
  for (let i = 0; i < node.length; i++) {
    const child = node[i];
    if (child === undefined) continue;
    const position = base + i * 2 ** level;
    if (level === 0) yield [position, child as T];
    else yield* walk<T>(child as Trie, level - BITS, position);
  }
}
