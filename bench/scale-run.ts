/**
 * One run of a config in a process of its own, for the bench's memory figure: a process's peak
 * resident memory is only that run's when nothing else ran in it. Prints one JSON line: wall
 * time, delivered messages, virtual time, peak RSS, and the verdicts.
 *
 *   node --max-semi-space-size=64 dist/bench/scale-run.js configs/load.toml [--requests N]
 */
import { emulationOf, loadConfig } from '../src/emulations/index.js';
import { finishRun, startRun } from '../src/emulations/run.js';

export interface ScaleRun {
  /** Wall time of the simulation (the checks streaming along), then of the final judgement. */
  readonly seconds: number;
  readonly judged_seconds: number;
  readonly delivered: number;
  readonly time_ms: number;
  readonly reason: string;
  readonly peak_rss_mb: number;
  /** The live heap once simulated (collected first when run with --expose-gc): the nodes'
   *  state, and what the checks keep (the client history, per-request tables). */
  readonly live_heap_mb: number;
  readonly counts: readonly string[];
  readonly verdicts: readonly { readonly name: string; readonly status: string; readonly detail: string }[];
}

const [file, flag, value] = process.argv.slice(2);
if (file) {
  const config = loadConfig(file, flag === '--requests' ? { requests: Number(value) } : {});
  const run = startRun(emulationOf(config), config);
  const started = process.hrtime.bigint();
  run.router.run();
  const simulated = process.hrtime.bigint();
  (globalThis as { gc?: () => void }).gc?.();
  const live = process.memoryUsage().heapUsed;
  const judgeFrom = process.hrtime.bigint();
  const result = finishRun(run);
  const judged = process.hrtime.bigint();
  const line: ScaleRun = {
    seconds: Number(simulated - started) / 1e9,
    judged_seconds: Number(judged - judgeFrom) / 1e9,
    delivered: result.summary.delivered,
    time_ms: result.summary.time_ms,
    reason: result.summary.reason,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    live_heap_mb: Math.round(live / 2 ** 20),
    counts: result.counts,
    verdicts: result.verdicts.map((v) => ({ name: v.name, status: v.status, detail: v.detail })),
  };
  console.log(JSON.stringify(line));
}
