/** `mpkv view` as a person uses it: a trace in, a page or an SVG out, bad input in one line. */
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../src/cli.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { explainRun, renderRunHtml } from '../src/view/trace-adapter.js';
import { verdictNote } from '../specs/verdict.js';
import { tempDir } from './harness.js';
import { leaderRestart, quorumTooSmall } from './view-runs.js';

const dir = tempDir('mpkv-view-');
const result = quorumTooSmall();
const traceFile = path.join(dir, 'run.jsonl');
/** As `mpkv run --trace-json` writes it: a line naming the run, then the events. */
const header = { kind: 'run', emulation: 'multipaxos', seed: 1, mutants: ['quorum-too-small'] };
writeFileSync(traceFile, [header, ...result.trace].map((e) => JSON.stringify(e)).join('\n') + '\n');

async function mpkv(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (s) => (stdout += `${s}\n`), stderr: (s) => (stderr += `${s}\n`) });
  return { code, stdout, stderr };
}

test('mpkv view: writes the page of a run and says what it shows', async (t) => {
  const out = path.join(dir, 'run.html');
  const r = await mpkv('view', traceFile, '-o', out);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^wrote .*run\.html: \d+ messages, t=0\.\.\d+ ms\nAGREEMENT VIOLATED in slot 8: /);
  t.regex(r.stdout, /These quorums do not intersect/, 'the plain output explains it too');
  const html = readFileSync(out, 'utf8');
  t.regex(html, /These quorums do not intersect/);
  t.regex(html, /<title>mpkv run run\.jsonl<\/title>/);
});

