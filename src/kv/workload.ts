/**
 * The clients' random requests. Request k of client c is a pure function of (seed, c, k), so a
 * client draws the same requests whatever the network does to it (retries, duplicates, drops),
 * and after a crash it goes on with the requests it had not yet made.
 */
import { mixSeed, rngFromEntropy } from '../sim/rng.js';
import type { KvCommand } from './kv.js';

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

export const defaultWorkload: Workload = {
  requests: 5,
  get_weight: 1,
  put_weight: 1,
  delete_weight: 1,
  keys: ['a', 'b', 'c', 'd', 'e'],
  values: 100,
};

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
