/**
 * The registry: every emulation a config may name with `emulation = "..."`, the first being
 * the default. Adding an emulation is one line here (see README, "Adding an emulation").
 */
import { loadConfigWith, parseConfigWith, type Catalogue, type Overrides } from '../config/load.js';
import type { AnyEmulation, Config } from './api/emulation.js';
import { kvStore } from './kv_store/index.js';
import { maxSync } from './max_sync/index.js';
import { multipaxos } from './multipaxos/index.js';
import { raft } from './raft/index.js';

export const EMULATIONS: readonly AnyEmulation[] = [
  multipaxos,
  kvStore,
  maxSync,
  raft,
];

const byName = new Map(EMULATIONS.map((e) => [e.name, e]));

/** The emulation a config names (configs are only ever loaded with a registered name). */
export function emulationOf(config: Pick<Config, 'emulation'>): AnyEmulation {
  const emulation = byName.get(config.emulation);
  if (!emulation) throw new Error(`no emulation named ${JSON.stringify(config.emulation)}`);
  return emulation;
}

export const catalogue: Catalogue = { names: EMULATIONS.map((e) => e.name), get: (name) => byName.get(name) };

/** Reads and checks a config file; bad input is a `ConfigError` naming the file, line and key. */
export const loadConfig = (file: string, overrides: Overrides = {}): Config => loadConfigWith(catalogue, file, overrides);

/** Checks a config given as TOML text. */
export const parseConfig = (source: string, file = '<config>', overrides: Overrides = {}): Config =>
  parseConfigWith(catalogue, source, file, overrides);
