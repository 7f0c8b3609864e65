/**
 * One run of a config in a process of its own, for the bench's memory and scaling figures: a
 * process's peak resident memory is only that run's when nothing else ran in it. Prints one
 * JSON line: wall and CPU time, delivered messages, virtual time, peak RSS, the peak and the
 * live heap, and the verdicts.
 *
 *   node --max-semi-space-size=64 --expose-gc dist/bench/scale-run.js configs/load.toml [--requests N] [--clients N] [--warm]
 *
 * `--warm`: first two small runs of the same config (10 clients x 50 requests, not measured), so that
 * a short measured run is not mostly the compiler warming up.
 */
import { getHeapStatistics } from 'node:v8';
import { emulationOf, loadConfig } from '../src/emulations/index.js';
import { emulate, finishRun, startRun } from '../src/emulations/run.js';

export interface ScaleRun {
  /** Wall time of the simulation (the checks streaming along), then of the final judgement. */
  readonly seconds: number;
  readonly judged_seconds: number;
  /** CPU time (this process's, every thread: the collector's too) of the simulation. */
  readonly cpu_seconds: number;
  readonly delivered: number;
  readonly time_ms: number;
  readonly reason: string;
  readonly peak_rss_mb: number;
  /** The largest heap in use, sampled every 5,000 steps of the simulation (garbage included). */
  readonly peak_heap_mb: number;
  /** The live heap once simulated (collected first when run with --expose-gc): the nodes'
   *  state, and what the checks keep (the client history, per-request tables). */
  readonly live_heap_mb: number;
  readonly counts: readonly string[];
  readonly verdicts: readonly { readonly name: string; readonly status: string; readonly detail: string }[];
}

/** `--requests N` and `--clients N`, as the CLI's overrides. */
function overrides(args: readonly string[]): { requests?: number; clients?: number } {
  const out: { requests?: number; clients?: number } = {};
  for (let i = 0; i + 1 < args.length; i += 2) {
    if (args[i] === '--requests') out.requests = Number(args[i + 1]);
    if (args[i] === '--clients') out.clients = Number(args[i + 1]);
  }
  return out;
}

const MB = 2 ** 20;
const [file, ...rest] = process.argv.slice(2);
if (file) {
  const config = loadConfig(file, overrides(rest));
  const emulation = emulationOf(config);
  if (rest.includes('--warm')) for (let i = 0; i < 2; i++) emulate(emulation, loadConfig(file, { clients: 10, requests: 50 }));
  const run = startRun(emulation, config);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let peakHeap = 0;
  if (run.router.eventCount === 0) run.router.boot();
  for (let steps = 0; run.router.step(); steps++) if (steps % 5000 === 0) peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
  const used = process.cpuUsage(cpu);
  const simulated = process.hrtime.bigint();
  peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
  (globalThis as { gc?: () => void }).gc?.();
  const live = process.memoryUsage().heapUsed;
  const judgeFrom = process.hrtime.bigint();
  const result = finishRun(run);
  const judged = process.hrtime.bigint();
  const line: ScaleRun = {
    seconds: Number(simulated - started) / 1e9,
    judged_seconds: Number(judged - judgeFrom) / 1e9,
    cpu_seconds: (used.user + used.system) / 1e6,
    delivered: result.summary.delivered,
    time_ms: result.summary.time_ms,
    reason: result.summary.reason,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    peak_heap_mb: Math.round(peakHeap / MB),
    live_heap_mb: Math.round(live / MB),
    counts: result.counts,
    verdicts: result.verdicts.map((v) => ({ name: v.name, status: v.status, detail: v.detail })),
  };
  console.log(JSON.stringify(line));
}
