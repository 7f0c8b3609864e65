/**
 * What the dashboard says about each node, as plain strings: the emulation draws each role's
 * row (src/emulations/api.ts `Role.row`) and summary; here is what every emulation shares: a
 * crashed node's line, the layout decision of which nodes get a line of their own and which
 * roles are summarised in one line when the terminal is too small for all of them, and the
 * network and verdict lines. No Ink here, so all of it is unit-testable.
 *
 *   server 2    CRASHED     volatile state lost; waits for its planned restart
 *   7 clients   summary     ...the emulation's summary of the role...
 */
import type { AnyEmulation, Role, Tone } from '../emulations/api/emulation.js';
import { topState } from '../emulations/api/rows.js';
import type { PartitionWindow } from '../sim/network.js';
import type { NodeView } from '../sim/router.js';
import type { Verdict, VerdictStatus } from '../../specs/verdict.js';

export type { Tone } from '../emulations/api/emulation.js';

export interface NodeLine {
  readonly id: string;
  readonly role: string;
  /** The XState state's top level (`leading`, `preempted`), `CRASHED`, or `summary`. */
  readonly state: string;
  /** The context that matters for the role. */
  readonly detail: string;
  readonly tone: Tone;
}

/** The emulation's description of a role (a role it does not know is drawn plainly). */
function roleSpec(emulation: AnyEmulation, role: string): Role | undefined {
  return emulation.roles.find((r) => r.name === role);
}

/** The line for one node (its detail fitted to `width` columns, when given). A crashed node has
 *  lost its state: the line says so, and whether it comes back. */
