/** `mpkv view` as a person uses it: a trace in, a page or an SVG out, bad input in one line. */
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../src/cli.js';
import { formatMpkvHistory } from '../specs/formats/mpkv.js';
import { quorumTooSmall } from './view-runs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mpkv-view-'));
const result = quorumTooSmall();
const traceFile = path.join(dir, 'run.jsonl');
writeFileSync(traceFile, result.trace.map((e) => JSON.stringify(e)).join('\n') + '\n');

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
  writeFileSync(history, formatMpkvHistory(result.history));
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
