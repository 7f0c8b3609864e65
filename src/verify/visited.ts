/**
 * The set of fingerprints seen: open addressing over an Int32Array of two words per cell, so
 * that it can live in a SharedArrayBuffer and be filled by several worker threads at once (an
 * insert claims a cell with one compare-and-swap; a reader that finds a cell being written
 * waits the few instructions it takes). Sized for `capacity` fingerprints at half load; the
 * search stops before it fills up.
 *
 *   word 0: 0 (empty), or the fingerprint's high 21 bits + 1, with BUSY set while word 1 is written
 *   word 1: the fingerprint's low 32 bits
 */
const BUSY = 1 << 30;
const TWO32 = 4_294_967_296;

export class FingerprintSet {
  private readonly words: Int32Array;
  private readonly mask: number;

  constructor(readonly buffer: ArrayBufferLike) {
    this.words = new Int32Array(buffer);
    this.mask = this.words.length / 2 - 1;
  }

  /** A buffer for `capacity` fingerprints, shared between threads if `shared`. */
  static buffer(capacity: number, shared: boolean): ArrayBufferLike {
    let cells = 1024;
    while (cells < capacity * 2) cells *= 2;
    return shared ? new SharedArrayBuffer(cells * 8) : new ArrayBuffer(cells * 8);
  }

  /** Adds a fingerprint (a positive integer below 2^53); false if it was there already. */
  add(fingerprint: number): boolean {
    const lo = fingerprint % TWO32 | 0;
    const hi = Math.floor(fingerprint / TWO32) + 1;
    const words = this.words;
    for (let cell = mix(lo) & this.mask; ; cell = (cell + 1) & this.mask) {
      const at = cell * 2;
      let word = Atomics.load(words, at);
      if (word === 0) {
        word = Atomics.compareExchange(words, at, 0, hi | BUSY);
        if (word === 0) {
          Atomics.store(words, at + 1, lo);
          Atomics.store(words, at, hi);
          return true;
        }
      }
      while (word & BUSY) word = Atomics.load(words, at);
      if (word === hi && Atomics.load(words, at + 1) === lo) return false;
    }
  }
}

/** Every fingerprint in `from` (a set nobody is adding to), added to `to`. */
export function copyFingerprints(from: FingerprintSet, to: FingerprintSet): void {
  const words = new Int32Array(from.buffer);
  for (let at = 0; at < words.length; at += 2) {
    const hi = words[at]!;
    if (hi !== 0) to.add((hi - 1) * TWO32 + (words[at + 1]! >>> 0));
  }
}

/** Spreads the low bits (the fingerprint's are already mixed; this is cheap insurance). */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return x ^ (x >>> 16);
}
