/**
 * Replay files: what `mpkv explore` writes for a counterexample, and what `mpkv run --replay`
 * reads back to reproduce that run exactly. (Placeholder until exploration lands: the explore
 * work replaces this module, keeping `loadReplayFile`'s signature.)
 */
import type { Config } from '../config/schema.js';
import type { EmulationOptions } from '../emulations/index.js';
import { UsageError } from '../commands/io.js';

export interface LoadedReplay {
  /** The config to run: the given one with the replay's seed, mutants and overrides. */
  readonly config: Config;
  /** The schedule-driven network and faults. */
  readonly options: EmulationOptions;
}

export async function loadReplayFile(file: string, _config: Config): Promise<LoadedReplay> {
  throw new UsageError(`${file}: replay files are not supported yet`);
}
