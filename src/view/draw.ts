/**
 * Lays out and draws a message-sequence (Lamport) diagram as SVG markup: one vertical lane per
 * node, time going down, an arrow per message from its send to its delivery.
 *
 * Time goes down by *rows*, not in proportion to time: events are taken in order and packed
 * into rows, a new row starting when the time changes, when the event's lane is already used
 * in the row, or when a message would arrive in the row it was sent in (so every arrow points
 * down and causality reads top to bottom). A pause in the run (`GAP` or more time units between
 * two rows) is drawn as a dotted line with its length, and the time axis on the left gives each
 * row its time. This keeps a burst of a hundred messages in one millisecond as readable as a
 * quiet second, which a proportional axis cannot do.
 *
 * Long stretches of background traffic (rows in which only messages the emulation calls
 * background happen, e.g. catch-up polling) are folded into one row that says what it hides;
 * the reader can open each fold. Filters hide lanes, or keep only the messages and marks whose
 * field has a value (e.g. round 3).
 *
 * This module has no imports and touches no DOM: the same code draws the SVG export and the
 * page's first paint in Node, and redraws the page in the browser (./page.ts inlines it).
 */

export type Fields = Readonly<Record<string, string | number>>;

/** One event of the model; `lane`, `to` and `groups` are lane indices. */
export interface ModelEvent {
  readonly t: number;
  readonly k: 'send' | 'deliver' | 'drop' | 'dup' | 'crash' | 'restart' | 'part' | 'heal' | 'note' | 'end';
  readonly lane?: number;
  readonly to?: number;
  /** Index in `messages` (message events). */
  readonly m?: number;
  readonly reason?: string;
  readonly groups?: readonly (readonly number[])[];
  readonly mark?: { readonly text: string; readonly fields: Fields; readonly strong: boolean };
}

export interface ModelMessage {
  readonly label: string;
  readonly detail: string;
  /** Index in `categories`. */
  readonly cat: number;
  readonly fields: Fields;
  readonly bg: boolean;
  /** Index of the send event; `ends` are its deliveries and drops. */
  readonly send: number;
  readonly ends: number[];
}

export interface ModelOperation {
  readonly lane: number;
  readonly start: number;
  /** -1: never returned. */
  readonly end: number;
  readonly label: string;
  readonly result: string;
  readonly failed: boolean;
}

export interface ModelHighlight {
  readonly role: 'violation' | 'evidence' | 'fault';
  readonly title: string;
  readonly text: string;
  readonly events: readonly number[];
  readonly lanes: readonly number[];
  readonly tag: string;
}

/** Everything the page needs, as plain data (it is embedded as JSON). */
export interface DiagramModel {
  readonly title: string;
  readonly subtitle: string;
  readonly timeUnit: string;
  readonly lanes: readonly { readonly id: string; readonly group: string }[];
  readonly groups: readonly string[];
  readonly categories: readonly string[];
  readonly fieldNames: readonly string[];
  readonly events: readonly ModelEvent[];
  readonly messages: readonly ModelMessage[];
  readonly operations: readonly ModelOperation[];
  readonly highlights: readonly ModelHighlight[];
  readonly explanation: readonly string[];
  /** A filter that shows the violation best (e.g. its round), offered as one button. */
  readonly focus?: { readonly field: string; readonly value: string };
}

/** What the reader chose: hidden lanes, a field filter, folding. */
export interface ViewState {
  readonly hiddenLanes: readonly number[];
  readonly filter?: { readonly field: string; readonly value: string };
  readonly fold: boolean;
  /** Folds the reader opened, by the index of their first event. */
  readonly unfolded: readonly number[];
}

export const DEFAULT_VIEW: ViewState = { hiddenLanes: [], fold: true, unfolded: [] };

export interface Drawing {
  /** Legend and lane names; the page keeps it on screen while the body scrolls. */
  readonly header: string;
  readonly body: string;
  readonly width: number;
  readonly headerHeight: number;
  readonly bodyHeight: number;
  /** y of each drawn event in the body, by event index. */
  readonly y: Readonly<Record<number, number>>;
  /** Messages drawn, folded rows drawn. */
  readonly drawnMessages: number;
  readonly folds: number;
}

