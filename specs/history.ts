/**
 * The histories the linearizability checker reads.
 *
 * A history is a set of operations, each an interval [call, ret] of a client's request: the
 * operation took effect at some single instant inside its interval (that is what
 * linearizability asks, after Herlihy & Wing 1990). Times are only compared, never measured,
 * so any increasing numbering of the history's events will do (the parsers use line numbers).
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
}
