/**
 * Fingerprints that replay files carry, shared by every kind of replay (exploration schedules,
 * model-checker paths): the config a replay was recorded with, and the trace it produced.
 */
import { createHash } from 'node:crypto';
import { traceDigest } from '../sim/digest.js';
import type { TraceEvent } from '../sim/trace.js';
import type { Config } from './api/emulation.js';

export { traceDigest };

/** The config's fingerprint: everything that shapes a run except what a replay sets itself
 *  (the seed and the mutants) and the model checker's bound (it shapes the search, not a run). */
export function configDigest(config: Config): string {
  const { seed: _seed, mutants: _mutants, verify: _verify, ...rest } = config;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/** A run's trace digest: streamed (`RunOptions.digest`), or from its kept trace. */
export function digestOf(result: { readonly trace_sha256?: string; readonly trace?: readonly TraceEvent[] }): string {
  if (result.trace_sha256 !== undefined) return result.trace_sha256;
  if (result.trace !== undefined) return traceDigest(result.trace);
  throw new Error('the run kept neither its trace nor its digest: run it with { digest: true }');
}