// ---- geometry -------------------------------------------------------------------------------
const GUTTER = 70;
const LANE_W = 140;
const ROW_H = 18;
const FOLD_H = 20;
const GAP_H = 16;
/** Time units between two rows from which the pause is drawn. */
const GAP = 25;
/** Rows of background traffic from which a stretch is folded. */
const FOLD_MIN = 3;
const LEGEND_H = 22;
const HEADER_H = LEGEND_H + 46;
/** Width of one character of the monospace font, at 10px (0.6em, with a margin). */
const CHAR_W = 6.2;

const PALETTE = ['#1f77b4', '#2ca02c', '#9467bd', '#8c564b', '#17becf', '#7f7f7f', '#bcbd22', '#e377c2', '#393b79', '#637939'];
const GROUP_COLOURS = ['#4e79a7', '#59a14f', '#b07aa1', '#9c755f', '#76b7b2', '#edc948', '#bab0ac', '#e15759'];
const EVIDENCE_COLOURS = ['#1f5fbf', '#8e24aa', '#00897b', '#6d4c41'];
const TINTS = ['#dbe9ff', '#ffe7b3', '#d9f2dc', '#f6d9ef', '#e8e8e8'];
const VIOLATION = '#d62728';
const FAULT = '#f28e00';

/** The colour of highlight `j` (violation red, faults orange, evidence one colour each). */
export function highlightColour(model: DiagramModel, j: number): string {
  const h = model.highlights[j]!;
  if (h.role === 'violation') return VIOLATION;
  if (h.role === 'fault') return FAULT;
  const k = model.highlights.slice(0, j).filter((x) => x.role === 'evidence').length;
  return EVIDENCE_COLOURS[k % EVIDENCE_COLOURS.length]!;
}

/**
 * The violations, first in time first: each violation highlight with the event that broke the
 * property (its last: the events before it are what it rests on). The page's `v` goes to the
 * first, and on to the next each time.
 */
export function violationsInTime(model: DiagramModel): { readonly highlight: number; readonly event: number }[] {
  return model.highlights
    .flatMap((h, highlight) => (h.role === 'violation' && h.events.length > 0 ? [{ highlight, event: Math.max(...h.events) }] : []))
    .sort((a, b) => a.event - b.event || a.highlight - b.highlight);
}

/** What the status bar says when `v` shows the k-th violation in time (from 0). */
export function violationStatus(model: DiagramModel, k: number): string {
  const list = violationsInTime(model);
  const h = model.highlights[list[k]!.highlight]!;
  const which = list.length === 1 ? 'the violation' : `violation ${k + 1} of ${list.length}${k === 0 ? ', the first in time' : ''} (v: the next)`;
  return `${which}: ${h.text || h.title}`;
}

export const categoryColour = (i: number): string => PALETTE[i % PALETTE.length]!;
export const groupColour = (i: number): string => GROUP_COLOURS[i % GROUP_COLOURS.length]!;

