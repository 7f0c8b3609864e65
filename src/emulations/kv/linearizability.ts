/**
 * The linearizability verdict of a run: its client history, paired into operations exactly as
 * `mpkv check` pairs a history file (specs/formats/mpkv.ts), checked against the kv model
 * (src/kv semantics, partitioned per key).
 *
 * The run's own log is offered as a witness: the order in which client requests were decided
 * (slot order) is the order they took effect, if the protocol is right. The checker verifies it
 * (every operation's place lies inside its interval; replaying it gives exactly what the
 * clients saw) and never trusts it: where it fails (a broken protocol, a read that bypassed the
 * log) the search decides, and explains.
 *
 * It never throws: a history that is not even well-formed (a client completing a request it
 * never invoked) is a failure of the protocol, explained; a search that runs out of its step
 * budget is `unknown`, with the budget named.
 *
 * A failure says when the run broke linearizability (`Verdict.at`): the first completion after
 * which the history seen so far is not linearizable. A prefix of a linearizable history is
 * linearizable (operations still open in it are pending, which may or may not have happened),
 * so the first bad completion is found by bisection over the prefixes, searched only when the
 * whole history has failed.
 */
import { HistoryFormatError } from '../../../specs/formats/error.js';
import { mpkvOperations, type MpkvHistoryEvent as HistoryEvent } from '../../../specs/formats/mpkv.js';
import { intervalText } from '../../../specs/history.js';
import { checkOperations, type CheckOptions } from '../../../specs/linearizability.js';
import { witnessByProcess } from '../../../specs/witness.js';
import { kvModel } from '../../../specs/models/kv.js';
import { fail, ok, unknown, type Verdict, type VerdictAt } from '../../../specs/verdict.js';

/** A client request, named as the log names it. */
export interface LoggedRequest {
  readonly client: number;
  readonly request_id: number;
}

/** A judge of a history with the given search budget (`max_steps`; a command may add a
 *  `deadline`). `witness` is the order the log says the requests took effect in, if the run
 *  has a log. `at[i]`, when given, is where the run recorded history event i: a failure then
 *  names the first completion that made the history non-linearizable. */
export function linearizabilityJudgeWith(
  options: CheckOptions = {},
): (history: readonly HistoryEvent[], witness?: readonly LoggedRequest[], at?: readonly VerdictAt[]) => Verdict {
  return (history, witness, at) => {
    const verdict = judgeLinearizability(history, options, witness);
    if (verdict.status !== 'fail' || !at || at.length !== history.length) return verdict;
    const first = firstIllegalPrefix(history, options);
    return first === undefined ? verdict : { ...verdict, at: at[first]! };
  };
}

/** The index of the history event that ends the shortest non-linearizable prefix (undefined if
 *  no prefix is found illegal within the budget, e.g. a history that is not well-formed). */
function firstIllegalPrefix(history: readonly HistoryEvent[], options: CheckOptions): number | undefined {
  const illegal = (end: number): boolean => {
    try {
      return checkOperations(kvModel, mpkvOperations(history.slice(0, end + 1)), options).verdict === 'illegal';
    } catch {
      return false;
    }
  };
  // Only a completion can make a history illegal: bisect over them.
  const completions = history.flatMap((e, i) => (e.type === 'invoke' ? [] : [i]));
  let lo = 0;
  let hi = completions.length - 1;
  if (hi < 0 || !illegal(completions[hi]!)) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (illegal(completions[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return completions[lo];
}

/** The judge with the default, deterministic budget. */
export const linearizabilityJudge = linearizabilityJudgeWith();

function judgeLinearizability(history: readonly HistoryEvent[], options: CheckOptions, witness?: readonly LoggedRequest[]): Verdict {
  let ops;
  try {
    ops = mpkvOperations(history);
  } catch (error) {
    if (!(error instanceof HistoryFormatError)) throw error;
    return fail('linearizability', `the client history is not well-formed (event ${error.line}: ${error.problem})`);
  }
  // A client's requests are numbered 1, 2, ... and each is invoked once: request k is its k-th operation.
  const order = witness?.map((r) => ({ process: r.client, nth: r.request_id - 1 }));
  const result = checkOperations(kvModel, ops, order ? { ...options, witness: witnessByProcess(ops, order) } : options);
  const pending = ops.filter((op) => op.ret === Infinity).length;
  const size = `${ops.length} operation(s)${pending ? ` (${pending} pending)` : ''} over ${result.partitions} key(s)`;
  switch (result.verdict) {
    case 'ok': {
      const how =
        result.method === 'witness'
          ? ' (certified by the log order)'
          : result.witnessRejected
            ? ` (found by search: the log order did not certify it: ${result.witnessRejected})`
            : '';
      return ok('linearizability', `${size}: linearizable${how}`);
    }
    case 'unknown':
      return unknown(
        'linearizability',
        `${size}: could not decide (${result.reason ?? 'budget exceeded'}); give the search more with --check-steps N`,
      );
    case 'illegal': {
      const e = result.explanation!;
      const culprit = kvModel.describeOperation(e.culprit.input, e.culprit.output);
      return fail('linearizability', `${size}: NOT linearizable: ${culprit} (process ${e.culprit.process}, ${intervalText(e.culprit)}) cannot be placed; ${e.rejections.join('; ')}`);
    }
  }
}
