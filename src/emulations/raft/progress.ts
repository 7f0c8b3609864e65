/**
 * What a leader knows of one follower, and how it reads the follower's answers: nextIndex and
 * matchIndex (Figure 2), and the AppendEntries on their way to it.
 *
 * A leader pipelines: it sends the entries from nextIndex on and moves nextIndex past them at
 * once, up to `raft.window` AppendEntries unanswered. The network loses and reorders messages,
 * and a follower only takes entries right after an entry it holds, so an answer reads:
 *
 *   success              matchIndex rises to the index the follower now matches. If entries
 *                        sent after it were refused or lost (nothing on its way starts at or
 *                        before that index), they are sent again from matchIndex + 1.
 *   refusal, conflict    the follower holds another term at prev_index: step back one entry.
 *   refusal, gap         the follower's log ends before prev_index: go back to its end, unless
 *                        an AppendEntries on its way starts there (this one overtook it: that
 *                        one will fill the gap, and a success then sends the rest again).
 *   stale refusal        about entries at or below matchIndex, or past what is sent now: ignored.
 *
 * After going back, one AppendEntries at a time (probing) until one succeeds. What a follower
 * does not answer for a whole heartbeat tick is taken as lost and sent again from matchIndex + 1.
 */
import type { Received } from './messages.js';

export interface Progress {
  /** The next entry to send it. */
  readonly next: number;
  /** The highest index known to match the leader's log there. */
  readonly match: number;
  /** The prev_index of each AppendEntries sent and not yet answered. */
  readonly pending: readonly number[];
  /** Not yet known where the follower's log matches: one AppendEntries at a time. */
  readonly probing: boolean;
  /** It answered something that moved matchIndex or nextIndex since the last heartbeat tick. */
  readonly heard: boolean;
  /** The commit index the last AppendEntries to it carried. */
  readonly commitSent: number;
}

/** A new leader's view of a follower: nextIndex just after its own last entry (Figure 2). */
export const startProgress = (lastIndex: number): Progress => ({ next: lastIndex + 1, match: 0, pending: [], probing: true, heard: false, commitSent: -1 });

/** How many AppendEntries may be on their way to it now. */
export const windowOf = (p: Progress, window: number): number => (p.probing ? 1 : window);

/** It was sent the entries after `prev_index`, `count` of them, with `commit`. */
export const sent = (p: Progress, prev_index: number, count: number, commit: number): Progress => ({
  ...p,
  next: prev_index + count + 1,
  pending: [...p.pending, prev_index],
  commitSent: commit,
});

/** Its answer; `moved` says what went back, for a note (undefined: nothing did). */
export function answered(p: Progress, event: Received<'append-result'>): { readonly progress: Progress; readonly back?: number } {
  const at = p.pending.indexOf(event.prev_index);
  const pending = at < 0 ? p.pending : [...p.pending.slice(0, at), ...p.pending.slice(at + 1)];
  if (event.success) {
    const match = Math.max(p.match, event.match);
    const lost = p.next > match + 1 && !pending.some((prev) => prev <= match);
    return { progress: { ...p, match, next: lost ? match + 1 : Math.max(p.next, match + 1), pending: lost ? [] : pending, probing: false, heard: true } };
  }
  const gap = event.last_index < event.prev_index;
  const stale = event.prev_index <= p.match || event.prev_index >= p.next;
  if (stale || (gap && pending.some((prev) => prev <= event.last_index))) return { progress: { ...p, pending } };
  const back = Math.max(p.match + 1, gap ? event.last_index + 1 : event.prev_index);
  return { progress: { ...p, next: back, pending: [], probing: true, heard: true }, back };
}

/** The heartbeat tick: AppendEntries unanswered for a whole tick are taken as lost. */
export function ticked(p: Progress): Progress {
  const lost = p.pending.length > 0 && !p.heard;
  return lost ? { ...p, next: p.match + 1, pending: [], heard: false } : { ...p, heard: false };
}
