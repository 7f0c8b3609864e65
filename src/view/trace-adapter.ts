/**
 * Where a run's record meets the generic diagram: the router's trace events (src/sim/trace.ts,
 * the JSON Lines of `mpkv run --trace-json`) become diagram events, the emulation's diagram
 * part (src/emulations/api/diagram.ts) supplies the protocol's words, the client operations and
 * the explanation of any violation, and a schedule's message faults are found in the trace.
 * `renderRunHtml` and `renderRunSvg` are what a command calls with a finished run's trace.
 *
 * Timers are left out: the diagram draws what nodes say to each other and what happens to
 * them, and a timer's effect (a retry, a poll) shows as the messages it sends.
 */
import type { DiagramSpec, Lane } from '../emulations/api/diagram.js';
import type { AnyEmulation } from '../emulations/api/emulation.js';
import type { Envelope, NodeId, TraceEvent } from '../sim/trace.js';
import { buildDiagram, type DiagramEvent, type Highlight, type MessageEvent, type MessageView, type NoteEvent } from './diagram.js';
import { diagramSvg, drawDiagram } from './draw.js';
import { renderDiagramPage } from './page.js';
import { verdictNote, type Verdict } from '../../specs/verdict.js';

type RunEvent = DiagramEvent<Envelope, unknown>;

/** The trace without timers; `index[k]` is the trace position of event k. */
export function diagramEvents(trace: readonly TraceEvent[]): { events: RunEvent[]; index: number[] } {
  const events: RunEvent[] = [];
  const index: number[] = [];
  trace.forEach((e, k) => {
    if (e.kind === 'timer-set' || e.kind === 'timer-fire') return;
    events.push(e as RunEvent);
    index.push(k);
  });
  return { events, index };
}

/** An emulation's part of the diagram (or the default one: lanes in the order of its roles,
 *  any message type), with the words it draws with (`view`): the emulation's words for its
 *  messages, which default to `describe`, its background traffic and its badges. */
export function diagramSpecOf(emulation: AnyEmulation): DiagramSpec<Envelope, unknown> & { readonly view: MessageView<Envelope, unknown> } {
  const words = emulation.messages;
  const spec = emulation.diagram ?? { laneOrder: emulation.roles.map((r) => r.name), messageTypes: [] };
  const view: MessageView<Envelope, unknown> = {
    label: words.label ? (msg) => words.label!(msg) : (msg) => words.describe(msg),
    ...(words.detail ? { detail: (msg: Envelope) => words.detail!(msg) } : {}),
    ...(words.category ? { category: (msg: Envelope) => words.category!(msg) } : {}),
    ...(words.fields ? { fields: (msg: Envelope) => words.fields!(msg) } : {}),
    ...(emulation.background ? { background: (event: MessageEvent<Envelope>) => emulation.background!(event as TraceEvent) !== undefined } : {}),
    ...(spec.mark ? { mark: (note: NoteEvent<unknown>) => spec.mark!(note) } : {}),
  };
  return { ...spec, view };
}

/** Every node named in the events, by role in the given order, then by number. */
export function lanesOf(events: readonly RunEvent[], order: readonly string[]): Lane[] {
  const ids = new Set<string>();
  for (const e of events) {
    if ('node' in e) ids.add(e.node);
    if ('from' in e) ids.add(e.from).add(e.to);
    if ('groups' in e) for (const g of e.groups) for (const id of g) ids.add(id);
  }
  const role = (id: string): string => id.split(' ')[0]!;
  const rank = (id: string): number => (order.includes(role(id)) ? order.indexOf(role(id)) : order.length);
  const number = (id: string): number => Number(id.split(' ')[1] ?? 0);
  return [...ids].sort((a, b) => rank(a) - rank(b) || role(a).localeCompare(role(b)) || number(a) - number(b)).map((id) => ({ id, group: role(id) }));
}

/** A fault a schedule put on the n-th message of a link (from 0), as `mpkv explore` reports it. */
export interface MessageFault {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly n: number;
  readonly fault: { readonly kind: 'drop' } | { readonly kind: 'delay'; readonly delay_ms: number } | { readonly kind: 'duplicate'; readonly second_delay_ms: number };
}

/**
 * Each fault, pointed at the send of the message it hit (the n-th send on its link) — when the
 * trace shows it there: a drop right after that send, a second copy, or a delivery exactly
 * `delay_ms` later. (A schedule's choice for a message sent after the faulty phase, or for one
 * never sent, hit nothing and is not drawn.)
 */
