/**
 * What the dashboard says about each node, as plain strings: pure functions from the router's
 * `NodeView`s (status, XState state value, context) to short lines, and the layout decision of
 * which nodes get a line of their own and which roles are summarised in one line when the
 * terminal is too small for all of them. No Ink here, so all of it is unit-testable.
 *
 *   acceptor 1  serving     promised 1.1  accepted 15 (slots 0-14)
 *   leader 1    leading     ballot 1.1  next 17  decided/applied 15/15  in flight 2 (15-16)
 *   leader 2    preempted   ballot 1.2  next 0  decided/applied 15/15  in flight 0  backing off
 *   replica 1   serving     applied 15  store {a=val_3, c=val_9}
 *   client 2    waiting     request 3/5: PUT "a" = "val_3" (sent 2x)
 */
import { describeCommand, type KvCommand, type KvStore } from '../kv/kv.js';
import type { Ballot, LogCommand, PValue } from '../roles/messages.js';
import { ballotText, compareBallots } from '../roles/messages.js';
import type { NetworkOptions, PartitionWindow } from '../sim/network.js';
import type { NodeStatus, NodeView } from '../sim/router.js';
import type { Verdict, VerdictStatus } from '../../specs/verdict.js';

export type Role = 'acceptor' | 'leader' | 'replica' | 'server' | 'client';

/** Roles in the order the dashboard shows them. */
export const ROLES: readonly Role[] = ['acceptor', 'leader', 'replica', 'server', 'client'];

export function roleOf(id: string): Role {
  const word = id.split(' ')[0];
  return (ROLES as readonly string[]).includes(word ?? '') ? (word as Role) : 'server';
}

/** How a line should look: the component maps tones to colours. */
export type Tone = 'normal' | 'good' | 'busy' | 'warn' | 'bad' | 'dim';

export interface NodeLine {
  readonly id: string;
  readonly role: Role;
  /** The XState state's top level (`leading`, `preempted`), or `CRASHED`. */
  readonly state: string;
  /** The context that matters for the role. */
  readonly detail: string;
  readonly tone: Tone;
}

