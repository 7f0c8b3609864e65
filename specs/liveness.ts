/**
 * Liveness, per client: every client that is up at the end completed all its work. Shared by
 * every emulation with clients; each computes its `ClientEnd`s from its own facts.
 */
import { fail, ok, type Verdict } from './verdict.js';

/** What the liveness check needs of a client at the end of a run. */
export interface ClientEnd {
  readonly node: string;
  /** Requests (or writes) it was to make. */
  readonly requests: number;
  /** Distinct requests whose answer it received. */
  readonly completed: number;
  /** Down at the end: crashed with no restart before the run ended. Its shortfall is not the
   *  system's fault, so it is reported but not counted. */
  readonly down: boolean;
}

/**
 * One client's completions never make up for another's shortfall. `ended` says how the run
 * ended; `why` explains a failure (what the run knows about why it stalled).
 */
export function liveness(clients: readonly ClientEnd[], ended: string, why: readonly string[] = [], unit = 'requests'): Verdict {
  const judged = clients.filter((c) => !c.down);
  const down = clients.filter((c) => c.down);
  const short = judged.filter((c) => c.completed < c.requests);
  const total = (cs: readonly ClientEnd[], f: (c: ClientEnd) => number): number => cs.reduce((n, c) => n + f(c), 0);
  const downNote = down.length === 0 ? '' : `; down at the end, not judged: ${down.map((c) => `${c.node} (${c.completed}/${c.requests})`).join(', ')}`;
  if (short.length === 0) {
    if (judged.length === 0) return ok('liveness', `no client was up at the end${downNote}`);
    return ok('liveness', `${judged.length} client(s) up at the end completed all ${total(judged, (c) => c.requests)} ${unit}${downNote}`);
  }
  const listed = short.slice(0, 8).map((c) => `${c.node}: ${c.completed}/${c.requests}`);
  if (short.length > 8) listed.push(`and ${short.length - 8} more`);
  const because = why.length === 0 ? '' : `; ${why.join('; ')}`;
  return fail(
    'liveness',
    `${short.length} of ${judged.length} client(s) up at the end did not complete their ${unit} (${listed.join(', ')}); ` +
      `${total(judged, (c) => c.completed)}/${total(judged, (c) => c.requests)} ${unit} completed before the run ended (${ended})${because}${downNote}`,
  );
}
