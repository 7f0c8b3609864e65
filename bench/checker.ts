/**
 * Checker benchmark, in one run:
 *
 * 1. Porcupine's 108 histories (test/fixtures/porcupine), parsing excluded: WARM_UP passes
 *    over the corpus (so that the JIT has compiled the checker, as Go's is), then ROUNDS passes; per file the median, beside Porcupine's own
 *    Go timings (TIMINGS.tsv, in-process, median of 5), the ratio per file and for the total,
 *    and the verdicts against VERDICTS.tsv.
 * 2. Histories of many clients against one replicated store (specs/generate.ts,
 *    `serviceKvHistory`, fixed seeds): 100 x 50, 200 x 25 and 500 x 20 requests, 30 to 130
 *    operations overlapping on a key; each linearizable and with one stale read; checked
 *    without and with the witness (the order of application); time (median of 3), the memos'
 *    peak, the process's peak RSS (and, under node --expose-gc, the heap and buffers the check
 *    left behind), the verdict and how it was reached. The
 *    stale-read histories are also checked by the search alone (no kv refutation), to show
 *    what the refutation is for.
 * 3. A long history of few clients: 10,000 operations from 10 clients over 5 keys.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KvCommand } from '../src/kv/kv.js';
import { parseJepsenEtcdHistory } from '../specs/formats/jepsen-etcd.js';
import { parsePorcupineKvHistory } from '../specs/formats/porcupine-kv.js';
import { concurrentKvHistory, serviceKvHistory, type PlannedOperation } from '../specs/generate.js';
import { checkOperations, type CheckResult } from '../specs/linearizability.js';
import { kvAppendModel } from '../specs/models/kv-append.js';
import { kvModel } from '../specs/models/kv.js';
import { registerModel } from '../specs/models/register.js';
import { median } from './stats.js';

// Compiled to dist/bench/: the repository root is two levels up.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, 'test/fixtures/porcupine');
const WARM_UP = 3;
const ROUNDS = 9;

export async function benchChecker(): Promise<string[]> {
  return [...porcupineCorpus(), ...manyClients(), ...fewClientsLongHistory()];
}

interface CorpusFile {
  readonly file: string;
  readonly goMs: number;
  readonly expected: string;
  readonly check: () => CheckResult<unknown, unknown>;
}

function porcupineCorpus(): string[] {
  const files = corpusFiles();
  for (let pass = 0; pass < WARM_UP; pass++) for (const f of files) f.check();
  const times = files.map(() => [] as number[]);
  const verdicts = files.map(() => '');
  for (let round = 0; round < ROUNDS; round++) {
    files.forEach((f, i) => {
      const start = performance.now();
      verdicts[i] = f.check().verdict;
      times[i]!.push(performance.now() - start);
    });
  }
  const lines = [`checker: Porcupine's ${files.length} histories (ms, median of ${ROUNDS} rounds after ${WARM_UP} warm-up passes; Porcupine: Go, in-process, TIMINGS.tsv)`];
  let ours = 0;
  let theirs = 0;
  let worst = { file: '', ratio: 0 };
  let agreeing = 0;
  files.forEach((f, i) => {
    const ms = median(times[i]!);
    ours += ms;
    theirs += f.goMs;
    const ratio = ms / f.goMs;
    if (ratio > worst.ratio) worst = { file: f.file, ratio };
    const expected = f.expected === 'linearizable' ? 'ok' : 'illegal';
    if (verdicts[i] === expected) agreeing++;
    lines.push(`  ${f.file.padEnd(22)} ${ms.toFixed(3).padStart(9)}  go ${f.goMs.toFixed(3).padStart(8)}  x${ratio.toFixed(2).padStart(5)}  ${verdicts[i]}${verdicts[i] === expected ? '' : `  DIFFERS (expected ${expected})`}`);
  });
  lines.push(`  ${'total'.padEnd(22)} ${ours.toFixed(1).padStart(9)}  go ${theirs.toFixed(1).padStart(8)}  x${(ours / theirs).toFixed(2).padStart(5)}`);
  lines.push(`  worst file: ${worst.file} x${worst.ratio.toFixed(2)}; verdicts as Porcupine's: ${agreeing}/${files.length}`);
  return lines;
}

function corpusFiles(): CorpusFile[] {
  const expected = new Map(
    readFileSync(path.join(corpus, 'VERDICTS.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => row.split('\t'))
      .map((cols): [string, string] => [cols[0]!, cols[2]!]),
  );
  return readFileSync(path.join(corpus, 'TIMINGS.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => row.split('\t'))
    .map((cols) => ({ file: cols[0]!, goMs: Number(cols[5]), expected: expected.get(cols[0]!)!, check: checkerFor(cols[0]!) }));
}

/** Parses once; the returned function only checks. */
function checkerFor(file: string): () => CheckResult<unknown, unknown> {
  const text = readFileSync(path.join(corpus, file), 'utf8');
  if (file.startsWith('jepsen/')) {
    const ops = parseJepsenEtcdHistory(text, file);
    return () => checkOperations(registerModel, ops) as CheckResult<unknown, unknown>;
  }
  const ops = parsePorcupineKvHistory(text, file);
  return () => checkOperations(kvAppendModel, ops) as CheckResult<unknown, unknown>;
}

