/**
 * `mpkv check --html`: a checked history as a page a person can read.
 *
 * One section per part of the history (per key, for models that split by key; the failing part first and
 * open, the others folded), each a timeline with one lane per process and one box per
 * operation, from its call to its return. The boxes of the longest linearizable prefix are
 * green and numbered in the order the search placed them; the operation that cannot be placed
 * is red, with its interval shaded across every lane (so the operations concurrent with it
 * show); a pending operation runs off to the right; one whose output is unknown has a dashed
 * border. A legend says so, and the checker's explanation is printed above.
 *
 * The time axis is ordinal: history times are line numbers or event positions (see
 * specs/history.ts), only their order means anything, so each distinct time gets a position
 * and a gap is widened until every box holds its label. That is what keeps labels readable at
 * a hundred operations and more: the axis gives room where operations are, not where the
 * clock was. Ticks give the times in the history's one unit, named in the corner: its own
 * times (ms) when it records them, else line numbers (`Operation.source`).
 */
import { formatResult } from '../../specs/explain.js';
import { intervalText, type Operation } from '../../specs/history.js';
import type { CheckResult } from '../../specs/linearizability.js';
import type { Model } from '../../specs/model.js';

/** Width of a character of the 11px monospace font (0.6em, with a margin). */
const CHAR_W = 6.8;
const LANE_H = 36;
const BOX_H = 31;
/** Width of the process names' column (it stays put while the timeline scrolls). */
const LABEL_COLUMN = 64;
const AXIS_H = 30;
/** Least distance between two consecutive times on the axis. */
const STEP = 10;
const PENDING_TAIL = 40;

interface Part<I, O> {
  readonly name: string;
  readonly ops: readonly Operation<I, O>[];
  /** Operation id -> its position (from 1) in the linearization or the prefix. */
  readonly order: ReadonlyMap<number, number>;
  readonly culprit?: Operation<I, O>;
  readonly verdict: 'linearizable' | 'NOT linearizable' | 'no linearization reported';
}

export interface HistoryPageOptions {
  readonly title: string;
  /** What the lines of the format are, for the axis of a history without times ("log line"). */
  readonly timeUnit: string;
}