export function nodeLine(emulation: AnyEmulation, view: NodeView, width?: number): NodeLine {
  if (view.status === 'crashed') {
    const detail = view.restartPending ? 'volatile state lost; waits for its planned restart' : 'crashed for good (no restart planned)';
    return { id: view.id, role: view.role, state: 'CRASHED', detail, tone: 'bad' };
  }
  const spec = roleSpec(emulation, view.role);
  const row = view.context === undefined || !spec ? { state: topState(view.state), detail: '-', tone: 'normal' as Tone } : spec.row(view, width);
  return { id: view.id, role: view.role, state: row.state, detail: row.detail, tone: view.status === 'finished' ? 'dim' : row.tone };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line for all nodes of a role (`7 clients: ...`). */
export function roleSummary(emulation: AnyEmulation, role: string, views: readonly NodeView[]): NodeLine {
  const crashed = views.filter((v) => v.status === 'crashed').length;
  const parts = [roleSpec(emulation, role)?.summary(views) ?? ''];
  if (crashed > 0) parts.push(`${crashed} CRASHED`);
  return {
    id: plural(views.length, role),
    role,
    state: 'summary',
    detail: parts.filter((p) => p !== '').join('  '),
    tone: crashed > 0 ? 'warn' : 'normal',
  };
}

// ---- layout --------------------------------------------------------------------------------

export interface PanelGroup {
  readonly role: string;
  /** A line per node, or one summary line. */
  readonly lines: readonly NodeLine[];
  readonly summarised: boolean;
}

/**
 * Groups the nodes by role (in the emulation's order) and fits them into `budget` lines (per
 * column when `columns` is 2): the roles the emulation says to summarise first go first. With
 * `width` (the columns of one panel column), each row's detail is fitted to what is left of it
 * after the name and state.
 */
export function layoutPanels(emulation: AnyEmulation, views: readonly NodeView[], budget: number, columns: 1 | 2 = 1, width?: number): PanelGroup[][] {
  const laid = layoutRoles(emulation, views, budget, columns);
  if (width === undefined) return laid;
  return laid.map((col) => {
    const lines = col.flatMap((g) => g.lines);
    const detailWidth = Math.max(8, width - Math.max(0, ...lines.map((l) => l.id.length)) - Math.max(0, ...lines.map((l) => l.state.length)) - 2);
    return col.map((g) => (g.summarised ? g : { ...g, lines: g.lines.map((l) => nodeLine(emulation, views.find((v) => v.id === l.id)!, detailWidth)) }));
  });
}

function layoutRoles(emulation: AnyEmulation, views: readonly NodeView[], budget: number, columns: 1 | 2): PanelGroup[][] {
  const order = [...emulation.roles.map((r) => r.name), ...new Set(views.map((v) => v.role))];
  const byRole = [...new Set(order)].map((role) => ({ role, views: views.filter((v) => v.role === role) })).filter((g) => g.views.length > 0);
  const priority = (role: string): number => roleSpec(emulation, role)?.summariseFirst ?? 0;
  const summarised = new Set<string>();
  const height = (g: { role: string; views: readonly NodeView[] }): number => (summarised.has(g.role) ? 1 : g.views.length);
  const split = (): Array<typeof byRole> => (columns === 1 ? [byRole] : splitInTwo(byRole, height));
  const fits = (): boolean => split().every((col) => col.reduce((n, g) => n + height(g), 0) <= budget);
  while (!fits()) {
    const candidates = byRole
      .filter((g) => !summarised.has(g.role) && g.views.length > 1)
      .sort((a, b) => priority(b.role) - priority(a.role) || b.views.length - a.views.length);
    if (candidates.length === 0) break;
    summarised.add(candidates[0]!.role);
  }
  return split().map((col) =>
    col.map((g) =>
      summarised.has(g.role)
        ? { role: g.role, lines: [roleSummary(emulation, g.role, g.views)], summarised: true }
        : { role: g.role, lines: g.views.map((v) => nodeLine(emulation, v)), summarised: false },
    ),
  );
}

/** Splits the role groups into two columns of roughly equal height, keeping role order. */
function splitInTwo<G>(groups: readonly G[], height: (g: G) => number): G[][] {
  const total = groups.reduce((n, g) => n + height(g), 0);
  let best = 0;
  let bestCost = Infinity;
  for (let cut = 0; cut <= groups.length; cut++) {
    const left = groups.slice(0, cut).reduce((n, g) => n + height(g), 0);
    const cost = Math.max(left, total - left);
    if (cost < bestCost) [best, bestCost] = [cut, cost];
  }
  return [groups.slice(0, best), groups.slice(best)];
}

// ---- network, verdicts ---------------------------------------------------------------------

export interface NetworkCounters {
  readonly inFlight: number;
  readonly sent: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly duplicated: number;
  readonly partitions: readonly PartitionWindow[];
}

export function partitionText(window: Pick<PartitionWindow, 'groups'>): string {
  return `${window.groups.map((g) => `{${g.join(', ')}}`).join(' | ')} | rest`;
}

export function networkLine(net: NetworkCounters): string {
  const partitions = net.partitions.length === 0 ? 'none' : `${net.partitions.length} active`;
  return `in flight ${net.inFlight}  delivered ${net.delivered}  dropped ${net.dropped}  duplicated ${net.duplicated}  partitions ${partitions}`;
}

/** The active partitions, one line (empty when there are none). */
export function partitionsLine(net: NetworkCounters): string {
  return net.partitions.map(partitionText).join('; ');
}

export interface VerdictLine {
  readonly name: string;
  readonly status: VerdictStatus;
  /** The detail, split on newlines (a violation's explanation may span several). */
  readonly detail: readonly string[];
}

/** A line per verdict (a failure says when it first failed, when the check knows); `compact` (a short terminal): the passing ones share one line, named. */
export function verdictLines(verdicts: readonly Verdict[], compact = false): VerdictLine[] {
  const line = (v: Verdict): VerdictLine => ({ name: v.name, status: v.status, detail: `${v.detail}${v.at ? ` [first failed at t=${v.at.t}]` : ''}`.split('\n') });
  if (!compact) return verdicts.map(line);
  const passed = verdicts.filter((v) => v.status === 'ok');
  const rest = verdicts.filter((v) => v.status !== 'ok').map(line);
  return passed.length === 0 ? rest : [...rest, { name: `${passed.length} passed`, status: 'ok', detail: [passed.map((v) => v.name).join(', ')] }];
}

/** Rows the verdict panel needs at `width` columns (border and summary line included). */
export function verdictHeight(verdicts: readonly Verdict[], width: number, compact = false): number {
  const lines = verdictLines(verdicts, compact);
  const nameWidth = Math.max(0, ...lines.map((v) => v.name.length));
  // The panel: border and padding (4), the name column (name + 2), the status column (8).
  const inner = Math.max(20, width - 4 - (nameWidth + 2) - 8);
  const rows = lines.reduce(
    (n, v) => n + v.detail.reduce((m, line) => m + Math.max(1, Math.ceil(line.length / inner)), 0),
    0,
  );
  return rows + 3;
}

// ---- fitting text to the terminal ------------------------------------------------------------

/**
 * A log line fitted to `width` columns: wrapped at spaces, the continuation lines indented under
 * the text that follows the line's `[t=… node]` prefix, so that nothing wraps into an orphan
 * fragment at the left margin (a word longer than a line is cut where it must).
 */
export function wrapLogLine(text: string, width: number): string {
  if (text.length <= width || width < 20) return text;
  const prefix = /^\[[^\]]*\] /.exec(text)?.[0].length ?? 0;
  const indent = ' '.repeat(Math.min(prefix, Math.floor(width / 3)));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const room = width - (lines.length === 0 ? 0 : indent.length);
    if (line.length > 0 && line.length + 1 + word.length > room) {
      lines.push(line);
      line = '';
    }
    let rest = line.length > 0 ? `${line} ${word}` : word;
    while (rest.length > width - (lines.length === 0 ? 0 : indent.length)) {
      const cut = width - (lines.length === 0 ? 0 : indent.length);
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line.length > 0) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l}`)).join('\n');
}

/** `text` cut to `width` columns, with an ellipsis when it was longer. */
export function ellipsis(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** The key hints that fit `width`, least needed dropped first (`q quit` always stays): `c`
 *  first, since `f` stops at crashes too, so that at 80 columns every other key is named. */
export function controlsText(state: { ended: boolean; paused: boolean }, width: number): string {
  if (state.ended) return 'q quit';
  const hints: Array<[string, number]> = [
    [`space ${state.paused ? 'resume' : 'pause'}`, 1],
    ['n/→ step', 2],
    ['v violation', 1],
    ['f fault', 3],
    ['m milestone', 4],
    ['c crash', 6],
    ['+/- speed', 5],
    ['q quit', 0],
  ];
  for (let drop = 7; drop >= 0; drop--) {
    const text = hints.filter(([, p]) => p <= drop).map(([h]) => h).join('  ');
    if (text.length <= width) return text;
  }
  return 'q quit';
}
