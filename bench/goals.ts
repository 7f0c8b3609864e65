/**
 * The simulator's goals (issue #12), each figure measured in this one run beside its goal, and
 * the CPU profile that explains a figure short of it. Nothing here is asserted: the machine is
 * shared and noisy, so every figure is a median and a ratio to something measured alongside.
 *
 *  1. throughput: delivered messages per second of the 100 clients x 100 requests run (the
 *     checks streaming along), and that as a fraction of the ceiling measured just before it
 *     (./ceiling.ts: the same router, one XState actor per node doing nothing but count and
 *     pass a token on);
 *  2. memory: configs/load.toml (1,000 clients x 100 requests) in a process of its own — wall
 *     time, messages per second, peak resident memory, verdicts — and the same run a quarter as
 *     long, to show that memory follows the live state, not the length;
 *  3. exploration: schedules per second on configs/default.toml with one and two workers;
 *  4. trace text: what building every note's line costs when a view prints them all; a run
 *     nobody watches builds none (the text is made when read: src/sim/router.ts `Note`).
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emulationOf, loadConfig, parseConfig } from '../src/emulations/index.js';
import { finishRun, startRun } from '../src/emulations/run.js';
import { explore } from '../src/explore/explore.js';
import { exploreWithWorkers } from '../src/explore/pool.js';
import { ceilingRun } from './ceiling.js';
import { profileShares, sharesText } from './profile.js';
import type { ScaleRun } from './scale-run.js';
import { median } from './stats.js';
import { twoThreadCost } from './two-threads.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GOALS = { messagesPerSecond: 200_000, ceilingShare: 0.5, peakRssMb: 500, schedulesPerSecond: 500, workerSpeedup: 1.8 } as const;

/** 100 clients x 100 requests, unbatched (the simulator's throughput, not the protocol's). The
 *  final linearizability search of its 10,000 operations gets a bounded budget. */
const THROUGHPUT_TOML = `emulation = "multipaxos"
check_steps = 1000000
[topology]
acceptors = 3
leaders = 1
replicas = 2
clients = 100
[workload]
requests = 100
`;

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const verdict = (met: boolean, gap: string): string => (met ? 'met' : `NOT MET (${gap})`);

export async function benchGoals(): Promise<string[]> {
  const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');
  const context = `machine: ${availableParallelism()} cores, load average ${load()} at the start`;
  const lines = [context, ...(await throughput()), ...memory(), ...(await exploration()), ...traceText()];
  return [...lines, `load average ${load()} at the end (other processes share the cores: wall-clock rates move with them, ratios measured side by side much less)`];
}

/** Seconds of CPU (every thread of this process) that `f` took, and its result. */
function cpuTimed<T>(f: () => T): { value: T; cpu: number } {
  const start = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(start);
  return { value, cpu: (used.user + used.system) / 1e6 };
}

/** One 100 x 100 run, simulated with its checks streaming: delivered messages and seconds. */
function simulate(seed: number, listener?: (event: unknown) => void): { delivered: number; seconds: number; finish: () => ReturnType<typeof finishRun> } {
  const config = parseConfig(THROUGHPUT_TOML, 'bench');
  const run = startRun(emulationOf(config), { ...config, seed });
  if (listener) run.router.onEvent(listener);
  const started = process.hrtime.bigint();
  const summary = run.router.run();
  return { delivered: summary.delivered, seconds: Number(process.hrtime.bigint() - started) / 1e9, finish: () => finishRun(run) };
}

