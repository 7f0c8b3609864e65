/**
 * Swarm exploration (Groce, Zhang, Eide, Chen, Regehr, "Swarm Testing", ISSTA 2012; the way
 * FoundationDB's and TigerBeetle's simulators pick their fault mixes): instead of one fault mix
 * for every schedule — the config's `[faults]` rates, all kinds on at once — each schedule first
 * draws its own mix, then a schedule within it:
 *
 *   - half the schedules take the config's own mix, as random schedules do;
 *   - the others draw one: each kind of fault on or off (a coin each: drops, duplicates,
 *     delays, crashes, partitions), a kind that is on at the config's rate, three times it, or
 *     one half; one or two nodes the faults gather on (drawn uniformly, or one drawn in
 *     proportion to the messages it handles: they are the ones that crash, and half the time
 *     the message faults hit only their links); how many crashes (up to the budget),
 *     when they and partitions land (a random window of the safety phase: early, late, narrow
 *     or wide; half the time a window of the busy period, while the clients are still at
 *     work) and how long crashes last; and message faults land only on messages that a
 *     fault-free run sends (the n-th message of a link, for n below its count there).
 *
 * The busy period and each link's traffic are measured once per config, as PCT measures its
 * k, by a fault-free run: when the last client finishes, and how many messages each link
 * carries (the first 40 of a link are open to faults, but most links carry a handful). In a small config it is a fraction of the safety phase
 * (configs/default.toml: about 135 ms of 1000), and a crash that lands after it finds nothing
 * left to break.
 *
 * A feature that masks a bug (every message delayed, so no two nodes ever race; crashes so
 * frequent that nothing gets decided) is off in half the schedules, and rare combinations (two
 * crashes of one node early on, duplicates on one link only) are common somewhere in the swarm.
 * The schedule it produces is an ordinary schedule (./schedule.ts): it shrinks, is reported and
 * replays exactly as the others do; the mix is only how it was drawn.
 */
import fc from 'fast-check';
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { emulate } from '../emulations/run.js';
import { allNodes, crashableNodes, links, scheduleArbitrary, trafficOf, type Schedule } from './schedule.js';

/** What a fault-free run of a config shows the swarm: how long the clients keep it busy, and
 *  how many messages each link carries (so that message faults land on messages that exist). */
export interface Calibration {
  /** When the last client finishes (at most the safety phase). */
  readonly busy: number;
  readonly traffic: ReadonlyMap<string, number>;
}

export function calibrate(emulation: AnyEmulation, config: Config): Calibration {
  const run = emulate(emulation, config, { keepTrace: true });
  const traffic = trafficOf((run.trace ?? []).flatMap((e) => (e.kind === 'send' ? [e] : [])));
  const done = run.summary.clients_done_ms ?? config.faults.safety_ms;
  return { busy: Math.max(1, Math.min(config.faults.safety_ms, done)), traffic };
}

interface Mix {
  readonly drop: number;
  readonly duplicate: number;
  readonly delay: number;
  readonly crashes: number;
  readonly crashable: readonly string[];
  readonly window: readonly [number, number];
  readonly downMax: number;
  readonly partitions: number;
  /** The links message faults go on (undefined: every link). */
  readonly links: readonly (readonly [string, string])[] | undefined;
  /** Message faults land only on messages a fault-free run sends (the config's own mix: on
   *  any of the first `link_messages` of a link, as random schedules do). */
  readonly onSent: boolean;
}

/**
 * One node, drawn in proportion to the messages it sends and receives in a fault-free run:
 * faults gather where the traffic is (a node every request passes through draws them most).
 */
function busiest(nodes: readonly string[], traffic: ReadonlyMap<string, number>): fc.Arbitrary<string[]> {
  const load = new Map<string, number>();
  for (const [link, count] of traffic) for (const node of link.split('\u0000')) load.set(node, (load.get(node) ?? 0) + count);
  const weighted = nodes
    .filter((node) => (load.get(node) ?? 0) > 0)
    .map((node) => ({ arbitrary: fc.constant<string[]>([node]), weight: load.get(node)! }));
  return weighted.length === 0 ? fc.subarray([...nodes], { minLength: 1, maxLength: 1 }) : fc.oneof(...weighted);
}

