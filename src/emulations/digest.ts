/**
 * Fingerprints that replay files carry, shared by every kind of replay (exploration schedules,
 * model-checker paths): the config a replay was recorded with, and the trace it produced.
 */
import { createHash } from 'node:crypto';
import type { TraceEvent } from '../sim/trace.js';
import type { Config } from './api/emulation.js';

/** The config's fingerprint: everything that shapes a run except what a replay sets itself
 *  (the seed and the mutants) and the model checker's bound (it shapes the search, not a run). */
export function configDigest(config: Config): string {
  const { seed: _seed, mutants: _mutants, verify: _verify, ...rest } = config;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

export function traceDigest(trace: readonly TraceEvent[]): string {
  const hash = createHash('sha256');
  for (const e of trace) hash.update(`${JSON.stringify(e)}\n`);
  return hash.digest('hex');
}
