/**
 * The one place where today's run record meets the generic diagram: the router's trace
 * events (src/sim/trace.ts, the JSON Lines of `mpkv run --trace-json`) become diagram events,
 * the MultiPaxos view (./multipaxos.ts) supplies the protocol's words, and a schedule's
 * message faults are found in the trace, and the run's own checks are redone on it to point at
 * a violation (agreement: ./multipaxos.ts; linearizability: below). `renderRunHtml` and
 * `renderRunSvg` are what a command calls with a finished run's trace.
 *
 * Timers are left out: the diagram draws what nodes say to each other and what happens to
 * them, and a timer's effect (a retry, a catch-up) shows as the messages it sends.
 */
import type { KvCommand, KvResult } from '../kv/kv.js';
import type { Message, NodeId } from '../roles/messages.js';
import { historyOf } from '../emulations/run.js';
import { formatMpkvHistory, parseMpkvHistory } from '../../specs/formats/mpkv.js';
import { checkOperations } from '../../specs/linearizability.js';
import { kvModel } from '../../specs/models/kv.js';
import type { Fact, TraceEvent } from '../sim/trace.js';
import { buildDiagram, type DiagramEvent, type Highlight } from './diagram.js';
import { diagramSvg, drawDiagram } from './draw.js';
import { explainAgreement, lanesOf, multipaxosView, operationsOf, type RunEvent } from './multipaxos.js';
import { renderDiagramPage } from './page.js';

/** The trace without timers; `index[k]` is the trace position of event k. */
export function diagramEvents(trace: readonly TraceEvent[]): { events: RunEvent[]; index: number[] } {
  const events: RunEvent[] = [];
  const index: number[] = [];
  trace.forEach((e, k) => {
    if (e.kind === 'timer-set' || e.kind === 'timer-fire') return;
    events.push(e as DiagramEvent<Message, Fact>);
    index.push(k);
  });
  return { events, index };
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
export function faultHighlights(events: readonly RunEvent[], faults: readonly MessageFault[]): Highlight[] {
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
    return [{ role: 'fault', title, text: `${title}: ${multipaxosView.detail!(e.msg)}`, events: [at], tag: what }];
  });
}

/**
 * The run's client history checked as the run's linearizability verdict checks it (written
 * in the mpkv format and read back); when it is not linearizable, the operation that cannot
 * be placed is pointed at (its call and its return) with the checker's reasons, and the other
 * operations on its key are evidence.
 *
 * An operation's times in that history are the 1-based positions of its events in the
 * history, and the history lists the trace's invoke and complete notes in trace order: so
 * position k is the k-th such note.
 */
export function explainLinearizability(events: readonly RunEvent[]): { lines: string[]; highlights: Highlight[] } | undefined {
  const trace = events as readonly TraceEvent[];
  const ops = parseMpkvHistory(formatMpkvHistory(historyOf(trace)), 'run history');
  const result = checkOperations(kvModel, ops);
  if (result.verdict !== 'illegal') return undefined;
  const e = result.explanation!;
  const notes = events.flatMap((x, i) => (x.kind === 'note' && (x.fact?.kind === 'invoke' || x.fact?.kind === 'complete') ? [i] : []));
  const at = (time: number): number[] => (Number.isFinite(time) && notes[time - 1] !== undefined ? [notes[time - 1]!] : []);
  const describe = (input: KvCommand, output: KvResult | undefined): string => kvModel.describeOperation(input, output);
  const culprit = describe(e.culprit.input, e.culprit.output);
  const lines = [
    `LINEARIZABILITY VIOLATED on key ${JSON.stringify(e.culprit.input.key)}: ${culprit} (client process ${e.culprit.process}) cannot be placed after the ${e.prefix.length} operation(s) that can (${e.stateAfterPrefix}).`,
    ...e.rejections.map((r) => `  - ${r}`),
  ];
  const others = e.partitionOps.filter((op) => op.id !== e.culprit.id);
  return {
    lines,
    highlights: [
      { role: 'violation', title: `linearizability: ${culprit} cannot be placed`, text: lines.join(' '), events: [...at(e.culprit.call), ...at(e.culprit.ret)], tag: 'cannot be placed' },
      {
        role: 'evidence',
        title: `the other operations on key ${JSON.stringify(e.culprit.input.key)} (${others.length})`,
        text: others.map((op) => describe(op.input, op.output)).join('; '),
        events: others.flatMap((op) => at(op.call)),
        tag: `key ${e.culprit.input.key}`,
      },
    ],
  };
}

