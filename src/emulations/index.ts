/**
 * The registry: every emulation a config may name with `emulation = "..."`, the first being
 * the default. Adding an emulation is one line here (see README, "Adding an emulation").
 */
import { catalogueOf, loadConfigWith, parseConfigWith, type Catalogue, type Overrides } from '../config/load.js';
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

/** The registered emulation of this name. */
export function emulationNamed(name: string): AnyEmulation {
  const emulation = byName.get(name);
  if (!emulation) throw new Error(`no emulation named ${JSON.stringify(name)}`);
  return emulation;
}

/** The emulation a config names (configs are only ever loaded with a registered name): what a
 *  command resolves once, as it starts, and hands down. */
export const emulationOf = (config: Pick<Config, 'emulation'>): AnyEmulation => emulationNamed(config.emulation);

/** The name a worker thread finds `emulation` by (its functions cannot cross threads): only a
 *  registered emulation has one. */
export function registeredName(emulation: AnyEmulation): string {
  if (byName.get(emulation.name) !== emulation) throw new Error(`worker threads run registered emulations only, and ${emulation.name} is not one: run it on one thread`);
  return emulation.name;
}

export const catalogue: Catalogue = catalogueOf(EMULATIONS);

/** Reads and checks a config file; bad input is a `ConfigError` naming the file, line and key. */
export const loadConfig = (file: string, overrides: Overrides = {}): Config => loadConfigWith(catalogue, file, overrides);

/** Checks a config given as TOML text. */
export const parseConfig = (source: string, file = '<config>', overrides: Overrides = {}): Config =>
  parseConfigWith(catalogue, source, file, overrides);
