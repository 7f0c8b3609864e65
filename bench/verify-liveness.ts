/**
 * The liveness pass's cost (`npm run bench -- verify`, src/verify/liveness.ts):
 *
 *  - every config of configs/verify/ on the correct protocol: the safety search alone against
 *    the safety search followed by the liveness pass, at `mpkv verify`'s default liveness bound
 *    (states per second of a run without and with liveness), and the liveness graph's size,
 *    verdict and own rate;
 *  - every liveness mutant on its ground (the emulation's `livenessGrounds`): its lasso.
 */
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVENESS_DEFAULTS, livenessBoundOf } from '../src/commands/verify-liveness.js';
import { EMULATIONS, emulationOf, loadConfig } from '../src/emulations/index.js';
import { checkLiveness } from '../src/verify/liveness.js';
import { searchWithWorkers } from '../src/verify/parallel.js';

// Compiled to dist/bench/: the repository root is two levels up.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const configPath = (file: string): string => path.join(repoRoot, file);
const n = (x: number): string => Math.round(x).toLocaleString('en-US');

export async function benchLiveness(): Promise<string[]> {
  const lines = [
    `verify: liveness, configs/verify/ on the correct protocol: the safety search alone, then with the liveness pass after it (bound: ${n(LIVENESS_DEFAULTS.maxStates)} states or the config's liveness_states, with its liveness_timeouts, depth ${LIVENESS_DEFAULTS.maxDepth}; 1 worker)`,
  ];
  for (const file of readdirSync(configPath('configs/verify')).filter((f) => f.endsWith('.toml'))) {
    const config = loadConfig(configPath(`configs/verify/${file}`));
    const emulation = emulationOf(config);
    let started = performance.now();
    const outcome = await searchWithWorkers(emulation, config, { workers: 1 });
    const seconds = (performance.now() - started) / 1000;
    started = performance.now();
    const live = checkLiveness(emulation, config, livenessBoundOf(config));
    const liveSeconds = (performance.now() - started) / 1000;
    lines.push(
      `  ${file.padEnd(31)} without ${n(outcome.distinct / seconds).padStart(7)} states/s, with ${n(outcome.distinct / (seconds + liveSeconds)).padStart(7)} states/s ` +
        `(${seconds.toFixed(1)}s + ${liveSeconds.toFixed(1)}s); liveness ${live.verdict}: ${n(live.distinct)} states, ${n(live.edges)} edges, ` +
        `${n(live.distinct / Math.max(liveSeconds, 1e-3))} liveness states/s${live.why ? ` (${live.why})` : ''}`,
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
