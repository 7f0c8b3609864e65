/**
 * Schedules: what `mpkv explore` generates, shrinks and replays. A schedule is plain JSON data
 * that, together with a config, fixes one run completely:
 *
 *   seed        the run's seed (the clients' requests, every node's entropy, normal delays);
 *   messages    the messages the schedule does not leave alone: `{ from, to, n, choice }` means
 *               that the n-th message (from 0) sent from `from` to `to` during the safety phase
 *               gets the fate `choice` says (./network.ts):
 *                    0  normal: delivered once, after the reliable network's delay
 *                  d>0  held back: delivered once, after exactly d ms
 *                   -1  dropped
 *                 -1-d  duplicated: delivered after the normal delay, and again after d ms
 *               Every other message travels normally. Sparse, and counted per link, on
 *               purpose: shrinking removes whole faults, and removing one leaves the others
 *               on the same messages (a global message number would shift them all), so a
 *               minimal schedule is found in tens or hundreds of runs, not tens of thousands.
 *   crashes     crash-recover events: each node goes down at `at_ms` and is back by safety_ms;
 *   partitions  windows inside the safety phase cutting one group of nodes off from the rest.
 *
 * Which event happens next is decided by time: the router takes the earliest item off its
 * agenda, so a schedule orders deliveries and timers by choosing each message's delay.
 *
 * Everything shrinks toward "benign": a choice toward 0 (a duplicate into a drop, a drop into
 * a normal delivery, a long delay into a short one), lists toward empty, fault times toward 0,
 * a partition's group toward nobody. So the minimal schedule fast-check reports keeps only the
 * faults the violation needs.
 *
 * The budget comes from the config's `[faults]` table. The generator never lets more than
 * `max_crashed` nodes be down at once, nor a set of nodes the emulation forbids (one whose
 * loss it does not claim to survive); crashes that would break that rule are left out of the schedule rather than
 * rejected, which keeps shrinking total. Which links exist and which roles may crash, the
 * emulation says (src/emulations/api.ts `explore`, `Role.crashable`).
 */
import fc from 'fast-check';
import { crashRolesOf, type AnyEmulation, type Config } from '../emulations/api/emulation.js';
import type { CrashPlan, PartitionWindow } from '../sim/network.js';
import type { NodeId } from '../sim/trace.js';

export interface Schedule {
  readonly seed: number;
  readonly messages: readonly MessageChoice[];
  readonly crashes: readonly Required<CrashPlan>[];
  readonly partitions: readonly PartitionWindow[];
}

