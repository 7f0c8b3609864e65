/**
 * Every distinct state the search found, compactly, by number: its words (./model.ts: a few
 * dozen integers), its fingerprint, the state it was first reached from and the step that
 * reached it. No object
 * per state: the words live in chunks of a few megabytes (a chunk is never copied as the store
 * grows), the other columns in typed arrays.
 *
 * The search is breadth-first and numbers states in the order it finds them, so the states of
 * one depth are a range of numbers, and a frontier is two numbers. The path to any state is
 * read back from the parent column; and any state can be read again by its number, which is
 * what a later pass over the explored graph needs (`successors`, ./search.ts).
 */
const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;

export class StateStore {
  private readonly chunks: Int32Array[] = [];
  /** Words used in the last chunk. */
  private used = CHUNK;
  private starts = new Int32Array(1 << 12);
  private lengths = new Uint16Array(1 << 12);
  private parents = new Int32Array(1 << 12);
  private steps = new Int32Array(1 << 12);
  private his = new Int32Array(1 << 12);
  private los = new Int32Array(1 << 12);
  size = 0;

  /** Adds a state (`length` words of `words`, fingerprint (hi, lo)) reached from `parent` by
   *  step `step`; its number. A parent below 0 ends a path: -1 for the root, less for a state
   *  another worker gave (./search.ts `take`). */
  add(words: Int32Array, length: number, parent: number, step: number, hi: number, lo: number): number {
    if (this.used + length > CHUNK) {
      this.chunks.push(new Int32Array(CHUNK));
      this.used = 0;
    }
    const id = this.size;
    if (id === this.starts.length) this.growColumns();
    const chunk = this.chunks.length - 1;
    const into = this.chunks[chunk]!;
    for (let k = 0; k < length; k++) into[this.used + k] = words[k]!; // (no view object per state)
    this.starts[id] = chunk * CHUNK + this.used;
    this.lengths[id] = length;
    this.parents[id] = parent;
    this.steps[id] = step;
    this.his[id] = hi;
    this.los[id] = lo;
    this.used += length;
    this.size++;
    return id;
  }

  /** Copies state `id`'s words into `into`; returns how many. */
  read(id: number, into: Int32Array): number {
    const start = this.starts[id]!;
    const length = this.lengths[id]!;
    const chunk = this.chunks[start >>> CHUNK_BITS]!;
    const at = start & (CHUNK - 1);
    for (let k = 0; k < length; k++) into[k] = chunk[at + k]!;
    return length;
  }

  /** Are state `id`'s words the first `length` of `words`? */
  holds(id: number, words: Int32Array, length: number): boolean {
    if (this.lengths[id] !== length) return false;
    const start = this.starts[id]!;
    const chunk = this.chunks[start >>> CHUNK_BITS]!;
    const at = start & (CHUNK - 1);
    for (let k = 0; k < length; k++) if (chunk[at + k] !== words[k]) return false;
    return true;
  }

  lengthOf(id: number): number {
    return this.lengths[id]!;
  }

  /** State `id`'s words, as a new array. */
  state(id: number): Int32Array {
    const into = new Int32Array(this.lengths[id]!);
    this.read(id, into);
    return into;
  }

  parentOf(id: number): number {
    return this.parents[id]!;
  }

  stepOf(id: number): number {
    return this.steps[id]!;
  }

  /** State `id`'s fingerprint: high and low word. */
  hiOf(id: number): number {
    return this.his[id]!;
  }

  loOf(id: number): number {
    return this.los[id]!;
  }

  /** The steps from the root (state 0) to state `id`. */
  path(id: number): number[] {
    const out: number[] = [];
    for (let at = id; at > 0; at = this.parents[at]!) out.push(this.steps[at]!);
    return out.reverse();
  }

  /** The memory it holds, in bytes. */
  get bytes(): number {
    return this.chunks.length * CHUNK * 4 + this.starts.length * (4 + 2 + 4 + 4 + 8);
  }

  private growColumns(): void {
    const grow = <T extends Int32Array | Uint16Array>(array: T): T => {
      const bigger = new (array.constructor as new (n: number) => T)(array.length * 2);
      bigger.set(array);
      return bigger;
    };
    this.starts = grow(this.starts);
    this.lengths = grow(this.lengths);
    this.parents = grow(this.parents);
    this.steps = grow(this.steps);
    this.his = grow(this.his);
    this.los = grow(this.los);
  }
}