export interface RunViewOptions {
  readonly title?: string;
  /** E.g. "multipaxos, seed 1, mutant quorum-too-small". */
  readonly subtitle?: string;
  /** The schedule's message faults (a replay), marked where they hit. */
  readonly faults?: readonly MessageFault[];
  /** Lines shown above the picture, before the explanation (e.g. the verdicts). */
  readonly notes?: readonly string[];
  /** More things to point at (indices are trace positions, as in `trace`). */
  readonly highlights?: readonly Highlight[];
}

/** The diagram model of a run: lanes, events, operations, the agreement explanation, faults. */
export function runDiagram(trace: readonly TraceEvent[], options: RunViewOptions = {}) {
  const { events, index } = diagramEvents(trace);
  const position = new Map(index.map((k, i) => [k, i]));
  const lanes = lanesOf(events);
  const agreement = explainAgreement(events, lanes);
  const linearizability = explainLinearizability(events);
  const extra = (options.highlights ?? []).map((h) => ({ ...h, events: h.events.flatMap((k) => (position.has(k) ? [position.get(k)!] : [])) }));
  return buildDiagram({
    title: options.title ?? 'mpkv run',
    ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    lanes,
    events,
    view: multipaxosView,
    operations: operationsOf(events),
    highlights: [...(agreement?.highlights ?? []), ...(linearizability?.highlights ?? []), ...extra, ...faultHighlights(events, options.faults ?? [])],
    explanation: [...(options.notes ?? []), ...(agreement?.lines ?? []), ...(linearizability?.lines ?? [])],
    ...(agreement ? { focus: agreement.focus } : {}),
  });
}

/** The self-contained HTML page of a run (what `mpkv run --html` and `mpkv view` write). */
export function renderRunHtml(trace: readonly TraceEvent[], options: RunViewOptions = {}): string {
  return renderDiagramPage(runDiagram(trace, options));
}

/** The run as one standalone SVG (everything drawn, background traffic folded). */
export function renderRunSvg(trace: readonly TraceEvent[], options: RunViewOptions = {}): string {
  const model = runDiagram(trace, options);
  return diagramSvg(model, drawDiagram(model));
}

// ---- reading a trace file -------------------------------------------------------------------

/** A trace file that cannot be read: the message names the file and line. */
export class TraceFileError extends Error {
  override readonly name = 'TraceFileError';
}

const MESSAGE_KINDS = new Set(['send', 'deliver', 'drop', 'duplicate']);
const NODE_KINDS = new Set(['timer-set', 'timer-fire', 'crash', 'restart', 'note']);
const KINDS = new Set([...MESSAGE_KINDS, ...NODE_KINDS, 'partition-start', 'partition-end', 'end']);

/** Parses `mpkv run --trace-json` output; any line that is not a trace event is an error. */
export function parseTraceJsonl(text: string, file: string): TraceEvent[] {
  const events: TraceEvent[] = [];
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
    const problem = traceEventProblem(value);
    if (problem) throw new TraceFileError(`${where}: ${problem}`);
    const e = value as TraceEvent;
    if (events.length > 0 && e.t < events[events.length - 1]!.t) throw new TraceFileError(`${where}: t: time goes back (${e.t} after ${events[events.length - 1]!.t})`);
    events.push(e);
  });
  if (events.length === 0) throw new TraceFileError(`${file}:1: no trace events (expected the JSON Lines of mpkv run --trace-json FILE)`);
  return events;
}

function traceEventProblem(value: unknown): string | undefined {
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
    if (!KNOWN_MESSAGES.has((e.msg as { type: string }).type)) return `msg.type: unknown message type ${JSON.stringify((e.msg as { type: string }).type)}`;
  }
  if (NODE_KINDS.has(e.kind) && typeof e.node !== 'string') return 'node: expected a node name';
  if (e.kind === 'note' && typeof e.text !== 'string') return 'text: expected a string';
  if ((e.kind === 'partition-start' || e.kind === 'partition-end') && !(Array.isArray(e.groups) && e.groups.every((g) => Array.isArray(g) && g.every((n) => typeof n === 'string')))) {
    return 'groups: expected lists of node names';
  }
  return undefined;
}

const KNOWN_MESSAGES = new Set<string>(['request', 'reply', 'prepare', 'promise', 'accept', 'accepted', 'nack', 'decision', 'catch-up', 'decisions']);