export interface MessageChoice {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly n: number;
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

/** The nodes a schedule may crash: those of the crashable roles the budget names. */
export function crashableNodes(emulation: AnyEmulation, config: Config): string[] {
  const crashable = new Set(crashRolesOf(emulation, config).map((r) => r.name));
  return emulation.topology(config).flatMap((r) => (crashable.has(r.role) ? r.nodes : []));
}

/** Every node, in boot order. */
export const allNodes = (emulation: AnyEmulation, config: Config): NodeId[] => emulation.topology(config).flatMap((r) => r.nodes);

/** The directed links messages travel on in this topology (a fault on any other would be lost). */
export const links = (emulation: AnyEmulation, config: Config): [NodeId, NodeId][] => emulation.explore.links(config).map(([a, b]) => [a, b]);

/** Narrower choices than the budget allows (swarm exploration draws them per schedule). */
export interface ScheduleKnobs {
  /** Crashes and partitions start in [from, to) (default: anywhere in the safety phase). */
  readonly crashWindow?: readonly [number, number];
  /** The nodes that may crash (default: every crashable node). */
  readonly crashable?: readonly NodeId[];
  /** The links message faults go on (default: every link). */
  readonly links?: readonly (readonly [NodeId, NodeId])[];
  /** How many messages each link (`from -> to`, see `linkKey`) carries in a fault-free run:
   *  message faults then land only on messages that are sent (the n-th of a link, n below its
   *  count), never on numbers no message will have (default: the first `link_messages` of
   *  every link). */
  readonly traffic?: ReadonlyMap<string, number>;
}

export const linkKey = (from: NodeId, to: NodeId): string => `${from}\u0000${to}`;

/** Messages per link (`linkKey`) among `messages`, e.g. the sends of a fault-free run. */
export function trafficOf(messages: Iterable<{ readonly from: NodeId; readonly to: NodeId }>): Map<string, number> {
  const traffic = new Map<string, number>();
  for (const { from, to } of messages) traffic.set(linkKey(from, to), (traffic.get(linkKey(from, to)) ?? 0) + 1);
  return traffic;
}

/** The (link, n) a message fault may hit: every message sent on `links` in a run whose
 *  traffic is known, within the first `max` of each link. */
export function sentMessages(links: readonly (readonly [NodeId, NodeId])[], traffic: ReadonlyMap<string, number>, max: number): { link: readonly [NodeId, NodeId]; n: number }[] {
  return links.flatMap((link) => Array.from({ length: Math.min(max, traffic.get(linkKey(link[0], link[1])) ?? 0) }, (_, n) => ({ link, n })));
}

/** The fast-check arbitrary of schedules of `emulation` within `config.faults`. */
export function scheduleArbitrary(emulation: AnyEmulation, config: Config, knobs: ScheduleKnobs = {}): fc.Arbitrary<Schedule> {
  const f = config.faults;
  const per = (p: number): number => Math.round(p * 1000);
  const faultRate = Math.min(1, f.drop_rate + f.duplicate_rate + f.delay_rate);
  const kinds = [
    { weight: per(f.delay_rate), arbitrary: fc.integer({ min: 1, max: f.delay_max_ms }) },
    { weight: per(f.drop_rate), arbitrary: fc.constant(DROP) },
    { weight: per(f.duplicate_rate), arbitrary: fc.integer({ min: -1 - f.delay_max_ms, max: -2 }) },
  ].filter((k) => k.weight > 0);
  const faultLinks = knobs.links ?? links(emulation, config);
  const sent = knobs.traffic ? sentMessages(faultLinks, knobs.traffic, f.link_messages) : undefined;
  const target = sent && sent.length > 0 ? fc.constantFrom(...sent) : undefined;
  // The rates are per message: of the messages open to faults, about that share at most.
  const maxFaulted = kinds.length === 0 ? 0 : Math.round(faultRate * Math.min(f.max_messages, sent?.length ?? f.max_messages));
  const choice = maxFaulted === 0 ? fc.constant(NORMAL) : fc.oneof({ withCrossShrink: true }, ...kinds);
  const nodes = allNodes(emulation, config);
  const crashable = knobs.crashable ?? crashableNodes(emulation, config);
  const time = fc.integer({ min: 0, max: f.safety_ms - 1 });
  const [crashFrom, crashTo] = knobs.crashWindow ?? [0, f.safety_ms];
  const crashTime = fc.integer({ min: crashFrom, max: Math.max(crashFrom, crashTo - 1) });
  const length = fc.integer({ min: 1, max: f.safety_ms });
  const crash =
    crashable.length === 0 || f.max_crashed === 0 || f.crashes === 0
      ? fc.constant([] as { node: string; start: number; length: number }[])
      : fc.array(fc.record({ node: fc.constantFrom(...crashable), start: crashTime, length: fc.integer({ min: 1, max: f.down_max_ms }) }), {
          maxLength: f.crashes,
        });
  const partition =
    f.partitions === 0
      ? fc.constant([] as { start: number; length: number; group: string[] }[])
      : fc.array(fc.record({ start: knobs.crashWindow ? crashTime : time, length, group: fc.subarray(nodes, { minLength: 0 }) }), {
          maxLength: f.partitions,
        });
  return fc
    .record({
      seed: fc.nat({ max: 2 ** 32 - 1 }),
      messages:
        maxFaulted === 0 || faultLinks.length === 0 || sent?.length === 0
          ? fc.constant([] as { link: readonly [NodeId, NodeId]; n: number; choice: number }[])
          : target
            ? fc.array(fc.record({ at: fc.noShrink(target), choice }), { maxLength: maxFaulted, size: 'max' }).map((ms) => ms.map(({ at, choice }) => ({ ...at, choice })))
            : fc.array(
                fc.record({ link: fc.noShrink(fc.constantFrom(...faultLinks)), n: fc.noShrink(fc.nat({ max: f.link_messages - 1 })), choice }),
                { maxLength: maxFaulted, size: 'max' },
              ),
      crashes: crash,
      partitions: partition,
    })
    .map(({ seed, messages, crashes, partitions }) => ({
      seed,
      messages: messageChoices(messages.map(({ link: [from, to], n, choice }) => ({ from, to, n, choice }))),
      crashes: admissibleCrashes(emulation, config, crashes.map((c) => ({ node: c.node, at_ms: c.start, restart_ms: Math.min(f.safety_ms, c.start + c.length) }))),
      partitions: partitions
        .filter((p) => p.group.length > 0 && p.group.length < nodes.length)
        .map((p) => ({ start_ms: p.start, end_ms: Math.min(f.safety_ms, p.start + p.length), groups: [p.group] })),
    }));
}

/** One choice per message (the first wins), normal ones left out, sorted by link then n. */
export function messageChoices(messages: readonly MessageChoice[]): MessageChoice[] {
  const byKey = new Map<string, MessageChoice>();
  for (const m of messages) if (m.choice !== NORMAL && !byKey.has(messageKey(m.from, m.to, m.n))) byKey.set(messageKey(m.from, m.to, m.n), m);
  return [...byKey.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.n - b.n);
}

export const messageKey = (from: NodeId, to: NodeId, n: number): string => `${from}\u0000${to}\u0000${n}`;

/**
 * The crashes, in time order, that keep within the budget: at most `max_crashed` nodes down at
 * once, never a set of nodes the emulation forbids, never the same node twice at once. Others are
 * left out (not rejected, so every generated value is a schedule and shrinking stays total).
 */
export function admissibleCrashes(emulation: AnyEmulation, config: Config, crashes: readonly Required<CrashPlan>[]): Required<CrashPlan>[] {
  const kept: Required<CrashPlan>[] = [];
  const sorted = [...crashes].filter((c) => c.restart_ms > c.at_ms).sort((a, b) => a.at_ms - b.at_ms || a.node.localeCompare(b.node));
  for (const c of sorted) {
    const overlapping = kept.filter((k) => k.at_ms < c.restart_ms && c.at_ms < k.restart_ms);
    if (overlapping.some((k) => k.node === c.node)) continue;
    // The most nodes down at once while `c` is down: check at every crash start inside c's window.
    const starts = [c.at_ms, ...overlapping.map((k) => k.at_ms).filter((t) => t > c.at_ms)];
    const tooMany = starts.some((t) => {
      const down = [c, ...overlapping.filter((k) => k.at_ms <= t && t < k.restart_ms)];
      return down.length > config.faults.max_crashed || emulation.explore.mayBeDown?.(config, new Set(down.map((d) => d.node))) === false;
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
    if (typeof m?.from !== 'string' || typeof m.to !== 'string' || !isInt(m.n) || m.n < 0 || !isInt(m.choice)) {
      return 'messages: expected {from, to, n, choice}';
    }
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
