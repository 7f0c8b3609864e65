/**
 * TOML -> validated `Config`. Every problem becomes one `ConfigError` whose text is a single
 * line naming the file, the line where it is known, and the key path:
 *
 *   configs/x.toml:7: network.drop_rate: expected a number in [0, 1], got 1.5
 */
import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import * as v from 'valibot';
import { allNodes, topologyOf } from './nodes.js';
import { ConfigSchema, LIMITS, type Config } from './schema.js';

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

export function loadConfig(file: string, overrides: Overrides = {}): Config {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, undefined, '', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseConfig(source, file, overrides);
}

export function parseConfig(source: string, file = '<config>', overrides: Overrides = {}): Config {
  let raw: Record<string, unknown>;
  try {
    raw = parse(source) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) throw new ConfigError(file, e.line, '', `TOML syntax error: ${firstLine(e.message)}`);
    throw e;
  }
  const flags = applyOverrides(raw, overrides);
  // A value given on the command line is blamed on its flag, not on a line of the file.
  const where = (path: Path): { line: number | undefined; path: string } => {
    const flag = flags.get(pathText(path));
    return flag ? { line: undefined, path: `${flag} (overrides ${pathText(path)})` } : { line: locate(source, path), path: pathText(path) };
  };
  const result = v.safeParse(ConfigSchema, raw, { abortEarly: true });
  if (!result.success) {
    const issue = result.issues[0];
    const at = where((issue.path ?? []).map((p) => p.key as string | number));
    throw new ConfigError(file, at.line, at.path, describeIssue(issue));
  }
  const config = result.output;
  const problem = checkConsistency(config);
  if (problem) {
    const at = where(problem.path);
    throw new ConfigError(file, at.line, at.path, problem.detail);
  }
  return config;
}

/** Writes the overrides into the raw config; returns which key paths came from which flag. */
function applyOverrides(raw: Record<string, unknown>, o: Overrides): Map<string, string> {
  const flags = new Map<string, string>();
  const table = (name: string): Record<string, unknown> => {
    const t = raw[name];
    if (t && typeof t === 'object' && !Array.isArray(t)) return t as Record<string, unknown>;
    return (raw[name] = {});
  };
  if (o.seed !== undefined) {
    raw.seed = o.seed;
    flags.set('seed', '--seed');
  }
  if (o.clients !== undefined) {
    table('topology').clients = o.clients;
    flags.set('topology.clients', '--clients');
  }
  if (o.requests !== undefined) {
    table('workload').requests = o.requests;
    flags.set('workload.requests', '--requests');
  }
  return flags;
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'strict_object' && issue.expected === 'never') return 'unknown key';
  const got = issue.input === undefined ? 'nothing' : JSON.stringify(issue.input);
  return `${issue.message}, got ${got}`;
}

type Path = ReadonlyArray<string | number>;
interface Problem {
  readonly path: Path;
  readonly detail: string;
}

/** What the schema cannot say: relations between keys, and names that must exist. */
function checkConsistency(config: Config): Problem | undefined {
  const t = config.topology;
  if (config.emulation === 'kv_store' && t.servers !== 1) {
    return { path: ['topology', 'servers'], detail: `kv_store runs exactly 1 server, got ${t.servers}` };
  }
  const w = config.workload;
  if (w.get_weight + w.put_weight + w.delete_weight <= 0) {
    return { path: ['workload', 'get_weight'], detail: 'get_weight, put_weight and delete_weight are all 0: at least one must be > 0' };
  }
  if (t.clients * w.requests > LIMITS.totalRequests) {
    return {
      path: ['workload', 'requests'],
      detail: `${t.clients} clients x ${w.requests} requests is ${t.clients * w.requests}; at most ${LIMITS.totalRequests} requests per run`,
    };
  }
  const n = config.network;
  if (n.delay_min_ms > n.delay_max_ms) {
    return { path: ['network', 'delay_max_ms'], detail: `must be >= delay_min_ms (${n.delay_min_ms}), got ${n.delay_max_ms}` };
  }
  if (config.paxos.backoff_min_ms > config.paxos.backoff_max_ms) {
    return { path: ['paxos', 'backoff_max_ms'], detail: `must be >= backoff_min_ms (${config.paxos.backoff_min_ms}), got ${config.paxos.backoff_max_ms}` };
  }
  const nodes = new Set(allNodes(topologyOf(config)));
  const unknownNode = (name: string): string =>
    `no node ${JSON.stringify(name)} in this topology (nodes: ${[...nodes].join(', ')})`;
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