/** The CSS of the drawing (inlined in the page and in the standalone SVG). */
export function diagramCss(model: DiagramModel): string {
  const cats = model.categories.map((_, i) => `.c${i}{stroke:${categoryColour(i)}}.c${i} text{fill:${categoryColour(i)};stroke:none}`).join('');
  return (
    `svg text{font:10px ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;fill:#222}` +
    `.lane{stroke:#b8b8b8;stroke-width:1}.down{stroke:${VIOLATION};stroke-width:2;stroke-dasharray:3 3}` +
    `.msg line,.msg path{stroke-width:1.2;fill:none}.msg .dup{stroke-dasharray:5 3}.msg .lost{stroke-dasharray:2 2}` +
    `.msg text{paint-order:stroke;stroke:#fff;stroke-width:3px}.x{stroke:${VIOLATION};stroke-width:1.6}` +
    `.mark rect{fill:#fff;stroke:#999}.mark.strong rect{stroke:#222}.mark.strong text{font-weight:bold}` +
    `.op{opacity:.35}.op.failed{fill:${VIOLATION}}.result{fill:#444}.fold rect{fill:#f1f1f1;stroke:#ccc;cursor:pointer}.fold text{fill:#555}` +
    `.gap{stroke:#bbb;stroke-dasharray:1 3}.axis{fill:#777}.band text{fill:#555}.crash{fill:${VIOLATION}}.restart{fill:#2e7d32}` +
    `.hl line,.hl path{stroke-width:4;fill:none;opacity:.75}.hl circle{fill:none;stroke-width:3}.hl text{font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px}` +
    `.legend text{fill:#333}.name{font-weight:bold}` +
    cats
  );
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
const fit = (s: string, chars: number): string => (s.length <= chars ? s : `${s.slice(0, Math.max(1, chars - 1))}…`);
const px = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

// ---- layout ---------------------------------------------------------------------------------

interface Row {
  readonly t: number;
  readonly first: number;
  readonly items: number[];
  readonly used: Set<number>;
  /** Lanes whose only items in the row are sends (a broadcast shares one row). */
  readonly sending: Set<number>;
  full: boolean;
  /** Every item is a background message event (and none is highlighted). */
  bg: boolean;
}

/** A row, or a fold of several background rows. */
interface Segment {
  readonly t: number;
  readonly tEnd: number;
  readonly rows: Row[];
  readonly fold: boolean;
  y: number;
}

interface Layout {
  readonly lanes: number[];
  readonly x: Map<number, number>;
  readonly segments: Segment[];
  /** The y of every placed event. */
  readonly y: Map<number, number>;
  readonly height: number;
  readonly gaps: { y: number; dt: number }[];
}

function layout(model: DiagramModel, view: ViewState): Layout {
  const hidden = new Set(view.hiddenLanes);
  const lanes = model.lanes.map((_, i) => i).filter((i) => !hidden.has(i));
  const x = new Map(lanes.map((l, k) => [l, GUTTER + LANE_W / 2 + k * LANE_W]));
  const highlighted = new Set(model.highlights.flatMap((h) => h.events));
  const opEnds = new Set(model.operations.flatMap((op) => [op.start, op.end]));
  const filter = view.filter;
  const passes = (fields: Fields): boolean => !filter || (fields[filter.field] !== undefined && String(fields[filter.field]) === filter.value);
  // A highlighted message is shown whatever the field filter says.
  const messageShown = model.messages.map((msg) => {
    const send = model.events[msg.send]!;
    const pointedAt = highlighted.has(msg.send) || msg.ends.some((i) => highlighted.has(i));
    return x.has(send.lane!) && x.has(send.to!) && (passes(msg.fields) || pointedAt);
  });

  const rows: Row[] = [];
  const rowOf = new Map<number, Row>();
  const place = (i: number, lanesUsed: number[] | 'full', bg: boolean, after?: Row): void => {
    const e = model.events[i]!;
    let row = rows[rows.length - 1];
    const full = lanesUsed === 'full';
    const send = e.k === 'send';
    const taken = (l: number): boolean => row!.used.has(l) && !(send && row!.sending.has(l));
    const clash = !row || row.t !== e.t || row.full || full || (after !== undefined && after === row) || (lanesUsed as number[]).some(taken);
    if (clash) {
      row = { t: e.t, first: i, items: [], used: new Set(), sending: new Set(), full, bg: true };
      rows.push(row);
    }
    row.items.push(i);
    if (!full) {
      for (const l of lanesUsed as number[]) {
        if (send && !row.used.has(l)) row.sending.add(l);
        else if (!send) row.sending.delete(l);
        row.used.add(l);
      }
    }
    row.bg = row.bg && bg && !highlighted.has(i);
    rowOf.set(i, row);
  };

  model.events.forEach((e, i) => {
    switch (e.k) {
      case 'send':
        if (messageShown[e.m!]) place(i, [e.lane!], model.messages[e.m!]!.bg);
        return;
      case 'deliver':
        if (messageShown[e.m!]) place(i, [e.to!], model.messages[e.m!]!.bg, rowOf.get(model.messages[e.m!]!.send));
        return;
      case 'drop': {
        const msg = model.messages[e.m!]!;
        // Lost on the way out: drawn as a stub from the send; dropped on arrival: at the receiver.
        if (messageShown[e.m!] && model.events[msg.send]!.t !== e.t) place(i, [e.to!], msg.bg, rowOf.get(msg.send));
        return;
      }
      case 'crash':
      case 'restart':
        if (x.has(e.lane!)) place(i, [e.lane!], false);
        return;
      case 'part':
      case 'heal':
      case 'end':
        place(i, 'full', false);
        return;
      case 'note': {
        if (!x.has(e.lane!)) return;
        const shown = (e.mark && passes(e.mark.fields)) || (!filter && opEnds.has(i)) || highlighted.has(i);
        if (shown) place(i, [e.lane!], false);
        return;
      }
      case 'dup':
        return;
    }
  });

  const segments: Segment[] = [];
  const unfolded = new Set(view.unfolded);
  for (let r = 0; r < rows.length; ) {
    let end = r;
    while (end < rows.length && rows[end]!.bg) end++;
    const run = rows.slice(r, end);
    if (view.fold && run.length >= FOLD_MIN && !unfolded.has(run[0]!.first)) {
      segments.push({ t: run[0]!.t, tEnd: run[run.length - 1]!.t, rows: run, fold: true, y: 0 });
      r = end;
    } else {
      // Not a long enough run, or one the reader opened: its rows one by one.
      for (const row of run.length > 0 ? run : [rows[r]!]) segments.push({ t: row.t, tEnd: row.t, rows: [row], fold: false, y: 0 });
      r = Math.max(end, r + 1);
    }
  }

  const y = new Map<number, number>();
  const gaps: { y: number; dt: number }[] = [];
  let cursor = 12;
  let lastT: number | undefined;
  for (const seg of segments) {
    if (lastT !== undefined && seg.t - lastT >= GAP) {
      gaps.push({ y: cursor + GAP_H / 2 - 4, dt: seg.t - lastT });
      cursor += GAP_H;
    }
    seg.y = cursor + (seg.fold ? FOLD_H : ROW_H) / 2;
    for (const row of seg.rows) for (const i of row.items) y.set(i, seg.y);
    cursor += seg.fold ? FOLD_H + 4 : ROW_H;
    lastT = seg.tEnd;
  }
  // Drops on the way out sit just below their send.
  model.messages.forEach((msg) => {
    const sendY = y.get(msg.send);
    if (sendY === undefined) return;
    for (const end of msg.ends) if (!y.has(end) && model.events[end]!.k === 'drop') y.set(end, sendY + 7);
  });
  return { lanes, x, segments, y, height: cursor + 16, gaps };
}

// ---- drawing --------------------------------------------------------------------------------

export function drawDiagram(model: DiagramModel, view: ViewState = DEFAULT_VIEW): Drawing {
  const L = layout(model, view);
  const width = GUTTER + Math.max(1, L.lanes.length) * LANE_W + 10;
  const bottom = L.height;
  const out: string[] = [];

  drawPartitions(model, L, bottom, out);
  // Time axis and pauses.
  let lastLabel = -100;
  let lastT: number | undefined;
  for (const seg of L.segments) {
    if (seg.t !== lastT && seg.y - lastLabel >= 13) {
      out.push(`<text class="axis" x="${GUTTER - 8}" y="${px(seg.y + 3)}" text-anchor="end">${seg.t}</text>`);
      lastLabel = seg.y;
    }
    lastT = seg.tEnd;
  }
  for (const g of L.gaps) {
    out.push(`<line class="gap" x1="${GUTTER}" x2="${width}" y1="${px(g.y)}" y2="${px(g.y)}"/><text class="axis" x="${GUTTER + 4}" y="${px(g.y - 2)}">+${g.dt} ${esc(model.timeUnit)}</text>`);
  }
  for (const l of L.lanes) out.push(`<line class="lane" x1="${L.x.get(l)}" x2="${L.x.get(l)}" y1="0" y2="${bottom}"/>`);
  drawCrashes(model, L, bottom, out);
  drawOperations(model, L, bottom, out);
  const drawn = drawMessages(model, L, out);
  drawMarks(model, L, out);
  drawHighlights(model, L, bottom, out);
  let folds = 0;
  for (const seg of L.segments) {
    if (!seg.fold) continue;
    folds++;
    const count = new Map<string, number>();
    let messages = 0;
    for (const row of seg.rows) {
      for (const i of row.items) {
        const e = model.events[i]!;
        if (e.k !== 'send') continue;
        messages++;
        const word = model.messages[e.m!]!.label.split(' ')[0]!;
        count.set(word, (count.get(word) ?? 0) + 1);
      }
    }
    const what = [...count].map(([w, n]) => `${w} ×${n}`).join(', ');
    const text = `⋯ ${messages} background message${messages === 1 ? '' : 's'} folded (${what}), t ${seg.t}–${seg.tEnd} ${model.timeUnit} · click to open`;
    out.push(
      `<g class="fold" data-fold="${seg.rows[0]!.first}"><rect x="${GUTTER}" y="${px(seg.y - FOLD_H / 2)}" width="${width - GUTTER - 4}" height="${FOLD_H}" rx="4"/>` +
        `<text x="${GUTTER + 8}" y="${px(seg.y + 3)}">${esc(text)}</text></g>`,
    );
  }
  const y: Record<number, number> = {};
  for (const [i, v] of L.y) y[i] = v;
  return { header: drawHeader(model, L, width), body: out.join(''), width, headerHeight: HEADER_H, bodyHeight: bottom, y, drawnMessages: drawn, folds };
}

/** The whole drawing as one standalone SVG document (for papers and slides). */
export function diagramSvg(model: DiagramModel, drawing: Drawing): string {
  const h = drawing.headerHeight + drawing.bodyHeight;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${drawing.width}" height="${h}" viewBox="0 0 ${drawing.width} ${h}">` +
    `<style>${diagramCss(model)}</style><rect width="100%" height="100%" fill="#fff"/>${markerDefs(model)}` +
    `<g>${drawing.header}</g><g transform="translate(0,${drawing.headerHeight})">${drawing.body}</g></svg>\n`
  );
}

