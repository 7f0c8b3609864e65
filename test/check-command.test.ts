/**
 * `mpkv check` end to end on files: the exit code says the verdict, the output explains it,
 * and bad input is one line on stderr.
 */
import test from 'ava';
import { tempDir } from './harness.js';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkCommand } from '../src/commands/check.js';

const dir = tempDir('mpkv-check-');
function file(name: string, ...lines: string[]): string {
  const p = path.join(dir, name);
  writeFileSync(p, `${lines.join('\n')}\n`);
  return p;
}
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await checkCommand(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

const putA = '{"type":"invoke","process":1,"f":"put","key":"a","value":"val_3"}';
const putAOk = '{"type":"ok","process":1,"f":"put","key":"a","result":{"ok":true}}';
const getA = '{"type":"invoke","process":2,"f":"get","key":"a"}';
const getAMissing = '{"type":"ok","process":2,"f":"get","key":"a","result":{"ok":false,"error":"key not found: a"}}';
const getAFound = '{"type":"ok","process":2,"f":"get","key":"a","result":{"ok":true,"value":"val_3"}}';

test('check: a linearizable history exits 0 with a verdict line', async (t) => {
  const { code, stdout, stderr } = await run(file('ok.jsonl', putA, putAOk, getA, getAFound), '--model', 'kv');
  t.is(code, 0);
  t.is(stdout, 'linearizable: 2 operations in 1 part (model kv)\n');
  t.is(stderr, '');
});

test('check: a stale read exits 1 and explains which operation cannot be placed', async (t) => {
  const html = path.join(dir, 'bad.html');
  const { code, stdout } = await run(file('bad.jsonl', putA, putAOk, getA, getAMissing), '--model', 'kv', '--html', html);
  t.is(code, 1);
  t.regex(stdout, /^NOT linearizable/);
  t.regex(stdout, /cannot place p2 GET "a" -> NOT FOUND \(lines 3\.\.4\):/, 'no times in the file: its line numbers, named');
  t.regex(stdout, /but p1 PUT "a" = "val_3" -> OK \(lines 1\.\.2\) returned before it was called/);
  t.regex(stdout, /^timeline \(lines: line numbers of the history; /m);
  const page = readFileSync(html, 'utf8');
  t.regex(page, /<summary class="bad">key &quot;a&quot;: 2 operations, NOT linearizable<\/summary>/);
  t.regex(page, /<g class="op culprit" data-op="1">/);
});

test('check: a history with times is explained in its times, in ms, and says so (text and page)', async (t) => {
  // Every line has "time": the explanation speaks in those times, never in line numbers or positions.
  const timed = (line: string, time: number): string => line.replace(/}$/, `,"time":${time}}`);
  const history = file('timed.jsonl', timed(putA, 92), timed(putAOk, 119), timed(getA, 130), timed(getAMissing, 141));
  const html = path.join(dir, 'timed.html');
  const { code, stdout } = await run(history, '--model', 'kv', '--html', html);
  t.is(code, 1);
  t.regex(stdout, /cannot place p2 GET "a" -> NOT FOUND \(t=130\.\.141\):/);
  t.regex(stdout, /but p1 PUT "a" = "val_3" -> OK \(t=92\.\.119\) returned before it was called/);
  t.regex(stdout, /^timeline \(t: the history's "time", in ms; /m);
  t.regex(stdout, /^ +\* p1 +t=92\.\.119 +\|/m);
  t.notRegex(stdout, /\[\d+, \d+\]|lines \d/, 'no other unit');
  const page = readFileSync(html, 'utf8');
  t.regex(page, /<text class="unit" x="4" y="11">time<\/text><text class="unit" x="4" y="21">\(ms\)<\/text>/);
  const ticks = [...page.matchAll(/class="tickl"[^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1]));
  t.true(ticks.includes(92) && ticks.includes(141), `the ticks are the history's times: ${ticks.join(', ')}`);
  t.true(ticks.every((tick) => [92, 119, 130, 141].includes(tick)), 'no positions');
  t.regex(page, /<title>p2 t=130\.\.141 GET &quot;a&quot; -&gt; NOT FOUND/);
});

test('check: a corrupt line exits 2 with one line naming file and line', async (t) => {
  const bad = file('corrupt.jsonl', putA, putAOk, '{"type":"invoke","process":2,"f":"post","key":"a"}');
  const { code, stdout, stderr } = await run(bad, '--model', 'kv');
  t.is(code, 2);
  t.is(stdout, '');
  t.is(stderr, `mpkv check: ${bad}:3: "f" must be one of put, get, delete, got "post"\n`);
});

test('check: unknown flags, models, formats and missing files exit 2 with one line', async (t) => {
  const ok = file('ok2.jsonl', putA, putAOk);
  for (const args of [[ok, '--model', 'kv', '--bogus'], [ok, '--model', 'paxos'], [ok, '--model', 'kv', '--format', 'jepsen-etcd'], [path.join(dir, 'missing.jsonl'), '--model', 'kv'], [ok]]) {
    const { code, stderr } = await run(...args);
    t.is(code, 2, args.join(' '));
    t.regex(stderr, /^mpkv check: [^\n]+\n$/);
  }
});

test('check: the default format follows the model (register reads Jepsen logs)', async (t) => {
  const log = file('etcd.log', 'INFO  jepsen.util - 0\t:invoke\t:write\t1', 'INFO  jepsen.util - 0\t:ok\t:write\t1', 'INFO  jepsen.util - 1\t:invoke\t:read\tnil', 'INFO  jepsen.util - 1\t:ok\t:read\t1');
  t.is((await run(log, '--model', 'register')).code, 0);
});

test('check: a history given with the wrong --model is bad input that names the right model', async (t) => {
  const kvHistory = file('kv-for-register.jsonl', putA, putAOk, getA, getAFound);
  const asRegister = await run(kvHistory, '--model', 'register');
  t.is(asRegister.code, 2, 'not "linearizable: 0 operations"');
  t.regex(asRegister.stderr, /looks like a history in the mpkv format .* use --model kv\n$/);
  const edn = file('edn.txt', '{:process 0, :type :invoke, :f :get, :key "1", :value nil}', '{:process 0, :type :ok, :f :get, :key "1", :value nil}');
  const asKv = await run(edn, '--model', 'kv');
  t.is(asKv.code, 2);
  t.regex(asKv.stderr, /looks like a history in the porcupine-kv format .* use --model kv-append\n$/);
  const jepsen = file('jepsen.log', 'INFO  jepsen.util - 0\t:invoke\t:write\t1', 'INFO  jepsen.util - 0\t:ok\t:write\t1');
  const asAppend = await run(jepsen, '--model', 'kv-append');
  t.is(asAppend.code, 2);
  t.regex(asAppend.stderr, /looks like a history in the jepsen-etcd format .* use --model register\n$/);
});

test('check: a history with no operation the model reads is bad input, not a pass', async (t) => {
  const empty = file('empty.log', 'INFO  some.other.logger - nothing to see');
  const r = await run(empty, '--model', 'register');
  t.is(r.code, 2);
  t.regex(r.stderr, /no register operations in this jepsen-etcd history/);
});

test('check: --help explains the models and exit codes; --check-steps bounds the search', async (t) => {
  const help = await run('--help');
  t.is(help.code, 0);
  t.regex(help.stdout, /--check-steps N/);
  t.regex(help.stdout, /3 unknown/);
  // The put and the get overlap (the get is called before the put returns): a search is needed.
  const ok = file('ok3.jsonl', putA, getA, putAOk, getAFound);
  const starved = await run(ok, '--model', 'kv', '--check-steps', '1');
  t.is(starved.code, 3);
  t.regex(starved.stdout, /^unknown: the step budget ran out/);
});
