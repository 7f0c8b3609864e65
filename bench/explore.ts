/**
 * Exploration benchmark: schedules explored per second on configs/default.toml with 1 and 2
 * worker threads; for each mutant, on the config its test hunts it on (test/mutants.test.ts),
 * the median over 5 search seeds of the wall time to find it and shrink it, the schedules it
 * took to find, and the size of the shrunk counterexample (faults left, and router steps); and
 * (section `strategies`) every mutant on the default-sized configs configs/default.toml and
 * configs/two-leaders.toml, which no one shaped around a mutant: the schedules each strategy
 * (random, swarm, PCT) needs on average to find it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyEmulation, Config } from '../src/emulations/api/emulation.js';
import { EMULATIONS, emulationOf, loadConfig } from '../src/emulations/index.js';
import fc from 'fast-check';
import { explore, runSchedule, scheduleSize, STRATEGIES, type Strategy } from '../src/explore/explore.js';
import { DEFAULT_PCT, pctArbitrary, runPct } from '../src/explore/pct.js';
import { scheduleArbitrary } from '../src/explore/schedule.js';
import { swarmArbitrary } from '../src/explore/swarm.js';
import { exploreWithWorkers } from '../src/explore/pool.js';

// Compiled to dist/bench/: the repository root is two levels up.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const configPath = (file: string): string => path.join(repoRoot, file);

const THROUGHPUT_RUNS = 600;
const SEEDS = [1, 2, 3, 4, 5];

export async function benchExplore(): Promise<string[]> {
  const lines = ['explore: schedules per second on configs/default.toml (correct protocol)'];
  const config = loadConfig(configPath('configs/default.toml'));
  for (const workers of [1, 2]) {
    const started = performance.now();
    const outcome = await exploreWithWorkers(emulationOf(config), config, { runs: THROUGHPUT_RUNS, seed: 1, workers });
    const seconds = (performance.now() - started) / 1000;
    const verdict = outcome.failure ? 'VIOLATION' : 'ok';
    lines.push(`  ${workers} worker(s): ${(outcome.runs / seconds).toFixed(0).padStart(5)} schedules/s (${outcome.runs} in ${seconds.toFixed(1)}s, ${verdict})`);
  }
  lines.push(`explore: mutants, median of ${SEEDS.length} seeds (time to find + shrink; schedules to find; shrunk size)`);
  for (const emulation of EMULATIONS) {
    for (const [mutant, ground] of Object.entries(emulation.bench?.huntingGrounds ?? {})) {
      lines.push(mutantLine(`${emulation.name}/${mutant}`, emulation, { ...loadConfig(configPath(ground)), mutants: { enable: [mutant] } }));
    }
  }
  return lines;
}

/** The strategies compared (`npm run bench -- strategies`). */
export async function benchStrategies(): Promise<string[]> {
  return strategyLines();
}

/** Configs of the default size that nobody shaped around a mutant: where the strategies are compared. */
const GENERIC = ['configs/default.toml', 'configs/two-leaders.toml'];
/** Schedules sampled per strategy at most, in batches; sampling stops early after this many failures. */
const SAMPLE_MAX = 4000;
const SAMPLE_BATCH = 250;
const SAMPLE_FAILURES = 20;

/**
 * For every mutant, on each generic config, each strategy's rate: schedules drawn from its
 * arbitrary (as a search draws them, without the search's stop or shrinking) and run, until
 * 20 have failed or 4000 were run. A search needs 1/rate schedules to find the mutant on
 * average (a geometric law), which a median of a few searches estimates far more roughly.
 */
function strategyLines(): string[] {
  const cell = (r: Rate): string => (r.fails === 0 ? `>${r.runs}` : `${Math.round(r.runs / r.fails)}`).padStart(8);
  const lines = [
    `explore: schedules a search needs on average to find each mutant, by strategy (runs / failures, sampled until ${SAMPLE_FAILURES} failures or ${SAMPLE_MAX} runs),`,
    '  on default-sized configs nobody shaped for it; "fewest" names the best, ties included',
    `  ${'mutant'.padEnd(48)} ${'config'.padEnd(18)} ${STRATEGIES.map((s) => s.padStart(8)).join(' ')}   fewest`,
  ];
  for (const emulation of EMULATIONS) {
    for (const mutant of Object.keys(emulation.mutants)) {
      for (const file of GENERIC) {
        const config = { ...loadConfig(configPath(file)), mutants: { enable: [mutant] } };
        if (config.emulation !== emulation.name) continue;
        const rates = STRATEGIES.map((strategy) => rateOf(emulation, config, strategy));
        const mean = rates.map((r) => (r.fails === 0 ? Infinity : r.runs / r.fails));
        const best = Math.min(...mean);
        const winner = Number.isFinite(best) ? STRATEGIES.filter((_, i) => mean[i]! <= best * 1.15).join('/') : 'none';
        lines.push(`  ${`${emulation.name}/${mutant}`.padEnd(48)} ${path.basename(file).padEnd(18)} ${rates.map(cell).join(' ')}   ${winner}`);
      }
    }
  }
  return lines;
}

interface Rate {
  readonly runs: number;
  readonly fails: number;
}

/** How often a strategy's schedules fail on `config` (batches of fresh seeds until enough fail). */
function rateOf(emulation: AnyEmulation, config: Config, strategy: Strategy): Rate {
  const failed = strategy === 'pct' ? pctRunner(emulation, config) : scheduleRunner(emulation, config, strategy);
  let runs = 0;
  let fails = 0;
  for (let batch = 0; runs < SAMPLE_MAX && fails < SAMPLE_FAILURES; batch++) {
    fails += failed(batch + 1, SAMPLE_BATCH);
    runs += SAMPLE_BATCH;
  }
  return { runs, fails };
}

const scheduleRunner = (emulation: AnyEmulation, config: Config, strategy: 'random' | 'swarm') => {
  const arbitrary = strategy === 'swarm' ? swarmArbitrary(emulation, config) : scheduleArbitrary(emulation, config);
  return (seed: number, n: number): number => fc.sample(arbitrary, { seed, numRuns: n }).filter((s) => runSchedule(emulation, config, s).result.status === 'fail').length;
};

const pctRunner = (emulation: AnyEmulation, config: Config) => {
  const arbitrary = pctArbitrary(emulation, config, DEFAULT_PCT);
  return (seed: number, n: number): number => fc.sample(arbitrary, { seed, numRuns: n }).filter((s) => runPct(emulation, config, s).failed.length > 0).length;
};

function mutantLine(mutant: string, emulation: AnyEmulation, config: Config): string {
  const found: { ms: number; runs: number; faults: number; steps: number }[] = [];
  for (const seed of SEEDS) {
    const started = performance.now();
    const outcome = explore(emulation, config, { runs: 1000, seed });
    if (outcome.failure) {
      const f = outcome.failure;
      found.push({ ms: performance.now() - started, runs: f.runsToFind, faults: scheduleSize(f.schedule), steps: f.steps });
    }
  }
  const m = (xs: number[]): number => median(xs);
  const caught = `${found.length}/${SEEDS.length} caught`;
  if (found.length === 0) return `  ${mutant.padEnd(42)} NOT caught in 1000 schedules (${caught})`;
  return (
    `  ${mutant.padEnd(42)} ${(m(found.map((f) => f.ms)) / 1000).toFixed(1).padStart(6)}s  ` +
    `${String(m(found.map((f) => f.runs))).padStart(4)} schedule(s)  ` +
    `${String(m(found.map((f) => f.faults))).padStart(2)} fault(s), ${m(found.map((f) => f.steps))} steps  (${caught})`
  );
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
