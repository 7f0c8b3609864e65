/**
 * The linearizability verdict of a run: its client history, paired into operations exactly as
 * `mpkv check` pairs a history file (specs/formats/mpkv.ts), checked against the kv model
 * (src/kv semantics, partitioned per key).
 *
 * It never throws: a history that is not even well-formed (a client completing a request it
 * never invoked) is a failure of the protocol, explained; a search that runs out of its step
 * budget is `unknown`, with the budget named.
 */
import { HistoryFormatError } from '../../../specs/formats/error.js';
import { mpkvOperations, type MpkvHistoryEvent as HistoryEvent } from '../../../specs/formats/mpkv.js';
import { checkOperations, type CheckOptions } from '../../../specs/linearizability.js';
import { kvModel } from '../../../specs/models/kv.js';
import { fail, ok, unknown, type Verdict } from '../../../specs/verdict.js';

/** A judge with the given search budget (`max_steps`; a command may add a `deadline`). */
export function linearizabilityJudgeWith(options: CheckOptions = {}): (history: readonly HistoryEvent[]) => Verdict {
  return (history) => judgeLinearizability(history, options);
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
