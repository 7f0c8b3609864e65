/**
 * The clients' random requests. Request k of client c is a pure function of (seed, c, k), so a
 * client draws the same requests whatever the network does to it (retries, duplicates, drops),
 * and after a crash it goes on with the requests it had not yet made.
 */
import * as v from 'valibot';
import { count, LIMITS, positiveMs, weight } from '../../config/base.js';
import type { ConfigProblem } from '../../config/load.js';
import type { KvCommand } from '../../kv/kv.js';
import { mixSeed, rngFromEntropy } from '../../sim/rng.js';

/** The `[workload]` section of a kv emulation. */
export const WorkloadSchema = v.strictObject({
  /** Requests each client makes, one at a time. */
  requests: v.optional(count(0, LIMITS.requests), 5),
  get_weight: v.optional(weight(), 1),
  put_weight: v.optional(weight(), 1),
  delete_weight: v.optional(weight(), 1),
  keys: v.optional(
    v.pipe(v.array(v.string('expected a string')), v.minLength(1, 'expected at least one key'), v.maxLength(LIMITS.keys, `expected at most ${LIMITS.keys} keys`)),
    ['a', 'b', 'c', 'd', 'e'],
  ),
  values: v.optional(count(1, LIMITS.values), 100),
  /** A client re-sends a request that has had no reply for this long. */
  timeout_ms: v.optional(positiveMs(), 200),
});

export type WorkloadConfig = v.InferOutput<typeof WorkloadSchema>;

/** What the workload's schema cannot say: some operation must have weight, and the run must fit. */
export function checkWorkload(workload: WorkloadConfig, clients: number): ConfigProblem | undefined {
  if (workload.get_weight + workload.put_weight + workload.delete_weight <= 0) {
    return { path: ['workload', 'get_weight'], detail: 'get_weight, put_weight and delete_weight are all 0: at least one must be > 0' };
  }
  if (clients * workload.requests > LIMITS.totalRequests) {
    return {
      path: ['workload', 'requests'],
      detail: `${clients} clients x ${workload.requests} requests is ${clients * workload.requests}; at most ${LIMITS.totalRequests} requests per run`,
    };
  }
  return undefined;
}

export interface Workload {
  /** Requests each client makes. */
  readonly requests: number;
  /** Relative weights of the three operations. */
  readonly get_weight: number;
  readonly put_weight: number;
  readonly delete_weight: number;
  /** Keys requests draw from (`a`..`e` by default). */
  readonly keys: readonly string[];
  /** Values are `val_0` .. `val_<values - 1>`. */
  readonly values: number;
}

/** The command client `client` sends as its request number `k` (1-based). */
export function requestCommand(workload: Workload, seed: number, client: number, k: number): KvCommand {
  const rng = rngFromEntropy(mixSeed(seed, client, k));
  const total = workload.get_weight + workload.put_weight + workload.delete_weight;
  const roll = rng.float() * total;
  const key = workload.keys[rng.int(0, workload.keys.length - 1)]!;
  if (roll < workload.get_weight) return { op: 'get', key };
  if (roll < workload.get_weight + workload.put_weight) return { op: 'put', key, value: `val_${rng.int(0, workload.values - 1)}` };
  return { op: 'delete', key };
}
