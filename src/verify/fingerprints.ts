/**
 * A state's fingerprint: 63 bits (two words), from everything that decides what can happen next
 * and how it will be judged — each node's local state (./locals.ts), the multiset of messages in
 * flight (./packets.ts), the budget left, the judge's memory (./judges.ts). Equal states reached
 * by different paths get equal fingerprints and are explored once.
 *
 * Each part's own fingerprint is worked out once, when the part is first met, and kept with it;
 * a state's fingerprint only adds them up: each part's fingerprint, mixed with its place (a
 * node's index; one place for all messages, which are a multiset), is spread into two 32-bit
 * lanes, and the lanes are summed (an incremental, order-free combination, as in multiset
 * hashing) and mixed once more. So a state costs a few table reads per part, whatever its
 * parts hold.
 *
 * Symmetry reduction (./symmetry.ts): all mirror images of a state (the state with
 * interchangeable nodes renamed everywhere) must share one fingerprint. The state is
 * fingerprinted under each renaming that sorts the interchangeable nodes by their own state
 * (usually one), each part under the renaming kept with the part, and the least fingerprint
 * taken.
 *
 * As in TLC and Stateright, two different states might share a fingerprint: with n states the
 * odds of any such collision are about n^2 / 2^64 (./search.ts prints them).
 */
import { hashOf, mix } from './hash.js';
import type { Model } from './model.js';

export class Fingerprinter {
  /** The last fingerprint: high word (31 bits, never 0) and low word. */
  hi = 0;
  lo = 0;
  /** The renaming the last fingerprint was taken under (the least one's number; 0 without
   *  symmetry): the state renamed by it is the one fingerprinted. */
  renaming = 0;
  private readonly renamings: number[] = [];
  /** Per packet, its fingerprint under each renaming (NaN: not worked out yet). */
  private readonly packetPrints: (Float64Array | undefined)[] = [];
  /** Per packet, its message's fingerprint. */
  private readonly msgPrints: (number | undefined)[] = [];
  private readonly quotedNames: readonly string[];
  private a = 0;
  private b = 0;
  /** Scratch: each node's sort key. */
  private readonly keys: Float64Array;

  constructor(private readonly model: Model) {
    this.keys = new Float64Array(model.n);
    this.quotedNames = [...model.symmetry.names].map((name) => JSON.stringify(name));
  }

  /** Whether the emulation declared interchangeable nodes. */
  get symmetric(): boolean {
    return this.model.symmetry.symmetric;
  }

  /** Fingerprints `words` into `hi` and `lo`. */
  of(words: Int32Array): void {
    const model = this.model;
    this.renaming = 0;
    if (!model.symmetry.symmetric) return this.under(words, 0);
    const locals = model.locals.states;
    for (let i = 0; i < model.n; i++) this.keys[i] = locals[words[i]!]!.key;
    const count = model.symmetry.sorting(this.keys, this.renamings);
    let bestHi = 0;
    let bestLo = 0;
    for (let r = 0; r < count; r++) {
      this.under(words, this.renamings[r]!);
      if (r === 0 || this.hi < bestHi || (this.hi === bestHi && this.lo >>> 0 < bestLo >>> 0)) {
        bestHi = this.hi;
        bestLo = this.lo;
        this.renaming = this.renamings[r]!;
      }
    }
    this.hi = bestHi;
    this.lo = bestLo;
  }

  /** The fingerprint as text (for tests and reports). */
  text(words: Int32Array): string {
    this.of(words);
    return `${this.hi.toString(16)}:${(this.lo >>> 0).toString(16)}`;
  }

  /** The state's fingerprint under renaming number `k`. */
  private under(words: Int32Array, k: number): void {
    const model = this.model;
    const n = model.n;
    const perm = model.symmetry.perms[k]!;
    this.a = 0;
    this.b = 0;
    for (let i = 0; i < n; i++) this.add(model.locals.renamedHash(words[i]!, k), perm[i]!);
    const first = model.countAt + 1;
    const last = first + words[model.countAt]!;
    for (let p = first; p < last; p++) this.add(this.packetPrint(words[p]!, k), n);
    this.add(model.judges.renamedHash(words[model.judgeAt]!, k), n + 1);
    for (let w = model.judgeAt + 1; w < first; w++) this.add(words[w]!, n + 2 + w);
    const a = this.a;
    const b = this.b;
    this.hi = fmix(a ^ Math.imul(b, 0x2c1b3c6d)) & 0x7fffffff || 1;
    this.lo = fmix((b + Math.imul(a, 0x297a2d39)) | 0);
  }

  /** Adds a part's fingerprint (below 2^53), at `place`, to the lanes. */
  private add(h: number, place: number): void {
    const lo = h >>> 0;
    const hi = (h / 4294967296) | 0;
    const x = lo ^ Math.imul(place + 1, 0x85ebca6b);
    const y = hi ^ Math.imul(place + 1, 0xc2b2ae35);
    this.a = (this.a + fmix((x + Math.imul(y, 0x27d4eb2f)) | 0)) | 0;
    this.b = (this.b + fmix(y ^ Math.imul(x, 0x165667b1) ^ 0x5bd1e995)) | 0;
  }

  /** A packet's fingerprint (its link and message) under renaming `k`, kept: the identity of
   *  the message the renaming makes of it. */
  packetPrint(pid: number, k: number): number {
    let prints = this.packetPrints[pid];
    if (!prints) this.packetPrints[pid] = prints = new Float64Array(this.model.symmetry.count).fill(NaN);
    let print = prints[k]!;
    if (Number.isNaN(print)) prints[k] = print = this.workOutPacket(pid, k);
    return print;
  }

  private workOutPacket(pid: number, k: number): number {
    const packet = this.model.packets.list[pid]!;
    const perm = this.model.symmetry.perms[k]!;
    const named = k > 0 && this.quotedNames.some((q) => packet.text.includes(q));
    let msg = this.msgPrints[pid];
    if (msg === undefined) this.msgPrints[pid] = msg = hashOf(packet.msg);
    if (named) msg = hashOf(packet.msg, this.model.symmetry.renamings[k]);
    return mix(mix(perm[packet.from]! + 1, perm[packet.to]! + 1), msg);
  }
}

/** A 32-bit finaliser (MurmurHash3's). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