const RUNS = [
  { clients: 100, requests: 50, seed: 100 },
  { clients: 200, requests: 25, seed: 200 },
  { clients: 500, requests: 20, seed: 500 },
];

function manyClients(): string[] {
  const lines = ['checker: many clients against one replicated store (specs/generate.ts serviceKvHistory; median of 3)'];
  const searchOnly = { ...kvModel, refute: undefined };
  for (const { clients, requests, seed } of RUNS) {
    for (const staleReads of [0, 1]) {
      const run = serviceKvHistory({ seed, clients, requests, staleReads });
      const overlaps = kvModel.partition!(run.ops).map(maxOverlap);
      const what = `${clients} x ${requests} (seed ${seed}, ${run.ops.length} ops, overlap ${Math.min(...overlaps)}-${Math.max(...overlaps)} per key), ${staleReads === 0 ? 'linearizable' : `${run.staleReads.length} stale read`}`;
      lines.push(`  ${what}`);
      lines.push(`    without witness: ${measure(() => checkOperations(kvModel, run.ops))}`);
      lines.push(`    with witness:    ${measure(() => checkOperations(kvModel, run.ops, { witness: run.witness }))}`);
      if (staleReads > 0) lines.push(`    search alone:    ${measure(() => checkOperations(searchOnly, run.ops), 1)}`);
    }
  }
  return lines;
}

/** Median time of `runs` checks, with what the last one found and the memory it took. */
function measure(check: () => CheckResult<KvCommand, unknown>, runs = 3): string {
  const times: number[] = [];
  let result: CheckResult<KvCommand, unknown> | undefined;
  let left = 0;
  for (let i = 0; i < runs; i++) {
    global.gc?.();
    const before = memoryInUse();
    const start = performance.now();
    result = check();
    times.push(performance.now() - start);
    left = memoryInUse() - before;
  }
  const r = result!;
  const how = r.method === 'witness' ? 'witness' : `search, ${r.steps} steps${r.witnessRejected === undefined ? '' : ', witness rejected'}${r.explanation?.refuted ? ', refuted' : ''}`;
  const verdict = r.verdict === 'unknown' ? `unknown (${r.reason})` : r.verdict;
  // What the check left on the heap means something only after a full collection (node --expose-gc).
  const heap = global.gc === undefined ? '' : `, heap+buffers +${mib(left)} MiB`;
  return `${verdict} in ${median(times).toFixed(1)} ms (${how}); memo peak ${mib(r.memoBytes ?? 0)} MiB${heap}, process peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;
}

const memoryInUse = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** The most operations of `ops` open at once (pending ones stay open). */
function maxOverlap(ops: readonly { call: number; ret: number }[]): number {
  const events = ops.flatMap((op) => [
    [op.call, 1],
    [op.ret, -1],
  ]);
  events.sort((a, b) => a[0]! - b[0]! || b[1]! - a[1]!);
  let open = 0;
  let most = 0;
  for (const [, delta] of events) most = Math.max(most, (open += delta!));
  return most;
}

/** A seeded plan of `n` kv commands from `clients` clients over `keys` keys (see specs/generate.ts). */
function generatedPlan(n: number, clients: number, keys: number): PlannedOperation[] {
  let seed = 42;
  const next = (bound: number): number => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return (seed >>> 8) % bound;
  };
  return Array.from({ length: n }, () => {
    const key = `k${next(keys)}`;
    const kind = next(3);
    const command: KvCommand = kind === 0 ? { op: 'put', key, value: `val_${next(100)}` } : kind === 1 ? { op: 'get', key } : { op: 'delete', key };
    return { process: next(clients), command, before: next(60), after: next(60) };
  });
}

function fewClientsLongHistory(): string[] {
  const ops = concurrentKvHistory(generatedPlan(10_000, 10, 5));
  return [`checker: 10,000 ops from 10 clients over 5 keys (concurrentKvHistory): ${measure(() => checkOperations(kvModel, ops))}`];
}

