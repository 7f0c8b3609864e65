/**
 * The linearizability verdict of a run: its client history, written in the mpkv history
 * format and read back exactly as `mpkv check` reads a file (so the two can never disagree),
 * checked against the kv model (src/kv semantics, partitioned per key).
 */
import type { HistoryEvent } from '../src/emulations/run.js';
import { formatMpkvHistory, parseMpkvHistory } from './formats/mpkv.js';
import type { Verdict } from './invariants.js';
import { checkOperations } from './linearizability.js';
import { kvModel } from './models/kv.js';

export function linearizabilityJudge(history: readonly HistoryEvent[]): Verdict {
  const ops = parseMpkvHistory(formatMpkvHistory(history), 'run history');
  const result = checkOperations(kvModel, ops);
  const pending = ops.filter((op) => op.ret === Infinity).length;
  const size = `${ops.length} operation(s)${pending ? ` (${pending} pending)` : ''} over ${result.partitions} key(s)`;
  switch (result.verdict) {
    case 'ok':
      return { name: 'linearizability', ok: true, detail: `${size}: linearizable` };
    case 'unknown':
      return { name: 'linearizability', ok: false, detail: `${size}: unknown (${result.reason ?? 'budget exceeded'})` };
    case 'illegal': {
      const e = result.explanation!;
      const culprit = kvModel.describeOperation(e.culprit.input, e.culprit.output);
      return {
        name: 'linearizability',
        ok: false,
        detail: `${size}: NOT linearizable: ${culprit} (process ${e.culprit.process}) cannot be placed; ${e.rejections.join('; ')}`,
      };
    }
  }
}
