/**
 * Diagram figures: for runs of about 1,500 and 6,000 messages, the time to build the page
 * (`renderRunHtml`) and the SVG, their sizes, and, in headless Chromium when there is one,
 * the time from loading the file to a drawn, interactive page and the time of one redraw
 * (toggling the fold). Also `mpkv check --html` on the 85-operation etcd_000 history.
 * Medians of several runs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/emulations/index.js';
import { emulate } from '../src/emulations/run.js';
import { renderHistoryHtml } from '../src/view/history-html.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { renderRunHtml as renderRun, renderRunSvg as renderSvg } from '../src/view/trace-adapter.js';
import type { TraceEvent } from '../src/sim/trace.js';

const renderRunHtml = (trace: readonly TraceEvent[]) => renderRun(multipaxos, trace);
const renderRunSvg = (trace: readonly TraceEvent[]) => renderSvg(multipaxos, trace);
import { parseJepsenEtcdHistory } from '../specs/formats/jepsen-etcd.js';
import { checkOperations } from '../specs/linearizability.js';
import { registerModel } from '../specs/models/register.js';
import { median } from './stats.js';
import { browserMissing, findChromium, launchChromium } from '../test/chromium.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = 5;
const kb = (s: string): string => `${(Buffer.byteLength(s) / 1024).toFixed(0)} KiB`;

function timed<T>(f: () => T): { value: T; ms: number } {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    value = f();
    times.push(performance.now() - start);
  }
  return { value, ms: median(times) };
}

export async function benchView(): Promise<string[]> {
  const lines: string[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'mpkv-bench-view-'));
  const pages: { name: string; file: string }[] = [];
  for (const [clients, requests] of [
    [6, 20],
    [12, 40],
  ] as const) {
    const config = loadConfig(path.join(ROOT, 'configs/lossy-network.toml'), { clients, requests });
    const trace = emulate(multipaxos, config, { keepTrace: true }).trace!;
    const messages = trace.filter((e) => e.kind === 'send').length;
    const html = timed(() => renderRunHtml(trace));
    const svg = timed(() => renderRunSvg(trace));
    const name = `lossy-network ${clients}x${requests} (${messages} messages, ${trace.length} events)`;
    lines.push(`${name}: page ${html.ms.toFixed(0)} ms, ${kb(html.value)}; SVG ${svg.ms.toFixed(0)} ms, ${kb(svg.value)}`);
    const file = path.join(dir, `${clients}x${requests}.html`);
    writeFileSync(file, html.value);
    pages.push({ name, file });
  }
  const etcd = path.join(ROOT, 'test/fixtures/porcupine/jepsen/etcd_000.log');
  const ops = parseJepsenEtcdHistory(readFileSync(etcd, 'utf8'), etcd);
  const result = checkOperations(registerModel, ops);
  const check = timed(() => renderHistoryHtml(registerModel, result, ops, { title: 'etcd_000', timeUnit: 'log line' }));
  lines.push(`check --html etcd_000 (${ops.length} operations): ${check.ms.toFixed(1)} ms, ${kb(check.value)}`);
  lines.push(...(await inBrowser(pages)));
  rmSync(dir, { recursive: true, force: true });
  return lines;
}

/** Load-to-interactive and one redraw, in headless Chromium. */
async function inBrowser(pages: { name: string; file: string }[]): Promise<string[]> {
  const chromium = await findChromium();
  if (!chromium) return [`(${browserMissing()}: in-browser figures not measured)`];
  const profile = mkdtempSync(path.join(tmpdir(), 'mpkv-bench-chromium-'));
  const browser = await launchChromium(chromium, profile);
  const lines: string[] = [];
  try {
    for (const { name, file } of pages) {
      const loads: number[] = [];
      const redraws: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const page = await browser.newPage();
        await page.setViewport({ width: 1400, height: 1000 });
        const start = performance.now();
        await page.goto(`file://${file}`);
        await page.waitForSelector('body[data-ready]');
        loads.push(performance.now() - start);
        redraws.push(
          await page.evaluate(() => {
            const t0 = performance.now();
            (document.getElementById('fold') as HTMLInputElement).click();
            return performance.now() - t0;
          }),
        );
        await page.close();
      }
      lines.push(`${name} in Chromium: load to interactive ${median(loads).toFixed(0)} ms, redraw (fold toggle) ${median(redraws).toFixed(0)} ms`);
    }
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return lines;
}
