/// <reference lib="dom" />
/**
 * The diagram page's script (runs in the browser; ./page.ts inlines it after ./draw.ts, whose
 * functions it calls). It keeps the reader's choices — hidden lanes, a field filter, folds
 * opened, zoom — redraws with `drawDiagram` when they change, and moves to what matters:
 * `v` the first violation in time (again: the next one), `f` the next injected fault, `m` the
 * next mark (a decision), `c` the next crash; a click on an arrow or a badge shows its full
 * description.
 */
import { DEFAULT_VIEW, diagramSvg, drawDiagram, markerDefs, violationsInTime, violationStatus, type DiagramModel, type Drawing, type ViewState } from './draw.js';

export function startDiagramPage(): void {
  const model = JSON.parse(document.getElementById('model')!.textContent!) as DiagramModel;
  const $ = <T extends Element>(selector: string): T => document.querySelector<T>(selector)!;
  const head = $<HTMLDivElement>('#head');
  const body = $<HTMLDivElement>('#body');
  const details = $<HTMLDivElement>('#details');
  let view: ViewState = DEFAULT_VIEW;
  let zoom = 1;
  let drawing: Drawing = drawDiagram(model, view);

  function render(): void {
    drawing = drawDiagram(model, view);
    const svg = (inner: string, height: number, defs: string): string =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="${drawing.width * zoom}" height="${height * zoom}" viewBox="0 0 ${drawing.width} ${height}">${defs}${inner}</svg>`;
    head.innerHTML = svg(drawing.header, drawing.headerHeight, markerDefs(model));
    body.innerHTML = svg(drawing.body, drawing.bodyHeight, markerDefs(model));
    $<HTMLSpanElement>('#count').textContent = `${drawing.drawnMessages} of ${model.messages.length} messages drawn, ${drawing.folds} fold(s)`;
  }

  function setZoom(z: number): void {
    const scroller = $<HTMLDivElement>('#scroller');
    const centre = (scroller.scrollTop + scroller.clientHeight / 2) / zoom;
    zoom = Math.min(4, Math.max(0.1, z));
    for (const svg of document.querySelectorAll<SVGSVGElement>('#head svg, #body svg')) {
      const box = svg.viewBox.baseVal;
      svg.setAttribute('width', String(box.width * zoom));
      svg.setAttribute('height', String(box.height * zoom));
    }
    scroller.scrollTop = centre * zoom - scroller.clientHeight / 2;
    $<HTMLSpanElement>('#zoom').textContent = `${Math.round(zoom * 100)}%`;
  }

  /** Scrolls event `i` into the middle of the view and makes its drawing blink. */
  function show(i: number, text?: string): boolean {
    let y = drawing.y[i];
    if (y === undefined) {
      view = { ...view, hiddenLanes: [], filter: undefined };
      syncControls();
      render();
      y = drawing.y[i];
      if (y === undefined) return false;
    }
    const scroller = $<HTMLDivElement>('#scroller');
    scroller.scrollTop = y * zoom - scroller.clientHeight / 2;
    for (const el of document.querySelectorAll('.flash')) el.classList.remove('flash');
    // The event's own drawing, and the rings around it (a step without a badge is drawn as its rings).
    for (const el of document.querySelectorAll(`#ev-${i}, [data-ring="${i}"]`)) el.classList.add('flash');
    if (text !== undefined) details.textContent = text;
    return true;
  }

  /** The first event of `events` below the middle of the view (or the first of all). */
  function next(events: number[]): void {
    const scroller = $<HTMLDivElement>('#scroller');
    const middle = (scroller.scrollTop + scroller.clientHeight / 2) / zoom + 1;
    const drawn = events.filter((i) => drawing.y[i] !== undefined).sort((a, b) => drawing.y[a]! - drawing.y[b]!);
    const target = drawn.find((i) => drawing.y[i]! > middle) ?? drawn[0] ?? events[0];
    if (target !== undefined) show(target, describeEvent(target));
  }

  const highlighted = (role: string): number[] => model.highlights.filter((h) => h.role === role).flatMap((h) => [...h.events]);
  const violations = violationsInTime(model);
  /** The violation `v` showed last (-1: none yet). */
  let violationShown = -1;
  const jumps: Record<string, () => void> = {
    violation: () => {
      if (violations.length === 0) return;
      violationShown = (violationShown + 1) % violations.length;
      show(violations[violationShown]!.event, violationStatus(model, violationShown));
    },
    fault: () => next(highlighted('fault')),
    mark: () => next(model.events.flatMap((e, i) => (e.mark?.strong ? [i] : []))),
    crash: () => next(model.events.flatMap((e, i) => (e.k === 'crash' ? [i] : []))),
  };

  /** `t=12`, or on a model checker's path (time: the step's number) `step 12`. */
  const when = (t: number): string => (model.timeUnit === 'step' ? `step ${t}` : `t=${t}`);

  function describeEvent(i: number): string {
    const e = model.events[i]!;
    const lane = (l: number | undefined): string => (l === undefined ? '' : model.lanes[l]!.id);
    if (e.m !== undefined) {
      const msg = model.messages[e.m]!;
      const send = model.events[msg.send]!;
      const fate = msg.ends.map((k) => {
        const end = model.events[k]!;
        return end.k === 'deliver' ? `delivered ${when(end.t)}` : `dropped ${when(end.t)} (${end.reason})`;
      });
      const fields = Object.entries(msg.fields).map(([k, v]) => `${k}=${v}`).join(' ');
      return `${lane(send.lane)} → ${lane(send.to)}: ${msg.detail}. Sent ${when(send.t)}; ${fate.join(', ') || 'never arrived'}${fields ? `. [${fields}]` : ''}`;
    }
    if (e.mark) return `${when(e.t)} ${lane(e.lane)}: ${e.mark.text}`;
    const ringed = model.highlights.filter((h) => h.events.includes(i)).map((h) => h.tag || h.title);
    if (ringed.length > 0) return `${when(e.t)} ${lane(e.lane)}: a step named by ${ringed.join(', ')}`;
    return `${when(e.t)} ${e.k} ${lane(e.lane)}`;
  }

  function syncControls(): void {
    for (const box of document.querySelectorAll<HTMLInputElement>('input[data-lane]')) box.checked = !view.hiddenLanes.includes(Number(box.dataset.lane));
    const field = $<HTMLSelectElement>('#field');
    field.value = view.filter?.field ?? '';
    fillValues();
    $<HTMLSelectElement>('#value').value = view.filter?.value ?? '';
    $<HTMLInputElement>('#fold').checked = view.fold;
  }

  function fillValues(): void {
    const field = $<HTMLSelectElement>('#field').value;
    const values = new Set<string>();
    if (field) {
      for (const msg of model.messages) if (msg.fields[field] !== undefined) values.add(String(msg.fields[field]));
      for (const e of model.events) if (e.mark?.fields[field] !== undefined) values.add(String(e.mark.fields[field]));
    }
    const sorted = [...values].sort((a, b) => (Number.isNaN(Number(a)) || Number.isNaN(Number(b)) ? a.localeCompare(b) : Number(a) - Number(b)));
    $<HTMLSelectElement>('#value').innerHTML = `<option value="">all</option>${sorted.map((v) => `<option>${v.replace(/[&<>"]/g, '')}</option>`).join('')}`;
  }

  // ---- wiring ----
  for (const box of document.querySelectorAll<HTMLInputElement>('input[data-lane]')) {
    box.addEventListener('change', () => {
      const lane = Number(box.dataset.lane);
      const hidden = view.hiddenLanes.filter((l) => l !== lane);
      view = { ...view, hiddenLanes: box.checked ? hidden : [...hidden, lane] };
      render();
    });
  }
  $<HTMLSelectElement>('#field').addEventListener('change', () => {
    fillValues();
    view = { ...view, filter: undefined };
    render();
  });
  $<HTMLSelectElement>('#value').addEventListener('change', () => {
    const field = $<HTMLSelectElement>('#field').value;
    const value = $<HTMLSelectElement>('#value').value;
    view = { ...view, filter: field && value ? { field, value } : undefined };
    render();
  });
  $<HTMLInputElement>('#fold').addEventListener('change', (event) => {
    view = { ...view, fold: (event.target as HTMLInputElement).checked, unfolded: [] };
    render();
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-jump]')) button.addEventListener('click', () => jumps[button.dataset.jump!]!());
  for (const link of document.querySelectorAll<HTMLElement>('[data-show]')) {
    link.addEventListener('click', () => {
      const h = model.highlights[Number(link.dataset.show)]!;
      const target = [...h.events].sort((a, b) => a - b)[0];
      if (target !== undefined) show(target, h.text || h.title);
    });
  }
  document.getElementById('focus')?.addEventListener('click', (event) => {
    const button = event.currentTarget as HTMLButtonElement;
    view = { ...view, filter: { field: button.dataset.field!, value: button.dataset.value! } };
    syncControls();
    render();
  });
  $<HTMLButtonElement>('#zoom-in').addEventListener('click', () => setZoom(zoom * 1.25));
  $<HTMLButtonElement>('#zoom-out').addEventListener('click', () => setZoom(zoom / 1.25));
  $<HTMLButtonElement>('#zoom-fit').addEventListener('click', () => setZoom(Math.min(1, $<HTMLDivElement>('#scroller').clientWidth / drawing.width)));
  $<HTMLDivElement>('#scroller').addEventListener(
    'wheel',
    (event) => {
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      setZoom(zoom * (event.deltaY < 0 ? 1.1 : 1 / 1.1));
    },
    { passive: false },
  );
  body.addEventListener('click', (event) => {
    const target = event.target as Element;
    const fold = target.closest('[data-fold]');
    if (fold) {
      view = { ...view, unfolded: [...view.unfolded, Number(fold.getAttribute('data-fold'))] };
      render();
      return;
    }
    const hit = target.closest('[data-ev], [data-ring]');
    if (hit) details.textContent = describeEvent(Number(hit.getAttribute('data-ev') ?? hit.getAttribute('data-ring')));
  });
  $<HTMLButtonElement>('#export').addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([diagramSvg(model, drawing)], { type: 'image/svg+xml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'mpkv-diagram.svg';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  document.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLSelectElement || event.ctrlKey || event.metaKey || event.altKey) return;
    const action = { v: jumps.violation, f: jumps.fault, m: jumps.mark, c: jumps.crash, '+': () => setZoom(zoom * 1.25), '-': () => setZoom(zoom / 1.25) }[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  render();
  // A diagram wider than the window starts fitted to it (never below 60%: labels stay legible).
  const room = $<HTMLDivElement>('#scroller').clientWidth;
  if (drawing.width > room) setZoom(Math.max(0.6, room / drawing.width));
  document.body.dataset.ready = 'true';
}
