/**
 * Helpers for an emulation's temperature (./emulation.ts `TemperatureSpec`): the default bound,
 * derived from the config's timeouts in one way for every emulation.
 *
 * After the faults heal, an obligation waits at most for a chain of the protocol's timers and
 * message delays: a lost request is re-sent after the client's timeout, a preempted leader backs
 * off, a learner polls for what it missed, each reply is a network delay away. The emulation
 * names the links of that chain (config keys and their values); the default bound is
 * `SLACK` times their sum, so that a run on which luck is merely bad (proposers that duel a few
 * rounds, a learner that asks a peer as far behind as itself first) is not taken for a run that
 * cannot progress.
 */

/** How many times the longest chain of waits the default bound allows. */
export const SLACK = 4;

/** One link of the chain: a config key (as written in the TOML) and its value, in ms, times how
 *  often it may be waited for. */
export interface Wait {
  readonly key: string;
  readonly ms: number;
  readonly times?: number;
}

/** `SLACK` x the sum of the waits, and the sum in words
 *  (`4 x (workload.timeout_ms 200 + 2 x network.delay_max_ms 10) = 880`). */
export function boundOf(waits: readonly Wait[]): { ms: number; why: string } {
  const sum = waits.reduce((total, w) => total + w.ms * (w.times ?? 1), 0);
  const ms = SLACK * Math.max(1, sum);
  const terms = waits.map((w) => `${w.times !== undefined && w.times !== 1 ? `${w.times} x ` : ''}${w.key} ${w.ms}`);
  return { ms, why: `${SLACK} x (${terms.join(' + ')}) = ${ms} ms` };
}