/** A rate that is off half the time, else the config's, three times it, or one half. */
const rate = (base: number): fc.Arbitrary<number> =>
  base <= 0 ? fc.constant(0) : fc.oneof(fc.constant(0), fc.constantFrom(base, Math.min(0.5, base * 3), 0.5));

/** Half the time the config's own mix (what random schedules use); else a mix of the swarm's. */
function mixArbitrary(emulation: AnyEmulation, config: Config, calibration: Calibration): fc.Arbitrary<Mix> {
  const { busy } = calibration;
  const f = config.faults;
  const crashable = crashableNodes(emulation, config);
  const everyLink = links(emulation, config);
  const nodes = allNodes(emulation, config);
  const own: Mix = {
    drop: f.drop_rate,
    duplicate: f.duplicate_rate,
    delay: f.delay_rate,
    crashes: f.crashes,
    crashable,
    window: [0, f.safety_ms],
    downMax: f.down_max_ms,
    partitions: f.partitions,
    links: undefined,
    onSent: false,
  };
  const window = (end: number): fc.Arbitrary<readonly [number, number]> => {
    const point = fc.integer({ min: 0, max: end - 1 });
    return fc.tuple(point, point).map(([a, b]): readonly [number, number] => (a <= b ? [a, b + 1] : [b, a + 1]));
  };
  const drawn = fc
    .record({
      drop: rate(f.drop_rate),
      duplicate: rate(f.duplicate_rate),
      delay: rate(f.delay_rate),
      crashes: crashable.length === 0 || f.crashes === 0 ? fc.constant(0) : fc.oneof(fc.constant(0), fc.integer({ min: 1, max: f.crashes })),
      focus: fc.oneof(fc.subarray(nodes, { minLength: 1, maxLength: 2 }), busiest(nodes, calibration.traffic)),
      focusLinks: fc.boolean(),
      victim: crashable.length === 0 ? fc.constant(undefined) : fc.constantFrom(...crashable),
      window: fc.oneof(window(f.safety_ms), window(busy)),
      downMax: fc.constantFrom(Math.max(1, Math.round(f.down_max_ms / 5)), f.down_max_ms, Math.max(1, Math.min(f.down_max_ms, Math.round(busy / 2)))),
      partitions: f.partitions === 0 ? fc.constant(0) : fc.constantFrom(0, f.partitions),
    })
    .map(({ focus, focusLinks, victim, ...mix }): Mix => {
      // Faults gather on a node or two: their links, and they are the ones that crash.
      const focused = crashable.filter((n) => focus.includes(n));
      const hot = new Set(focus);
      return {
        ...mix,
        crashable: focused.length > 0 ? focused : victim ? [victim] : [],
        links: focusLinks ? everyLink.filter(([from, to]) => hot.has(from) || hot.has(to)) : undefined,
        onSent: true,
      };
    });
  return fc.oneof(fc.constant(own), drawn);
}

/** The fast-check arbitrary of swarm schedules: a mix, then a schedule within it. */
export function swarmArbitrary(emulation: AnyEmulation, config: Config, calibration: Calibration = calibrate(emulation, config)): fc.Arbitrary<Schedule> {
  return mixArbitrary(emulation, config, calibration).chain((mix) => {
    const faults = {
      ...config.faults,
      drop_rate: mix.drop,
      duplicate_rate: mix.duplicate,
      delay_rate: mix.delay,
      crashes: mix.crashes,
      down_max_ms: mix.downMax,
      partitions: mix.partitions,
    };
    return scheduleArbitrary(
      emulation,
      { ...config, faults },
      { crashWindow: mix.window, crashable: mix.crashable, ...(mix.links ? { links: mix.links } : {}), ...(mix.onSent ? { traffic: calibration.traffic } : {}) },
    );
  });
}