export function faultHighlights(events: readonly RunEvent[], faults: readonly MessageFault[], view: MessageView<Envelope, unknown>): Highlight[] {
  const sends = new Map<string, number[]>();
  const fates = new Map<number, RunEvent[]>();
  events.forEach((e, i) => {
    if (e.kind === 'send') {
      const link = `${e.from}\u0000${e.to}`;
      const list = sends.get(link) ?? [];
      list.push(i);
      sends.set(link, list);
    } else if (e.kind === 'drop' || e.kind === 'duplicate' || e.kind === 'deliver') {
      const list = fates.get(e.id) ?? [];
      list.push(e);
      fates.set(e.id, list);
    }
  });
  return faults.flatMap((f): Highlight[] => {
    const at = sends.get(`${f.from}\u0000${f.to}`)?.[f.n];
    if (at === undefined) return [];
    const e = events[at] as Extract<RunEvent, { kind: 'send' | 'deliver' | 'duplicate' }>;
    const fate = fates.get(e.id) ?? [];
    const shown =
      f.fault.kind === 'drop'
        ? fate.some((x) => x.kind === 'drop' && x.t === e.t)
        : f.fault.kind === 'duplicate'
          ? fate.some((x) => x.kind === 'duplicate')
          : fate.some((x) => x.kind !== 'duplicate' && x.t === e.t + (f.fault as { delay_ms: number }).delay_ms);
    if (!shown) return [];
    const what = f.fault.kind === 'drop' ? 'dropped' : f.fault.kind === 'delay' ? `held back ${f.fault.delay_ms}ms` : `duplicated (+${f.fault.second_delay_ms}ms)`;
    const title = `fault at t=${e.t}: ${f.from} -> ${f.to} message #${f.n} (${e.msg.type}) ${what}`;
    return [{ role: 'fault', title, text: `${title}: ${view.detail?.(e.msg) ?? view.label(e.msg)}`, events: [at], tag: what }];
  });
}

export interface RunViewOptions {
  readonly title?: string;
  /** E.g. "<emulation>, seed 1, mutant <name>". */
  readonly subtitle?: string;
  /** The schedule's message faults (a replay), marked where they hit. */
  readonly faults?: readonly MessageFault[];
  /** Lines shown above the picture, before the explanation (e.g. the verdicts). */
  readonly notes?: readonly string[];
  /** More things to point at (indices are trace positions, as in `trace`). */
  readonly highlights?: readonly Highlight[];
  /** The unit of the trace's time: `ms` (default), or `step` for a model checker's path. */
  readonly timeUnit?: string;
}

/** The diagram model of a run: lanes, events, operations, the emulation's explanation, faults. */
export function runDiagram(emulation: AnyEmulation, trace: readonly TraceEvent[], options: RunViewOptions = {}) {
  const spec = diagramSpecOf(emulation);
  const { events, index } = diagramEvents(trace);
  const position = new Map(index.map((k, i) => [k, i]));
  const lanes = lanesOf(events, spec.laneOrder);
  const explained = spec.explain?.(events, lanes) ?? [];
  const extra = (options.highlights ?? []).map((h) => ({ ...h, events: h.events.flatMap((k) => (position.has(k) ? [position.get(k)!] : [])) }));
  const focus = explained.find((x) => x.focus)?.focus;
  return buildDiagram({
    title: options.title ?? 'mpkv run',
    ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    lanes,
    events,
    view: spec.view,
    operations: spec.operations?.(events) ?? [],
    highlights: [...explained.flatMap((x) => x.highlights), ...extra, ...faultHighlights(events, options.faults ?? [], spec.view)],
    // An explanation may restate a verdict the notes give already (its words are the same): once.
    explanation: [...new Set([...(options.notes ?? []), ...explained.flatMap((x) => x.lines)])],
    ...(focus ? { focus } : {}),
    ...(options.timeUnit ? { timeUnit: options.timeUnit } : {}),
  });
}

/**
 * A run's violations in the emulation's words, as lines of text: the explanation its diagram
 * shows above the picture (none when the emulation has no explanation or nothing failed), less
 * the lines that only restate one of `verdicts` (a report prints those already). The plain
 * reports of `mpkv run` and `mpkv explore` print it.
 */
export function explainRun(emulation: AnyEmulation, trace: readonly TraceEvent[], verdicts: readonly Verdict[] = []): string[] {
  const spec = diagramSpecOf(emulation);
  if (!spec.explain) return [];
  const { events } = diagramEvents(trace);
  const restated = new Set(verdicts.map(verdictNote));
  return spec.explain(events, lanesOf(events, spec.laneOrder)).flatMap((x) => x.lines).filter((line) => !restated.has(line));
}

/** The self-contained HTML page of a run (what `mpkv run --html` and `mpkv view` write). */
export function renderRunHtml(emulation: AnyEmulation, trace: readonly TraceEvent[], options: RunViewOptions = {}): string {
  return renderDiagramPage(runDiagram(emulation, trace, options));
}

/** The run as one standalone SVG (everything drawn, background traffic folded). */
export function renderRunSvg(emulation: AnyEmulation, trace: readonly TraceEvent[], options: RunViewOptions = {}): string {
  const model = runDiagram(emulation, trace, options);
  return diagramSvg(model, drawDiagram(model));
}