async function throughput(): Promise<string[]> {
  simulate(9); // warm the code up
  const ceilings: number[] = [];
  const bare: number[] = [];
  const rates: number[] = [];
  const perCpu: number[] = [];
  let delivered = 0;
  let judged = '';
  for (let i = 0; i < 3; i++) {
    const c = ceilingRun();
    ceilings.push(c.delivered / c.seconds);
    const b = ceilingRun(false);
    bare.push(b.delivered / b.seconds);
    const { value: r, cpu } = cpuTimed(() => simulate(i + 1));
    delivered = r.delivered;
    rates.push(r.delivered / r.seconds);
    perCpu.push(r.delivered / cpu);
    if (i === 0) {
      const started = process.hrtime.bigint();
      const result = r.finish();
      judged = `${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s (${result.verdicts.map((v) => `${v.name} ${v.status}`).join(', ')})`;
    }
  }
  const rate = median(rates);
  const ceiling = median(ceilings);
  const share = rate / ceiling;
  const shares = await profileShares(() => void simulate(4));
  return [
    `1. throughput, 100 clients x 100 requests unbatched (${n(delivered)} messages a run, checks streaming):`,
    `   ${n(rate)} delivered messages/s (median of 3: ${rates.map(n).join(', ')}; ${n(median(perCpu))} per CPU-second)   goal >= ${n(GOALS.messagesPerSecond)}: ${verdict(rate >= GOALS.messagesPerSecond, `${((100 * rate) / GOALS.messagesPerSecond).toFixed(0)}% of it`)}`,
    `   ceiling, the same router with one XState actor per node counting and passing a token on: ${n(ceiling)} messages/s (median of 3); ` +
      `${n(median(bare))}/s when the actors do not even update their state (${(100 * (rate / median(bare))).toFixed(0)}% of that)`,
    `   the run is ${(100 * share).toFixed(0)}% of the ceiling   goal >= ${100 * GOALS.ceilingShare}%: ${verdict(share >= GOALS.ceilingShare, `${(100 * share).toFixed(0)}%`)}`,
    `   profile of the run (self time): ${sharesText(shares)}`,
    `   its final judgement: ${judged}`,
  ];
}

