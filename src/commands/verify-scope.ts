/**
 * What `mpkv verify` says about its scope before it searches: the `[verify]` defaults it
 * applies to a config that does not set them (one line each), and a warning when the scope is
 * too big to exhaust, so that a config made for `mpkv run` (configs/default.toml) does not
 * grow silently to gigabytes.
 *
 * The estimate. A path that completes the config's workload is about as long as one run of it:
 * the messages that run delivers (`mpkv run`, the config's seed, to its end; bounded by
 * `RUN_EVENTS`). A search is exhausted only if its paths may be about that long, so when a run
 * delivers more messages than `max_depth` allows, the search will most likely be cut at
 * `max_depth` (or at max_states, or --max-memory) whatever the machine. It is an estimate, not
 * a bound: the run's timers may fire more often than the [verify] budget lets them, so the
 * search's longest path can be shorter than the run. On configs/verify/ this separates the
 * configs that exhaust (one request: 14 messages a run, max_depth 20 or 30) from those that
 * stop at their depth (two requests: 22 to 42 messages, max_depth 12 to 20). With the warning
 * come the scope's sizes that make it big: clients x requests, nodes, the per-path budget.
 */
import * as v from 'valibot';
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { VerifySchema } from '../config/base.js';
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { startRun } from '../emulations/run.js';

/** The `[verify]` keys the file sets, or undefined when it has no `[verify]` table. The file
 *  was loaded (and checked) before: it parses. */
export function verifyKeysOf(file: string): string[] | undefined {
  const raw = parse(readFileSync(file, 'utf8')) as { verify?: Record<string, unknown> };
  return raw.verify === undefined ? undefined : Object.keys(raw.verify);
}

/** What each `[verify]` key means, for the lines that name its default. */
const MEANING: Readonly<Record<keyof Config['verify'], (value: never) => string>> = {
  max_depth: (n: number) => `paths of at most ${n} events`,
  max_states: (n: number) => `stop after ${n.toLocaleString('en-US')} distinct states`,
  drops: (n: number) => `${n} message drop(s) per path`,
  duplicates: (n: number) => `${n} duplicate delivery(ies) per path`,
  crashes: (n: number) => `${n} crash-recovery(ies) per path`,
  timeouts: (n: number) => `${n} timer firing(s) per path`,
  timers: (names: string[]) => (names.length === 0 ? 'every timer may fire' : `only ${names.join(', ')} may fire`),
  liveness_states: (n: number) => `the liveness pass stops after ${n.toLocaleString('en-US')} states`,
  liveness_timeouts: (n: number) => `the liveness pass allows ${n} early timer firing(s) per path`,
};

/**
 * For a config with no `[verify]` table: a line saying so, then one line per default applied
 * (`overridden`: the keys a flag set instead). None when the table is there.
 */
export function defaultsText(file: string, keys: readonly string[] | undefined, overridden: readonly string[]): string[] {
  if (keys !== undefined) return [];
  const defaults = v.parse(VerifySchema, {}) as Config['verify'];
  const lines = Object.entries(defaults)
    .filter(([key]) => !overridden.includes(key))
    .map(([key, value]) => `  ${key} = ${JSON.stringify(value)}: ${MEANING[key as keyof Config['verify']](value as never)}`);
  return [`${file} has no [verify] table: mpkv verify applies its defaults (set them in [verify] to choose a bound):`, ...lines];
}

/** A run longer than this is not played to its end: it is longer than any useful bound. */
const RUN_EVENTS = 100_000;

export interface Scope {
  /** Messages one run of the config delivers (at most RUN_EVENTS: `more` is then set). */
  readonly delivered: number;
  readonly more: boolean;
  /** `2 clients x 1 request(s)`, when the emulation names its clients and requests. */
  readonly workload: string | undefined;
  /** `4 nodes (2 servers, 2 clients)`: how many of each role. */
  readonly nodes: string;
}

export function scopeOf(emulation: AnyEmulation, config: Config): Scope {
  const run = startRun(emulation, config, { endWhenQuiescent: true });
  let steps = 0;
  run.router.boot();
  while (steps < RUN_EVENTS && run.router.step()) steps++;
  const more = !run.router.done;
  const { delivered } = run.router.summary();
  const roles = emulation.topology(config);
  const total = roles.reduce((n, r) => n + r.nodes.length, 0);
  const nodes = `${total} nodes (${roles.map((r) => `${r.nodes.length} ${r.role}${r.nodes.length === 1 ? '' : 's'}`).join(', ')})`;
  return { delivered, more, workload: workloadOf(emulation, config), nodes };
}

/** `3 client(s) x 5 request(s)`: the nodes that are clients, and the key the emulation's
 *  `--requests` sets (requests per client). */
function workloadOf(emulation: AnyEmulation, config: Config): string | undefined {
  const path = emulation.overrides?.requests;
  const requests = path?.reduce<unknown>((o, key) => (o as Record<string, unknown> | undefined)?.[key], config);
  if (typeof requests !== 'number') return undefined;
  const clients = emulation.nodes(config).filter((n) => n.client).length;
  return `${clients} client(s) x ${requests} request(s)`;
}

/** The warning, when the scope cannot be exhausted within max_depth; else nothing. */
export function scopeWarning(scope: Scope, config: Config, maxMemoryMb: number): string[] {
  const { max_depth, max_states } = config.verify;
  if (scope.delivered <= max_depth && !scope.more) return [];
  const run = `${scope.more ? 'more than ' : ''}${scope.delivered.toLocaleString('en-US')} messages`;
  const sizes = [scope.workload, scope.nodes].filter((x) => x !== undefined).join(', ');
  return [
    `warning: this scope is too big to exhaust: one run of it delivers ${run} (${sizes}), more than a path of max_depth ${max_depth} events holds;`,
    `  the search will be cut at depth ${max_depth}, at max_states (${max_states.toLocaleString('en-US')}) or at --max-memory (${maxMemoryMb.toLocaleString('en-US')} MB), whichever comes first.`,
    '  For a proof within a bound, make the scope small (fewer clients, requests and nodes) and set [verify] max_depth above its run\'s length.',
  ];
}
