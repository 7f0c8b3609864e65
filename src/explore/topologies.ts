/**
 * Several topologies in one exploration: `--topologies "key=v1,v2 key2=w1,w2"` names values
 * for keys of a config's `[topology]` table, and every combination is explored, each as its own
 * config (checked like a file: a bad value is one line naming the key). A variation has no
 * file of its own, so its TOML text is kept, for a counterexample's replay to be written with.
 */
import { parse, stringify } from 'smol-toml';
import { readFileSync } from 'node:fs';
import type { Config } from '../emulations/api/emulation.js';
import { parseConfig } from '../emulations/index.js';
import { UsageError } from '../util/errors.js';

export interface Target {
  /** The config file (a variation: the file it varies). */
  readonly file: string;
  readonly config: Config;
  /** A variation: its name (`servers5-clients2`), its spec, and its TOML text. */
  readonly label?: string;
  readonly spec?: string;
  readonly source?: string;
}

/** Every combination of the values `spec` names, applied to `file`'s [topology]. */
export function topologyVariants(file: string, spec: string): Target[] {
  const axes = spec
    .trim()
    .split(/\s+/)
    .map((part) => {
      const match = /^([a-z_]+)=(\d+(?:,\d+)*)$/.exec(part);
      if (!match) throw new UsageError(`--topologies: expected key=v1,v2,... (e.g. "servers=3,5 clients=1,2"), got ${JSON.stringify(part)}`);
      return { key: match[1]!, values: match[2]!.split(',').map(Number) };
    });
  let combos: Record<string, number>[] = [{}];
  for (const axis of axes) combos = combos.flatMap((combo) => axis.values.map((value) => ({ ...combo, [axis.key]: value })));
  const base = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return combos.map((combo) => {
    const label = Object.entries(combo)
      .map(([key, value]) => `${key}${value}`)
      .join('-');
    const topology = { ...((base.topology as Record<string, unknown> | undefined) ?? {}), ...combo };
    const source = `# ${file} with [topology] ${Object.entries(combo).map(([k, v]) => `${k} = ${v}`).join(', ')} (mpkv explore --topologies)\n${stringify({ ...base, topology })}\n`;
    return { file, config: parseConfig(source, `${file} (--topologies ${label})`), label, spec, source };
  });
}
