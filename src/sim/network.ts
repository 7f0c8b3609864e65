/**
 * The simulated network's behaviour, as one typed options object that maps one-to-one to the
 * config's `[network]` table (units in the names), and the faults planned in time: partitions
 * (windows between groups of nodes) and crashes (crash-stop, or crash-recover at a time).
 */
import type { Rng } from './rng.js';
import type { Envelope, NodeId } from './trace.js';

export type DelayKind = 'fixed' | 'uniform' | 'exponential';

export interface NetworkOptions {
  /** How a message's delay is drawn: `fixed` (always delay_min_ms), `uniform` in
   *  [delay_min_ms, delay_max_ms], or `exponential` with mean delay_mean_ms, clamped to
   *  [delay_min_ms, delay_max_ms]. Different delays reorder messages. */
  readonly delay: DelayKind;
  readonly delay_min_ms: number;
  readonly delay_max_ms: number;
  readonly delay_mean_ms: number;
  /** Probability that a message is lost. */
  readonly drop_rate: number;
  /** Probability that a message is delivered twice (each copy with its own delay). */
  readonly duplicate_rate: number;
}

/** From `start_ms` until `end_ms` (forever, when absent), nothing is delivered between nodes of
 *  different groups. Nodes named in no group form one more group together. */
export interface PartitionWindow {
  readonly start_ms: number;
  readonly end_ms?: number;
  readonly groups: readonly (readonly NodeId[])[];
}

/** `node` crashes at `at_ms`, losing its volatile state and timers; it restarts at
 *  `restart_ms` from what it persisted, or never (crash-stop) when absent. */
export interface CrashPlan {
  readonly node: NodeId;
  readonly at_ms: number;
  readonly restart_ms?: number;
}

/** What happens to one sent message: lost, or delivered once per delay listed. */
export type Fate = { readonly dropped: true } | { readonly dropped: false; readonly delays_ms: readonly number[] };

/** Decides each message's fate. The default draws from the config's rates; exploration
 *  substitutes one driven by a generated schedule. */
export interface NetworkModel {
  fate(from: NodeId, to: NodeId, msg: Envelope, now_ms: number): Fate;
}

/** The network the config describes, drawing every choice from `rng`. */
export function randomNetwork(options: NetworkOptions, rng: Rng): NetworkModel {
  const delay = (): number => drawDelay(options, rng);
  return {
    fate() {
      if (options.drop_rate > 0 && rng.float() < options.drop_rate) return { dropped: true };
      const delays_ms = [delay()];
      if (options.duplicate_rate > 0 && rng.float() < options.duplicate_rate) delays_ms.push(delay());
      return { dropped: false, delays_ms };
    },
  };
}

function drawDelay(options: NetworkOptions, rng: Rng): number {
  const { delay_min_ms: min, delay_max_ms: max } = options;
  switch (options.delay) {
    case 'fixed':
      return min;
    case 'uniform':
      return rng.int(min, max);
    case 'exponential': {
      const sample = -Math.log(1 - rng.float()) * options.delay_mean_ms;
      return Math.min(max, Math.max(min, Math.round(sample)));
    }
  }
}

/** True when `a` and `b` are on different sides of `window` (the caller checks its times). */
export function separated(window: PartitionWindow, a: NodeId, b: NodeId): boolean {
  const side = (n: NodeId): number => window.groups.findIndex((g) => g.includes(n));
  return side(a) !== side(b);
}
