/**
 * Renders a checker verdict for people.
 *
 * An illegal history is explained from the failing part (one key, for the kv models):
 *
 *   1. the longest linearizable prefix the search found: the operations in the order they
 *      can be taken to have happened, with the state after them;
 *   2. the operation that cannot be placed next: of the operations left, the one that returned
 *      first, so every linearization extending the prefix must place it before anything called
 *      after its return. The reasons are the model's, one per distinct state the search tried
 *      it in ("GET "a" returned OK "val_3", but with "a" absent it would return NOT FOUND");
 *   3. a timeline of the operations around it, one line per operation: process, its interval
 *      (in the history's one unit, named: `t=92..119` in ms, or `lines 21..24`), a bar over a
 *      shared time axis, and the operation. `>>` marks the culprit, `#k` the k-th operation of
 *      the prefix.
 *
 * When the model refuted the part without a search (`Model.refute`), there is no prefix: the
 * culprit comes with the model's argument, and `*` marks the operations the argument names.
 *
 * (`mpkv check --html` draws the checked history as a page: src/view/history-html.ts.)
 */
import { intervalText, intervalUnit, type Operation } from './history.js';
import type { CheckResult, Explanation } from './linearizability.js';
import type { Model } from './model.js';

/** How many operations a timeline shows at most. */
const TIMELINE_ROWS = 24;
/** Width of the bar column, in characters. */
const BAR_WIDTH = 48;

/** The verdict line, then the explanation when the history is illegal. */
export function formatResult<S, I, O>(model: Model<S, I, O>, result: CheckResult<I, O>): string {
  const size = `${result.operations} operations in ${result.partitions} part${result.partitions === 1 ? '' : 's'}`;
  switch (result.verdict) {
    case 'ok':
      return `linearizable: ${size} (model ${result.model})`;
    case 'unknown':
      return `unknown: ${result.reason ?? 'the search did not finish'} before the check of ${size} (model ${result.model}) could finish`;
    case 'illegal':
      return [`NOT linearizable: ${size} (model ${result.model})`, formatExplanation(model, result.explanation!)].join('\n');
  }
}

/** The text explanation of an illegal part (see the module doc). */
export function formatExplanation<S, I, O>(model: Model<S, I, O>, e: Explanation<I, O>): string {
  const describe = (op: Operation<I, O>): string => model.describeOperation(op.input, op.output);
  if (e.refuted) {
    const lines = [`${e.partName ?? `part ${e.partition + 1}`}: ${e.partitionOps.length} operations; one of them fits no linearization:`];
    lines.push(`cannot place p${e.culprit.process} ${describe(e.culprit)} (${intervalText(e.culprit)}):`);
    for (const reason of e.rejections) lines.push(`  - ${reason}`);
    lines.push(`timeline (${intervalUnit(e.partitionOps)}; >> cannot be placed, * named above):`);
    lines.push(...formatTimeline(model, e));
    return lines.join('\n');
  }
  const lines = [`${e.partName ?? `part ${e.partition + 1}`}: ${e.partitionOps.length} operations; the longest linearizable prefix has ${e.prefix.length}:`];
  const shownPrefix = e.prefix.slice(-8);
  if (shownPrefix.length < e.prefix.length) lines.push(`  ... ${e.prefix.length - shownPrefix.length} earlier operations`);
  shownPrefix.forEach((op, i) => lines.push(`  #${e.prefix.length - shownPrefix.length + i + 1} p${op.process} ${describe(op)}`));
  lines.push(`  after it: ${e.stateAfterPrefix}`);
  lines.push(`cannot place p${e.culprit.process} ${describe(e.culprit)} (${intervalText(e.culprit)}):`);
  for (const reason of e.rejections) lines.push(`  - ${reason}`);
  if (e.moreRejections) lines.push('  - (and in other states too)');
  if (e.unreachable) lines.push('  and no operation left that is called before it returns can change that');
  else if (e.placedSomewhere) lines.push('  it fits in some orders, but in each of them a later operation cannot be placed');
  else if (e.rejections.length > 0) lines.push('  no order of the operations before it leaves a state it fits');
  lines.push(`timeline (${intervalUnit(e.partitionOps)}; >> cannot be placed, #k k-th of the prefix):`);
  lines.push(...formatTimeline(model, e));
  return lines.join('\n');
}

/** One line per operation near the culprit, with bars on a shared time axis. */
export function formatTimeline<S, I, O>(model: Model<S, I, O>, e: Explanation<I, O>): string[] {
  const rows = timelineRows(e);
  const order = new Map(e.prefix.map((op, i) => [op.id, i + 1]));
  const axis = timeAxis(rows);
  const width = Math.max(...rows.map((op) => intervalText(op).length));
  const named = new Set((e.involved ?? []).map((op) => op.id));
  return rows.map((op) => {
    const mark = op.id === e.culprit.id ? '>>' : order.has(op.id) ? `#${order.get(op.id)}` : named.has(op.id) ? '*' : '';
    const bar = drawBar(axis, op);
    return `${mark.padStart(5)} p${String(op.process).padEnd(3)} ${intervalText(op).padEnd(width)} |${bar}| ${model.describeOperation(op.input, op.output)}`;
  });
}

/** The operations that overlap the culprit, plus the last few of the prefix, in call order. */
function timelineRows<I, O>(e: Explanation<I, O>): Operation<I, O>[] {
  const lastOfPrefix = e.prefix.slice(-3);
  const from = Math.min(e.culprit.call, ...lastOfPrefix.map((op) => op.call), ...(e.involved ?? []).map((op) => op.call));
  const to = e.culprit.ret;
  const overlapping = e.partitionOps.filter((op) => op.call <= to && op.ret >= from);
  const byDistance = [...overlapping].sort((a, b) => Math.abs(a.call - e.culprit.call) - Math.abs(b.call - e.culprit.call));
  const kept = new Set([e.culprit, ...(e.involved ?? []), ...lastOfPrefix, ...byDistance].slice(0, TIMELINE_ROWS));
  return [...kept].sort((a, b) => a.call - b.call || a.id - b.id);
}

/** Maps each distinct finite time of the rows to a column. */
function timeAxis<I, O>(rows: readonly Operation<I, O>[]): Map<number, number> {
  const times = [...new Set(rows.flatMap((op) => [op.call, op.ret]).filter(Number.isFinite))].sort((a, b) => a - b);
  const step = times.length <= 1 ? 1 : (BAR_WIDTH - 1) / (times.length - 1);
  return new Map(times.map((t, i) => [t, Math.round(i * step)]));
}

function drawBar<I, O>(axis: ReadonlyMap<number, number>, op: Operation<I, O>): string {
  const start = axis.get(op.call)!;
  const end = Number.isFinite(op.ret) ? axis.get(op.ret)! : BAR_WIDTH - 1;
  const cells: string[] = Array.from({ length: BAR_WIDTH }, (_, i) => (i < start || i > end ? ' ' : '='));
  cells[start] = '[';
  if (Number.isFinite(op.ret)) cells[end] = ']';
  else cells[end] = '>';
  return cells.join('');
}
