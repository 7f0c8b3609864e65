/**
 * TOML -> validated `Config`. Every problem becomes one `ConfigError` whose text is a single
 * line naming the file, the line where it is known, and the key path:
 *
 *   configs/x.toml:7: network.drop_rate: expected a number in [0, 1], got 1.5
 */
import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import * as v from 'valibot';
import { baseEntries, type BaseConfig } from './base.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${path ? `${path}: ` : ''}${detail}`);
    this.name = 'ConfigError';
  }
}

/** Command-line overrides of the common knobs. */
export interface Overrides {
  readonly seed?: number;
  readonly clients?: number;
  readonly requests?: number;
}

type Path = ReadonlyArray<string | number>;

/** A problem with a config that a schema cannot express: the key path, and what is wrong. */
export interface ConfigProblem {
  readonly path: Path;
  readonly detail: string;
}

/** What the loader needs of an emulation (src/emulations/api/emulation.ts's `Emulation` has
 *  all of it). */
export interface EmulationSpec {
  readonly name: string;
  /** Its own config sections: valibot schemas with defaults. */
  readonly sections: Readonly<Record<string, v.GenericSchema>>;
  /** Where `--clients` and `--requests` write (key paths), if it has such knobs. */
  readonly overrides?: { readonly clients?: readonly string[]; readonly requests?: readonly string[] };
  validate?(config: never): ConfigProblem | undefined;
  topology(config: never): readonly { readonly role: string; readonly nodes: readonly string[] }[];
  readonly mutants: Readonly<Record<string, string>>;
  readonly roles: readonly RoleName[];
}

/** A role's names, and whether exploration may crash its nodes. */
interface RoleName {
  readonly name: string;
  /** How `[faults] crash_roles` names the role (default: its name and an `s`). */
  readonly plural?: string;
  readonly crashable: boolean;
}

/** How `[faults] crash_roles` names a role: `clients`. */
export const pluralOf = (role: Pick<RoleName, 'name' | 'plural'>): string => role.plural ?? `${role.name}s`;

/** The emulations a config may name; the first is the default. */
export interface Catalogue {
  readonly names: readonly string[];
  get(name: string): EmulationSpec | undefined;
}

/** The catalogue of these emulations (the first: the default). */
export function catalogueOf(emulations: readonly EmulationSpec[]): Catalogue {
  const byName = new Map(emulations.map((e) => [e.name, e]));
  return { names: emulations.map((e) => e.name), get: (name) => byName.get(name) };
}

/** A loaded config: the common keys, and the emulation's sections (typed by the emulation). */
export type LoadedConfig = BaseConfig & Record<string, unknown>;

export function loadConfigWith(catalogue: Catalogue, file: string, overrides: Overrides = {}): LoadedConfig {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, undefined, '', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseConfigWith(catalogue, source, file, overrides);
}

export function parseConfigWith(catalogue: Catalogue, source: string, file = '<config>', overrides: Overrides = {}): LoadedConfig {
  let raw: Record<string, unknown>;
  try {
    raw = parse(source) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) throw new ConfigError(file, e.line, '', `TOML syntax error: ${firstLine(e.message)}`);
    throw e;
  }
  const fail = (path: Path, detail: string, flags = new Map<string, string>()): never => {
    const flag = flags.get(pathText(path));
    if (flag) throw new ConfigError(file, undefined, `${flag} (overrides ${pathText(path)})`, detail);
    throw new ConfigError(file, locate(source, path), pathText(path), detail);
  };
  const name = raw.emulation ?? catalogue.names[0];
  const emulation = typeof name === 'string' ? catalogue.get(name) : undefined;
  if (!emulation) fail(['emulation'], `expected one of ${catalogue.names.map((n) => JSON.stringify(n)).join(', ')}, got ${shown(name)}`);
  raw.emulation = emulation!.name;
  const flags = applyOverrides(raw, overrides, emulation!, file);
  const schema = v.strictObject({ ...baseEntries, ...emulation!.sections });
  const result = v.safeParse(schema, raw, { abortEarly: true });
  if (!result.success) {
    const issue = result.issues[0];
    fail((issue.path ?? []).map((p) => p.key as string | number), describeIssue(issue), flags);
  }
  const parsed = result.output as Record<string, unknown> & Omit<BaseConfig, 'faults'> & { faults: Record<string, unknown> };
  const crashable = emulation!.roles.filter((r) => r.crashable).map(pluralOf);
  const crashRoles = (parsed.faults.crash_roles as string[] | undefined) ?? crashable;
  const config = { ...parsed, faults: { ...parsed.faults, crash_roles: crashRoles } } as unknown as LoadedConfig;
  const problem = checkCommon(config, emulation!, crashable) ?? emulation!.validate?.(config as never);
  if (problem) fail(problem.path, problem.detail, flags);
  return config;
}

