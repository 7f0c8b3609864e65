/**
 * Schedules: what `mpkv explore` generates, shrinks and replays. A schedule is plain JSON data
 * that, together with a config, fixes one run completely:
 *
 *   seed        the run's seed (the clients' requests, every node's entropy, normal delays);
 *   messages    the messages the schedule does not leave alone: `{ index, choice }` means that
 *               message number `index` (counting, from 0, the messages sent during the safety
 *               phase, in send order) gets the fate `choice` says (./network.ts):
 *                    0  normal: delivered once, after the reliable network's delay
 *                  d>0  held back: delivered once, after exactly d ms
 *                   -1  dropped
 *                 -1-d  duplicated: delivered after the normal delay, and again after d ms
 *               Every other message travels normally. (Sparse on purpose: shrinking removes
 *               whole faults, so a minimal schedule is found in tens of runs, not thousands.)
 *   crashes     crash-recover events: each node goes down at `at_ms` and is back by safety_ms;
 *   partitions  windows inside the safety phase cutting one group of nodes off from the rest.
 *
 * Which event happens next is decided by time: the router takes the earliest item off its
 * agenda, so a schedule orders deliveries and timers by choosing each message's delay.
 *
 * Everything shrinks toward "benign": a choice toward 0 (a duplicate into a drop, a drop into
 * a normal delivery, a long delay into a short one), a message index toward the first
 * message, lists toward empty, fault times toward 0,
 * a partition's group toward nobody. So the minimal schedule fast-check reports keeps only the
 * faults the violation needs.
 *
 * The budget comes from the config's `[faults]` table. The generator never lets more than
 * `max_crashed` nodes (nor a majority of acceptors) be down at once; crashes that would break
 * that rule are left out of the schedule rather than rejected, which keeps shrinking total.
 */
import fc from 'fast-check';
import type { Config } from '../config/schema.js';
import { topologyOf, allNodes } from '../config/nodes.js';
import type { CrashPlan, PartitionWindow } from '../sim/network.js';
import { majority } from '../roles/rules.js';

export interface Schedule {
  readonly seed: number;
  readonly messages: readonly MessageChoice[];
  readonly crashes: readonly Required<CrashPlan>[];
  readonly partitions: readonly PartitionWindow[];
}

export interface MessageChoice {
  readonly index: number;
  readonly choice: number;
}

export const NORMAL = 0;
export const DROP = -1;

export type Fault =
  | { readonly kind: 'normal' }
  | { readonly kind: 'delay'; readonly delay_ms: number }
  | { readonly kind: 'drop' }
  | { readonly kind: 'duplicate'; readonly second_delay_ms: number };

/** What one choice means (see the module doc). */
export function decodeChoice(code: number): Fault {
  if (code === NORMAL) return { kind: 'normal' };
  if (code > 0) return { kind: 'delay', delay_ms: code };
  if (code === DROP) return { kind: 'drop' };
  return { kind: 'duplicate', second_delay_ms: -code - 1 };
}

/** The nodes a schedule may crash, given the budget's roles. */
export function crashableNodes(config: Config): string[] {
  const t = topologyOf(config);
  const roles = new Set(config.faults.crash_roles);
  return [...(roles.has('acceptors') ? t.acceptors : []), ...(roles.has('leaders') ? t.leaders : []), ...(roles.has('replicas') ? t.replicas : [])];
}

/** The fast-check arbitrary of schedules within `config.faults`. */
export function scheduleArbitrary(config: Config): fc.Arbitrary<Schedule> {
  const f = config.faults;
  const per = (p: number): number => Math.round(p * 1000);
  const faultRate = Math.min(1, f.drop_rate + f.duplicate_rate + f.delay_rate);
  const kinds = [
    { weight: per(f.delay_rate), arbitrary: fc.integer({ min: 1, max: f.delay_max_ms }) },
    { weight: per(f.drop_rate), arbitrary: fc.constant(DROP) },
    { weight: per(f.duplicate_rate), arbitrary: fc.integer({ min: -1 - f.delay_max_ms, max: -2 }) },
  ].filter((k) => k.weight > 0);
  const maxFaulted = kinds.length === 0 ? 0 : Math.round(faultRate * f.max_messages);
  const choice = maxFaulted === 0 ? fc.constant(NORMAL) : fc.oneof({ withCrossShrink: true }, ...kinds);
  const nodes = allNodes(topologyOf(config));
  const crashable = crashableNodes(config);
  const time = fc.integer({ min: 0, max: f.safety_ms - 1 });
  const length = fc.integer({ min: 1, max: f.safety_ms });
  const crash =
    crashable.length === 0 || f.max_crashed === 0 || f.crashes === 0
      ? fc.constant([] as { node: string; start: number; length: number }[])
      : fc.array(fc.record({ node: fc.constantFrom(...crashable), start: time, length }), { maxLength: f.crashes });
  const partition =
    f.partitions === 0
      ? fc.constant([] as { start: number; length: number; group: string[] }[])
      : fc.array(fc.record({ start: time, length, group: fc.subarray(nodes, { minLength: 0 }) }), {
          maxLength: f.partitions,
        });
  return fc
    .record({
      seed: fc.nat({ max: 2 ** 32 - 1 }),
      messages:
        maxFaulted === 0
          ? fc.constant([] as MessageChoice[])
          : fc.array(fc.record({ index: fc.nat({ max: f.max_messages - 1 }), choice }), { maxLength: maxFaulted, size: 'max' }),
      crashes: crash,
      partitions: partition,
    })
    .map(({ seed, messages, crashes, partitions }) => ({
      seed,
      messages: messageChoices(messages),
      crashes: admissibleCrashes(config, crashes.map((c) => ({ node: c.node, at_ms: c.start, restart_ms: Math.min(f.safety_ms, c.start + c.length) }))),
      partitions: partitions
        .filter((p) => p.group.length > 0 && p.group.length < nodes.length)
        .map((p) => ({ start_ms: p.start, end_ms: Math.min(f.safety_ms, p.start + p.length), groups: [p.group] })),
    }));
}