/** Arrowheads: one per message category, one per highlight colour. */
export function markerDefs(model: DiagramModel): string {
  const colours = [...model.categories.map((_, i) => categoryColour(i)), ...model.highlights.map((_, j) => highlightColour(model, j))];
  const markers = [...new Set(colours)].map(
    (c) => `<marker id="a${c.slice(1)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${c}"/></marker>`,
  );
  return `<defs>${markers.join('')}</defs>`;
}

const arrowhead = (colour: string): string => `url(#a${colour.slice(1)})`;

function drawHeader(model: DiagramModel, L: Layout, width: number): string {
  const out: string[] = [];
  // Legend: message categories, then the symbols.
  let lx = 8;
  const item = (swatch: string, text: string): void => {
    out.push(`<g transform="translate(${px(lx)},12)">${swatch}<text x="22" y="4">${esc(text)}</text></g>`);
    lx += 30 + text.length * CHAR_W;
  };
  model.categories.forEach((c, i) => item(`<line x1="0" x2="18" y1="0" y2="0" stroke="${categoryColour(i)}" stroke-width="2" marker-end="${arrowhead(categoryColour(i))}"/>`, c));
  item(`<path class="x" d="M5,-4l8,8M13,-4l-8,8"/>`, 'dropped');
  item(`<line x1="0" x2="18" y1="0" y2="0" stroke="#555" stroke-dasharray="5 3"/>`, 'second copy');
  item(`<line x1="0" x2="18" y1="0" y2="0" class="down"/>`, 'crashed');
  item(`<rect x="0" y="-6" width="18" height="12" fill="${TINTS[0]}"/>`, 'partition');
  if (model.highlights.some((h) => h.role === 'violation')) item(`<circle cx="9" cy="0" r="6" fill="none" stroke="${VIOLATION}" stroke-width="3"/>`, 'violation');
  if (model.highlights.some((h) => h.role === 'fault')) item(`<line x1="0" x2="18" y1="0" y2="0" stroke="${FAULT}" stroke-width="4"/>`, 'injected fault');
  const legend = `<g class="legend">${out.join('')}</g>`;
  out.length = 0;
  out.push(legend);
  out.push(`<text class="axis" x="${GUTTER - 8}" y="${HEADER_H - 8}" text-anchor="end">${esc(axisTitle(model.timeUnit))}</text>`);
  for (const l of L.lanes) {
    const lane = model.lanes[l]!;
    const cx = L.x.get(l)!;
    const colour = groupColour(model.groups.indexOf(lane.group));
    out.push(
      `<g class="lanehead" data-lane="${l}"><rect x="${cx - LANE_W / 2 + 6}" y="${LEGEND_H + 4}" width="${LANE_W - 12}" height="20" rx="10" fill="${colour}"/>` +
        `<text class="name" x="${cx}" y="${LEGEND_H + 18}" text-anchor="middle" style="fill:#fff">${esc(fit(lane.id, 22))}</text></g>`,
    );
    const tags = model.highlights.map((h, j) => ({ h, j })).filter(({ h }) => h.lanes.includes(l));
    tags.forEach(({ h, j }, k) => {
      const text = h.tag || h.role;
      const w = text.length * CHAR_W + 10;
      const tx = cx - (tags.length * (w + 4)) / 2 + k * (w + 4);
      out.push(`<g class="tag"><rect x="${px(tx)}" y="${LEGEND_H + 27}" width="${px(w)}" height="14" rx="3" fill="${highlightColour(model, j)}"/><text x="${px(tx + 5)}" y="${LEGEND_H + 37}" style="fill:#fff">${esc(text)}</text></g>`);
    });
  }
  out.push(`<line x1="0" x2="${width}" y1="${HEADER_H - 1}" y2="${HEADER_H - 1}" stroke="#ddd"/>`);
  return out.join('');
}

