/**
 * Every emulation's own figures (its `bench` in src/emulations/<name>/): what it says of one
 * run of each of its figure configs, and the wall-clock throughput of its load config
 * (delivered messages per second, median of several runs).
 */
import { EMULATIONS, parseConfig } from '../src/emulations/index.js';
import type { AnyEmulation } from '../src/emulations/api/emulation.js';
import { emulate, finishRun, startRun } from '../src/emulations/run.js';
import { median } from './stats.js';

/** Delivered messages per second of the simulation (its checks streaming along), and the time
 *  of the final judgement after it, over `runs` seeds. */
function throughput(emulation: AnyEmulation, name: string, toml: string, runs: number): string {
  const config = parseConfig(toml, 'bench');
  const rates: number[] = [];
  const judged: number[] = [];
  let delivered = 0;
  for (let i = 0; i < runs; i++) {
    const run = startRun(emulation, { ...config, seed: i + 1 });
    const start = process.hrtime.bigint();
    const summary = run.router.run();
    const simulated = process.hrtime.bigint();
    finishRun(run);
    judged.push(Number(process.hrtime.bigint() - simulated) / 1e9);
    delivered = summary.delivered;
    rates.push(summary.delivered / (Number(simulated - start) / 1e9));
  }
  return (
    `delivered messages per wall-clock second, ${name} (${delivered} messages a run): median ${Math.round(median(rates))} over ${runs} runs ` +
    `(min ${Math.round(Math.min(...rates))}, max ${Math.round(Math.max(...rates))}); then the final judgement: median ${median(judged).toFixed(2)} s`
  );
}

export async function benchProtocol(): Promise<string[]> {
  const lines: string[] = [];
  for (const emulation of EMULATIONS) {
    const spec = emulation.bench;
    if (!spec) continue;
    const toml = (config: string): string => `emulation = "${emulation.name}"\n${config}`;
    for (const f of spec.figures) lines.push(`${emulation.name}: ${f.figure(emulate(emulation, parseConfig(toml(f.config), 'bench'), { keepTrace: true }) as Parameters<typeof f.figure>[0])}`);
    if (spec.load) lines.push(`${emulation.name}: ${throughput(emulation, spec.load.name, toml(spec.load.config), 3)}`);
  }
  return lines;
}
