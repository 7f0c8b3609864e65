/**
 * Exploration benchmark: schedules explored per second on configs/default.toml with 1 and 2
 * worker threads; for each mutant, on the config its test hunts it on (test/mutants.test.ts),
 * the median over 5 search seeds of the wall time to find it and shrink it, the schedules it
 * took to find, and the size of the shrunk counterexample (faults left, and router steps); and
 * every mutant on the default-sized configs configs/default.toml and configs/two-leaders.toml,
 * which no one shaped around a mutant: the schedules each strategy (random, swarm, PCT) takes.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../src/emulations/api/emulation.js';
import { EMULATIONS, loadConfig } from '../src/emulations/index.js';
import { explore, exploreWith, scheduleSize, STRATEGIES } from '../src/explore/explore.js';
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
    const outcome = await exploreWithWorkers(config, { runs: THROUGHPUT_RUNS, seed: 1, workers });
    const seconds = (performance.now() - started) / 1000;
    const verdict = outcome.failure ? 'VIOLATION' : 'ok';
    lines.push(`  ${workers} worker(s): ${(outcome.runs / seconds).toFixed(0).padStart(5)} schedules/s (${outcome.runs} in ${seconds.toFixed(1)}s, ${verdict})`);
  }
  lines.push(`explore: mutants, median of ${SEEDS.length} seeds (time to find + shrink; schedules to find; shrunk size)`);
  for (const emulation of EMULATIONS) {
    for (const [mutant, ground] of Object.entries(emulation.bench?.huntingGrounds ?? {})) {
      lines.push(mutantLine(`${emulation.name}/${mutant}`, { ...loadConfig(configPath(ground)), mutants: { enable: [mutant] } }));
    }
  }
  lines.push(...strategyLines());
  return lines;
}

/** Configs of the default size that nobody shaped around a mutant: where the strategies are compared. */
const GENERIC = ['configs/default.toml', 'configs/two-leaders.toml'];
const STRATEGY_RUNS = 1000;
const STRATEGY_SEEDS = [1, 2, 3];

/**
 * For every mutant, on each generic config: the schedules each strategy takes to find it
 * (median of the seeds; ">N" when most seeds did not find it in N), so that swarm and PCT are
 * set against today's random schedules on configs no one shaped for the mutant.
 */
function strategyLines(): string[] {
  const lines = [
    `explore: schedules to find each mutant, by strategy, on default-sized configs nobody shaped for it (median of ${STRATEGY_SEEDS.length} seeds, at most ${STRATEGY_RUNS} schedules each)`,
    `  ${'mutant'.padEnd(48)} ${'config'.padEnd(18)} ${STRATEGIES.map((s) => s.padStart(8)).join(' ')}   fewest`,
  ];
  for (const emulation of EMULATIONS) {
    for (const mutant of Object.keys(emulation.mutants)) {
      for (const file of GENERIC) {
        const config = { ...loadConfig(configPath(file)), mutants: { enable: [mutant] } };
        if (config.emulation !== emulation.name) continue;
        const found = STRATEGIES.map((strategy) =>
          median(STRATEGY_SEEDS.map((seed) => exploreWith(config, { runs: STRATEGY_RUNS, seed, strategy }).failure?.runsToFind ?? Infinity)),
        );
        const best = Math.min(...found);
        const cell = (x: number): string => (Number.isFinite(x) ? String(x) : `>${STRATEGY_RUNS}`).padStart(8);
        const winner = Number.isFinite(best) ? STRATEGIES.filter((_, i) => found[i] === best).join('/') : 'none';
        lines.push(`  ${`${emulation.name}/${mutant}`.padEnd(48)} ${path.basename(file).padEnd(18)} ${found.map(cell).join(' ')}   ${winner}`);
      }
    }
  }
  return lines;
}

function mutantLine(mutant: string, config: Config): string {
  const found: { ms: number; runs: number; faults: number; steps: number }[] = [];
  for (const seed of SEEDS) {
    const started = performance.now();
    const outcome = explore(config, { runs: 1000, seed });
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
