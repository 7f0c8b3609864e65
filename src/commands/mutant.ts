/** `--mutant NAME`, as run, explore and verify take it. */
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { UsageError } from '../util/errors.js';

/** The config with only the mutant `name` of `emulation` (the one the command resolved for the
 *  config) on (the config as it is without the flag), or a UsageError naming its mutants. */
export function withMutant<C extends Config>(emulation: AnyEmulation, config: C, name: string | undefined): C {
  if (name === undefined) return config;
  const known = Object.keys(emulation.mutants);
  if (!known.includes(name)) {
    throw new UsageError(`--mutant: ${config.emulation} has no mutant ${JSON.stringify(name)} (${known.length ? `expected one of ${known.join(', ')}` : 'it has none'})`);
  }
  return { ...config, mutants: { enable: [name] } };
}
