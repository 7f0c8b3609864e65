/**
 * A server's Raft log as a persistent value (../../util/persistent.ts: immutable-js's List, a
 * 32-way trie): every version stays valid — the disk keeps one, the live state another, a model
 * checker's branches many — and appending or truncating costs O(log n), sharing the rest.
 *
 * Indexes count from 1, as in the paper; index 0 stands before the first entry and has term 0.
 */
import { List } from '../../util/persistent.js';
import type { Entry } from './messages.js';

export class RaftLog {
  private constructor(private readonly entries: List<Entry>) {
    Object.freeze(this);
  }

  /** A log with no entries. */
  static empty(): RaftLog {
    return new RaftLog(List());
  }

  /** A log holding `entries` (indexes 1..n). */
  static of(entries: readonly Entry[]): RaftLog {
    return new RaftLog(List(entries));
  }

  /** The number of entries: the last index. */
  get lastIndex(): number {
    return this.entries.size;
  }

  get lastTerm(): number {
    return this.termAt(this.lastIndex)!;
  }

  /** The term of the entry at `index` (0 at index 0; undefined past the end). */
  termAt(index: number): number | undefined {
    return index === 0 ? 0 : this.at(index)?.term;
  }

  /** The entry at `index` (1-based), if there is one. */
  at(index: number): Entry | undefined {
    return index >= 1 ? this.entries.get(index - 1) : undefined;
  }

  /** The entries from `from` through `to` (both 1-based, inclusive; clipped to the log). */
  slice(from: number, to: number = this.lastIndex): Entry[] {
    return this.entries.slice(Math.max(from, 1) - 1, Math.max(to, 0)).toArray();
  }

  /** This log with `entries` after its last entry. */
  append(entries: readonly Entry[]): RaftLog {
    return entries.length === 0 ? this : new RaftLog(this.entries.push(...entries));
  }

  /** The first `length` entries of this log. */
  truncate(length: number): RaftLog {
    return length >= this.lastIndex ? this : new RaftLog(this.entries.setSize(Math.max(0, length)));
  }

  /** This log with `entries` written over it from `from` on, keeping whatever follows them
   *  (only the `appends-without-truncating` mutant writes this way). */
  overwrite(from: number, entries: readonly Entry[]): RaftLog {
    let written = this.entries;
    entries.forEach((entry, k) => (written = written.set(from - 1 + k, entry)));
    return new RaftLog(written);
  }

  /** The entries, in order: what the log is (JSON, and a model checker's fingerprint). */
  toJSON(): Entry[] {
    return this.entries.toArray();
  }
}