/** The page for a checked history; `ops` is the whole history the checker was given. */
export function renderHistoryHtml<S, I, O>(model: Model<S, I, O>, result: CheckResult<I, O>, ops: readonly Operation<I, O>[], options: HistoryPageOptions): string {
  const parts = partsOf(model, result, ops);
  const describe = (op: Operation<I, O>): string => model.describeOperation(op.input, op.output);
  // The axis speaks the unit the explanation speaks: the history's times, else its lines.
  const unit = ops[0]?.source?.unit === 'ms' ? 'time (ms)' : options.timeUnit;
  const sections = parts.map((part, k) => {
    const open = k === 0 || parts.length <= 3 ? ' open' : '';
    const cls = part.verdict === 'NOT linearizable' ? ' class="bad"' : '';
    return `<details${open} data-part="${k}"><summary${cls}>${esc(part.name)}: ${part.ops.length} operation${part.ops.length === 1 ? '' : 's'}, ${part.verdict}</summary>\n${partSvg(part, describe, unit)}\n</details>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${esc(options.title)}</title>
<style>${CSS}</style></head><body>
<h1>${esc(options.title)}</h1>
<pre id="summary">${esc(formatResult(model, result))}</pre>
${LEGEND}
${sections.join('\n')}
<script>
// Open each timeline where it matters: at the operation that cannot be placed.
for (const box of document.querySelectorAll('.op.culprit rect')) {
  const scroller = box.closest('.scroll');
  scroller.scrollLeft = Math.max(0, box.x.baseVal.value - scroller.clientWidth / 2);
}
</script>
</body></html>
`;
}

/** The parts to show: the failing one first (from the explanation), then every other. */
function partsOf<S, I, O>(model: Model<S, I, O>, result: CheckResult<I, O>, ops: readonly Operation<I, O>[]): Part<I, O>[] {
  const split = model.partition ? model.partition(ops) : [ops];
  const orders = new Map<number, number>();
  for (const linearization of result.linearizations ?? []) linearization.forEach((op, i) => orders.set(op.id, i + 1));
  const e = result.explanation;
  const failing = e ? split.findIndex((part) => part.some((op) => op.id === e.culprit.id)) : -1;
  const parts = split.map((part, k): Part<I, O> => {
    if (k === failing) return { name: partName(part, k), ops: part, order: new Map(e!.prefix.map((op, i) => [op.id, i + 1])), culprit: e!.culprit, verdict: 'NOT linearizable' };
    const checked = part.every((op) => orders.has(op.id));
    const order = new Map(part.flatMap((op) => (orders.has(op.id) ? [[op.id, orders.get(op.id)!] as const] : [])));
    return { name: partName(part, k), ops: part, order, verdict: checked ? 'linearizable' : 'no linearization reported' };
  });
  if (failing > 0) parts.unshift(...parts.splice(failing, 1));
  return parts;
}

/** `key "a"` when every operation of the part names the same key; else `part k`. */
function partName(ops: readonly Operation<unknown, unknown>[], k: number): string {
  const keys = new Set(ops.map((op) => (typeof op.input === 'object' && op.input !== null && 'key' in op.input ? String((op.input as { key: unknown }).key) : undefined)));
  const [key] = [...keys];
  return keys.size === 1 && key !== undefined ? `key ${JSON.stringify(key)}` : `part ${k + 1}`;
}

/** The label drawn in an operation's box, in two lines: the call, then `→ result` (the
 *  model's description split at its last " -> "), so a box need only be half as wide. */
function labelOf<I, O>(part: Part<I, O>, op: Operation<I, O>, describe: (op: Operation<I, O>) => string): [string, string] {
  const k = part.order.get(op.id);
  const mark = op.id === part.culprit?.id ? '✗ ' : k !== undefined ? `#${k} ` : '';
  const text = describe(op);
  const cut = text.lastIndexOf(' -> ');
  return cut < 0 ? [`${mark}${text}`, ''] : [`${mark}${text.slice(0, cut)}`, `→ ${text.slice(cut + 4)}`];
}

function partSvg<I, O>(part: Part<I, O>, describe: (op: Operation<I, O>) => string, unit: string): string {
  const processes = [...new Set(part.ops.map((op) => op.process))].sort((a, b) => a - b);
  const laneOf = new Map(processes.map((p, i) => [p, i]));
  const label = new Map(part.ops.map((op) => [op.id, labelOf(part, op, describe)]));
  const width = (op: Operation<I, O>): number => Math.max(...label.get(op.id)!.map((line) => line.length)) * CHAR_W + 10;
  // Each distinct finite time gets a position; a return is pushed right until its box holds its label.
  const times = [...new Set(part.ops.flatMap((op) => [op.call, op.ret]).filter(Number.isFinite))].sort((a, b) => a - b);
  // What each time is called: the history's own time or line at that position.
  const shown = new Map(part.ops.flatMap((op) => (op.source ? [[op.call, op.source.call] as const, [op.ret, op.source.ret] as const] : [])));
  const endingAt = new Map<number, Operation<I, O>[]>();
  for (const op of part.ops) if (Number.isFinite(op.ret)) endingAt.set(op.ret, [...(endingAt.get(op.ret) ?? []), op]);
  const x = new Map<number, number>();
  let cursor = 8 - STEP;
  for (const t of times) {
    cursor += STEP;
    for (const op of endingAt.get(t) ?? []) cursor = Math.max(cursor, (x.get(op.call) ?? cursor) + width(op));
    x.set(t, cursor);
  }
  const pendingEnd = Math.max(cursor + PENDING_TAIL, ...part.ops.filter((op) => !Number.isFinite(op.ret)).map((op) => x.get(op.call)! + width(op) + 8));
  const right = pendingEnd + 10;
  const height = AXIS_H + processes.length * LANE_H + 10;
  const out: string[] = [];
  const names: string[] = unit.split(' ').map((word, n) => `<text class="unit" x="4" y="${11 + n * 10}">${esc(word)}</text>`);
  // Lanes.
  processes.forEach((p, i) => {
    const y = AXIS_H + i * LANE_H;
    out.push(`<rect class="lane${i % 2 ? ' odd' : ''}" x="0" y="${y}" width="${right}" height="${LANE_H}"/>`);
    names.push(`<rect class="lane${i % 2 ? ' odd' : ''}" x="0" y="${y}" width="${LABEL_COLUMN}" height="${LANE_H}"/><text class="proc" x="6" y="${y + 22}">p${p}</text>`);
  });
  // The culprit's interval, across every lane.
  if (part.culprit) {
    const x1 = x.get(part.culprit.call)!;
    const x2 = Number.isFinite(part.culprit.ret) ? x.get(part.culprit.ret)! : pendingEnd;
    out.push(`<rect class="window" x="${x1}" y="${AXIS_H}" width="${x2 - x1}" height="${processes.length * LANE_H}"/>`);
  }
  // Axis: a tick per time, a number where there is room.
  out.push(`<line class="axis" x1="0" x2="${right}" y1="${AXIS_H - 6}" y2="${AXIS_H - 6}"/>`);
  let lastLabel = -Infinity;
  for (const t of times) {
    const tx = x.get(t)!;
    out.push(`<line class="tick" x1="${tx}" x2="${tx}" y1="${AXIS_H - 9}" y2="${AXIS_H - 3}"/>`);
    const text = String(shown.get(t) ?? t);
    if (tx - lastLabel >= text.length * CHAR_W + 8) {
      out.push(`<text class="tickl" x="${tx}" y="${AXIS_H - 12}" text-anchor="middle">${text}</text>`);
      lastLabel = tx;
    }
  }
  // Operations.
  for (const op of [...part.ops].sort((a, b) => a.call - b.call || a.id - b.id)) {
    const x1 = x.get(op.call)!;
    const pending = !Number.isFinite(op.ret);
    const x2 = pending ? pendingEnd : x.get(op.ret)!;
    const y = AXIS_H + laneOf.get(op.process)! * LANE_H + (LANE_H - BOX_H) / 2;
    const k = part.order.get(op.id);
    const kind = op.id === part.culprit?.id ? 'culprit' : k !== undefined ? 'prefix' : 'other';
    const classes = ['op', kind, ...(pending ? ['pending'] : []), ...(op.output === undefined && !pending ? ['unknown'] : [])].join(' ');
    const title = `p${op.process} ${intervalText(op)} ${describe(op)}${k !== undefined ? ` (#${k} of the ${part.culprit ? 'linearizable prefix' : 'linearization'})` : ''}${kind === 'culprit' ? ' (cannot be placed)' : ''}`;
    out.push(
      `<g class="${classes}" data-op="${op.id}"><title>${esc(title)}</title><rect x="${x1}" y="${y}" width="${x2 - x1}" height="${BOX_H}" rx="3"/>` +
        label.get(op.id)!.map((line, n) => (line ? `<text x="${x1 + 5}" y="${y + 13 + n * 13}">${esc(line)}</text>` : '')).join('') +
        `</g>`,
    );
  }
  const svg = (w: number, body: string, cls: string): string => `<svg class="${cls}" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${height}" viewBox="0 0 ${w} ${height}">${body}</svg>`;
  return `<div class="part">${svg(LABEL_COLUMN, names.join(''), 'procs')}<div class="scroll">${svg(right, out.join(''), 'timeline')}</div></div>`;
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const LEGEND = `<div id="legend">
<span><svg width="34" height="16"><rect class="k-prefix" x="1" y="1" width="32" height="14" rx="3"/></svg> #k: linearizable (prefix), in the order found</span>
<span><svg width="34" height="16"><rect class="k-culprit" x="1" y="1" width="32" height="14" rx="3"/></svg> ✗ cannot be placed; its interval is shaded</span>
<span><svg width="34" height="16"><rect class="k-other" x="1" y="1" width="32" height="14" rx="3"/></svg> not in the prefix</span>
<span><svg width="34" height="16"><rect class="k-other k-pending" x="1" y="1" width="32" height="14" rx="3"/></svg> pending (no reply: may take effect any time after its call)</span>
<span><svg width="34" height="16"><rect class="k-other k-unknown" x="1" y="1" width="32" height="14" rx="3"/></svg> output unknown</span>
<span>one lane per process; time goes right, in history order (ticks give the times)</span>
</div>`;

const CSS = `
body{font:14px system-ui,sans-serif;margin:1em;color:#222}h1{font-size:1.2em}
#summary{background:#f6f6f6;padding:.6em;white-space:pre-wrap;font-size:12px}
#legend{display:flex;flex-wrap:wrap;gap:.4em 1.4em;margin:.6em 0;font-size:13px}#legend span{display:inline-flex;align-items:center;gap:.4em}
summary{font-weight:bold;cursor:pointer;margin:.6em 0 .3em}summary.bad{color:#b00}
.part{display:flex;border:1px solid #ddd}.procs{flex:none;border-right:1px solid #ddd}.scroll{overflow-x:auto;flex:1}
svg text{font:11px ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace}
.lane{fill:#fff}.lane.odd{fill:#f7f7f7}.proc{font-weight:bold;fill:#555}.unit{fill:#777;font-size:10px}.axis,.tick{stroke:#999}.tickl{fill:#777;font-size:10px}
.window{fill:#d62728;opacity:.08}
.op rect,.k-other{fill:#dfe7f2;stroke:#7f95b3}.op.prefix rect,.k-prefix{fill:#cfeccf;stroke:#3c8a3c}
.op.culprit rect,.k-culprit{fill:#ffd0d0;stroke:#d62728;stroke-width:2.5}.op.culprit text{font-weight:bold;fill:#900}
.op.pending rect,.k-pending{fill-opacity:.45;stroke-dasharray:6 2}.op.unknown rect,.k-unknown{stroke-dasharray:3 2}
`;