test('mpkv view: a trace without its first line needs --emulation, and says so', async (t) => {
  const bare = path.join(dir, 'bare.jsonl');
  writeFileSync(bare, result.trace.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const unsure = await mpkv('view', bare, '-o', path.join(dir, 'bare.html'));
  t.is(unsure.code, 2);
  t.regex(unsure.stderr, /which emulation wrote this trace\? .* give --emulation multipaxos\|kv_store/);
  t.is((await mpkv('view', bare, '--emulation', 'multipaxos', '-o', path.join(dir, 'bare.html'))).code, 0);
  const wrong = await mpkv('view', bare, '--emulation', 'max_sync', '-o', path.join(dir, 'wrong.html'));
  t.is(wrong.code, 2);
  t.regex(wrong.stderr, /bare\.jsonl:\d+: msg\.type: unknown message type "\w+" \(the emulation sends write, ack, sync\)/);
});

test('mpkv view: -o FILE.svg writes a standalone SVG', async (t) => {
  const out = path.join(dir, 'run.svg');
  t.is((await mpkv('view', traceFile, '-o', out)).code, 0);
  t.regex(readFileSync(out, 'utf8'), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
});

test('mpkv view: bad input is one line naming the file (and line), exit 2, nothing written', async (t) => {
  const missing = await mpkv('view', path.join(dir, 'nope.jsonl'), '-o', path.join(dir, 'nope.html'));
  t.is(missing.code, 2);
  t.regex(missing.stderr, /^mpkv view: .*nope\.jsonl: cannot read the trace \(no such file\)\n$/);
  t.false(existsSync(path.join(dir, 'nope.html')));

  const corrupt = path.join(dir, 'corrupt.jsonl');
  writeFileSync(corrupt, `${readFileSync(traceFile, 'utf8').split('\n').slice(0, 3).join('\n')}\n{"t":1,"kind":"send"\n`);
  const broken = await mpkv('view', corrupt, '-o', path.join(dir, 'corrupt.html'));
  t.is(broken.code, 2);
  t.regex(broken.stderr, /^mpkv view: .*corrupt\.jsonl:4: not JSON/);
  t.is(broken.stderr.split('\n').length, 2, 'one line');
  t.false(existsSync(path.join(dir, 'corrupt.html')));

  const history = path.join(dir, 'history.jsonl');
  writeFileSync(history, result.history!.text());
  const wrongKind = await mpkv('view', history);
  t.is(wrongKind.code, 2);
  t.regex(wrongKind.stderr, /history\.jsonl:1: kind: missing: not a trace event \(this looks like a client history: read it with mpkv check\)/);

  const png = await mpkv('view', traceFile, '-o', path.join(dir, 'x.png'));
  t.is(png.code, 2);
  t.regex(png.stderr, /expected a \.html or \.svg file name/);

  const replay = path.join(dir, 'other.replay.json');
  writeFileSync(replay, JSON.stringify({ mpkv_replay: 1, config: 'c.toml', config_digest: 'x', mutants: [], schedule: { seed: 1, messages: [], crashes: [], partitions: [] }, expect: { failed: [], steps: 1, trace_sha256: 'not-this-one' } }));
  const mismatch = await mpkv('view', traceFile, '--replay', replay, '-o', path.join(dir, 'm.html'));
  t.is(mismatch.code, 2);
  t.regex(mismatch.stderr, /other\.replay\.json: expect\.trace_sha256: the trace is not the run of this replay/);
});

test('mpkv --help lists view', async (t) => {
  t.regex((await mpkv('--help')).stdout, /mpkv view <trace\.jsonl> \[-o OUT\.html\]/);
  t.regex((await mpkv('view', '--help')).stdout, /^Usage: mpkv view <trace\.jsonl>/);
});

test('mpkv run --html draws the run it judged: a violation is explained in the page', async (t) => {
  const config = path.join(dir, 'quorum-too-small.toml');
  writeFileSync(config, `${readFileSync('configs/mutants/two-leaders.toml', 'utf8')}\n[mutants]\nenable = ["quorum-too-small"]\n`);
  const page = path.join(dir, 'judged.html');
  const r = await mpkv('run', config, '--seed', '1', '--plain', '--html', page);
  t.is(r.code, 1, 'the agreement check fails');
  const html = readFileSync(page, 'utf8');
  t.regex(html, /agreement FAIL: slot 8/);
  t.regex(html, /These quorums do not intersect/);
  const svg = path.join(dir, 'judged.svg');
  t.is((await mpkv('run', config, '--seed', '1', '--plain', '--html', svg)).code, 1);
  t.regex(readFileSync(svg, 'utf8'), /^<svg /);
});

test('mpkv view shows a broken protocol invariant, pointed at, v enabled; with the verdicts as notes (run --html) it is said once', async (t) => {
  const restarted = leaderRestart();
  const file = path.join(dir, 'leader-restart.jsonl');
  const run = { kind: 'run', emulation: 'multipaxos', seed: 0, mutants: ['leader-reuses-ballot-after-restart'] };
  writeFileSync(file, [run, ...restarted.trace].map((e) => JSON.stringify(e)).join('\n') + '\n');
  const out = path.join(dir, 'leader-restart.html');
  const r = await mpkv('view', file, '-o', out);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^one-value FAIL: slot 1 ballot 1\.1: acceptor 3 accepted GET "b" \(client 2 request 1\) at t=109, but acceptor 2 accepted NO-OP at t=113: two values under one ballot$/m);
  t.regex(r.stdout, /^quorum-backed FAIL: /m);
  t.regex(r.stdout, /^votes-safe FAIL: /m);
  const html = readFileSync(out, 'utf8');
  t.notRegex(html, /data-jump="violation"[^>]*disabled/);
  t.is((html.match(/<p class="bad">one-value FAIL: /g) ?? []).length, 1, 'explained above the picture');
  // mpkv run --html gives the failed verdicts as notes: the explanation restating them is not repeated.
  const notes = restarted.verdicts.filter((v) => v.status === 'fail').map(verdictNote);
  const judged = renderRunHtml(multipaxos, restarted.trace, { notes });
  t.is((judged.match(/<p class="bad">one-value FAIL: /g) ?? []).length, 1, 'said once');
  t.deepEqual(explainRun(multipaxos, restarted.trace, restarted.verdicts), [], 'a plain report (why:) does not repeat its verdicts');
});
