/**
 * The linearizability verdict of a run: its client history, paired into operations exactly as
 * `mpkv check` pairs a history file (specs/formats/mpkv.ts), checked against the kv model
 * (src/kv semantics, partitioned per key).
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
import { checkOperations, type CheckOptions } from '../../../specs/linearizability.js';
import { kvModel } from '../../../specs/models/kv.js';
import { fail, ok, unknown, type Verdict, type VerdictAt } from '../../../specs/verdict.js';

/** A judge of a history with the given search budget (`max_steps`; a command may add a
 *  `deadline`). `at[i]`, when given, is where the run recorded history event i: a failure
 *  then names the first completion that made the history non-linearizable. */
export function linearizabilityJudgeWith(options: CheckOptions = {}): (history: readonly HistoryEvent[], at?: readonly VerdictAt[]) => Verdict {
  return (history, at) => {
    const verdict = judgeLinearizability(history, options);
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

function judgeLinearizability(history: readonly HistoryEvent[], options: CheckOptions): Verdict {
  let ops;
  try {
    ops = mpkvOperations(history);
  } catch (error) {
    if (!(error instanceof HistoryFormatError)) throw error;
    return fail('linearizability', `the client history is not well-formed (event ${error.line}: ${error.problem})`);
  }
  const result = checkOperations(kvModel, ops, options);
  const pending = ops.filter((op) => op.ret === Infinity).length;
  const size = `${ops.length} operation(s)${pending ? ` (${pending} pending)` : ''} over ${result.partitions} key(s)`;
  switch (result.verdict) {
    case 'ok':
      return ok('linearizability', `${size}: linearizable`);
    case 'unknown':
      return unknown(
        'linearizability',
        `${size}: could not decide (${result.reason ?? 'budget exceeded'}); give the search more with --check-steps N`,
      );
    case 'illegal': {
      const e = result.explanation!;
      const culprit = kvModel.describeOperation(e.culprit.input, e.culprit.output);
      return fail('linearizability', `${size}: NOT linearizable: ${culprit} (process ${e.culprit.process}) cannot be placed; ${e.rejections.join('; ')}`);
    }
  }
}
