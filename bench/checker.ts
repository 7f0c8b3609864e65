/**
 * Checker benchmark: the time to check each of Porcupine's histories (median of 5 runs,
 * parsing excluded) beside Porcupine's own Go timings from test/fixtures/porcupine/TIMINGS.tsv, and a
 * generated kv history of 10,000 operations from 10 clients over 5 keys, with its memory use.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KvCommand } from '../src/kv/kv.js';
import { parseJepsenEtcdHistory } from '../specs/formats/jepsen-etcd.js';
import { parsePorcupineKvHistory } from '../specs/formats/porcupine-kv.js';
import { concurrentKvHistory, type PlannedOperation } from '../specs/generate.js';
import { checkOperations } from '../specs/linearizability.js';
import { kvAppendModel } from '../specs/models/kv-append.js';
import { kvModel } from '../specs/models/kv.js';
import { registerModel } from '../specs/models/register.js';

// Compiled to dist/bench/: the repository root is two levels up.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, 'test/fixtures/porcupine');
const RUNS = 5;

export async function benchChecker(): Promise<string[]> {
  const lines = ['checker: Porcupine histories (median of 5, ms; Porcupine Go in-process for comparison)'];
  let ours = 0;
  let theirs = 0;
  for (const { file, goMs } of porcupineTimings()) {
    const check = checkerFor(file);
    const ms = median(Array.from({ length: RUNS }, () => timed(check)));
    ours += ms;
    theirs += goMs;
    lines.push(`  ${file.padEnd(22)} ${ms.toFixed(3).padStart(9)}  go ${goMs.toFixed(3).padStart(8)}  x${(ms / goMs).toFixed(1)}`);
  }
  lines.push(`  ${'total'.padEnd(22)} ${ours.toFixed(1).padStart(9)}  go ${theirs.toFixed(1).padStart(8)}  x${(ours / theirs).toFixed(1)}`);
  lines.push(...generatedKv(10_000, 10, 5));
  return lines;
}

function porcupineTimings(): { file: string; goMs: number }[] {
  return readFileSync(path.join(corpus, 'TIMINGS.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => row.split('\t'))
    .map((cols) => ({ file: cols[0]!, goMs: Number(cols[5]) }));
}

/** Parses once; the returned function only checks. */
function checkerFor(file: string): () => string {
  const text = readFileSync(path.join(corpus, file), 'utf8');
  if (file.startsWith('jepsen/')) {
    const ops = parseJepsenEtcdHistory(text, file);
    return () => checkOperations(registerModel, ops, {}).verdict;
  }
  const ops = parsePorcupineKvHistory(text, file);
  return () => checkOperations(kvAppendModel, ops, {}).verdict;
}

function timed(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
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

function generatedKv(n: number, clients: number, keys: number): string[] {
  const ops = concurrentKvHistory(generatedPlan(n, clients, keys));
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let verdict = '';
  const ms = timed(() => (verdict = checkOperations(kvModel, ops, {}).verdict));
  const heapDelta = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const peakRss = process.resourceUsage().maxRSS / 1024;
  return [`checker: generated kv history, ${n} ops, ${clients} clients, ${keys} keys: ${verdict} in ${ms.toFixed(1)} ms, heap +${heapDelta.toFixed(1)} MiB, peak RSS ${peakRss.toFixed(0)} MiB`];
}
