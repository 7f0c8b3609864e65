/**
 * Messages on links, each kept once: a packet is a message from one node to another, numbered
 * the first time it is sent. A global state's messages in flight are a sorted list of packet
 * numbers (a multiset: equal messages on one link are one packet, counted as often as they are
 * in flight), and a delivery is "deliver packet p". A message's identity is its canonical text
 * (./canonical.ts): equal messages are one packet however they were built. Its fingerprint
 * under each renaming of interchangeable nodes is kept with it (./fingerprints.ts).
 */
import type { Envelope } from '../sim/trace.js';
import { canonical } from './canonical.js';

export interface Packet {
  /** Its number. */
  readonly pid: number;
  readonly from: number;
  readonly to: number;
  readonly msg: Envelope;
  /** The message's canonical text. */
  readonly text: string;
  /** Its identity: link and text. */
  readonly key: string;
}

export class Packets {
  readonly list: Packet[] = [];
  /** By packet number: its addressee (read on every step). */
  to = new Int32Array(256);
  private readonly byKey = new Map<string, number>();

  get size(): number {
    return this.list.length;
  }

  intern(from: number, to: number, msg: Envelope): number {
    const text = canonical(msg);
    const key = `${from}>${to}:${text}`;
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const pid = this.list.length;
    this.list.push({ pid, from, to, msg, text, key });
    this.byKey.set(key, pid);
    if (pid === this.to.length) {
      const bigger = new Int32Array(this.to.length * 2);
      bigger.set(this.to);
      this.to = bigger;
    }
    this.to[pid] = to;
    return pid;
  }
}
