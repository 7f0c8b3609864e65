/**
 * A safety counterexample of `mpkv verify`, as the report prints it and the replay file keeps
 * it: the checks that failed, the path of events, and the file `mpkv run --replay` plays. One
 * piece for both places that find one: the safety search (./verify.ts) and the liveness pass,
 * which checks safety on the states it adds (./verify-liveness.ts).
 */
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { finishRun, startRun, type RunResult } from '../emulations/run.js';
import type { StepRecord } from '../verify/world.js';
import { describeSteps, StepRouter, stepsReplayFile, writeStepsReplayFile } from '../verify/replay.js';
import type { Io } from './io.js';

export interface Found {
  readonly file: string;
  readonly emulation: AnyEmulation;
  readonly config: Config;
  /** The replay file to write. */
  readonly out: string;
}

/** Plays the path back, as the replay file records it. */
export function playBack(found: Found, steps: readonly StepRecord[]): RunResult {
  return finishRun(startRun(found.emulation, found.config, { router: new StepRouter(found.emulation, found.config, steps) }));
}

/** Prints the failed checks and the path, and writes the replay file (`search`: the search's
 *  figures it keeps; `replayed`: the path played back). */
export function reportCounterexample(
  io: Io,
  found: Found,
  steps: readonly StepRecord[],
  failed: readonly { readonly name: string; readonly detail: string }[],
  search: Readonly<Record<string, number>>,
  replayed: RunResult,
): void {
  io.stdout('failed checks:');
  for (const v of failed) io.stdout(`  ${v.name}: ${v.detail}`);
  io.stdout(`counterexample (${steps.length} event(s) after boot):`);
  for (const line of describeSteps(found.emulation, steps)) io.stdout(`  ${line}`);
  writeStepsReplayFile(found.out, stepsReplayFile(found.file, found.config, steps, search, replayed));
  io.stdout(`replay file: ${found.out}`);
  io.stdout(`  replay: mpkv run ${found.file} --replay ${found.out}`);
}