/** Writes the overrides into the raw config; returns which key paths came from which flag. */
function applyOverrides(raw: Record<string, unknown>, o: Overrides, emulation: EmulationSpec, file: string): Map<string, string> {
  const flags = new Map<string, string>();
  const set = (path: readonly string[], value: number, flag: string): void => {
    let table = raw;
    for (const key of path.slice(0, -1)) {
      const t = table[key];
      table = t && typeof t === 'object' && !Array.isArray(t) ? (t as Record<string, unknown>) : (table[key] = {} as Record<string, unknown>);
    }
    table[path.at(-1)!] = value;
    flags.set(pathText(path), flag);
  };
  if (o.seed !== undefined) set(['seed'], o.seed, '--seed');
  for (const knob of ['clients', 'requests'] as const) {
    if (o[knob] === undefined) continue;
    const path = emulation.overrides?.[knob];
    if (!path) throw new ConfigError(file, undefined, `--${knob}`, `the ${emulation.name} emulation has no such knob`);
    set(path, o[knob]!, `--${knob}`);
  }
  return flags;
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'strict_object' && issue.expected === 'never') return 'unknown key';
  return `${issue.message}, got ${issue.input === undefined ? 'nothing' : JSON.stringify(issue.input)}`;
}

/** What no schema can say, for every emulation: relations between keys, names that must exist. */
function checkCommon(config: LoadedConfig, emulation: EmulationSpec, crashable: readonly string[]): ConfigProblem | undefined {
  const n = config.network;
  if (n.delay_min_ms > n.delay_max_ms) {
    return { path: ['network', 'delay_max_ms'], detail: `must be >= delay_min_ms (${n.delay_min_ms}), got ${n.delay_max_ms}` };
  }
  const mutants = Object.keys(emulation.mutants);
  for (const [i, m] of config.mutants.enable.entries()) {
    if (!mutants.includes(m)) {
      return { path: ['mutants', 'enable', i], detail: `expected one of ${mutants.join(', ') || '(none: this emulation has no mutants)'}, got ${JSON.stringify(m)}` };
    }
  }
  for (const [i, r] of config.faults.crash_roles.entries()) {
    if (!crashable.includes(r)) return { path: ['faults', 'crash_roles', i], detail: `expected one of ${crashable.join(', ') || '(none)'}, got ${JSON.stringify(r)}` };
  }
  const nodes = new Set(emulation.topology(config as never).flatMap((r) => r.nodes));
  const unknownNode = (name: string): string => `no node ${JSON.stringify(name)} in this topology (nodes: ${[...nodes].join(', ')})`;
  for (const [i, p] of config.partitions.entries()) {
    if (p.end_ms !== undefined && p.end_ms <= p.start_ms) return { path: ['partitions', i, 'end_ms'], detail: `must be > start_ms (${p.start_ms}), got ${p.end_ms}` };
    const seen = new Set<string>();
    for (const group of p.groups) {
      for (const name of group) {
        if (!nodes.has(name)) return { path: ['partitions', i, 'groups'], detail: unknownNode(name) };
        if (seen.has(name)) return { path: ['partitions', i, 'groups'], detail: `${name} is in two groups` };
        seen.add(name);
      }
    }
  }
  for (const [i, c] of config.crashes.entries()) {
    if (!nodes.has(c.node)) return { path: ['crashes', i, 'node'], detail: unknownNode(c.node) };
    if (c.restart_ms !== undefined && c.restart_ms <= c.at_ms) {
      return { path: ['crashes', i, 'restart_ms'], detail: `must be > at_ms (${c.at_ms}), got ${c.restart_ms}` };
    }
  }
  return undefined;
}

const shown = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

const pathText = (path: Path): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

const firstLine = (s: string): string => s.split('\n')[0]!.trim();

/**
 * The line (1-based) where `path` is written, found by reading the TOML's tables and keys:
 * `[table]`, `[[array]]` (counted), and `key =` lines. Best effort: undefined when not found.
 */
export function locate(source: string, path: Path): number | undefined {
  if (path.length === 0) return undefined;
  const lines = source.split(/\r?\n/);
  const [head, ...rest] = path;
  const index = typeof rest[0] === 'number' ? (rest.shift() as number) : undefined;
  const keyLine = (from: number, key: string | number | undefined): number | undefined => {
    if (key === undefined || typeof key === 'number') return undefined;
    for (let i = from; i < lines.length; i++) {
      if (/^\s*\[/.test(lines[i]!)) return undefined;
      if (new RegExp(`^\\s*["']?${escape(key)}["']?\\s*=`).test(lines[i]!)) return i + 1;
    }
    return undefined;
  };
  const topLevel = keyLine(0, head);
  if (topLevel) return topLevel;
  let seen = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const table = new RegExp(`^\\s*\\[\\s*${escape(String(head))}\\s*\\]`).test(line);
    const arrayTable = new RegExp(`^\\s*\\[\\[\\s*${escape(String(head))}\\s*\\]\\]`).test(line);
    if (arrayTable) seen++;
    if ((table && index === undefined) || (arrayTable && (index === undefined || seen === index))) {
      return keyLine(i + 1, rest[0]) ?? i + 1;
    }
  }
  return undefined;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
