/**
 * Liveness by temperature in explored runs (src/emulations/temperature.ts), `npm run bench --
 * liveness`:
 *  - what the monitor costs: the same schedules of configs/default.toml run with it and
 *    without it (schedules per second);
 *  - how much of its bound the correct protocol uses: over random schedules of every config in
 *    configs/ and configs/mutants/, the longest any obligation stayed hot after the faults
 *    healed, against the bound (the README quotes these);
 *  - how often each liveness mutant fails on its hunting ground (the emulation's bench spec):
 *    the share of random schedules that fail liveness.
 */
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { AnyEmulation, Config } from '../src/emulations/api/emulation.js';
import { EMULATIONS, emulationOf, loadConfig } from '../src/emulations/index.js';
import { emulate, finishRun, startRun } from '../src/emulations/run.js';
import { livenessBound } from '../src/emulations/temperature.js';
import { explorationConfig, runSchedule, scheduleOptions } from '../src/explore/explore.js';
import { scheduleArbitrary, type Schedule } from '../src/explore/schedule.js';

// Compiled to dist/bench/: the repository root is two levels up.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const COST_RUNS = 300;
const STRETCH_RUNS = 300;
const MUTANT_RUNS = 100;
/** Configs explored at a smaller size (as test/long/explore-configs.test.ts explores them). */
const SCALED: Readonly<Record<string, { clients: number; requests: number }>> = { 'configs/load.toml': { clients: 12, requests: 5 } };

const schedulesOf = (emulation: AnyEmulation, config: Config, runs: number): Schedule[] => fc.sample(scheduleArbitrary(emulation, config), { seed: 1, numRuns: runs });

/** Schedules per second, the monitor on (as `mpkv explore` runs them) or off. */
function rate(emulation: AnyEmulation, config: Config, schedules: readonly Schedule[], monitored: boolean): number {
  const started = performance.now();
  for (const schedule of schedules) {
    const runConfig = explorationConfig(config, schedule.seed);
    const { temperature: _off, ...unmonitored } = scheduleOptions(runConfig, schedule);
    emulate(emulation, runConfig, monitored ? scheduleOptions(runConfig, schedule) : unmonitored);
  }
  return schedules.length / ((performance.now() - started) / 1000);
}

/** The longest hot stretch after the heal over the schedules, and how many failed liveness. */
function longestStretch(emulation: AnyEmulation, config: Config, schedules: readonly Schedule[]): { ms: number; failed: number } {
  let ms = 0;
  let failed = 0;
  for (const schedule of schedules) {
    const runConfig = explorationConfig(config, schedule.seed);
    const run = startRun(emulation, runConfig, scheduleOptions(runConfig, schedule));
    const result = finishRun(run);
    ms = Math.max(ms, run.monitor?.longest() ?? 0);
    if (result.verdicts.some((v) => v.name === 'liveness' && v.status === 'fail')) failed++;
  }
  return { ms, failed };
}

export async function benchLiveness(): Promise<string[]> {
  const lines = [`liveness: the monitor's cost, ${COST_RUNS} random schedules of configs/default.toml (median of 3)`];
  const base = loadConfig(path.join(repoRoot, 'configs/default.toml'));
  const emulation = emulationOf(base);
  const schedules = schedulesOf(emulation, base, COST_RUNS);
  const med = (f: () => number): number => [f(), f(), f()].sort((a, b) => a - b)[1]!;
  const off = med(() => rate(emulation, base, schedules, false));
  const on = med(() => rate(emulation, base, schedules, true));
  lines.push(`  without the monitor ${off.toFixed(0).padStart(5)} schedules/s; with it ${on.toFixed(0).padStart(5)} schedules/s (${(off / on).toFixed(2)} x the time)`);
  lines.push(`liveness: the correct protocol's longest hot stretch after the heal, ${STRETCH_RUNS} random schedules per config, against its bound`);
  const files = ['configs', 'configs/mutants'].flatMap((dir) => readdirSync(path.join(repoRoot, dir)).filter((f) => f.endsWith('.toml')).map((f) => `${dir}/${f}`));
  for (const file of files) {
    const config = loadConfig(path.join(repoRoot, file), SCALED[file] ?? {});
    const em = emulationOf(config);
    const bound = livenessBound(em, config);
    if (!bound) continue;
    const { ms, failed } = longestStretch(em, config, schedulesOf(em, config, STRETCH_RUNS));
    lines.push(`  ${file.padEnd(42)} ${String(ms).padStart(5)} ms of ${String(bound.ms).padStart(5)} ms (${((100 * ms) / bound.ms).toFixed(0).padStart(2)}%)${failed ? `  ${failed} schedule(s) FAILED liveness` : ''}`);
  }
  lines.push(`liveness: mutants whose runs fail liveness on their hunting ground, in ${MUTANT_RUNS} random schedules`);
  for (const emulation of EMULATIONS) {
    for (const [mutant, ground] of Object.entries(emulation.bench?.huntingGrounds ?? {})) {
      const base = loadConfig(path.join(repoRoot, ground));
      const config = { ...base, mutants: { enable: [mutant] } };
      const sample = schedulesOf(emulation, config, MUTANT_RUNS);
      const outcomes = sample.map((schedule) => runSchedule(emulation, config, schedule).result.verdicts);
      if (!outcomes.some((verdicts) => verdicts.some((v) => v.name === 'liveness' && v.status === 'fail'))) continue;
      const live = outcomes.filter((verdicts) => verdicts.some((v) => v.name === 'liveness' && v.status === 'fail')).length;
      const safe = outcomes.filter((verdicts) => verdicts.every((v) => v.name === 'liveness' || v.status !== 'fail')).length;
      lines.push(`  ${`${emulation.name}/${mutant}`.padEnd(42)} ${ground.padEnd(40)} ${String(live).padStart(3)}/${MUTANT_RUNS} fail liveness${safe < MUTANT_RUNS ? ` (${MUTANT_RUNS - safe} fail a safety check too)` : ''}`);
    }
  }
  return lines;
}
