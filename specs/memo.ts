/**
 * The search's memo: a set of (linearized operations, model state) pairs that allocates
 * nothing per entry.
 *
 * A pair is stored as a record of 32-bit words in a chunked arena: its hash, the state's
 * interned id, and the *window* of the bitset that is not implied. Operations are numbered in
 * call order (pending ones last, see `PartSearch`), and a search that has reached some point
 * in time has linearized everything that returned long before it and nothing called long after
 * it, so the bitset is all ones up to some word, then a window of mixed words, then zeros. Only
 * the first mixed word's index and the window are kept (plus the words of pending operations,
 * which can stay unlinearized forever). A record is then a handful of words however long the
 * history is: what it costs grows with how many operations overlap, not with the history.
 *
 * The index is an open-addressing hash table (linear probing) of record addresses beside their
 * hashes, doubled when half full. Every byte is charged to a shared `MemoryBudget`; when an
 * insertion would pass the budget the memo refuses it, and the search reports `unknown` rather
 * than going on without it or running out of memory.
 */

/** A cap on the bytes all live memos may hold together. */
export class MemoryBudget {
  used = 0;
  /** The most ever held at once. */
  peak = 0;
  constructor(readonly cap: number) {}

  /** Takes `bytes` if they fit; false (and nothing taken) otherwise. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.cap) return false;
    this.used += bytes;
    this.peak = Math.max(this.peak, this.used);
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

/**
 * Arena chunks start small (most parts are small) and double up to 16 MiB. Records never
 * straddle chunks, so none is ever copied; an address is (chunk << CHUNK_BITS) | offset.
 */
const CHUNK_BITS = 22;
const CHUNK_WORDS = 1 << CHUNK_BITS;
const FIRST_CHUNK_WORDS = 1 << 8;
const INITIAL_SLOTS = 16;
/** Words before the bitset window: state id, first window word, window length. */
const HEADER = 3;

export class Memo {
  /** Record addresses + 1 (0: empty slot). */
  private slots = new Int32Array(INITIAL_SLOTS);
  private hashes = new Uint32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private readonly chunks: Uint32Array[] = [];
  /** Next free word in the last chunk. */
  private top = 0;
  private chunkWords = 0;
  private bytes = 0;
  /** Set when even the empty index did not fit: every insertion is refused. */
  private full = false;
  size = 0;

  /**
   * @param bits the bitset's words; `[0, pendingFrom)` hold the completed operations, the rest
   *   the pending ones (always stored in full).
   */
  constructor(
    private readonly budget: MemoryBudget,
    private readonly pendingFrom: number,
    private readonly totalWords: number,
  ) {
    if (HEADER + totalWords > CHUNK_WORDS) throw new RangeError(`a part of ${totalWords * 32} operations is too large for the memo`);
    if (budget.take(INITIAL_SLOTS * 8)) this.bytes = INITIAL_SLOTS * 8;
    else this.full = true;
  }


  /**
   * Adds (bits, stateId) unless present. `lo` is the first word of `bits` that is not all
   * ones and `hi` the last non-zero word below `pendingFrom` (hi < lo when there is none).
   * Returns 1 when added, 0 when it was already there, -1 when the budget refused it.
   */
  add(hash: number, stateId: number, bits: Uint32Array, lo: number, hi: number): 1 | 0 | -1 {
    if (this.full) return -1;
    const span = hi >= lo ? hi - lo + 1 : 0;
    const pending = this.totalWords - this.pendingFrom;
    let slot = hash & this.mask;
    for (;;) {
      const address = this.slots[slot]!;
      if (address === 0) break;
      if (this.hashes[slot] === hash && this.same(address - 1, stateId, bits, lo, span)) return 0;
      slot = (slot + 1) & this.mask;
    }
    const words = HEADER + span + pending;
    if (this.top + words > this.chunkWords) {
      const chunkWords = Math.min(CHUNK_WORDS, Math.max(FIRST_CHUNK_WORDS, this.chunkWords * 2, words));
      if (!this.budget.take(chunkWords * 4)) return -1;
      this.bytes += chunkWords * 4;
      this.chunks.push(new Uint32Array(chunkWords));
      this.chunkWords = chunkWords;
      this.top = 0;
    }
    if ((this.size + 1) * 2 > this.slots.length) {
      if (!this.grow()) return -1;
      slot = hash & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    }
    const chunkIndex = this.chunks.length - 1;
    const chunk = this.chunks[chunkIndex]!;
    const at = this.top;
    chunk[at] = stateId;
    chunk[at + 1] = lo;
    chunk[at + 2] = span;
    for (let i = 0; i < span; i++) chunk[at + HEADER + i] = bits[lo + i]!;
    for (let i = 0; i < pending; i++) chunk[at + HEADER + span + i] = bits[this.pendingFrom + i]!;
    this.top += words;
    this.slots[slot] = ((chunkIndex << CHUNK_BITS) | at) + 1;
    this.hashes[slot] = hash;
    this.size++;
    return 1;
  }

  /** Gives every byte back to the budget (the part is decided). */
  release(): void {
    this.budget.give(this.bytes);
    this.bytes = 0;
    this.chunks.length = 0;
    this.slots = new Int32Array(0);
    this.hashes = new Uint32Array(0);
  }

  get byteSize(): number {
    return this.bytes;
  }

  private same(address: number, stateId: number, bits: Uint32Array, lo: number, span: number): boolean {
    const chunk = this.chunks[address >>> CHUNK_BITS]!;
    const at = address & (CHUNK_WORDS - 1);
    if (chunk[at] !== stateId || chunk[at + 1] !== lo || chunk[at + 2] !== span) return false;
    for (let i = 0; i < span; i++) if (chunk[at + HEADER + i] !== bits[lo + i]) return false;
    const pending = this.totalWords - this.pendingFrom;
    for (let i = 0; i < pending; i++) if (chunk[at + HEADER + span + i] !== bits[this.pendingFrom + i]) return false;
    return true;
  }

  /** Doubles the index; false when the budget cannot pay for it. */
  private grow(): boolean {
    const size = this.slots.length * 2;
    if (!this.budget.take(size * 8)) return false;
    this.budget.give(this.slots.length * 8);
    this.bytes += size * 8 - this.slots.length * 8;
    const slots = new Int32Array(size);
    const hashes = new Uint32Array(size);
    const mask = size - 1;
    for (let i = 0; i < this.slots.length; i++) {
      const address = this.slots[i]!;
      if (address === 0) continue;
      let slot = this.hashes[i]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = address;
      hashes[slot] = this.hashes[i]!;
    }
    this.slots = slots;
    this.hashes = hashes;
    this.mask = mask;
    return true;
  }
}