/** Runs a config in a child process with this process's flags (the CLI's young generation). */
function scaleRun(file: string, overrides: readonly string[] = []): ScaleRun {
  const script = path.join(ROOT, 'dist/bench/scale-run.js');
  const out = execFileSync(process.execPath, [...process.execArgv, '--expose-gc', script, path.join(ROOT, file), ...overrides], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as ScaleRun;
}

/** The run whose peak RSS is the median of `runs` (an odd number of them). */
function medianRun(runs: readonly ScaleRun[]): ScaleRun {
  return [...runs].sort((a, b) => a.peak_rss_mb - b.peak_rss_mb)[(runs.length - 1) >> 1]!;
}

function memory(): string[] {
  // Three processes each: one peak moves with the collector's timing and the machine's load
  // (seen: 474-519 MB on one commit), so the figure is the median of three.
  const fulls = [0, 1, 2].map(() => scaleRun('configs/load.toml'));
  const quarters = [0, 1, 2].map(() => scaleRun('configs/load.toml', ['--requests', '25']));
  const full = medianRun(fulls);
  const quarter = medianRun(quarters);
  const verdicts = full.verdicts.map((v) => `${v.name} ${v.status}`).join(', ');
  const unknown = full.verdicts.filter((v) => v.status === 'unknown').map((v) => `${v.name}: ${v.detail}`);
  return [
    `2. memory at scale, configs/load.toml (1,000 clients x 100 requests, batched) alone in a process:`,
    `   ${full.seconds.toFixed(1)} s simulated + ${full.judged_seconds.toFixed(1)} s judged, ${n(full.delivered)} messages (${n(full.delivered / full.seconds)}/s), ` +
      `${full.time_ms} ms virtual (${full.reason}), ${full.counts.join(', ')}`,
    `   peak RSS ${full.peak_rss_mb} MB (median of 3: ${fulls.map((r) => r.peak_rss_mb).join(', ')})   goal < ${GOALS.peakRssMb} MB: ${verdict(full.peak_rss_mb < GOALS.peakRssMb, `${full.peak_rss_mb} MB`)}`,
    `   a quarter as long (25 requests each): peak RSS ${quarter.peak_rss_mb} MB (median of 3), so 4x the length costs x${(full.peak_rss_mb / quarter.peak_rss_mb).toFixed(2)} the memory`,
    `   live heap after the run: ${quarter.live_heap_mb} MB, then ${full.live_heap_mb} MB: ${n(((full.live_heap_mb - quarter.live_heap_mb) * 2 ** 20) / 75_000)} bytes per request, ` +
      `what the checks must keep (the client history for linearizability, per-request tables for validity and integrity) and the learners' logs; the rest of the peak is the collector's room`,
    `   verdicts: ${verdicts}`,
    ...unknown.map((u) => `   ${u}`),
  ];
}

async function exploration(): Promise<string[]> {
  const config = loadConfig(path.join(ROOT, 'configs/default.toml'));
  const emulation = emulationOf(config);
  const runs = 2000;
  await exploreWithWorkers(emulation, config, { runs: 200, seed: 7, workers: 1 }); // warm this thread's code up
  // Three ways: in this (warmed) thread; one worker thread, as the CLI runs it (a signal it could
  // be stopped by puts even one worker on a thread); two worker threads. Each thread starts cold.
  const ways = [
    { name: 'in this thread', workers: 1, thread: false },
    { name: '1 worker thread', workers: 1, thread: true },
    { name: '2 worker threads', workers: 2, thread: true },
  ];
  const figures = [];
  for (const way of ways) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const signal = way.thread ? new AbortController().signal : undefined;
    const outcome = await exploreWithWorkers(emulation, config, { runs, seed: 1, workers: way.workers, ...(signal ? { signal } : {}) });
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - started) / 1000;
    figures.push({ ...way, rate: outcome.runs / seconds, cpuMs: (used.user + used.system) / 1e3 / outcome.runs, cpuS: (used.user + used.system) / 1e6 });
  }
  const [here, one, two] = figures as [(typeof figures)[0], (typeof figures)[0], (typeof figures)[0]];
  const speedup = two.rate / one.rate;
  const startUp = one.cpuS - here.cpuS;
  const machine = await twoThreadCost();
  const shares = await profileShares(() => void explore(emulation, config, { runs: 300, seed: 3 }));
  return [
    `3. exploration, configs/default.toml, ${n(runs)} schedules: ${figures.map((f) => `${f.name} ${n(f.rate)}/s`).join(', ')}; 2 threads x${speedup.toFixed(2)} one`,
    `   2 workers >= ${GOALS.schedulesPerSecond}/s: ${verdict(two.rate >= GOALS.schedulesPerSecond, `${n(two.rate)}/s`)}   2 workers >= ${GOALS.workerSpeedup}x one: ${verdict(speedup >= GOALS.workerSpeedup, `x${speedup.toFixed(2)}`)}`,
    `   CPU time per schedule (all threads): ${figures.map((f) => `${f.name} ${f.cpuMs.toFixed(2)} ms`).join(', ')}`,
    `   where a worker's extra CPU goes: starting a thread cold (loading mpkv, compiling it again, its own collector) costs ${startUp.toFixed(2)} s of CPU ` +
      `(one worker thread against this warmed thread, ${n(runs)} schedules each); two threads pay it twice`,
    `   the machine itself, measured beside it: the ceiling run (router and XState, no protocol) in two threads at once spends x${machine.ratio.toFixed(2)} ` +
      `the CPU per message of one thread alone, and two threads finish x${machine.speedup.toFixed(2)} the work of one in the same time: ` +
      `the most two workers can give here, whatever they run`,
    `   profile of one worker's runs (self time): ${sharesText(shares)}`,
  ];
}

function traceText(): string[] {
  let notes = 0;
  const readEveryNote = (event: unknown): void => {
    const e = event as { kind: string; text?: string };
    if (e.kind === 'note' && e.text !== undefined) notes += e.text.length > 0 ? 1 : 0;
  };
  const quiet: number[] = [];
  const printed: number[] = [];
  for (let i = 0; i < 3; i++) {
    quiet.push(cpuTimed(() => simulate(i + 1)).cpu);
    printed.push(cpuTimed(() => simulate(i + 1, readEveryNote)).cpu);
  }
  const cost = median(printed) / median(quiet) - 1;
  return [
    `4. trace text: a run no view prints builds no note line (each is made when read); building all ${n(notes / 3)} lines of the 100 x 100 run, ` +
      `as a plain view would, takes ${(100 * cost).toFixed(0)}% more CPU time (median of 3 each)`,
  ];
}
