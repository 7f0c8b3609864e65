/**
 * A run's fingerprint: the sha256 of its trace as JSON Lines (one `JSON.stringify(event)` and a
 * newline per event, exactly what `mpkv run --json` prints), computed as the events stream, so
 * that a replay can be checked against the run it records without keeping the whole trace.
 */
import { createHash, type Hash } from 'node:crypto';
import type { TraceEvent } from './trace.js';

export class TraceHash {
  private readonly hash: Hash = createHash('sha256');

  update(event: TraceEvent): void {
    this.hash.update(`${JSON.stringify(event)}\n`);
  }

  /** The hex digest of every event so far (ends the hash: call once). */
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** The digest of a kept trace: the same as `TraceHash` fed its events one by one. */
export function traceDigest(trace: readonly TraceEvent[]): string {
  const hash = new TraceHash();
  for (const event of trace) hash.update(event);
  return hash.digest();
}
