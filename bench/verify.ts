/**
 * Model-checking benchmark (`npm run bench -- verify`), against the goals of issue 19:
 *
 *  - throughput: distinct states per second on one worker and on two, on
 *    configs/verify/two-leaders.toml to a fixed depth (medians of a few runs), with the CPU time
 *    per distinct state beside the wall-clock rate (the machine is shared: CPU time is what the
 *    search costs, the wall clock what others left of it), and the 2-worker speedup beside its
 *    ceiling: two whole 1-worker searches side by side, sharing nothing (what this machine gives
 *    two such searches at once: no way of sharing one search can beat it);
 *  - memory: a search in a process of its own (./verify-memory.ts), its peak resident set per
 *    distinct state above the process's baseline, and the bytes per state of the visited set
 *    and of the store;
 *  - where the time goes: a CPU profile of one search, by part;
 *  - the reduction: every config of configs/verify/ at its own bound, with and without it
 *    (`--no-reduction`): distinct states, transitions, CPU time, and what it saved;
 *  - every mutant, on the config that catches it (the emulation's `verifyGrounds`): the depth
 *    of its shortest counterexample, the states explored to reach it, and the time.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EMULATIONS, emulationOf, loadConfig } from '../src/emulations/index.js';
import type { Config } from '../src/emulations/api/emulation.js';
import { searchWithWorkers } from '../src/verify/parallel.js';
import { search, type SearchOutcome } from '../src/verify/search.js';
import { profileShares, sharesText } from './profile.js';
import { median } from './stats.js';
import { benchLiveness } from './verify-liveness.js';

// Compiled to dist/bench/: the repository root is two levels up.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const configPath = (file: string): string => path.join(repoRoot, file);

const GOALS = { statesPerS: 50_000, speedup: 1.7, bytesPerState: 1024, visitedPerState: 32 };
// Deep enough (332,622 of its 458,777 states, about 5 s) that two workers' start (each loads
// the emulation and boots its own model) does not dominate.
const THROUGHPUT = { config: 'configs/verify/two-leaders.toml', depth: 22, runs: 3 };
const MEMORY = { config: 'configs/verify/two-leaders.toml' };
const PROFILE = { config: 'configs/verify/two-leaders.toml', depth: 18 };
/** The reduction is measured against the full search to this depth at most. */
const COMPARE_DEPTH = 20;

interface Timed {
  readonly outcome: SearchOutcome;
  readonly seconds: number;
  /** CPU seconds of the whole process (every thread). */
  readonly cpu: number;
}

