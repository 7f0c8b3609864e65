/**
 * The schedule-driven network. During the safety phase (virtual time < safety_ms) message k,
 * in send order, gets the fate its choice in `schedule.messages` says (./schedule.ts); after
 * it — the healed phase — and for every message the schedule leaves alone, the network is
 * reliable: one copy, after a
 * delay drawn uniformly from the config's [delay_min_ms, delay_max_ms].
 *
 * The normal delay is drawn for every message, whatever its choice, from one stream of the
 * run's seed: changing one choice while shrinking leaves the other messages' draws alone.
 * Every departure from normal is logged, so a report can say which message a fault hit.
 */
import type { Config } from '../config/schema.js';
import type { Message, NodeId } from '../roles/messages.js';
import type { Fate, NetworkModel } from '../sim/network.js';
import { rngStreams } from '../sim/rng.js';
import { decodeChoice, NORMAL, type Fault, type Schedule } from './schedule.js';

export interface InjectedFault {
  /** Index of the message among those sent during the safety phase (= its choice's index). */
  readonly index: number;
  readonly t: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly type: Message['type'];
  readonly fault: Exclude<Fault, { kind: 'normal' }>;
}

export interface ScheduleNetwork extends NetworkModel {
  /** The faults actually injected so far, in send order. */
  readonly injected: readonly InjectedFault[];
}

export function scheduleNetwork(config: Config, schedule: Schedule): ScheduleNetwork {
  const { delay_min_ms: min, delay_max_ms: max } = config.network;
  const rng = rngStreams(schedule.seed, 1)[0]!;
  const injected: InjectedFault[] = [];
  const choices = new Map(schedule.messages.map((m) => [m.index, m.choice]));
  let index = 0;
  return {
    injected,
    fate(from, to, msg, now_ms): Fate {
      const normal = rng.int(min, Math.max(min, max));
      if (now_ms >= config.faults.safety_ms) return { dropped: false, delays_ms: [normal] };
      const k = index++;
      const fault = decodeChoice(choices.get(k) ?? NORMAL);
      if (fault.kind === 'normal') return { dropped: false, delays_ms: [normal] };
      injected.push({ index: k, t: now_ms, from, to, type: msg.type, fault });
      switch (fault.kind) {
        case 'delay':
          return { dropped: false, delays_ms: [fault.delay_ms] };
        case 'drop':
          return { dropped: true };
        case 'duplicate':
          return { dropped: false, delays_ms: [normal, fault.second_delay_ms] };
      }
    },
  };
}

export function describeFault(f: InjectedFault): string {
  const what =
    f.fault.kind === 'delay'
      ? `held back ${f.fault.delay_ms}ms`
      : f.fault.kind === 'drop'
        ? 'dropped'
        : `duplicated (second copy after ${f.fault.second_delay_ms}ms)`;
  return `message #${f.index} at t=${f.t}, ${f.from} -> ${f.to} ${f.type}: ${what}`;
}
