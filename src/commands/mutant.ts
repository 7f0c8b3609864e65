/** `--mutant NAME`, as run, explore and verify take it. */
import type { Config } from '../emulations/api/emulation.js';
import { emulationOf } from '../emulations/index.js';
import { UsageError } from '../util/errors.js';

/** The config with only the mutant `name` on (the config as it is without the flag), or a
 *  UsageError naming the emulation's mutants. */
export function withMutant<C extends Config>(config: C, name: string | undefined): C {
  if (name === undefined) return config;
  const known = Object.keys(emulationOf(config).mutants);
  if (!known.includes(name)) {
    throw new UsageError(`--mutant: ${config.emulation} has no mutant ${JSON.stringify(name)} (${known.length ? `expected one of ${known.join(', ')}` : 'it has none'})`);
  }
  return { ...config, mutants: { enable: [name] } };
}
