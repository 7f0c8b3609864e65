/**
 * The pages in a real browser: headless Chromium, driven by puppeteer-core. The browser comes
 * with `npm ci`: the devDependency @sparticuz/chromium ships one inside its package
 * (test/chromium.ts unpacks it), so these tests run on any Linux x64 machine that has Node.
 * Each test loads a page of a known run, asserts what a reader must see — lanes, arrows, the
 * highlighted violation, readable labels — and that the page logged no error, and keeps a
 * screenshot in test-artifacts/.
 *
 * They are never passed without a browser: where none can run (another system than Linux x64
 * with no Chrome found, or MPKV_NO_BROWSER=1) each is registered as skipped — ava counts them
 * as skipped — and one line says how to run them. MPKV_CHROMIUM=path drives another browser.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { parseMpkvHistory } from '../specs/formats/mpkv.js';
import { parseJepsenEtcdHistory } from '../specs/formats/jepsen-etcd.js';
import { checkOperations } from '../specs/linearizability.js';
import { kvModel } from '../specs/models/kv.js';
import { registerModel } from '../specs/models/register.js';
import { renderHistoryHtml } from '../src/view/history-html.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { renderRunHtml as renderRun, renderRunSvg as renderSvg, type RunViewOptions } from '../src/view/trace-adapter.js';
import type { TraceEvent } from '../src/sim/trace.js';

const renderRunHtml = (trace: readonly TraceEvent[], options?: RunViewOptions) => renderRun(multipaxos, trace, options);
const renderRunSvg = (trace: readonly TraceEvent[], options?: RunViewOptions) => renderSvg(multipaxos, trace, options);
import { browserMissing, findChromium, launchChromium, type ChromiumBinary } from './chromium.js';
import { config, repoRoot, run } from './harness.js';
import { leaderRestart, quorumTooSmall } from './view-runs.js';
import { finishRun, startRun } from '../src/emulations/run.js';
import { StepRouter } from '../src/verify/replay.js';
import { search } from '../src/verify/search.js';

const artifacts = path.join(repoRoot, 'test-artifacts');
const skipped = process.env.MPKV_NO_BROWSER === '1';
const binary = skipped ? undefined : await findChromium();
/** Why the tests are not run here (undefined: they are). */
const notRun = skipped ? 'MPKV_NO_BROWSER=1 is set: unset it to run them' : binary === undefined ? browserMissing() : undefined;
/** Each browser test, run one at a time (a page in the background of a headless browser may
 *  never paint), or registered as skipped when there is no browser. */
const browserTest = notRun === undefined ? test.serial : test.serial.skip;

if (notRun !== undefined) {
  console.error(`\n*** the browser tests were NOT run, the HTML views not tested in a browser: ${notRun} ***\n`);
}
browserTests(binary);

