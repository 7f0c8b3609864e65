/**
 * Every emulation's own figures (its `bench` in src/emulations/<name>/): what it says of one
 * run of each of its figure configs, and the wall-clock throughput of its load config
 * (delivered messages per second, median of several runs).
 */
import { EMULATIONS, parseConfig } from '../src/emulations/index.js';
import { emulate } from '../src/emulations/run.js';
import { median } from './stats.js';

function throughput(name: string, toml: string, runs: number): string {
  const config = parseConfig(toml, 'bench');
  const rates: number[] = [];
  let delivered = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = emulate({ ...config, seed: i + 1 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    delivered = result.summary.delivered;
    rates.push(result.summary.delivered / seconds);
  }
  return `delivered messages per wall-clock second, ${name} (${delivered} messages a run): median ${Math.round(median(rates))} over ${runs} runs (min ${Math.round(Math.min(...rates))}, max ${Math.round(Math.max(...rates))})`;
}

export async function benchProtocol(): Promise<string[]> {
  const lines: string[] = [];
  for (const emulation of EMULATIONS) {
    const spec = emulation.bench;
    if (!spec) continue;
    const toml = (config: string): string => `emulation = "${emulation.name}"\n${config}`;
    for (const f of spec.figures) lines.push(`${emulation.name}: ${f.figure(emulate(parseConfig(toml(f.config), 'bench'), { keepTrace: true }) as Parameters<typeof f.figure>[0])}`);
    if (spec.load) lines.push(`${emulation.name}: ${throughput(spec.load.name, toml(spec.load.config), 3)}`);
  }
  return lines;
}
