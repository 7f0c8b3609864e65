/**
 * The set of fingerprints seen, each with the number of its state: open addressing over an
 * Int32Array of three words per cell, no object per state, so that it can live in a
 * SharedArrayBuffer and be filled by several worker threads at once (an insert claims a cell
 * with one compare-and-swap; a reader that finds a cell being written waits the few
 * instructions it takes).
 *
 *   word 0: 0 (empty), or the fingerprint's high word (31 bits, never 0), with BUSY (the sign
 *           bit) set while the other two are written
 *   word 1: the fingerprint's low word
 *   word 2: the state's number (its worker's number in the high bits, ./parallel.ts), with
 *           FLAG (the sign bit) that another worker may set (./reduction.ts)
 *
 * It is kept between 3/8 and 3/4 full: 12 bytes a cell, so 16 to 32 bytes a state. One thread
 * grows it itself (`full`, then `grown`); worker threads stop, and the thread that
 * coordinates them grows it between their blocks of work (./parallel.ts).
 */
const BUSY = 1 << 31;
export const FLAG = 1 << 31;
/** What `add` returns for a fingerprint it added, and `get` for one it does not hold (a
 *  stored word is never -1: a worker's number is below 16). */
export const ABSENT = -1;
const CELL = 3;

export class FingerprintSet {
  private words: Int32Array;
  private mask: number;
  /** Fingerprints added by this thread (another thread's are counted by its own set). */
  added = 0;

  constructor(
    public buffer: ArrayBufferLike,
    private readonly shared = buffer instanceof SharedArrayBuffer,
  ) {
    this.words = new Int32Array(buffer);
    this.mask = this.words.length / CELL - 1;
  }

  /** A buffer of at least `cells` cells (a power of two), shared between threads if `shared`. */
  static buffer(cells: number, shared: boolean): ArrayBufferLike {
    let size = 1024;
    while (size < cells) size *= 2;
    return shared ? new SharedArrayBuffer(size * CELL * 4) : new ArrayBuffer(size * CELL * 4);
  }

  get cells(): number {
    return this.mask + 1;
  }

  get bytes(): number {
    return this.buffer.byteLength;
  }

  /**
   * Adds fingerprint (hi, lo) as state `id` unless it is there: returns -1 if it was added,
   * else the word stored with it (the state's number, FLAG possibly set).
   */
  add(hi: number, lo: number, id: number): number {
    if (this.shared) return this.addShared(hi, lo, id);
    const words = this.words;
    for (let cell = spread(hi, lo) & this.mask; ; cell = (cell + 1) & this.mask) {
      const at = cell * CELL;
      const word = words[at]!;
      if (word === 0) {
        words[at] = hi;
        words[at + 1] = lo;
        words[at + 2] = id;
        this.added++;
        return ABSENT;
      }
      if (word === hi && words[at + 1] === lo) return words[at + 2]!;
    }
  }

  /** The word stored with fingerprint (hi, lo), or -1 if it is not there. */
  get(hi: number, lo: number): number {
    const words = this.words;
    for (let cell = spread(hi, lo) & this.mask; ; cell = (cell + 1) & this.mask) {
      const at = cell * CELL;
      let word = Atomics.load(words, at);
      if (word === 0) return ABSENT;
      while (word & BUSY) word = Atomics.load(words, at);
      if (word === hi && Atomics.load(words, at + 1) === lo) return Atomics.load(words, at + 2);
    }
  }

  /** Sets FLAG on fingerprint (hi, lo)'s word (it must be there). */
  flag(hi: number, lo: number): void {
    const words = this.words;
    for (let cell = spread(hi, lo) & this.mask; ; cell = (cell + 1) & this.mask) {
      const at = cell * CELL;
      let word = Atomics.load(words, at);
      while (word & BUSY) word = Atomics.load(words, at);
      if (word === hi && Atomics.load(words, at + 1) === lo) {
        Atomics.or(words, at + 2, FLAG);
        return;
      }
    }
  }

  private addShared(hi: number, lo: number, id: number): number {
    const words = this.words;
    for (let cell = spread(hi, lo) & this.mask; ; cell = (cell + 1) & this.mask) {
      const at = cell * CELL;
      let word = Atomics.load(words, at);
      if (word === 0) {
        word = Atomics.compareExchange(words, at, 0, hi | BUSY);
        if (word === 0) {
          Atomics.store(words, at + 1, lo);
          Atomics.store(words, at + 2, id);
          Atomics.store(words, at, hi);
          this.added++;
          return ABSENT;
        }
      }
      while (word & BUSY) word = Atomics.load(words, at);
      if (word === hi && Atomics.load(words, at + 1) === lo) return Atomics.load(words, at + 2);
    }
  }

  /** How many fingerprints it holds (counted by a scan: for a shared set). */
  count(): number {
    let n = 0;
    for (let at = 0; at < this.words.length; at += CELL) if (this.words[at] !== 0) n++;
    return n;
  }

  /** Would `size` fingerprints fill it past 3/4? */
  full(size: number): boolean {
    return size * 4 > this.cells * 3;
  }

  /** A set twice as big (or more, for `size`) holding the same fingerprints: for the thread
   *  that owns it (nobody adding meanwhile). */
  grown(size: number = this.count()): FingerprintSet {
    // Twice as big, so just over 3/8 full after growing from 3/4 (asking for 3/8 at most here
    // quadrupled it: 50 bytes a state instead of 16 to 32).
    let cells = this.cells * 2;
    while (size * 4 > cells * 3) cells *= 2;
    const bigger = new FingerprintSet(FingerprintSet.buffer(cells, this.shared), this.shared);
    const words = this.words;
    for (let at = 0; at < words.length; at += CELL) {
      if (words[at] !== 0) bigger.put(words[at]!, words[at + 1]!, words[at + 2]!);
    }
    bigger.added = this.added;
    return bigger;
  }

  private put(hi: number, lo: number, word: number): void {
    const words = this.words;
    let cell = spread(hi, lo) & this.mask;
    while (words[cell * CELL] !== 0) cell = (cell + 1) & this.mask;
    words[cell * CELL] = hi;
    words[cell * CELL + 1] = lo;
    words[cell * CELL + 2] = word;
  }
}

/** Spreads the fingerprint's bits over the cell index (they are mixed already: cheap insurance). */
function spread(hi: number, lo: number): number {
  let x = lo ^ Math.imul(hi, 0x9e3779b1);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return x ^ (x >>> 16);
}
