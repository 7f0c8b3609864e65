/**
 * Swarm exploration (Groce, Zhang, Eide, Chen, Regehr, "Swarm Testing", ISSTA 2012; the way
 * FoundationDB's and TigerBeetle's simulators pick their fault mixes): instead of one fault mix
 * for every schedule — the config's `[faults]` rates, all kinds on at once — each schedule first
 * draws its own mix, then a schedule within it:
 *
 *   - each kind of fault is on or off (a coin each): drops, duplicates, delays, crashes,
 *     partitions; a kind that is on gets its own rate (a tenth of the config's, the config's,
 *     or three times it, at most one half);
 *   - crashes: how many (up to the budget), which of the crashable nodes, and when they land
 *     (a random window of the safety phase: early, late, narrow or wide), how long they last;
 *   - message faults only on the links of a random set of nodes (the "hot" ones).
 *
 * A feature that masks a bug (every message delayed, so no two nodes ever race; crashes so
 * frequent that nothing gets decided) is off in half the schedules, and rare combinations (two
 * crashes of one node early on, duplicates on one link only) are common somewhere in the swarm.
 * The schedule it produces is an ordinary schedule (./schedule.ts): it shrinks, is reported and
 * replays exactly as the others do; the mix is only how it was drawn.
 */
import fc from 'fast-check';
import type { Config } from '../emulations/api/emulation.js';
import { allNodes, crashableNodes, links, scheduleArbitrary, type Schedule } from './schedule.js';

interface Mix {
  readonly drop: number;
  readonly duplicate: number;
  readonly delay: number;
  readonly crashes: number;
  readonly crashable: readonly string[];
  readonly window: readonly [number, number];
  readonly downMax: number;
  readonly partitions: number;
  readonly hot: readonly string[];
}

/** A rate that is off half the time, else a tenth of, equal to, or three times `rate`. */
const rate = (base: number): fc.Arbitrary<number> =>
  base <= 0 ? fc.constant(0) : fc.oneof(fc.constant(0), fc.constantFrom(base / 10, base, Math.min(0.5, base * 3)));

function mixArbitrary(config: Config): fc.Arbitrary<Mix> {
  const f = config.faults;
  const crashable = crashableNodes(config);
  const nodes = allNodes(config);
  const point = fc.integer({ min: 0, max: f.safety_ms - 1 });
  return fc.record({
    drop: rate(f.drop_rate),
    duplicate: rate(f.duplicate_rate),
    delay: rate(f.delay_rate),
    crashes: crashable.length === 0 || f.crashes === 0 ? fc.constant(0) : fc.oneof(fc.constant(0), fc.integer({ min: 1, max: f.crashes })),
    crashable: crashable.length === 0 ? fc.constant([]) : fc.subarray(crashable, { minLength: 1 }),
    window: fc.tuple(point, point).map(([a, b]): readonly [number, number] => (a <= b ? [a, b + 1] : [b, a + 1])),
    downMax: fc.constantFrom(Math.max(1, Math.round(f.down_max_ms / 5)), f.down_max_ms),
    partitions: f.partitions === 0 ? fc.constant(0) : fc.constantFrom(0, f.partitions),
    hot: fc.subarray(nodes, { minLength: 1 }),
  });
}

/** The fast-check arbitrary of swarm schedules: a mix, then a schedule within it. */
export function swarmArbitrary(config: Config): fc.Arbitrary<Schedule> {
  return mixArbitrary(config).chain((mix) => {
    const faults = {
      ...config.faults,
      drop_rate: mix.drop,
      duplicate_rate: mix.duplicate,
      delay_rate: mix.delay,
      crashes: mix.crashes,
      down_max_ms: mix.downMax,
      partitions: mix.partitions,
    };
    const hot = new Set(mix.hot);
    const hotLinks = links(config).filter(([from, to]) => hot.has(from) || hot.has(to));
    return scheduleArbitrary({ ...config, faults }, { crashWindow: mix.window, crashable: mix.crashable, links: hotLinks });
  });
}