function browserTests(chromium: ChromiumBinary | undefined): void {
  let browser: Browser;
  const profile = mkdtempSync(path.join(tmpdir(), 'mpkv-chromium-profile-'));
  mkdirSync(artifacts, { recursive: true });

  if (chromium !== undefined) {
    test.before(async (t) => {
      t.log(`browser: ${chromium.source}`);
      browser = await launchChromium(chromium, profile);
    });
  }
  test.after.always(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  /** Opens `html` (saved as test-artifacts/NAME.html) and collects every console error; the
   *  page is closed when the test ends, passed or failed. */
  async function open(t: ExecutionContext, name: string, html: string, width = 1400, height = 1000): Promise<{ page: Page; errors: string[] }> {
    const file = path.join(artifacts, `${name}.html`);
    writeFileSync(file, html);
    const page = await browser.newPage();
    t.teardown(() => page.close());
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${(e as Error).message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    await page.setViewport({ width, height });
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    return { page, errors };
  }

  browserTest('browser: the quorum-too-small counterexample — lanes, arrows, the violation and the two quorums', async (t) => {
    const { page, errors } = await open(t, 'quorum-too-small', renderRunHtml(quorumTooSmall().trace, { title: 'quorum-too-small (two-leaders, seed 1)' }));
    await page.waitForSelector('body[data-ready]');
    const lanes = await page.$$eval('#head .lanehead text', (texts) => texts.map((x) => x.textContent));
    t.deepEqual(lanes, ['client 1', 'client 2', 'client 3', 'client 4', 'leader 1', 'leader 2', 'acceptor 1', 'acceptor 2', 'acceptor 3', 'replica 1']);
    const arrows = await page.$$eval('#body .msg line', (lines) => lines.length);
    t.true(arrows > 200, `${arrows} arrows`);
    t.is(await page.$$eval('#body .hl-violation[data-h="0"] circle', (c) => c.length), 2, 'both DECIDED of slot 8 are ringed');
    const tags = await page.$$eval('#head .tag text', (texts) => texts.map((x) => x.textContent));
    t.deepEqual(tags.sort(), ['promised 4.1', 'quorum A', 'quorum B']);
    t.regex((await page.$eval('#explanation', (e) => e.textContent))!, /These quorums do not intersect/);

    // One key press reaches the violation: it is scrolled into view and blinks.
    await page.keyboard.press('v');
    const inView = await page.evaluate(() => {
      const target = document.querySelector('.flash')!.getBoundingClientRect();
      const view = document.getElementById('scroller')!.getBoundingClientRect();
      return target.top >= view.top && target.bottom <= view.bottom && target.height > 0;
    });
    t.true(inView, 'the first violation in time is on screen after v');
    // quorum-backed broke at t=6, long before the two decisions of slot 8: v goes there first, and says so.
    t.regex((await page.$eval('#details', (e) => e.textContent))!, /^violation 1 of 3, the first in time \(v: the next\): quorum-backed FAIL: leader 1 started Phase 2/);
    await page.keyboard.press('v');
    await page.keyboard.press('v');
    t.regex((await page.$eval('#details', (e) => e.textContent))!, /^violation 3 of 3 \(v: the next\): AGREEMENT VIOLATED in slot 8/);

    // "show only slot 8" keeps slot 8's messages and the evidence.
    const before = await page.$$eval('#body .msg', (g) => g.length);
    await page.click('#focus');
    const after = await page.$$eval('#body .msg', (g) => g.length);
    t.true(after < before / 5, `${after} of ${before} messages after the focus`);
    t.is(await page.$eval('#value', (s) => (s as HTMLSelectElement).value), '8');
    await page.screenshot({ path: path.join(artifacts, 'quorum-too-small.png') });
    t.deepEqual(errors, []);
  });

  browserTest('browser: a broken invariant (leader-restart) — the violation button is live, v rings and names one-value', async (t) => {
    const { page, errors } = await open(t, 'leader-restart', renderRunHtml(leaderRestart().trace, { title: 'leader-reuses-ballot-after-restart' }));
    await page.waitForSelector('body[data-ready]');
    t.false(await page.$eval('button[data-jump="violation"]', (b) => (b as HTMLButtonElement).disabled));
    t.true((await page.$$eval('#body .hl-violation circle', (c) => c.length)) >= 8, 'the votes, promises and decisions the three invariants name');
    await page.click('button[data-jump="violation"]');
    t.regex((await page.$eval('#details', (e) => e.textContent))!, /^violation 1 of 3, the first in time \(v: the next\): one-value FAIL: slot 1 ballot 1\.1/);
    t.true((await page.$$eval('#body .flash', (els) => els.length)) > 0, 'the vote that broke it blinks');
    await page.screenshot({ path: path.join(artifacts, 'leader-restart.png') });
    t.deepEqual(errors, []);
  });

  browserTest('browser: a 1,000+ message run — folds open, lanes hide, zoom works, no errors', async (t) => {
    const trace = run(config('lossy-network.toml', { clients: 6, requests: 20 })).trace;
    const sent = trace.filter((e) => e.kind === 'send').length;
    t.true(sent >= 1000, `${sent} messages`);
    const { page, errors } = await open(t, 'lossy-network-large', renderRunHtml(trace, { title: 'lossy network, 6 clients x 20 requests' }));
    await page.waitForSelector('body[data-ready]');
    const drawn = async (): Promise<number> => page.$$eval('#body .msg', (g) => g.length);
    const all = await drawn();
    const folds = await page.$$eval('#body .fold', (f) => f.length);
    t.true(folds > 0, 'catch-up polling is folded');
    await page.click('#body .fold rect');
    t.is(await page.$$eval('#body .fold', (f) => f.length), folds - 1, 'a click opens a fold');
    await page.click('.lanes summary');
    await page.click('input[data-lane]');
    t.true((await drawn()) < all, 'hiding a lane hides its messages');
    await page.click('#zoom-out');
    t.regex((await page.$eval('#zoom', (z) => z.textContent))!, /^\d+%$/);
    await page.keyboard.press('m');
    t.truthy(await page.$('.flash'), 'm moves to a decision');
    await page.screenshot({ path: path.join(artifacts, 'lossy-network-large.png') });
    t.deepEqual(errors, []);
  });

  browserTest('browser: a verify counterexample — the axis says step, a click on an arrow names its request and the step it was sent at', async (t) => {
    const base = config('verify/two-leaders.toml');
    const cfg = { ...base, mutants: { enable: ['leader-skips-value-adoption'] } };
    const steps = search(multipaxos, cfg).violation!.steps;
    const result = finishRun(startRun(multipaxos, cfg, { router: new StepRouter(multipaxos, cfg, steps), keepTrace: true }));
    const { page, errors } = await open(t, 'verify-counterexample', renderRunHtml(result.trace!, { title: 'leader-skips-value-adoption (two-leaders)', timeUnit: 'step' }));
    await page.waitForSelector('body[data-ready]');
    t.true(await page.$$eval('#head text.axis', (texts) => texts.some((x) => x.textContent === 'step')));
    const labels = await page.$$eval('#body .msg text', (texts) => texts.map((x) => x.textContent));
    // A label cut to fit its arrow keeps the request (it comes before the command's words).
    t.true(labels.some((l) => l!.startsWith('accept s0 b1.1 c1#1')) && labels.some((l) => l!.startsWith('accept s0 b1.2 c2#1')), labels.join(' | '));
    await page.evaluate(() => {
      const arrow = [...document.querySelectorAll('#body .msg')].find((g) => g.querySelector('text')?.textContent?.startsWith('accept s0 b1.2 c2#1'));
      (arrow!.querySelector('[data-ev]') ?? arrow!).dispatchEvent(new MouseEvent('click', { bubbles: true }));
    });
    t.regex((await page.$eval('#details', (e) => e.textContent))!, /^leader 2 → acceptor \d: accept slot 0 ballot 1\.2: GET "a" \(client 2 request 1\)\. Sent step \d+; delivered step 13/);
    t.deepEqual(errors, []);
  });

  browserTest('browser: the SVG export is a valid standalone SVG document', async (t) => {
    const file = path.join(artifacts, 'quorum-too-small.svg');
    writeFileSync(file, renderRunSvg(quorumTooSmall().trace));
    const page = await browser.newPage();
    t.teardown(() => page.close());
    await page.goto(`file://${file}`);
    t.is(await page.evaluate(() => document.documentElement.tagName), 'svg');
    t.is(await page.evaluate(() => document.getElementsByTagName('parsererror').length), 0);
    t.true((await page.$$eval('.msg', (g) => g.length)) > 200);
  });

  browserTest('browser: check --html on etcd_000 (85 operations) — every label fits its box, legend, culprit on screen', async (t) => {
    const file = path.join(repoRoot, 'test/fixtures/porcupine/jepsen/etcd_000.log');
    const ops = parseJepsenEtcdHistory(readFileSync(file, 'utf8'), file);
    const result = checkOperations(registerModel, ops);
    t.is(result.verdict, 'illegal');
    const { page, errors } = await open(t, 'check-etcd_000', renderHistoryHtml(registerModel, result, ops, { title: 'etcd_000', timeUnit: 'log line' }), 1200, 900);
    const boxes = await page.$$eval('.op', (groups) =>
      groups.map((g) => ({
        box: (g.querySelector('rect') as SVGRectElement).getBBox().width,
        text: Math.max(...[...g.querySelectorAll('text')].map((x) => (x as SVGTextElement).getComputedTextLength())),
      })),
    );
    t.is(boxes.length, 85);
    const cramped = boxes.filter((b) => b.text + 4 > b.box);
    t.deepEqual(cramped, [], 'no label is wider than its box');
    t.true(await page.$eval('#legend', (l) => /cannot be placed/.test(l.textContent!)));
    t.is(await page.$$eval('.op.culprit', (c) => c.length), 1);
    const culpritOnScreen = await page.evaluate(() => {
      const box = document.querySelector('.op.culprit rect')!.getBoundingClientRect();
      const view = document.querySelector('.scroll')!.getBoundingClientRect();
      return box.left >= view.left && box.right <= view.right;
    });
    t.true(culpritOnScreen, 'the timeline opens at the culprit');
    const prefix = result.explanation!.prefix.length;
    t.true(prefix > 30, `a long prefix to show (${prefix})`);
    t.is(await page.$$eval('.op.prefix', (p) => p.length), prefix, 'every operation of the linearizable prefix is highlighted');
    await page.screenshot({ path: path.join(artifacts, 'check-etcd_000.png'), fullPage: true });
    t.deepEqual(errors, []);
  });

  browserTest('browser: check --html on etcd_002 (linearizable) and a kv history per key', async (t) => {
    const file = path.join(repoRoot, 'test/fixtures/porcupine/jepsen/etcd_002.log');
    const ops = parseJepsenEtcdHistory(readFileSync(file, 'utf8'), file);
    const result = checkOperations(registerModel, ops);
    t.is(result.verdict, 'ok');
    const { page, errors } = await open(t, 'check-etcd_002', renderHistoryHtml(registerModel, result, ops, { title: 'etcd_002', timeUnit: 'log line' }));
    t.is(await page.$$eval('.op.prefix', (p) => p.length), 77, 'every operation numbered in the linearization');
    const cramped = await page.$$eval('.op', (groups) =>
      groups.filter((g) => Math.max(...[...g.querySelectorAll('text')].map((x) => (x as SVGTextElement).getComputedTextLength())) + 4 > (g.querySelector('rect') as SVGRectElement).getBBox().width).length,
    );
    t.is(cramped, 0);
    t.deepEqual(errors, []);

    // A kv history over two keys, one of them with a stale read: one section per key, the failing key first.
    const line = (o: object): string => JSON.stringify(o);
    const text = [
      line({ type: 'invoke', process: 1, f: 'put', key: 'b', value: 'val_1' }),
      line({ type: 'ok', process: 1, f: 'put', key: 'b', result: { ok: true } }),
      line({ type: 'invoke', process: 1, f: 'put', key: 'a', value: 'val_3' }),
      line({ type: 'ok', process: 1, f: 'put', key: 'a', result: { ok: true } }),
      line({ type: 'invoke', process: 2, f: 'get', key: 'b' }),
      line({ type: 'invoke', process: 3, f: 'get', key: 'a' }),
      line({ type: 'ok', process: 2, f: 'get', key: 'b', result: { ok: true, value: 'val_1' } }),
      line({ type: 'ok', process: 3, f: 'get', key: 'a', result: { ok: false, error: 'key not found: a' } }),
    ].join('\n');
    const history = parseMpkvHistory(text, 'h.jsonl');
    const kv = checkOperations(kvModel, history);
    t.is(kv.verdict, 'illegal');
    const keyed = await open(t, 'check-kv-per-key', renderHistoryHtml(kvModel, kv, history, { title: 'quorum-too-small history', timeUnit: 'history event' }));
    const sections = await keyed.page.$$eval('summary', (s) => s.map((x) => x.textContent));
    t.is(sections.length, 2, 'keys a and b');
    t.deepEqual(sections, ['key "a": 2 operations, NOT linearizable', 'key "b": 2 operations, no linearization reported']);
    await keyed.page.screenshot({ path: path.join(artifacts, 'check-kv-per-key.png'), fullPage: true });
    t.deepEqual(keyed.errors, []);
  });
}