function drawPartitions(model: DiagramModel, L: Layout, bottom: number, out: string[]): void {
  const open: { i: number; key: string }[] = [];
  const bands: { start: number; end: number | undefined }[] = [];
  model.events.forEach((e, i) => {
    if (e.k === 'part') open.push({ i, key: JSON.stringify(e.groups) });
    if (e.k === 'heal') {
      const k = open.findIndex((o) => o.key === JSON.stringify(e.groups));
      if (k >= 0) bands.push({ start: open.splice(k, 1)[0]!.i, end: i });
    }
  });
  for (const o of open) bands.push({ start: o.i, end: undefined });
  for (const band of bands) {
    const e = model.events[band.start]!;
    const y1 = L.y.get(band.start);
    if (y1 === undefined) continue;
    const y2 = band.end === undefined ? bottom : (L.y.get(band.end) ?? bottom);
    const groups = e.groups!;
    const inGroup = new Set(groups.flat());
    const rest = L.lanes.filter((l) => !inGroup.has(l));
    const all = rest.length > 0 ? [...groups, rest] : groups;
    const parts: string[] = [];
    all.forEach((g, k) => {
      for (const l of g) {
        const cx = L.x.get(l);
        if (cx !== undefined) parts.push(`<rect x="${cx - LANE_W / 2 + 3}" y="${px(y1)}" width="${LANE_W - 6}" height="${px(y2 - y1)}" fill="${TINTS[k % TINTS.length]}" opacity=".55"/>`);
      }
    });
    const names = all.map((g, k) => `{${g.map((l) => model.lanes[l]!.id).join(', ')}}${k === groups.length ? ' (the rest)' : ''}`).join(' | ');
    parts.push(`<text x="${GUTTER + 4}" y="${px(y1 + 3)}">partition ${esc(names)}</text>`);
    if (band.end !== undefined) parts.push(`<text x="${GUTTER + 4}" y="${px(y2 + 3)}">partition healed</text>`);
    out.push(`<g class="band" data-ev="${band.start}" id="ev-${band.start}">${parts.join('')}</g>`);
  }
}