/** The first line of a trace file `mpkv run --trace-json` writes: which run it is. */
export interface TraceHeader {
  readonly kind: 'run';
  readonly emulation: string;
  readonly seed: number;
  readonly mutants: readonly string[];
  /** `step` for a replayed path of the model checker (time is the step's number); else ms. */
  readonly time_unit?: 'step';
}

// ---- reading a trace file -------------------------------------------------------------------

/** A trace file that cannot be read: the message names the file and line. */
export class TraceFileError extends Error {
  override readonly name = 'TraceFileError';
}

const MESSAGE_KINDS = new Set(['send', 'deliver', 'drop', 'duplicate']);
const NODE_KINDS = new Set(['timer-set', 'timer-fire', 'crash', 'restart', 'note']);
const KINDS = new Set([...MESSAGE_KINDS, ...NODE_KINDS, 'partition-start', 'partition-end', 'end']);

/**
 * Parses `mpkv run --trace-json` output: a header line naming the run (optional), then one
 * trace event per line; any other line is an error. `messageTypes(emulation)` says which
 * message types the header's emulation sends (an empty list: any).
 */
export function parseTraceJsonl(text: string, file: string, messageTypes: (emulation: string | undefined) => readonly string[]): { header?: TraceHeader; events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  let header: TraceHeader | undefined;
  let known: ReadonlySet<string> | undefined;
  const lines = text.split('\n');
  lines.forEach((line, k) => {
    if (line.trim() === '') return;
    const where = `${file}:${k + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TraceFileError(`${where}: not JSON (${(error as Error).message.split('\n')[0]}); expected one trace event per line (mpkv run --trace-json FILE)`);
    }
    if (events.length === 0 && header === undefined && (value as { kind?: unknown } | null)?.kind === 'run') {
      const h = value as Record<string, unknown>;
      if (typeof h.emulation !== 'string') throw new TraceFileError(`${where}: emulation: expected the name of the emulation that wrote the trace`);
      header = { kind: 'run', emulation: h.emulation, seed: Number(h.seed ?? 0), mutants: Array.isArray(h.mutants) ? (h.mutants as string[]) : [], ...(h.time_unit === 'step' ? { time_unit: 'step' as const } : {}) };
      return;
    }
    known ??= new Set(messageTypes(header?.emulation));
    const problem = traceEventProblem(value, known);
    if (problem) throw new TraceFileError(`${where}: ${problem}`);
    const e = value as TraceEvent;
    if (events.length > 0 && e.t < events[events.length - 1]!.t) throw new TraceFileError(`${where}: t: time goes back (${e.t} after ${events[events.length - 1]!.t})`);
    events.push(e);
  });
  if (events.length === 0) throw new TraceFileError(`${file}:1: no trace events (expected the JSON Lines of mpkv run --trace-json FILE)`);
  return header ? { header, events } : { events };
}

function traceEventProblem(value: unknown, knownMessages: ReadonlySet<string>): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object (a trace event)';
  const e = value as Record<string, unknown>;
  if (!('kind' in e)) {
    const hint = 'type' in e && ['invoke', 'ok', 'fail', 'info'].includes(String(e.type)) ? ' (this looks like a client history: read it with mpkv check)' : '';
    return `kind: missing: not a trace event${hint}`;
  }
  if (typeof e.kind !== 'string' || !KINDS.has(e.kind)) return `kind: unknown trace event kind ${JSON.stringify(e.kind)}`;
  if (typeof e.t !== 'number' || !Number.isFinite(e.t)) return 't: expected a number';
  if (MESSAGE_KINDS.has(e.kind)) {
    if (typeof e.id !== 'number') return 'id: expected a number';
    if (typeof e.from !== 'string') return 'from: expected a node name';
    if (typeof e.to !== 'string') return 'to: expected a node name';
    if (typeof e.msg !== 'object' || e.msg === null || typeof (e.msg as { type?: unknown }).type !== 'string') return 'msg: expected a message with a type';
    const type = (e.msg as { type: string }).type;
    if (knownMessages.size > 0 && !knownMessages.has(type)) return `msg.type: unknown message type ${JSON.stringify(type)} (the emulation sends ${[...knownMessages].join(', ')})`;
  }
  if (NODE_KINDS.has(e.kind) && typeof e.node !== 'string') return 'node: expected a node name';
  if (e.kind === 'note' && typeof e.text !== 'string') return 'text: expected a string';
  if ((e.kind === 'partition-start' || e.kind === 'partition-end') && !(Array.isArray(e.groups) && e.groups.every((g) => Array.isArray(g) && g.every((n) => typeof n === 'string')))) {
    return 'groups: expected lists of node names';
  }
  return undefined;
}
