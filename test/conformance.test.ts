/**
 * Porcupine's own test histories, checked with the model each is meant for, against the
 * verdicts in test/fixtures/porcupine/VERDICTS.tsv (vendored; see its README), and generated
 * kv histories against a brute-force decision. Where the checker disagrees, the checker is
 * wrong.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJepsenEtcdHistory } from '../specs/formats/jepsen-etcd.js';
import { parsePorcupineKvHistory } from '../specs/formats/porcupine-kv.js';
import { checkOperations, type CheckResult } from '../specs/linearizability.js';
import { kvAppendModel } from '../specs/models/kv-append.js';
import { registerModel } from '../specs/models/register.js';
import { serviceKvHistory } from '../specs/generate.js';
import { kvModel } from '../specs/models/kv.js';
import { bruteForce, plain } from './histories.js';

// Compiled to dist/test/: the repository root is two levels up.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, 'test/fixtures/porcupine');

interface VerdictRow {
  readonly file: string;
  readonly model: string;
  readonly expected: string;
  readonly ops: number;
}

const rows: VerdictRow[] = readFileSync(path.join(corpus, 'VERDICTS.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [file, model, expected, ops] = line.split('\t') as [string, string, string, string];
    return { file, model, expected, ops: Number(ops) };
  });

function check(row: VerdictRow): { ops: number; result: CheckResult<unknown, unknown> } {
  const text = readFileSync(path.join(corpus, row.file), 'utf8');
  if (row.model === 'etcd-register') {
    const ops = parseJepsenEtcdHistory(text, row.file);
    return { ops: ops.length, result: checkOperations(registerModel, ops, {}) as CheckResult<unknown, unknown> };
  }
  const ops = parsePorcupineKvHistory(text, row.file);
  return { ops: ops.length, result: checkOperations(kvAppendModel, ops, {}) as CheckResult<unknown, unknown> };
}

test('conformance: VERDICTS.tsv lists all 109 Porcupine histories (103 etcd logs, 6 kv)', (t) => {
  t.is(rows.length, 109);
});

for (const row of rows) {
  if (row.expected === 'n/a') {
    test(`conformance: ${row.file} is empty upstream, so it parses to no operations and is trivially linearizable`, (t) => {
      const { ops, result } = check(row);
      t.is(ops, 0);
      t.is(result.verdict, 'ok');
    });
    continue;
  }
  const verdict = row.expected === 'linearizable' ? 'ok' : 'illegal';
  test(`conformance: ${row.file} is ${verdict} with the ${row.model} model`, (t) => {
    const { ops, result } = check(row);
    t.is(ops, row.ops, 'parsed operation count matches VERDICTS.tsv');
    t.is(result.verdict, verdict);
    if (verdict === 'illegal') t.truthy(result.explanation, 'an illegal verdict comes with an explanation');
  });
}

test('conformance: kv/c50-bad ends at its first illegal key, long before the other keys are done', (t) => {
  const row = rows.find((r) => r.file === 'kv/c50-bad.txt')!;
  const ok = check(rows.find((r) => r.file === 'kv/c50-ok.txt')!).result;
  const bad = check(row).result;
  t.is(bad.verdict, 'illegal');
  t.true(bad.steps < ok.steps / 2, `c50-bad took ${bad.steps} steps, c50-ok ${ok.steps}`);
});

test('conformance: generated kv histories of a few clients (specs/generate.ts), with and without stale reads, get the verdict of trying every order', (t) => {
  const seen = { ok: 0, illegal: 0 };
  for (let seed = 1; seed <= 150; seed++) {
    for (const staleReads of [0, 1]) {
      const run = serviceKvHistory({ seed, clients: 3, requests: 6, keys: ['a', 'b'], values: 3, lostReplies: 0.1, staleReads });
      const expected = bruteForce(kvModel, run.ops) ? 'ok' : 'illegal';
      // A stale read is certainly not linearizable; without one the history is.
      t.is(expected, run.staleReads.length > 0 ? 'illegal' : 'ok', `seed ${seed}`);
      t.is(checkOperations(kvModel, run.ops).verdict, expected, `seed ${seed}`);
      t.is(checkOperations(plain(kvModel), run.ops).verdict, expected, `seed ${seed}, plain search`);
      seen[expected]++;
    }
  }
  t.true(seen.ok > 100 && seen.illegal > 50, JSON.stringify(seen));
});