function drawCrashes(model: DiagramModel, L: Layout, bottom: number, out: string[]): void {
  const down = new Map<number, number>();
  const segment = (lane: number, y1: number, y2: number): void => {
    const cx = L.x.get(lane)!;
    out.push(`<line class="down" x1="${cx}" x2="${cx}" y1="${px(y1)}" y2="${px(y2)}"/>`);
  };
  model.events.forEach((e, i) => {
    const y = L.y.get(i);
    if ((e.k !== 'crash' && e.k !== 'restart') || y === undefined) return;
    const cx = L.x.get(e.lane!)!;
    if (e.k === 'crash') {
      down.set(e.lane!, y);
      out.push(`<g class="crash" data-ev="${i}" id="ev-${i}"><path class="x" d="M${cx - 5},${px(y - 5)}l10,10M${cx + 5},${px(y - 5)}l-10,10"/><text x="${cx + 8}" y="${px(y + 3)}" class="crash">crash</text></g>`);
    } else {
      const from = down.get(e.lane!);
      if (from !== undefined) segment(e.lane!, from, y);
      down.delete(e.lane!);
      out.push(`<g class="restart" data-ev="${i}" id="ev-${i}"><circle cx="${cx}" cy="${px(y)}" r="4" fill="#2e7d32"/><text x="${cx + 8}" y="${px(y + 3)}" class="restart">restart</text></g>`);
    }
  });
  for (const [lane, from] of down) segment(lane, from, bottom);
}

