/**
 * The input of the message-sequence (Lamport) diagram, and its reduction to a drawable model.
 *
 * The diagram knows no protocol. An emulation hands it:
 *
 *  - `lanes`: the nodes in display order, each with a group (its role) for colouring;
 *  - `events`: what happened, in order — messages sent, delivered, dropped and duplicated
 *    (linked by message `id`), crashes and restarts, partitions starting and healing, notes,
 *    the end. These are the router's trace events less timers (see ./trace-adapter.ts);
 *  - `view`: callbacks that speak the protocol: a short label for a message, a longer
 *    description, a category for its colour (e.g. "phase 2"), fields a reader may filter by
 *    (e.g. `{ round: 3 }`), whether it is background traffic the page may fold
 *    (e.g. catch-up polling), and a mark for a note worth showing (e.g. DECIDED);
 *  - `operations`: client operations as intervals between two events, with their results;
 *  - `highlights`: events and lanes to point at — the violation, the evidence for it (e.g. the
 *    the nodes each side relied on), the faults of a schedule — each with a title and an explanation;
 *  - `explanation`: lines of text shown above the picture.
 *
 * `buildDiagram` calls the callbacks once per message and returns a `DiagramModel`: plain
 * data, embedded as JSON in the page, from which ./draw.ts lays out and draws the SVG (on the
 * server for the SVG export and the page's first paint, in the browser when the reader filters,
 * folds or zooms).
 */
import type { DiagramModel, ModelEvent, ModelHighlight, ModelMessage } from './draw.js';

export type { DiagramModel, Fields } from './draw.js';

export type { DiagramEvent, Highlight, Lane, LaneId, Mark, NoteEvent, OperationSpan } from '../emulations/api/diagram.js';
import type { DiagramEvent, Fields, Highlight, Lane, LaneId, Mark, NoteEvent, OperationSpan } from '../emulations/api/diagram.js';

/** An event that carries a message (its send, delivery, drop or duplicate). */
export type MessageEvent<M> = Extract<DiagramEvent<M>, { readonly msg: M }>;

/** The words the diagram draws with. Only `label` is required. */
export interface MessageView<M, F> {
  /** A few words drawn beside the arrow: `accept s3 b1.2`. */
  label(msg: M): string;
  /** The full description, shown on hover and click (default: the label). */
  detail?(msg: M): string;
  /** Messages of one category share a colour and a legend entry (e.g. "phase 1"). */
  category?(msg: M): string;
  /** Values a reader may filter by; a message without the field is hidden by that filter. */
  fields?(msg: M): Fields | undefined;
  /** Steady-state traffic (polling, heartbeats), asked of the message's first event: long
   *  stretches of it are folded into one row. */
  background?(event: MessageEvent<M>): boolean;
  /** The badge for a note, or undefined to leave the note out of the picture. */
  mark?(note: NoteEvent<F>): Mark | undefined;
}

export interface DiagramInput<M, F = unknown> {
  readonly title: string;
  readonly subtitle?: string;
  readonly lanes: readonly Lane[];
  readonly events: readonly DiagramEvent<M, F>[];
  readonly view: MessageView<M, F>;
  readonly operations?: readonly OperationSpan[];
  readonly highlights?: readonly Highlight[];
  readonly explanation?: readonly string[];
  /** A filter that shows the violation best (e.g. `{ field: 'round', value: '8' }`): one button. */
  readonly focus?: { readonly field: string; readonly value: string };
  /** The unit of `t` (default "ms"). */
  readonly timeUnit?: string;
}

/** Lanes named by an event but not listed are appended, in order of appearance, in group "other". */
export function buildDiagram<M, F>(input: DiagramInput<M, F>): DiagramModel {
  const lanes = [...input.lanes];
  const laneIndex = new Map(lanes.map((lane, i) => [lane.id, i]));
  const lane = (id: LaneId): number => {
    let i = laneIndex.get(id);
    if (i === undefined) {
      i = lanes.length;
      lanes.push({ id, group: 'other' });
      laneIndex.set(id, i);
    }
    return i;
  };
  const categories: string[] = [];
  const fieldNames = new Set<string>();
  const messages: ModelMessage[] = [];
  const messageIndex = new Map<number, number>();
  const { view } = input;

  const messageOf = (id: number, msg: M, event: number): number => {
    let m = messageIndex.get(id);
    if (m !== undefined) return m;
    const category = view.category?.(msg) ?? 'message';
    if (!categories.includes(category)) categories.push(category);
    const fields = view.fields?.(msg) ?? {};
    for (const name of Object.keys(fields)) fieldNames.add(name);
    m = messages.length;
    const bg = view.background?.(input.events[event] as MessageEvent<M>) ?? false;
    messages.push({ label: view.label(msg), detail: view.detail?.(msg) ?? view.label(msg), cat: categories.indexOf(category), fields, bg, send: event, ends: [] });
    messageIndex.set(id, m);
    return m;
  };

  const events: ModelEvent[] = input.events.map((e, i): ModelEvent => {
    switch (e.kind) {
      case 'send':
      case 'deliver':
      case 'duplicate':
      case 'drop': {
        const m = messageOf(e.id, e.msg, i);
        if (e.kind === 'deliver' || e.kind === 'drop') messages[m]!.ends.push(i);
        const kind = e.kind === 'duplicate' ? 'dup' : e.kind;
        return { t: e.t, k: kind, lane: lane(e.from), to: lane(e.to), m, ...(e.kind === 'drop' ? { reason: e.reason } : {}) };
      }
      case 'crash':
      case 'restart':
        return { t: e.t, k: e.kind, lane: lane(e.node) };
      case 'partition-start':
      case 'partition-end':
        return { t: e.t, k: e.kind === 'partition-start' ? 'part' : 'heal', groups: e.groups.map((g) => g.map(lane)) };
      case 'note': {
        const mark = view.mark?.(e);
        if (mark?.fields) for (const name of Object.keys(mark.fields)) fieldNames.add(name);
        return { t: e.t, k: 'note', lane: lane(e.node), ...(mark ? { mark: { text: mark.text, fields: mark.fields ?? {}, strong: mark.strong ?? false } } : {}) };
      }
      case 'end':
        return { t: e.t, k: 'end', reason: e.reason };
    }
  });

  const highlights: ModelHighlight[] = (input.highlights ?? []).map((h) => ({
    role: h.role,
    title: h.title,
    text: h.text ?? '',
    events: h.events.filter((i) => i >= 0 && i < events.length),
    lanes: (h.lanes ?? []).map(lane),
    tag: h.tag ?? '',
  }));

  return {
    title: input.title,
    subtitle: input.subtitle ?? '',
    timeUnit: input.timeUnit ?? 'ms',
    lanes: lanes.map((l) => ({ id: l.id, group: l.group })),
    groups: [...new Set(lanes.map((l) => l.group))],
    categories,
    fieldNames: [...fieldNames].sort(),
    events,
    messages,
    operations: (input.operations ?? []).map((op) => ({
      lane: lane(op.lane),
      start: op.start,
      end: op.end ?? -1,
      label: op.label,
      result: op.result ?? '',
      failed: op.failed ?? false,
    })),
    highlights,
    explanation: [...(input.explanation ?? [])],
    ...(input.focus ? { focus: input.focus } : {}),
  };
}
