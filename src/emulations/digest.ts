/**
 * Fingerprints that replay files carry, shared by every kind of replay (exploration schedules,
 * model-checker paths): the config a replay was recorded with, and the trace it produced.
 */
import { createHash } from 'node:crypto';
import { traceDigest } from '../sim/digest.js';
import type { TraceEvent } from '../sim/trace.js';
import type { Config } from './api/emulation.js';
import type { RunResult } from './run.js';

export { traceDigest };

/** The config's fingerprint: everything that shapes a run except what a replay sets itself
 *  (the seed and the mutants) and the model checker's bound (it shapes the search, not a run). */
export function configDigest(config: Config): string {
  const { seed: _seed, mutants: _mutants, verify: _verify, ...rest } = config;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/** A run's trace digest: streamed (`RunOptions.digest`), or from its kept trace. */
function digestOf(result: { readonly trace_sha256?: string; readonly trace?: readonly TraceEvent[] }): string {
  if (result.trace_sha256 !== undefined) return result.trace_sha256;
  if (result.trace !== undefined) return traceDigest(result.trace);
  throw new Error('the run kept neither its trace nor its digest: run it with { digest: true }');
}

/** What a replay file records of the run it reproduces, to check a replay against. */
export interface Expectation {
  readonly failed: readonly string[];
  readonly steps: number;
  readonly trace_sha256: string;
}

const failedNames = (result: RunResult): string[] => result.verdicts.filter((v) => v.status === 'fail').map((v) => v.name);

/** The expectation a run sets: its failed checks, its steps, its trace digest. */
export function expectationOf(result: RunResult): Expectation {
  return { failed: failedNames(result), steps: result.summary.steps, trace_sha256: digestOf(result) };
}

/** How `result` differs from what was recorded, in words (none: it matches). A difference
 *  means the code changed since the file was written: the replay does not reproduce it. */
export function differencesFrom(expect: Expectation, result: RunResult): string[] {
  const differences: string[] = [];
  if (expect.steps !== result.summary.steps) differences.push(`${result.summary.steps} steps where the recorded run took ${expect.steps}`);
  if (expect.trace_sha256 !== digestOf(result)) differences.push('a different trace (sha256)');
  const failed = failedNames(result);
  if (JSON.stringify(expect.failed) !== JSON.stringify(failed)) {
    differences.push(`failed checks [${failed.join(', ') || 'none'}] where the recorded run failed [${expect.failed.join(', ') || 'none'}]`);
  }
  return differences;
}