function drawOperations(model: DiagramModel, L: Layout, bottom: number, out: string[]): void {
  model.operations.forEach((op, k) => {
    const cx = L.x.get(op.lane);
    const y1 = L.y.get(op.start);
    if (cx === undefined || y1 === undefined) return;
    const y2 = op.end >= 0 ? L.y.get(op.end) : bottom;
    if (y2 === undefined) return;
    const colour = groupColour(model.groups.indexOf(model.lanes[op.lane]!.group));
    const title = `${op.label}${op.result ? ` -> ${op.result}` : op.end < 0 ? ' (no reply)' : ''}`;
    out.push(
      `<g class="opspan" data-op="${k}"><title>${esc(title)}</title><rect class="op${op.failed ? ' failed' : ''}" x="${cx - 4}" y="${px(y1)}" width="8" height="${px(Math.max(2, y2 - y1))}" rx="3" fill="${colour}"/>` +
        (op.end >= 0 ? `<text class="result" x="${cx - 8}" y="${px(y2 + 3)}" text-anchor="end">${esc(fit(`→ ${op.result}`, 18))}</text>` : '') +
        `</g>`,
    );
  });
}

function drawMessages(model: DiagramModel, L: Layout, out: string[]): number {
  const labelled = new Set<string>();
  const chars = Math.floor((LANE_W - 14) / CHAR_W);
  let drawn = 0;
  model.messages.forEach((msg, m) => {
    const send = model.events[msg.send]!;
    const y1 = L.y.get(msg.send);
    const x1 = L.x.get(send.lane!);
    const x2 = L.x.get(send.to!);
    if (y1 === undefined || x1 === undefined || x2 === undefined) return;
    drawn++;
    const dir = x2 >= x1 ? 1 : -1;
    const parts: string[] = [`<title>${esc(`${model.lanes[send.lane!]!.id} → ${model.lanes[send.to!]!.id}: ${msg.detail}`)}</title>`];
    const head = arrowhead(categoryColour(msg.cat));
    let delivered = 0;
    for (const end of msg.ends) {
      const e = model.events[end]!;
      const y2 = L.y.get(end);
      if (y2 === undefined) continue;
      if (e.k === 'deliver') {
        parts.push(`<line${delivered > 0 ? ' class="dup"' : ''} x1="${x1}" y1="${px(y1)}" x2="${x2 - dir * 2}" y2="${px(y2)}" marker-end="${head}"/>`);
        delivered++;
      } else {
        const lost = e.t === send.t;
        const xe = lost ? x1 + (x2 - x1) * 0.3 : x2 - dir * 9;
        parts.push(`<line class="lost" x1="${x1}" y1="${px(y1)}" x2="${px(xe)}" y2="${px(y2)}"/><path class="x" d="M${px(xe - 4)},${px(y2 - 4)}l8,8M${px(xe + 4)},${px(y2 - 4)}l-8,8"/>`);
      }
    }
    if (msg.ends.length === 0) parts.push(`<line class="lost" x1="${x1}" y1="${px(y1)}" x2="${px(x1 + (x2 - x1) * 0.2)}" y2="${px(y1 + 6)}"/>`);
    // A broadcast (one sender, one row, one label) is labelled once.
    const groupKey = `${y1}|${send.lane}|${msg.label}|${dir}`;
    if (!labelled.has(groupKey)) {
      labelled.add(groupKey);
      parts.push(`<text x="${x1 + dir * 6}" y="${px(y1 - 3)}" text-anchor="${dir > 0 ? 'start' : 'end'}">${esc(fit(msg.label, chars))}</text>`);
    }
    out.push(`<g class="msg c${msg.cat}" data-m="${m}" data-ev="${msg.send}" id="ev-${msg.send}">${parts.join('')}</g>`);
  });
  return drawn;
}

