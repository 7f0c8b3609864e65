/**
 * Wiring a `Config` into a running world: the nodes of the chosen emulation, the network and
 * the planned faults, all handed to one router.
 */
import type { Config } from '../config/schema.js';
import type { Mutants } from '../roles/mutants.js';
import { Router, type RouterOptions } from '../sim/router.js';
import type { NetworkModel } from '../sim/network.js';
import { kvStoreNodes } from './kv_store.js';
import { multipaxosNodes } from './multipaxos.js';

export interface EmulationOptions {
  /** Replaces the config's network (exploration drives it from a schedule). */
  readonly network?: NetworkModel;
  /** Replace the config's planned faults. */
  readonly partitions?: RouterOptions['partitions'];
  readonly crashes?: RouterOptions['crashes'];
}

export function mutantsOf(config: Config): Mutants {
  return new Set(config.mutants.enable);
}

export function createRouter(config: Config, options: EmulationOptions = {}): Router {
  const mutants = mutantsOf(config);
  const nodes = config.emulation === 'kv_store' ? kvStoreNodes(config, mutants) : multipaxosNodes(config, mutants);
  return new Router({
    seed: config.seed,
    nodes,
    network: options.network ?? config.network,
    partitions: options.partitions ?? config.partitions,
    crashes: options.crashes ?? config.crashes,
    time_limit_ms: config.time_limit_ms,
    drain_ms: config.drain_ms,
  });
}
