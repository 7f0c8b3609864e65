/**
 * A check's verdict: three values, never blurred.
 *
 *   ok       the check looked at the whole run and found nothing wrong;
 *   fail     it found a violation, explained in `detail`;
 *   unknown  it could not decide (a budget ran out, the run could not be judged), and says why.
 *
 * A run's overall status is `fail` if any check failed, else `unknown` if any could not decide,
 * else `ok`. Commands map it to exit codes 0 (ok), 1 (fail), 3 (unknown); 2 is bad input.
 */
export type VerdictStatus = 'ok' | 'fail' | 'unknown';

export interface Verdict {
  readonly name: string;
  readonly status: VerdictStatus;
  /** One line on success; the violation or the reason for not deciding, in words. */
  readonly detail: string;
  /** A failure seen at one step of the run (its first bad step): when, and which trace event
   *  (its index in the run's trace, from 0), so a view can jump to it. */
  readonly at?: VerdictAt;
}

export interface VerdictAt {
  /** Virtual time (ms). */
  readonly t: number;
  /** Index of the trace event that broke the check. */
  readonly event?: number;
  /** The earlier trace events the failure names (the votes, promises or decisions it conflicts
   *  with), by index: a view points at them together with `event`. */
  readonly evidence?: readonly number[];
}

export const ok = (name: string, detail: string): Verdict => ({ name, status: 'ok', detail });
export const fail = (name: string, detail: string, at?: VerdictAt): Verdict => ({ name, status: 'fail', detail, ...(at ? { at } : {}) });
export const unknown = (name: string, detail: string): Verdict => ({ name, status: 'unknown', detail });

/** The run's status from its verdicts (none: ok). */
export function overallStatus(verdicts: readonly Verdict[]): VerdictStatus {
  if (verdicts.some((v) => v.status === 'fail')) return 'fail';
  if (verdicts.some((v) => v.status === 'unknown')) return 'unknown';
  return 'ok';
}

export const EXIT_CODES: Record<VerdictStatus, number> = { ok: 0, fail: 1, unknown: 3 };

/** `ok`, `FAIL`, `unknown`: how a status is printed in reports. */
export const statusLabel = (status: VerdictStatus): string => ({ ok: 'ok', fail: 'FAIL', unknown: 'unknown' })[status];

/** A verdict as one line of a report or a picture's notes: `agreement FAIL: slot 3: ...`. */
export const verdictNote = (v: Verdict): string => `${v.name} ${statusLabel(v.status)}: ${v.detail}`;

/** The closing line of a report. */
export function summaryLine(verdicts: readonly Verdict[]): string {
  const failed = verdicts.filter((v) => v.status === 'fail').length;
  const unsure = verdicts.filter((v) => v.status === 'unknown').length;
  if (failed > 0) return `${failed} check(s) FAILED${unsure ? `, ${unsure} undecided` : ''}`;
  if (unsure > 0) return `no check failed, but ${unsure} could not decide (unknown): see above`;
  return 'all checks passed';
}

/**
 * Runs one check; if the check itself throws (a bug in the check, never the protocol's fault),
 * the verdict is `unknown` with the error, so one broken judge cannot hide the others.
 */
export function guarded(name: string, check: () => Verdict): Verdict {
  try {
    return check();
  } catch (error) {
    return unknown(name, `the check itself failed (internal error: ${error instanceof Error ? error.message : String(error)})`);
  }
}
