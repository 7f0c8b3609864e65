/**
 * Model-checking benchmark (`mpkv verify`):
 *
 *  - distinct states per second on one and two workers, on configs/verify/leader-restart.toml to
 *    depth 14, against Stateright's published figure (a Rust model checker: about 1.2 million
 *    states per second on all cores of its authors' machine) as a ratio;
 *  - every config of configs/verify/ on the correct protocol, at its own bound: distinct
 *    states, transitions, whether the space was exhausted, and the time;
 *  - every mutant, on the config that catches it (the emulation's `verifyGrounds`): the depth
 *    of its shortest counterexample, the states explored to reach it, and the time;
 *  - liveness (src/verify/liveness.ts): on every config of configs/verify/, the safety search
 *    alone against the safety search followed by the liveness pass (at `mpkv verify`'s default
 *    liveness bound): states per second without and with liveness, the liveness graph's size
 *    and verdict; and every liveness mutant on its ground (`livenessGrounds`): its lasso.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EMULATIONS, emulationOf, loadConfig } from '../src/emulations/index.js';
import type { Config } from '../src/emulations/api/emulation.js';
import { searchWithWorkers } from '../src/verify/parallel.js';
import type { SearchOutcome } from '../src/verify/search.js';
import { checkLiveness } from '../src/verify/liveness.js';
import { LIVENESS_DEFAULTS } from '../src/commands/verify-liveness.js';
import { median } from './stats.js';

// Compiled to dist/bench/: the repository root is two levels up.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const configPath = (file: string): string => path.join(repoRoot, file);

const STATERIGHT_STATES_PER_S = 1_200_000;
const THROUGHPUT = { config: 'configs/verify/leader-restart.toml', depth: 14, runs: 3 };

async function timed(config: Config, workers: number): Promise<{ outcome: SearchOutcome; seconds: number }> {
  const emulation = emulationOf(config);
  const started = performance.now();
  const outcome = await searchWithWorkers(emulation, config, { workers });
  return { outcome, seconds: (performance.now() - started) / 1000 };
}

const n = (x: number): string => x.toLocaleString('en-US');

export async function benchVerify(): Promise<string[]> {
  const lines = [`verify: distinct states per second, ${THROUGHPUT.config} to depth ${THROUGHPUT.depth} (median of ${THROUGHPUT.runs}; ${availableParallelism()} cores)`];
  const base = loadConfig(configPath(THROUGHPUT.config));
  const config = { ...base, verify: { ...base.verify, max_depth: THROUGHPUT.depth } };
  const rates: Record<number, number> = {};
  for (const workers of [1, 2]) {
    const runs: { outcome: SearchOutcome; seconds: number }[] = [];
    for (let i = 0; i < THROUGHPUT.runs; i++) runs.push(await timed(config, workers));
    const rate = median(runs.map((r) => r.outcome.distinct / r.seconds));
    rates[workers] = rate;
    const { distinct, explored } = runs[0]!.outcome;
    lines.push(
      `  ${workers} worker(s): ${n(Math.round(rate)).padStart(7)} distinct states/s (${n(distinct)} distinct, ${n(explored)} transitions, ` +
        `median ${median(runs.map((r) => r.seconds)).toFixed(1)}s); Stateright publishes ~${n(STATERIGHT_STATES_PER_S)}/s: ratio ${(rate / STATERIGHT_STATES_PER_S).toFixed(4)}`,
    );
  }
  lines.push(`  2 workers / 1 worker: ${(rates[2]! / rates[1]!).toFixed(2)}x`);

  lines.push('verify: configs/verify/ on the correct protocol, each at its own bound (1 worker)');
  const files = readdirSync(configPath('configs/verify')).filter((f) => f.endsWith('.toml'));
  for (const file of files) {
    const { outcome, seconds } = await timed(loadConfig(configPath(`configs/verify/${file}`)), 1);
    const what = outcome.violation
      ? `VIOLATION at depth ${outcome.violation.depth}`
      : outcome.cut
        ? `cut short at depth ${outcome.depth} (${outcome.cut})`
        : outcome.exhausted
          ? `exhausted at depth ${outcome.depth}: no violation`
          : `no violation within depth ${outcome.depth}`;
    lines.push(`  ${file.padEnd(32)} ${what}; ${n(outcome.distinct)} distinct states, ${n(outcome.explored)} transitions, ${seconds.toFixed(1)}s`);
  }

  lines.push(...(await benchLiveness(files)));

  lines.push('verify: each mutant on the config that catches it: shortest counterexample, states and time to it (1 worker)');
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

/** The liveness pass's cost beside the safety search's, per config; and each liveness mutant's lasso. */
async function benchLiveness(files: readonly string[]): Promise<string[]> {
  const lines = [
    `verify: liveness, configs/verify/ on the correct protocol: safety search alone vs safety + liveness pass (bound: ${LIVENESS_DEFAULTS.maxStates.toLocaleString('en-US')} states, depth ${LIVENESS_DEFAULTS.maxDepth}; 1 worker)`,
  ];
  for (const file of files) {
    const config = loadConfig(configPath(`configs/verify/${file}`));
    const emulation = emulationOf(config);
    const { outcome, seconds } = await timed(config, 1);
    const started = performance.now();
    const live = checkLiveness(emulation, config, LIVENESS_DEFAULTS);
    const liveSeconds = (performance.now() - started) / 1000;
    const without = outcome.distinct / seconds;
    const withLiveness = outcome.distinct / (seconds + liveSeconds);
    lines.push(
      `  ${file.padEnd(32)} without ${n(Math.round(without)).padStart(7)} states/s, with ${n(Math.round(withLiveness)).padStart(7)} states/s ` +
        `(${seconds.toFixed(1)}s + ${liveSeconds.toFixed(1)}s); liveness ${live.verdict}: ${n(live.distinct)} states, ${n(live.edges)} edges, ` +
        `${n(Math.round(live.distinct / Math.max(liveSeconds, 1e-3)))} liveness states/s${live.why ? ` (${live.why})` : ''}`,
    );
  }
  lines.push('verify: each liveness mutant on its ground: its lasso (stem + loop; loop 0: stuck), the liveness graph, the time');
  for (const emulation of EMULATIONS) {
    for (const [mutant, ground] of Object.entries(emulation.bench?.livenessGrounds ?? {})) {
      const base = loadConfig(configPath(ground));
      const started = performance.now();
      const live = checkLiveness(emulation, { ...base, mutants: { enable: [mutant] } }, LIVENESS_DEFAULTS);
      const seconds = (performance.now() - started) / 1000;
      const found = live.lasso ? `lasso ${live.lasso.stem.length} + ${live.lasso.loop.length}` : `NOT caught (${live.verdict})`;
      lines.push(`  ${`${emulation.name}/${mutant}`.padEnd(48)} ${path.basename(ground).padEnd(32)} ${found}, ${n(live.distinct)} states, ${seconds.toFixed(1)}s`);
    }
  }
  return lines;
}
