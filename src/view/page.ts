/**
 * The diagram as one self-contained HTML page: the explanation and its highlights, the
 * controls (jumps, zoom, fold, filters, lanes, SVG export), the drawing, the model as JSON
 * and the script — no network, nothing beside it.
 *
 * The drawing is done once here (so the page shows without its script) and again by the
 * script whenever the reader changes the view. The script is the compiled ./draw.js followed
 * by ./browser.js, read from beside this module, with their module syntax removed: the page
 * redraws with the very code that drew it.
 */
import { readFileSync } from 'node:fs';
import { categoryColour, diagramCss, drawDiagram, groupColour, highlightColour, markerDefs, type DiagramModel } from './draw.js';

let script: string | undefined;

/** draw.js + browser.js as one classic script (module syntax removed; see the module doc). */
function pageScript(): string {
  script ??= ['./draw.js', './browser.js']
    .map((file) =>
      readFileSync(new URL(file, import.meta.url), 'utf8')
        .split('\n')
        .filter((line) => !/^import\s.*from\s.*;\s*$/.test(line) && !/^\/\/# sourceMappingURL=/.test(line) && !/^export\s*\{.*\};?\s*$/.test(line))
        .map((line) => line.replace(/^export\s+(function|const|let|class|async function)\s/, '$1 '))
        .join('\n'),
    )
    .join('\n')
    .replace(/<\/script/gi, '<\\/script');
  return script;
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function renderDiagramPage(model: DiagramModel): string {
  const drawing = drawDiagram(model);
  const svg = (inner: string, height: number): string =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="${drawing.width}" height="${height}" viewBox="0 0 ${drawing.width} ${height}">${markerDefs(model)}${inner}</svg>`;
  const json = JSON.stringify(model).replace(/</g, '\\u003c');
  const violation = model.highlights.some((h) => h.role === 'violation');
  const faults = model.highlights.some((h) => h.role === 'fault');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(model.title)}</title>
<style>${PAGE_CSS}${diagramCss(model)}</style>
</head><body>
<header><h1>${esc(model.title)}</h1>${model.subtitle ? `<p class="sub">${esc(model.subtitle)}</p>` : ''}</header>
${explanationHtml(model)}
<nav id="controls">
  <span class="group">jump:
    <button data-jump="violation" title="the first violation in time; again: the next (key v)"${violation ? '' : ' disabled'}>violation <kbd>v</kbd></button>
    <button data-jump="fault" title="the next injected fault (key f)"${faults ? '' : ' disabled'}>next fault <kbd>f</kbd></button>
    <button data-jump="mark" title="the next decision (key m)">next decision <kbd>m</kbd></button>
    <button data-jump="crash" title="the next crash (key c)">next crash <kbd>c</kbd></button></span>
  <span class="group">zoom: <button id="zoom-out" title="key -">−</button><span id="zoom">100%</span><button id="zoom-in" title="key +">+</button><button id="zoom-fit">fit width</button></span>
  <label class="group"><input type="checkbox" id="fold" checked> fold background traffic</label>
  <span class="group">filter: <select id="field"><option value="">(none)</option>${model.fieldNames.map((f) => `<option>${esc(f)}</option>`).join('')}</select>
    = <select id="value"><option value="">all</option></select></span>
  <button id="export" class="group">download SVG</button>
  <span id="count" class="group"></span>
  <details class="lanes"><summary>lanes</summary>${lanesHtml(model)}</details>
</nav>
<div id="details" aria-live="polite">Click an arrow or a badge for its details.</div>
<div id="scroller"><div id="head">${svg(drawing.header, drawing.headerHeight)}</div><div id="body">${svg(drawing.body, drawing.bodyHeight)}</div></div>
<script type="application/json" id="model">${json}</script>
<script>
${pageScript()}
startDiagramPage();
</script>
</body></html>
`;
}

function explanationHtml(model: DiagramModel): string {
  if (model.explanation.length === 0 && model.highlights.length === 0) return '';
  const lines = model.explanation.map((line) => `<p${/VIOLATED|FAIL/.test(line) ? ' class="bad"' : ''}>${esc(line)}</p>`).join('');
  const items = model.highlights
    .map((h, j) => `<li><span class="swatch" style="background:${highlightColour(model, j)}"></span><a href="#" data-show="${j}" class="hl-link hl-${h.role}">${esc(h.title)}</a></li>`)
    .join('');
  const focus = model.focus ? `<p><button id="focus" data-field="${esc(model.focus.field)}" data-value="${esc(model.focus.value)}">show only ${esc(model.focus.field)} ${esc(model.focus.value)}</button> (and what the highlights point at)</p>` : '';
  return `<section id="explanation">${lines}${items ? `<ul>${items}</ul>` : ''}${focus}</section>`;
}

function lanesHtml(model: DiagramModel): string {
  return model.groups
    .map((group, g) => {
      const boxes = model.lanes
        .map((lane, i) => (lane.group === group ? `<label><input type="checkbox" data-lane="${i}" checked> ${esc(lane.id)}</label>` : ''))
        .join(' ');
      return `<div><b style="color:${groupColour(g)}">${esc(group)}</b> ${boxes}</div>`;
    })
    .join('') + `<div class="cats">${model.categories.map((c, i) => `<span style="color:${categoryColour(i)}">■ ${esc(c)}</span>`).join(' ')}</div>`;
}

const PAGE_CSS = `
body{font:14px system-ui,sans-serif;margin:0;color:#222;display:flex;flex-direction:column;height:100vh}
header{padding:.4em 1em 0}h1{font-size:1.2em;margin:.2em 0}.sub{margin:0 0 .3em;color:#555}
#explanation{margin:.3em 1em;padding:.4em .8em;border-left:4px solid #d62728;background:#fff5f5;max-height:30vh;overflow:auto}
#explanation p{margin:.25em 0}#explanation .bad{font-weight:bold;color:#a01010}#explanation ul{margin:.3em 0;padding-left:1.2em;list-style:none}
#explanation li{margin:.15em 0}.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.4em;vertical-align:-.1em;border-radius:2px}
#controls{display:flex;flex-wrap:wrap;gap:.4em 1em;align-items:center;padding:.3em 1em;border-bottom:1px solid #ddd;font-size:13px}
#controls button{font:inherit;padding:.1em .5em}kbd{font-size:.8em;border:1px solid #bbb;border-radius:3px;padding:0 .2em}
.lanes{width:100%}.lanes div{margin:.15em 0}.lanes label{margin-right:.6em;white-space:nowrap}
#details{padding:.3em 1em;font:12px ui-monospace,monospace;color:#333;background:#fafafa;border-bottom:1px solid #eee;min-height:1.3em}
#scroller{flex:1;overflow:auto;position:relative}#head{position:sticky;top:0;background:#fff;z-index:1;width:max-content}
#body svg,#head svg{display:block}
.flash{animation:flash 1.2s ease-in-out 3}@keyframes flash{50%{opacity:.2}}
`;
