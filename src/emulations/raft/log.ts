/**
 * A server's Raft log as a persistent value: every version stays valid (the disk keeps one,
 * the live state another, a model checker's branches many), and none is ever changed.
 *
 * Indexes count from 1, as in the paper; index 0 stands before the first entry and has term 0.
 * A version is a length over a backing array that versions share. Appending to a version whose
 * length is the whole backing array pushes onto it (O(1): no other version can see past its own
 * length); appending to a shorter version (a truncated one, or one another branch has appended
 * to since) copies its entries first. So a log that only grows costs O(1) per entry, however
 * many versions of it are kept, and a truncation pays for the entries it keeps, once.
 */
import type { Entry } from './messages.js';

export class RaftLog {
  private constructor(
    private readonly backing: Entry[],
    /** The number of entries: the last index. */
    readonly length: number,
  ) {
    Object.freeze(this);
  }

  /** A log with no entries. */
  static empty(): RaftLog {
    return new RaftLog([], 0);
  }

  /** A log holding `entries` (indexes 1..n). */
  static of(entries: readonly Entry[]): RaftLog {
    return new RaftLog([...entries], entries.length);
  }

  get lastIndex(): number {
    return this.length;
  }

  get lastTerm(): number {
    return this.termAt(this.length)!;
  }

  /** The term of the entry at `index` (0 at index 0; undefined past the end). */
  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    return index > 0 && index <= this.length ? this.backing[index - 1]!.term : undefined;
  }

  /** The entry at `index` (1-based), if there is one. */
  at(index: number): Entry | undefined {
    return index >= 1 && index <= this.length ? this.backing[index - 1] : undefined;
  }

  /** The entries from `from` through `to` (both 1-based, inclusive; clipped to the log). */
  slice(from: number, to: number = this.length): Entry[] {
    return this.backing.slice(Math.max(from, 1) - 1, Math.min(to, this.length));
  }

  /** This log with `entries` after its last entry. */
  append(entries: readonly Entry[]): RaftLog {
    if (entries.length === 0) return this;
    const backing = this.backing.length === this.length ? this.backing : this.backing.slice(0, this.length);
    for (const entry of entries) backing.push(entry);
    return new RaftLog(backing, this.length + entries.length);
  }

  /** The first `length` entries of this log. */
  truncate(length: number): RaftLog {
    return length >= this.length ? this : new RaftLog(this.backing, Math.max(0, length));
  }

  /** The entries, in order: what the log is (JSON, and a model checker's fingerprint). */
  toJSON(): Entry[] {
    return this.backing.slice(0, this.length);
  }
}