/** One choice per message index (the first wins), in index order, normal ones left out. */
export function messageChoices(messages: readonly MessageChoice[]): MessageChoice[] {
  const byIndex = new Map<number, number>();
  for (const m of messages) if (m.choice !== NORMAL && !byIndex.has(m.index)) byIndex.set(m.index, m.choice);
  return [...byIndex].sort((a, b) => a[0] - b[0]).map(([index, choice]) => ({ index, choice }));
}

/**
 * The crashes, in time order, that keep within the budget: at most `max_crashed` nodes down at
 * once, never a majority of the acceptors, never the same node twice at once. Others are
 * left out (not rejected, so every generated value is a schedule and shrinking stays total).
 */
export function admissibleCrashes(config: Config, crashes: readonly Required<CrashPlan>[]): Required<CrashPlan>[] {
  const acceptors = new Set(topologyOf(config).acceptors);
  const maxAcceptorsDown = acceptors.size - majority(acceptors.size);
  const kept: Required<CrashPlan>[] = [];
  const sorted = [...crashes].filter((c) => c.restart_ms > c.at_ms).sort((a, b) => a.at_ms - b.at_ms || a.node.localeCompare(b.node));
  for (const c of sorted) {
    const overlapping = kept.filter((k) => k.at_ms < c.restart_ms && c.at_ms < k.restart_ms);
    if (overlapping.some((k) => k.node === c.node)) continue;
    // The most nodes down at once while `c` is down: check at every crash start inside c's window.
    const starts = [c.at_ms, ...overlapping.map((k) => k.at_ms).filter((t) => t > c.at_ms)];
    const tooMany = starts.some((t) => {
      const down = [c, ...overlapping.filter((k) => k.at_ms <= t && t < k.restart_ms)];
      return down.length > config.faults.max_crashed || down.filter((d) => acceptors.has(d.node)).length > maxAcceptorsDown;
    });
    if (!tooMany) kept.push(c);
  }
  return kept;
}

/** How many faults a schedule injects (messages it does not leave normal, crashes, partitions). */
export function faultCount(schedule: Schedule): number {
  return schedule.messages.length + schedule.crashes.length + schedule.partitions.length;
}

/** Checks that `value` (read from a file) is a schedule; says what is wrong otherwise. */
export function parseSchedule(value: unknown): Schedule | string {
  if (typeof value !== 'object' || value === null) return 'expected an object';
  const s = value as Record<string, unknown>;
  const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
  if (!isInt(s.seed) || s.seed < 0) return 'seed: expected an integer >= 0';
  if (!Array.isArray(s.messages)) return 'messages: expected a list';
  for (const m of s.messages as Record<string, unknown>[]) {
    if (!isInt(m?.index) || m.index < 0 || !isInt(m.choice)) return 'messages: expected {index, choice} with integers';
  }
  if (!Array.isArray(s.crashes)) return 'crashes: expected a list';
  for (const c of s.crashes as Record<string, unknown>[]) {
    if (typeof c?.node !== 'string' || !isInt(c.at_ms) || !isInt(c.restart_ms)) return 'crashes: expected {node, at_ms, restart_ms}';
  }
  if (!Array.isArray(s.partitions)) return 'partitions: expected a list';
  for (const p of s.partitions as Record<string, unknown>[]) {
    if (!isInt(p?.start_ms) || !isInt(p.end_ms) || !Array.isArray(p.groups)) return 'partitions: expected {start_ms, end_ms, groups}';
  }
  return value as Schedule;
}
