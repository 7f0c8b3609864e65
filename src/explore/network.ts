/**
 * The schedule-driven network. During the safety phase (virtual time < safety_ms) the n-th
 * message on a link gets the fate its choice in `schedule.messages` says (./schedule.ts);
 * every other message — all of them in the healed phase — travels as on a reliable network:
 * one copy, after a delay uniform in the config's [delay_min_ms, delay_max_ms].
 *
 * That normal delay is a pure function of (seed, link, n), not a draw from a shared stream, so
 * adding or removing one fault while shrinking does not move the other messages' delays.
 * Every departure from normal is logged, so a report can say which message a fault hit.
 */
import type { Config } from '../emulations/api/emulation.js';
import type { Healing } from '../emulations/temperature.js';
import type { Envelope, NodeId } from '../sim/trace.js';
import type { Fate, NetworkModel } from '../sim/network.js';
import { intFromEntropy, mixSeed } from '../sim/rng.js';
import { decodeChoice, NORMAL, type Fault, type Schedule } from './schedule.js';

export interface InjectedFault {
  readonly from: NodeId;
  readonly to: NodeId;
  /** The message's number on its link (from 0, counting the messages sent from `from` to `to`). */
  readonly n: number;
  readonly t: number;
  readonly type: Envelope['type'];
  readonly fault: Exclude<Fault, { kind: 'normal' }>;
}

export interface ScheduleNetwork extends NetworkModel {
  /** The faults actually injected so far, in send order. */
  readonly injected: readonly InjectedFault[];
}

/** What the network keeps per link: messages sent so far, the link name's hash, its faults. */
interface Link {
  sent: number;
  readonly hash: number;
  readonly choices: ReadonlyMap<number, number> | undefined;
}

export function scheduleNetwork(config: Config, schedule: Schedule): ScheduleNetwork {
  const { delay_min_ms: min, delay_max_ms: max } = config.network;
  const choices = new Map<string, Map<number, number>>();
  for (const m of schedule.messages) {
    const key = `${m.from}\u0000${m.to}`;
    if (!choices.has(key)) choices.set(key, new Map());
    choices.get(key)!.set(m.n, m.choice);
  }
  // Links by sender, then receiver: found without building a string per message.
  const links = new Map<NodeId, Map<NodeId, Link>>();
  const linkOf = (from: NodeId, to: NodeId): Link => {
    let byReceiver = links.get(from);
    if (!byReceiver) links.set(from, (byReceiver = new Map()));
    let link = byReceiver.get(to);
    if (!link) {
      const key = `${from}\u0000${to}`;
      byReceiver.set(to, (link = { sent: 0, hash: hashText(key), choices: choices.get(key) }));
    }
    return link;
  };
  const injected: InjectedFault[] = [];
  return {
    injected,
    fate(from, to, msg, now_ms): Fate {
      const link = linkOf(from, to);
      const n = link.sent++;
      const normal = intFromEntropy(mixSeed(schedule.seed, link.hash, n), min, Math.max(min, max));
      if (now_ms >= config.faults.safety_ms) return { dropped: false, delays_ms: [normal] };
      const fault = decodeChoice(link.choices?.get(n) ?? NORMAL);
      if (fault.kind === 'normal') return { dropped: false, delays_ms: [normal] };
      injected.push({ from, to, n, t: now_ms, type: msg.type, fault });
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

/**
 * When a schedule's faults have healed (src/emulations/temperature.ts): the end of the last
 * crash (its restart), of the last partition, and of every message fault the run injected (a
 * drop at once, a held-back message or a duplicate's second copy when it lands). Message faults
 * are injected as their messages are sent, so the time is known for sure once every faulted
 * message of the schedule has been sent, or the safety phase is over (no fault after it); until
 * then it is undefined.
 */
export function scheduleHealing(config: Config, schedule: Schedule, network: ScheduleNetwork): Healing {
  const planned = Math.max(0, ...schedule.crashes.map((c) => c.restart_ms), ...schedule.partitions.map((p) => p.end_ms ?? Number.POSITIVE_INFINITY));
  const landed = (f: InjectedFault): number =>
    f.t + (f.fault.kind === 'delay' ? f.fault.delay_ms : f.fault.kind === 'duplicate' ? Math.max(f.fault.second_delay_ms, config.network.delay_max_ms) : 0);
  let healed: number | undefined;
  return {
    healedAt(now) {
      if (healed !== undefined) return healed;
      if (now < config.faults.safety_ms && network.injected.length < schedule.messages.length) return undefined;
      healed = network.injected.reduce((latest, f) => Math.max(latest, landed(f)), planned);
      return healed;
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
  return `t=${f.t} ${f.from} -> ${f.to} message #${f.n} (${f.type}): ${what}`;
}

/** FNV-1a: a link's name as a 32-bit number. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
