/**
 * Replay files: what `mpkv explore` writes for a counterexample, and what `mpkv run --replay`
 * reads back to reproduce that run exactly, trace for trace.
 *
 * A replay file is JSON:
 *
 *   {
 *     "mpkv_replay": 1,
 *     "config": "configs/default.toml",       the config explored (a hint for the reader)
 *     "config_digest": "…",                    sha256 of that config (seed and mutants aside)
 *     "mutants": ["<name>"],                   the mutants that were enabled
 *     "schedule": { seed, messages, crashes, partitions },
 *     "search": { "seed": 42, "path": "12:3:0", "runs": 13, "shrinks": 7 },
 *     "expect": { "failed": ["agreement"], "steps": 251, "trace_sha256": "…" }
 *   }
 *
 * `expect` records what the run did when it was found; `replayMatches` checks a new run
 * against it. A replay only makes sense with the config it was recorded with, so loading one
 * against a different config (another file, or different command-line overrides) is refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { configDigest, differencesFrom, expectationOf, traceDigest } from '../emulations/digest.js';
import type { RunOptions } from '../emulations/run.js';
import type { RunResult } from '../emulations/run.js';
import { UsageError } from '../util/errors.js';
import { writeFileAtomic } from '../util/files.js';
import { explorationConfig, scheduleOptions, type Failure } from './explore.js';
import { parseSchedule, type Schedule } from './schedule.js';

export const REPLAY_VERSION = 1;

export interface ReplayFile {
  readonly mpkv_replay: number;
  readonly config: string;
  readonly config_digest: string;
  readonly mutants: readonly string[];
  readonly schedule: Schedule;
  readonly search?: { readonly seed: number; readonly path: string; readonly runs: number; readonly shrinks: number };
  readonly expect?: { readonly failed: readonly string[]; readonly steps: number; readonly trace_sha256: string };
}

export interface LoadedReplay {
  readonly file: string;
  /** The replay file as read (its `expect` is what the recorded run did). */
  readonly replay: ReplayFile;
  /** The config to run: the given one with the replay's seed, mutants and overrides. */
  readonly config: Config;
  /** The schedule-driven network and faults. */
  readonly options: RunOptions;
}

export { configDigest, traceDigest };

/** The replay file for a shrunk failure; `result` is its run (for `expect`). */
export function replayFileFor(configFile: string, config: Config, failure: Failure, result?: RunResult): ReplayFile {
  return {
    mpkv_replay: REPLAY_VERSION,
    config: configFile,
    config_digest: configDigest(config),
    mutants: config.mutants.enable,
    schedule: failure.schedule,
    search: { seed: failure.seed, path: failure.path, runs: failure.runsToFind, shrinks: failure.shrinks },
    ...(result
      ? { expect: expectationOf(result) }
      : {}),
  };
}

export function writeReplayFile(file: string, replay: ReplayFile): void {
  writeFileAtomic(file, `${JSON.stringify(replay, null, 2)}\n`);
}

/** Reads and checks a replay file; bad input is a `UsageError` naming the file. */
export async function readReplayFile(file: string): Promise<ReplayFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: cannot read the replay file (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`);
  }
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${file}: not a replay file (invalid JSON: ${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof value !== 'object' || value === null || value.mpkv_replay !== REPLAY_VERSION) {
    throw new UsageError(`${file}: not a replay file (expected "mpkv_replay": ${REPLAY_VERSION})`);
  }
  if (typeof value.config_digest !== 'string') throw new UsageError(`${file}: config_digest: expected a string`);
  const mutants = value.mutants ?? [];
  if (!Array.isArray(mutants) || !mutants.every((m) => typeof m === 'string')) {
    throw new UsageError(`${file}: mutants: expected a list of mutant names (see mpkv explore --list-mutants)`);
  }
  const schedule = parseSchedule(value.schedule);
  if (typeof schedule === 'string') throw new UsageError(`${file}: schedule.${schedule}`);
  return { ...(value as unknown as ReplayFile), mutants: mutants as string[], schedule };
}

/** The config and router options that reproduce the replay's run. */
export function replayRun(replay: ReplayFile, config: Config, file = '<replay>'): LoadedReplay {
  const runConfig = explorationConfig(config, replay.schedule.seed, replay.mutants);
  return { file, replay, config: runConfig, options: scheduleOptions(runConfig, replay.schedule) };
}

/** Reads a replay file for `config` of `emulation` (refusing one recorded with another config). */
export async function loadReplayFile(file: string, emulation: AnyEmulation, config: Config): Promise<LoadedReplay> {
  const replay = await readReplayFile(file);
  const known = Object.keys(emulation.mutants);
  const unknownMutant = replay.mutants.find((m) => !known.includes(m));
  if (unknownMutant) throw new UsageError(`${file}: mutants: ${JSON.stringify(unknownMutant)} is not a mutant of ${config.emulation} (see mpkv explore --list-mutants)`);
  if (configDigest(config) !== replay.config_digest) {
    throw new UsageError(`${file}: recorded with a different config (${replay.config}); run it with that file and no overrides`);
  }
  return replayRun(replay, config, file);
}

/**
 * How `result` differs from what the replay file says its run did, in words (undefined: it
 * matches). A difference means the code changed since the file was written: the replay no
 * longer reproduces the recorded run, and must not be trusted as a reproduction.
 */
export function replayDivergence(replay: ReplayFile, result: RunResult): string | undefined {
  if (!replay.expect) return undefined;
  const differences = differencesFrom(replay.expect, result);
  return differences.length === 0 ? undefined : differences.join('; ');
}

/** Does `result` do what the replay file says its run did? */
export function replayMatches(replay: ReplayFile, result: RunResult): boolean {
  return replayDivergence(replay, result) === undefined;
}

/** What a replay file about to be written is of: the config (by digest), its mutants, and its
 *  kind (a schedule, or a path of steps). */
export interface ReplayIdentity {
  readonly config_digest: string;
  readonly mutants: readonly string[];
  readonly kind: 'schedule' | 'steps';
}

/**
 * Why writing a replay of `identity` to `file` would destroy something else (undefined when
 * it would not): a file that is not a replay, or the replay of another config, other mutants
 * or the other kind. A replay of the same config, mutants and kind is replaced: it reproduces
 * a counterexample of the same setup, and the new one takes its place.
 */
export function replayOverwriteProblem(file: string, identity: ReplayIdentity): string | undefined {
  if (!existsSync(file)) return undefined;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return 'exists and is not a replay file';
  }
  if (typeof value !== 'object' || value === null || typeof value.mpkv_replay !== 'number') return 'exists and is not a replay file';
  const kind = value.kind === 'steps' ? 'steps' : 'schedule';
  const mutants = Array.isArray(value.mutants) ? (value.mutants as string[]) : [];
  const same = value.config_digest === identity.config_digest && kind === identity.kind && [...mutants].sort().join() === [...identity.mutants].sort().join();
  if (same) return undefined;
  const what = `${kind === 'steps' ? 'a path of events' : 'a schedule'} of ${String(value.config)}${mutants.length ? ` with ${mutants.join(', ')}` : ''}`;
  return `holds the replay of another run (${what})`;
}