async function timed(config: Config, workers: number, reduction = true, rebalance = true): Promise<Timed> {
  const emulation = emulationOf(config);
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  // Two workers run on worker threads; one on this thread (as `mpkv verify` runs it without a
  // terminal to hear a Ctrl-C from).
  const outcome = await searchWithWorkers(emulation, config, { workers, reduction, rebalance });
  const cpu = process.cpuUsage(cpu0);
  return { outcome, seconds: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const within = (config: Config, depth: number): Config => ({ ...config, verify: { ...config.verify, max_depth: depth } });

export async function benchVerify(): Promise<string[]> {
  const lines: string[] = [];
  lines.push(...(await throughput()));
  lines.push(...memory());
  lines.push(...(await profile()));
  lines.push(...(await reduction()));
  lines.push(...(await mutants()));
  lines.push(...(await benchLiveness())); // ./verify-liveness.ts
  return lines;
}

async function throughput(): Promise<string[]> {
  const config = within(loadConfig(configPath(THROUGHPUT.config)), THROUGHPUT.depth);
  const lines = [
    `verify: throughput, ${THROUGHPUT.config} to depth ${THROUGHPUT.depth} (medians of ${THROUGHPUT.runs}; ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} at the start)`,
  ];
  const rates: Record<number, number> = {};
  const twoWorkers: Timed[] = [];
  const cpuPer: Record<number, number> = {};
  for (const workers of [1, 2]) {
    const runs: Timed[] = [];
    for (let i = 0; i < THROUGHPUT.runs; i++) runs.push(await timed(config, workers));
    if (workers === 2) twoWorkers.push(...runs);
    const { distinct, explored } = runs[0]!.outcome;
    rates[workers] = median(runs.map((r) => r.outcome.distinct / r.seconds));
    cpuPer[workers] = median(runs.map((r) => r.cpu / r.outcome.distinct));
    lines.push(
      `  ${workers} worker(s): ${n(rates[workers]!).padStart(7)} distinct states/s (goal >= ${n(GOALS.statesPerS)}), ` +
        `${(cpuPer[workers]! * 1e6).toFixed(1)} us CPU per distinct state (${n(1 / cpuPer[workers]!)} states per CPU-second); ` +
        `${n(distinct)} distinct, ${n(explored)} transitions, median ${median(runs.map((r) => r.seconds)).toFixed(1)}s`,
    );
  }
  lines.push(balanceLine('with moves between levels', twoWorkers[0]!), balanceLine('without (as before them)', await timed(config, 2, true, false)));
  const speedup = rates[2]! / rates[1]!;
  lines.push(
    `  2 workers / 1 worker: ${speedup.toFixed(2)}x (goal >= ${GOALS.speedup}x); CPU per state on 2 workers / on 1: ${(cpuPer[2]! / cpuPer[1]!).toFixed(2)} ` +
      `(so at best ${(2 * (cpuPer[1]! / cpuPer[2]!)).toFixed(2)}x on 2 idle cores)`,
  );
  const pairs: number[] = [];
  for (let i = 0; i < THROUGHPUT.runs; i++) pairs.push(await sideBySide(config));
  const side = median(pairs);
  lines.push(
    `  the ceiling: two 1-worker searches side by side, nothing shared, each on a thread of its own: ${(side / rates[1]!).toFixed(2)}x one alone ` +
      `(what this machine gives two such searches at once); 2 workers reach ${((100 * speedup) / (side / rates[1]!)).toFixed(0)}% of it`,
  );
  return lines;
}

/** Two whole 1-worker searches at once, each on a worker thread of its own (a watchdog puts a
 *  1-worker search there): both searches' distinct states per second of the pair's wall time. */
async function sideBySide(config: Config): Promise<number> {
  const emulation = emulationOf(config);
  const started = performance.now();
  const outcomes = await Promise.all([0, 1].map(() => searchWithWorkers(emulation, config, { workers: 1, watchdog: () => () => undefined })));
  const seconds = (performance.now() - started) / 1000;
  return outcomes.reduce((sum, o) => sum + o.distinct, 0) / seconds;
}

/** How two workers shared a search: each one's share of the states expanded and of the
 *  transitions, how evenly each level's transitions were shared (100%: no worker waited for
 *  the other at its end), the states moved, and the
 *  cores kept busy (CPU time / wall time: 2 when neither waits, on 2 idle cores). */
function balanceLine(what: string, run: Timed): string {
  const balance = run.outcome.balance;
  if (!balance) return `  2 workers, ${what}: no balance reported`;
  const shares = (counts: readonly number[]): string => counts.map((e) => `${((100 * e) / counts.reduce((a, b) => a + b, 0)).toFixed(0)}%`).join(' / ');
  return (
    `  2 workers, ${what}: per worker ${shares(balance.expanded)} of the states expanded, ${shares(balance.explored)} of the transitions, ` +
    `levels shared ${(100 * balance.evenness).toFixed(0)}% evenly, ${n(balance.moved)} states moved; ` +
    `${run.cpu.toFixed(1)}s CPU in ${run.seconds.toFixed(1)}s (${(run.cpu / run.seconds).toFixed(2)} cores busy)`
  );
}

/** A search in a child process: its peak resident set, and the baseline of a search of one state. */
function memory(): string[] {
  const script = path.join(repoRoot, 'dist/bench/verify-memory.js');
  const config = loadConfig(configPath(MEMORY.config));
  const run = (states: number, workers = 1): { distinct: number; exhausted: boolean; peakBytes: number; visitedBytes: number; storeBytes: number; sleepBytes: number } =>
    JSON.parse(execFileSync(process.execPath, [script, configPath(MEMORY.config), String(config.verify.max_depth), String(states), String(workers)], { encoding: 'utf8' }));
  const baseline = run(1);
  const full = run(config.verify.max_states);
  const two = run(config.verify.max_states, 2);
  const twoBaseline = run(1, 2);
  const perState = (full.peakBytes - baseline.peakBytes) / full.distinct;
  const mb = (b: number): string => `${(b / 1e6).toFixed(0)} MB`;
  return [
    `verify: memory, ${MEMORY.config} at its own bound (depth ${config.verify.max_depth}), in a process of its own`,
    `  ${n(full.distinct)} distinct states${full.exhausted ? ' (exhausted)' : ''}: peak ${mb(full.peakBytes)}, baseline ${mb(baseline.peakBytes)}: ` +
      `${n(perState)} bytes per distinct state above the baseline (goal <= ${GOALS.bytesPerState}), ${n(full.peakBytes / full.distinct)} with it`,
    `  visited set ${(full.visitedBytes / full.distinct).toFixed(1)} bytes per state (goal <= ${GOALS.visitedPerState}), store ${(full.storeBytes / full.distinct).toFixed(1)}, ` +
      `sleep sets ${(full.sleepBytes / full.distinct).toFixed(1)}`,
    `  on 2 workers: peak ${mb(two.peakBytes)}, ${n((two.peakBytes - twoBaseline.peakBytes) / two.distinct)} bytes per distinct state above the baseline of 2 workers (${mb(twoBaseline.peakBytes)}); ` +
      `stores ${(two.storeBytes / two.distinct).toFixed(1)} bytes per state together`,
  ];
}

async function profile(): Promise<string[]> {
  const config = within(loadConfig(configPath(PROFILE.config)), PROFILE.depth);
  const shares = await profileShares(() => void search(emulationOf(config), config), verifyPartOf);
  return [`verify: where the time goes, one worker, ${PROFILE.config} to depth ${PROFILE.depth} (self time)`, `  ${sharesText(shares.slice(0, 9))}`];
}

/** The parts of the model checker, for its profile. */
function verifyPartOf(fn: string, url: string): string {
  if (fn === '(garbage collector)') return 'garbage collector';
  if (url.includes('/xstate/')) return 'XState';
  const file = url.split('/').pop() ?? '';
  if (url.includes('/src/verify/')) {
    if (file.startsWith('fingerprints') || file.startsWith('symmetry')) return 'state fingerprints';
    if (file.startsWith('hash')) return 'hashing new judges and local states';
    if (file.startsWith('judges')) return 'judges';
    if (file.startsWith('reduction')) return 'sleep sets';
    if (file.startsWith('store') || file.startsWith('visited')) return 'store and visited set';
    if (file.startsWith('model') || file.startsWith('locals') || file.startsWith('packets') || file.startsWith('stepper') || file.startsWith('machine')) return 'model steps';
    return 'search loop';
  }
  if (url.includes('/emulations/') || url.includes('/specs/') || url.includes('/util/persistent')) return 'judge checks and roles';
  if (url === '' && !fn.startsWith('(')) return 'V8 built-ins';
  return 'other';
}

async function reduction(): Promise<string[]> {
  const lines = [
    `verify: configs/verify/ on the correct protocol, each at its own bound with the reduction (1 worker); then with and without it (--no-reduction) to depth ${COMPARE_DEPTH} at most ` +
      '(without it, two-leaders passes 6,000,000 states at depth 27)',
  ];
  const files = readdirSync(configPath('configs/verify')).filter((f) => f.endsWith('.toml'));
  let saved = { states: 0, transitions: 0, cpu: 0, of: { states: 0, transitions: 0, cpu: 0 } };
  for (const file of files) {
    const config = loadConfig(configPath(`configs/verify/${file}`));
    const own = await timed(config, 1);
    const compared = within(config, Math.min(config.verify.max_depth, COMPARE_DEPTH));
    const on = config.verify.max_depth <= COMPARE_DEPTH ? own : await timed(compared, 1);
    const off = await timed(compared, 1, false);
    const what = own.outcome.violation
      ? `VIOLATION at depth ${own.outcome.violation.depth}`
      : own.outcome.cut
        ? `cut short at depth ${own.outcome.depth} (${own.outcome.cut})`
        : own.outcome.exhausted
          ? `exhausted at depth ${own.outcome.depth}`
          : `no violation within depth ${own.outcome.depth}`;
    lines.push(`  ${file.padEnd(31)} ${what}; ${n(own.outcome.distinct)} states, ${n(own.outcome.explored)} transitions, ${own.cpu.toFixed(1)}s CPU (${own.seconds.toFixed(1)}s wall)`);
    lines.push(
      `  ${''.padEnd(31)} to depth ${compared.verify.max_depth}: with the reduction ${n(on.outcome.distinct)} states, ${n(on.outcome.explored)} transitions, ${on.cpu.toFixed(1)}s CPU; ` +
        `without ${n(off.outcome.distinct)}, ${n(off.outcome.explored)}, ${off.cpu.toFixed(1)}s CPU`,
    );
    saved = {
      states: saved.states + off.outcome.distinct - on.outcome.distinct,
      transitions: saved.transitions + off.outcome.explored - on.outcome.explored,
      cpu: saved.cpu + off.cpu - on.cpu,
      of: { states: saved.of.states + off.outcome.distinct, transitions: saved.of.transitions + off.outcome.explored, cpu: saved.of.cpu + off.cpu },
    };
  }
  const pct = (x: number, of: number): string => `${((100 * x) / of).toFixed(0)}%`;
  lines.push(
    `  the reduction saved ${pct(saved.states, saved.of.states)} of the states, ${pct(saved.transitions, saved.of.transitions)} of the transitions, ${pct(saved.cpu, saved.of.cpu)} of the CPU time (all configs, to depth ${COMPARE_DEPTH} at most)`,
  );
  return lines;
}

async function mutants(): Promise<string[]> {
  const lines = ['verify: each mutant on the config that catches it: shortest counterexample, states and time to it (1 worker)'];
  for (const emulation of EMULATIONS) {
    for (const [mutant, ground] of Object.entries(emulation.bench?.verifyGrounds ?? {})) {
      const base = loadConfig(configPath(ground));
      const { outcome, seconds } = await timed({ ...base, mutants: { enable: [mutant] } }, 1);
      const found = outcome.violation
        ? `depth ${String(outcome.violation.depth).padStart(2)}, ${n(outcome.distinct).padStart(7)} distinct states, ${seconds.toFixed(1).padStart(5)}s  (${outcome.violation.verdicts[0]!.name})`
        : `NOT caught within depth ${base.verify.max_depth}`;
      lines.push(`  ${`${emulation.name}/${mutant}`.padEnd(48)} ${path.basename(ground).padEnd(32)} ${found}`);
    }
  }
  return lines;
}