/** `preempted.backingOff` for nested XState values. */
export function stateText(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}.${stateText(v)}`)
      .join(',');
  }
  return String(value);
}

/** The top-level state is the word shown; a substate is told in the detail (see PHASES). */
function statusState(status: NodeStatus, value: unknown): string {
  if (status === 'crashed') return 'CRASHED';
  return stateText(value).split('.')[0]!;
}

/** What a leader's preempted substates mean, appended to its detail. */
const PHASES: Record<string, string> = {
  'preempted.backingOff': 'backing off',
  'preempted.standingBy': 'standing by (no work)',
};

// ---- contexts, as far as the dashboard reads them (defensive: views are `unknown`) ---------

interface AcceptorCtx {
  readonly promised?: Ballot;
  readonly accepted?: ReadonlyMap<number, PValue>;
}
interface LearnerCtx {
  readonly applied?: number;
  readonly decided?: ReadonlyMap<number, LogCommand>;
  readonly rsm?: { readonly store?: KvStore };
}
interface LeaderCtx extends LearnerCtx {
  readonly ballot?: Ballot;
  readonly promises?: ReadonlyMap<string, unknown>;
  readonly acceptors?: readonly string[];
  readonly proposals?: ReadonlyMap<number, unknown>;
  readonly nextSlot?: number;
  readonly queue?: readonly unknown[];
}
interface ClientCtx {
  readonly started?: number;
  readonly completed?: number;
  readonly workload?: { readonly requests?: number };
  readonly outstanding?: { readonly request_id: number; readonly command: KvCommand; readonly sends: number };
}

/** Slots as `0-14` or `0-3, 5, 7-9` (at most `max` runs, then `…`). */
export function slotRanges(slots: Iterable<number>, max = 3): string {
  const sorted = [...slots].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return runs.length > max ? `${runs.slice(0, max).join(', ')}, …` : runs.join(', ');
}

/** `{a=val_3, c=val_9}`, keys sorted, at most `max` entries shown. */
export function storeText(store: KvStore | undefined, max = 6): string {
  if (!store || store.size === 0) return '{}';
  const keys = [...store.keys()].sort();
  const shown = keys.slice(0, max).map((k) => `${k}=${store.get(k)}`);
  return `{${shown.join(', ')}${keys.length > max ? `, +${keys.length - max}` : ''}}`;
}

/** One past the highest decided slot (0 when none is decided). */
function decidedTo(ctx: LearnerCtx): number {
  let top = (ctx.applied ?? 0) - 1;
  for (const slot of ctx.decided?.keys() ?? []) top = Math.max(top, slot);
  return top + 1;
}

function acceptorDetail(ctx: AcceptorCtx): string {
  const accepted = ctx.accepted ?? new Map<number, PValue>();
  const slots = accepted.size === 0 ? 'none' : `${accepted.size} (slots ${slotRanges(accepted.keys())})`;
  return `promised ${ctx.promised ? ballotText(ctx.promised) : '-'}  accepted ${slots}`;
}

function leaderDetail(ctx: LeaderCtx, state: string, value: unknown): string {
  const parts = [`ballot ${ctx.ballot ? ballotText(ctx.ballot) : '-'}`];
  if (state === 'preparing' && ctx.promises && ctx.acceptors) {
    parts.push(`promises ${ctx.promises.size}/${Math.floor(ctx.acceptors.length / 2) + 1}`);
  }
  parts.push(`next ${ctx.nextSlot ?? 0}`, `decided/applied ${decidedTo(ctx)}/${ctx.applied ?? 0}`);
  const inFlight = ctx.proposals ? [...ctx.proposals.keys()] : [];
  parts.push(inFlight.length === 0 ? 'in flight 0' : `in flight ${inFlight.length} (${slotRanges(inFlight, 2)})`);
  if (ctx.queue && ctx.queue.length > 0) parts.push(`queued ${ctx.queue.length}`);
  const phase = PHASES[stateText(value)];
  if (phase) parts.push(phase);
  return parts.join('  ');
}

function learnerDetail(ctx: LearnerCtx): string {
  return `applied ${ctx.applied ?? 0}  store ${storeText(ctx.rsm?.store)}`;
}

function clientDetail(ctx: ClientCtx): string {
  const total = ctx.workload?.requests ?? 0;
  const started = ctx.started ?? 0;
  if (ctx.outstanding) {
    const resent = ctx.outstanding.sends > 1 ? ` (sent ${ctx.outstanding.sends}x)` : '';
    return `request ${started}/${total}: ${describeCommand(ctx.outstanding.command)}${resent}`;
  }
  return started >= total ? `all ${total} requests done` : `request ${started}/${total}`;
}

function toneOf(role: Role, status: NodeStatus, state: string): Tone {
  if (status === 'crashed') return 'bad';
  if (status === 'finished') return 'dim';
  if (role === 'leader') {
    if (state === 'leading') return 'good';
    if (state.startsWith('preempted')) return 'warn';
    return 'busy';
  }
  if (role === 'client' && state === 'done') return 'dim';
  return 'normal';
}

/** The line for one node. A crashed node shows what it last knew as `-`: its state is gone. */
export function nodeLine(view: NodeView): NodeLine {
  const role = roleOf(view.id);
  const state = statusState(view.status, view.state);
  const ctx = (view.context ?? {}) as Record<string, unknown>;
  let detail: string;
  if (view.status === 'crashed') detail = view.restartPending ? 'volatile state lost; waits for its planned restart' : 'crashed for good (no restart planned)';
  else if (view.context === undefined) detail = '-';
  else if (role === 'acceptor') detail = acceptorDetail(ctx as AcceptorCtx);
  else if (role === 'leader') detail = leaderDetail(ctx as LeaderCtx, state, view.state);
  else if (role === 'client') detail = clientDetail(ctx as ClientCtx);
  else detail = learnerDetail(ctx as LearnerCtx);
  return { id: view.id, role, state, detail, tone: toneOf(role, view.status, state) };
}

// ---- summaries of a whole role, when there is no room for a line per node ------------------

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `15` when all agree, `12-15` otherwise. */
function span(values: readonly number[]): string {
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
}

/** One line for all nodes of a role (`7 acceptors: ...`). */
export function roleSummary(role: Role, views: readonly NodeView[]): NodeLine {
  const up = views.filter((v) => v.status !== 'crashed');
  const crashed = views.length - up.length;
  const parts: string[] = [];
  const ctxs = up.map((v) => (v.context ?? {}) as Record<string, unknown>);
  if (role === 'acceptor') {
    const promised = ctxs.map((c) => (c as AcceptorCtx).promised).filter((b): b is Ballot => b !== undefined);
    const top = promised.reduce<Ballot | undefined>((a, b) => (!a || compareBallots(b, a) > 0 ? b : a), undefined);
    if (top) parts.push(`promised ${ballotText(top)} by ${promised.filter((b) => compareBallots(b, top) === 0).length}`);
    const sizes = ctxs.map((c) => (c as AcceptorCtx).accepted?.size ?? 0);
    if (sizes.length > 0) parts.push(`accepted ${span(sizes)} slots`);
  } else if (role === 'leader') {
    // `1 leading 3.1, 2 preempted/wait 2.2`: who thinks it leads, under which ballot.
    parts.push(
      views
        .filter((v) => v.status !== 'crashed')
        .map((v) => `${v.id.split(' ')[1]} ${nodeLine(v).state} ${(v.context as LeaderCtx | undefined)?.ballot ? ballotText((v.context as LeaderCtx).ballot!) : '-'}`)
        .join(', '),
    );
  } else if (role === 'client') {
    const c = ctxs as ClientCtx[];
    const done = c.reduce((n, x) => n + (x.completed ?? 0), 0);
    const total = views.length * ((views[0]?.context as ClientCtx | undefined)?.workload?.requests ?? 0);
    parts.push(`${done}/${total} requests completed`, `${c.filter((x) => x.outstanding).length} waiting`);
  } else {
    const applied = ctxs.map((c) => (c as LearnerCtx).applied ?? 0);
    if (applied.length > 0) parts.push(`applied ${span(applied)}`);
  }
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
  readonly role: Role;
  /** A line per node, or one summary line. */
  readonly lines: readonly NodeLine[];
  readonly summarised: boolean;
}

/**
 * Groups the nodes by role and fits them into `budget` lines (per column when `columns` is 2):
 * the largest roles are summarised first, leaders last (they are the story of the run).
 */
export function layoutPanels(views: readonly NodeView[], budget: number, columns: 1 | 2 = 1): PanelGroup[][] {
  const byRole = ROLES.map((role) => ({ role, views: views.filter((v) => roleOf(v.id) === role) })).filter((g) => g.views.length > 0);
  const summarised = new Set<Role>();
  const height = (g: { role: Role; views: readonly NodeView[] }): number => (summarised.has(g.role) ? 1 : g.views.length);
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
        ? { role: g.role, lines: [roleSummary(g.role, g.views)], summarised: true }
        : { role: g.role, lines: g.views.map(nodeLine), summarised: false },
    ),
  );
}

/** Which role to summarise first: clients, then acceptors, replicas, leaders. */
function priority(role: Role): number {
  return { client: 4, acceptor: 3, replica: 2, server: 1, leader: 0 }[role];
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

/** `uniform 1-10 ms` etc., for the header (unknown shapes: empty). */
export function networkShape(network: Partial<NetworkOptions> | undefined): string {
  const n = network as Record<string, unknown> | undefined;
  if (!n) return '';
  const parts: string[] = [];
  if (typeof n.delay_min_ms === 'number' && typeof n.delay_max_ms === 'number') parts.push(`delay ${n.delay_min_ms}-${n.delay_max_ms} ms`);
  if (typeof n.drop_rate === 'number' && n.drop_rate > 0) parts.push(`loss ${n.drop_rate}`);
  if (typeof n.duplicate_rate === 'number' && n.duplicate_rate > 0) parts.push(`duplicates ${n.duplicate_rate}`);
  return parts.join(', ');
}

export interface VerdictLine {
  readonly name: string;
  readonly status: VerdictStatus;
  /** The detail, split on newlines (a violation's explanation may span several). */
  readonly detail: readonly string[];
}

export function verdictLines(verdicts: readonly Verdict[]): VerdictLine[] {
  return verdicts.map((v) => ({ name: v.name, status: v.status, detail: v.detail.split('\n') }));
}

/** Rows the verdict panel needs at `width` columns (border and summary line included). */
export function verdictHeight(verdicts: readonly Verdict[], width: number): number {
  const nameWidth = Math.max(0, ...verdicts.map((v) => v.name.length));
  const inner = Math.max(20, width - 4 - nameWidth - 10);
  const rows = verdictLines(verdicts).reduce(
    (n, v) => n + v.detail.reduce((m, line) => m + Math.max(1, Math.ceil(line.length / inner)), 0),
    0,
  );
  return rows + 3;
}