function drawMarks(model: DiagramModel, L: Layout, out: string[]): void {
  model.events.forEach((e, i) => {
    const y = L.y.get(i);
    if (e.k !== 'note' || y === undefined || !e.mark) return;
    const cx = L.x.get(e.lane!)!;
    const text = fit(e.mark.text, Math.floor((LANE_W - 20) / CHAR_W));
    const w = text.length * CHAR_W + 8;
    out.push(
      `<g class="mark${e.mark.strong ? ' strong' : ''}" data-ev="${i}" id="ev-${i}"><title>${esc(e.mark.text)}</title>` +
        `<rect x="${cx + 6}" y="${px(y - 7)}" width="${px(w)}" height="14" rx="3"/><path d="M${cx},${px(y - 4)}l4,4l-4,4l-4,-4z" fill="#222"/>` +
        `<text x="${cx + 10}" y="${px(y + 3)}">${esc(text)}</text></g>`,
    );
  });
}

function drawHighlights(model: DiagramModel, L: Layout, bottom: number, out: string[]): void {
  /** How many rings an event has so far: several checks may name one step (rings nest, tags stack). */
  const rings = new Map<number, number>();
  model.highlights.forEach((h, j) => {
    const colour = highlightColour(model, j);
    const parts: string[] = [];
    for (const i of h.events) {
      const e = model.events[i]!;
      const y = L.y.get(i);
      if (y === undefined) continue;
      if (e.k === 'send' || e.k === 'deliver' || e.k === 'drop' || e.k === 'dup') {
        const msg = model.messages[e.m!]!;
        const send = model.events[msg.send]!;
        const y1 = L.y.get(msg.send);
        const x1 = L.x.get(send.lane!);
        const x2 = L.x.get(send.to!);
        if (y1 === undefined || x1 === undefined || x2 === undefined) continue;
        const ends = e.k === 'send' || e.k === 'dup' ? msg.ends : [i];
        const targets = ends.length > 0 ? ends : [msg.send];
        for (const end of targets) {
          const y2 = L.y.get(end) ?? y1 + 7;
          const ex = model.events[end]!.k === 'deliver' ? x2 : x1 + (x2 - x1) * 0.3;
          parts.push(`<line x1="${x1}" y1="${px(y1)}" x2="${px(ex)}" y2="${px(y2)}" stroke="${colour}" marker-end="${arrowhead(colour)}"/>`);
        }
        if (h.role === 'fault') parts.push(`<text x="${px((x1 + x2) / 2)}" y="${px(y1 + 12)}" text-anchor="middle" style="fill:${colour}">${esc(fit(h.tag || 'fault', 24))}</text>`);
      } else {
        const cx = e.lane !== undefined ? L.x.get(e.lane) : GUTTER + 10;
        if (cx === undefined) continue;
        const k = rings.get(i) ?? 0;
        rings.set(i, k + 1);
        parts.push(`<circle data-ring="${i}" cx="${cx}" cy="${px(y)}" r="${9 + 3 * k}" stroke="${colour}"/>`);
        if (h.role === 'violation') parts.push(`<text x="${cx - 12 - 3 * k}" y="${px(y + 3 + 11 * k)}" text-anchor="end" style="fill:${colour}">${esc(fit(h.tag || 'violation', 20))}</text>`);
      }
    }
    for (const l of h.lanes) {
      const cx = L.x.get(l);
      if (cx !== undefined) parts.push(`<line x1="${cx}" x2="${cx}" y1="0" y2="${bottom}" stroke="${colour}" style="stroke-width:2;opacity:.25"/>`);
    }
    out.push(`<g class="hl hl-${h.role}" data-h="${j}">${parts.join('')}</g>`);
  });
}

/** The time axis's title: `t (ms)`; a replayed path of the model checker, whose time is the
 *  step's number (virtual time is abstract there), says `step`. */
export const axisTitle = (unit: string): string => (unit === 'step' ? 'step' : `t (${unit})`);
