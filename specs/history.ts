/**
 * The histories the linearizability checker reads.
 *
 * A history is a set of operations, each an interval [call, ret] of a client's request: the
 * operation took effect at some single instant inside its interval (that is what
 * linearizability asks, after Herlihy & Wing 1990). Times are only compared, never measured,
 * so any increasing numbering of the history's events will do (the parsers use line numbers,
 * or positions in time order when the history records times).
 *
 * People are shown one unit, named (`intervalText`): the history's own times when it records
 * them (`t=92..119`, mpkv's `time` in ms), else the line numbers of the file (`lines 21..24`).
 * A parser says which in `Operation.source`; an operation without one (a generated history)
 * shows its bare numbers (`21..24`).
 *
 * A *pending* operation is one whose outcome nobody saw: the client gave up, crashed, or got
 * an indeterminate answer (`info`). It may or may not have taken effect, so it is given
 * `ret = Infinity` and `output = undefined`: the search may place it anywhere after its call,
 * including after everything else, which is the same as "it never happened".
 *
 * An operation may also have a finite `ret` and an unknown output (a read that timed out):
 * it was over by `ret` but what it saw is unknown, and the model accepts any output.
 */

/** One client operation: input and output are the model's (see `specs/model.ts`). */
export interface Operation<I, O> {
  /** Index of the operation in its history, stable across partitions. */
  readonly id: number;
  /** The client (Jepsen's "process") that issued it; a process has one operation at a time. */
  readonly process: number;
  /** When the client invoked it. */
  readonly call: number;
  /** When the client saw the result; `Infinity` if it never did (pending). */
  readonly ret: number;
  readonly input: I;
  /** What the client saw; `undefined` when that is unknown. */
  readonly output: O | undefined;
  /** Where people find it: its call and return in the history's own times (`ms`), or the lines
   *  of the file they are on (`line`); `ret` is `Infinity` when pending. */
  readonly source?: OperationSource;
}

export interface OperationSource {
  readonly call: number;
  readonly ret: number;
  readonly unit: 'ms' | 'line';
}

/** An operation's interval as people read it: `t=92..119` (ms), `lines 21..24`, or (no
 *  source: a generated history) `21..24`; a pending one ends in `pending`. */
export function intervalText(op: Operation<unknown, unknown>): string {
  const s = op.source;
  const end = (ret: number): string => (ret === Infinity ? 'pending' : String(ret));
  if (!s) return `${op.call}..${end(op.ret)}`;
  return s.unit === 'ms' ? `t=${s.call}..${end(s.ret)}` : `lines ${s.call}..${end(s.ret)}`;
}

/** What the intervals of `ops` count, in words, for a report's header. */
export function intervalUnit(ops: readonly Operation<unknown, unknown>[]): string {
  const unit = ops[0]?.source?.unit;
  if (unit === 'ms') return 't: the history\'s "time", in ms';
  if (unit === 'line') return 'lines: line numbers of the history';
  return 'times as given';
}
