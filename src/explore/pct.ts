/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS
 * 2010; the scheduler of AWS's P language and of Shuttle), for message-passing nodes.
 *
 * Where the other strategies shape a run through message delays and let time order the events,
 * a PCT run chooses the order itself, one event at a time, in the model checker's world
 * (src/verify/world.ts: the same machines, no clock):
 *
 *   - every node gets a distinct random priority, all of them above d;
 *   - at each step the node with the highest priority that has a message waiting takes the
 *     oldest one. Timers have priorities too, and each may fire once while messages are still in
 *     flight (a retry racing its answer); otherwise timers fire when no message is in flight
 *     (timeouts are slower than messages, as in the configs), the highest-priority node's first,
 *     each at most once between two messages its node receives: nodes that re-arm their timers
 *     forever cannot keep the others from ever running;
 *   - at d - 1 steps chosen at random in [0, k), the node that just ran drops to a priority
 *     below every initial one (the i-th change point to priority d - i). k is the length of a
 *     run of the config with no change and no fault, unless given.
 *
 * A bug that needs d ordering constraints between n nodes, within k steps, is then found with
 * probability at least 1 / (n k^(d-1)) per run, however unlikely the order is under random
 * delays: that is the guarantee. Beside the order, a schedule gives messages their fates as a
 * random schedule does (the n-th message on a link dropped or duplicated, at the config's
 * rates) and crash-recoveries at chosen steps, within the config's [faults] budget.
 *
 * A run goes on until the clients are done and nothing is in flight, until nothing can happen,
 * or for `MAX_STEPS` steps. The emulation's safety checks are asked after every step; liveness
 * is not judged here (the order is chosen, not fair). Schedules are fast-check values, so they
 * shrink (fewer change points, fewer faults, earlier ones); a failing run is written as a path
 * of events (a `steps` replay file: src/verify/replay.ts), which `mpkv run --replay` plays.
 */
import fc from 'fast-check';
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { mixSeed, rngFromEntropy } from '../sim/rng.js';
import type { Verdict } from '../../specs/verdict.js';
import { World, type Step, type StepRecord, type WorldState } from '../verify/world.js';
import { crashableNodes, DROP, links, messageChoices, messageKey, sentMessages, trafficOf, type MessageChoice } from './schedule.js';

/** Steps a run may take at most (a safety net; runs of the small configs end long before). */
export const MAX_STEPS = 2_000;

/** A crash-recovery: before step `at`, the `pick`-th node that may crash (modulo how many there
 *  are) goes down, and comes back `down` steps later. */
export interface PctCrash {
  readonly at: number;
  readonly pick: number;
  readonly down: number;
}

export interface PctSchedule {
  /** The priorities of nodes and timers are drawn from it. */
  readonly seed: number;
  /** d, the depth of bug aimed at: d - 1 change points at most. */
  readonly depth: number;
  /** k: change points are drawn in [0, k). */
  readonly steps: number;
  readonly changes: readonly number[];
  /** The messages whose fate is not normal: the n-th message from -> to is held back for that
   *  many steps (d > 0), dropped (-1) or duplicated (below -1), as in random schedules
   *  (./schedule.ts, where d is milliseconds). A held-back message lets later ones overtake it. */
  readonly messages: readonly MessageChoice[];
  readonly crashes: readonly PctCrash[];
}

export interface PctOptions {
  readonly depth: number;
  /** k; undefined: the length of a run of the config with no change point and no fault. */
  readonly steps?: number;
}

export const DEFAULT_PCT: PctOptions = { depth: 3 };

/** k for a config: how many steps a run takes when nothing is changed or injected. */
export function calibratedSteps(emulation: AnyEmulation, config: Config, depth: number): number {
  return stepsOf(calibrationRun(emulation, config, depth));
}

const calibrationRun = (emulation: AnyEmulation, config: Config, depth: number): PctRun => runPct(emulation, config, { seed: 0, depth, steps: MAX_STEPS, changes: [], messages: [], crashes: [] });
const stepsOf = (run: PctRun): number => Math.max(10, run.path.length);

/** The fast-check arbitrary of PCT schedules for `config`. */
export function pctArbitrary(emulation: AnyEmulation, config: Config, options: PctOptions = DEFAULT_PCT): fc.Arbitrary<PctSchedule> {
  const f = config.faults;
  // A run with no change and no fault: its length is k, its deliveries each link's traffic.
  const calibration = calibrationRun(emulation, config, options.depth);
  const steps = options.steps ?? stepsOf(calibration);
  const step = fc.noBias(fc.integer({ min: 0, max: steps - 1 }));
  const per = (p: number): number => Math.round(p * 1000);
  const kinds = [
    { weight: per(f.delay_rate), arbitrary: fc.integer({ min: 1, max: Math.max(1, Math.round(steps / 4)) }) },
    { weight: per(f.drop_rate), arbitrary: fc.constant(DROP) },
    { weight: per(f.duplicate_rate), arbitrary: fc.constant(-2) },
  ].filter((k) => k.weight > 0);
  // Fates land on messages a run sends (the n-th of a link, n below its count in a run with no
  // change), not on numbers no message of the run will have.
  const delivered = calibration.path.flatMap((e) => (e.event === 'deliver' ? [e] : []));
  const sent = sentMessages(links(emulation, config), trafficOf(delivered), f.link_messages);
  // The rates are per message: of the messages a run sends, about that share at most.
  const maxFaulted = kinds.length === 0 ? 0 : Math.round(Math.min(1, f.drop_rate + f.duplicate_rate + f.delay_rate) * Math.min(f.max_messages, sent.length));
  const messages =
    maxFaulted === 0
      ? fc.constant([] as MessageChoice[])
      : fc
          .array(fc.record({ at: fc.noShrink(fc.constantFrom(...sent)), choice: fc.oneof(...kinds) }), { maxLength: maxFaulted, size: 'max' })
          .map((ms) => messageChoices(ms.map(({ at: { link: [from, to], n }, choice }) => ({ from, to, n, choice }))));
  const crashes =
    f.crashes === 0 || f.max_crashed === 0 || crashableNodes(emulation, config).length === 0
      ? fc.constant([] as PctCrash[])
      : fc.array(fc.record({ at: step, pick: fc.noBias(fc.nat({ max: 1000 })), down: fc.noBias(fc.integer({ min: 1, max: Math.max(1, Math.round(steps / 4)) })) }), {
          maxLength: f.crashes,
        });
  return fc.record({
    seed: fc.noBias(fc.nat({ max: 2 ** 32 - 1 })),
    depth: fc.constant(options.depth),
    steps: fc.constant(steps),
    changes: fc.array(step, { maxLength: options.depth - 1 }),
    messages,
    crashes,
  });
}

export interface PctRun {
  /** The events taken, as a replay file lists them. */
  readonly path: readonly StepRecord[];
  /** The safety checks that failed (none: the run passed). */
  readonly failed: readonly Verdict[];
  /** Faults actually injected (messages dropped or duplicated, crashes). */
  readonly faults: number;
}

/** Runs one PCT schedule. */
export function runPct(emulation: AnyEmulation, config: Config, schedule: PctSchedule): PctRun {
  const world = new World(emulation, config);
  const n = world.ids.length;
  const priority = initialPriorities(n, schedule);
  const changes = [...schedule.changes].sort((a, b) => a - b);
  const crashes = [...schedule.crashes].sort((a, b) => a.at - b.at);
  const fates = new Map(schedule.messages.map((m) => [messageKey(m.from, m.to, m.n), m.choice]));
  const sentOn = new Map<string, number>();
  /** Messages held back: the step before which they may not be delivered. */
  const held = new Map<number, number>();
  let now = 0;
  const restarts: { at: number; node: number }[] = [];
  /** Per node, the timers fired since it last received a message. */
  const fired: Set<string>[] = world.ids.map(() => new Set());
  /** Timers that have fired before the network was quiet (each may, once). */
  const early = new Set<string>();
  const path: StepRecord[] = [];
  let state = world.initial();
  let injected = 0;
  let sent: number[] = [];
  const take = (step: Step): Verdict[] => {
    path.push(world.record(step));
    sent = [];
    state = world.apply(state, step, path.length, (e) => e.kind === 'send' && sent.push(e.id));
    return [...state.judge.violations()];
  };
  /** The fates of the messages the last step sent. */
  const faultSent = (): Verdict[] => {
    for (const id of sent.splice(0)) {
      const packet = state.packets.find((p) => p.id === id);
      if (!packet) continue; // to a node that has finished
      const link = `${world.ids[packet.from]}\u0000${world.ids[packet.to]}`;
      const n = sentOn.get(link) ?? 0;
      sentOn.set(link, n + 1);
      const choice = fates.get(messageKey(world.ids[packet.from]!, world.ids[packet.to]!, n));
      if (choice === undefined || choice === 0) continue;
      injected++;
      if (choice > 0) {
        held.set(packet.id, now + choice);
        continue;
      }
      const failed = take({ kind: choice === DROP ? 'drop' : 'duplicate', packet });
      if (failed.length > 0) return failed;
    }
    return [];
  };
  let failed: Verdict[] = [...state.judge.violations(), ...faultSent()];
  for (let k = 0; failed.length === 0 && k < MAX_STEPS; k++) {
    now = k;
    // Crashes and restarts due before this step.
    for (const crash of crashes.filter((x) => x.at === k)) {
      const candidates = state.nodes.flatMap((_, i) => (world.mayCrash(state, i) ? [i] : []));
      if (candidates.length === 0) continue;
      const node = candidates[crash.pick % candidates.length]!;
      injected++;
      restarts.push({ at: k + crash.down, node });
      if ((failed = take({ kind: 'crash', node })).length > 0) break;
    }
    for (const due of restarts.filter((r) => r.at === k && state.nodes[r.node]!.status === 'crashed')) {
      if ((failed = take({ kind: 'restart', node: due.node })).length > 0 || (failed = faultSent()).length > 0) break;
    }
    if (failed.length > 0) break;
    const next = chooseStep(state, priority, fired, early, schedule.seed, (id) => (held.get(id) ?? 0) > k);
    if (!next) {
      // Nothing to do now: a crashed node coming back may still have work; otherwise done.
      const pending = restarts.filter((r) => r.at > k && state.nodes[r.node]!.status === 'crashed');
      if (pending.length === 0) break;
      continue;
    }
    if (next.kind === 'deliver') fired[next.packet.to]!.clear();
    else if (next.kind === 'timer') {
      fired[next.node]!.add(next.timer);
      if (state.packets.length > 0) early.add(`${next.node}/${next.timer}`);
    }
    if ((failed = take(next)).length > 0 || (failed = faultSent()).length > 0) break;
    const ran = next.kind === 'deliver' ? next.packet.to : next.kind === 'timer' ? next.node : -1;
    const change = changes.indexOf(k);
    if (change >= 0 && ran >= 0) priority[ran] = schedule.depth - 1 - change;
    if (finished(world, state)) break;
  }
  return { path, failed, faults: injected };
}

/** n distinct priorities, all at least d (a random order of d .. d + n - 1). */
function initialPriorities(n: number, schedule: PctSchedule): number[] {
  const rng = rngFromEntropy(schedule.seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const priority = new Array<number>(n);
  order.forEach((node, rank) => (priority[node] = schedule.depth + rank));
  return priority;
}

/**
 * The next event: the oldest message of the highest-priority node that has one, unless an armed
 * timer has a higher priority still and has not yet fired early (each timer may fire once before
 * the network is quiet: a retry racing an answer); with nothing in flight, the highest-priority
 * node's armed timer.
 */
function chooseStep(
  state: WorldState,
  priority: readonly number[],
  fired: readonly Set<string>[],
  early: ReadonlySet<string>,
  seed: number,
  isHeld: (id: number) => boolean,
): Step | undefined {
  let best: Step | undefined;
  let bestPriority = -Infinity;
  if (state.packets.length > 0) {
    // Held-back messages wait, unless nothing else is in flight.
    const free = state.packets.filter((p) => !isHeld(p.id));
    for (const packet of free.length > 0 ? free : state.packets) {
      const p = priority[packet.to]!;
      if (p > bestPriority || (p === bestPriority && best?.kind === 'deliver' && packet.id < best.packet.id)) {
        best = { kind: 'deliver', packet };
        bestPriority = p;
      }
    }
    state.nodes.forEach((node, i) => {
      if (node.status !== 'up') return;
      for (const timer of node.timers) {
        if (early.has(`${i}/${timer}`)) continue;
        const p = timerPriority(seed, i, timer, priority.length);
        if (p > bestPriority) {
          best = { kind: 'timer', node: i, timer };
          bestPriority = p;
        }
      }
    });
    return best;
  }
  state.nodes.forEach((node, i) => {
    if (node.status !== 'up' || priority[i]! <= bestPriority) return;
    const timer = node.timers.find((t) => !fired[i]!.has(t));
    if (timer) {
      best = { kind: 'timer', node: i, timer };
      bestPriority = priority[i]!;
    }
  });
  return best;
}

/** A timer's priority, drawn from the seed in the nodes' range (shifted by a half, so it never
 *  ties with a node): usually below some nodes, now and then above all of them. */
function timerPriority(seed: number, node: number, timer: string, n: number): number {
  let h = mixSeed(seed, node + 1);
  for (let i = 0; i < timer.length; i++) h = mixSeed(h, timer.charCodeAt(i));
  return (h % (2 * n)) + 0.5;
}

/** The clients are done and nothing is in flight: only idle timers are left. */
function finished(world: World, state: WorldState): boolean {
  return state.packets.length === 0 && world.specs.every((spec, i) => !spec.client || state.nodes[i]!.status === 'finished');
}

/** The schedule in words, for reports. */
export function describePct(schedule: PctSchedule): string[] {
  const lines = [
    `PCT schedule: priorities from seed ${schedule.seed}, depth d = ${schedule.depth}, change points in [0, ${schedule.steps}): ${schedule.changes.length ? [...schedule.changes].sort((a, b) => a - b).join(', ') : 'none'}`,
  ];
  for (const c of schedule.crashes) lines.push(`  crash before step ${c.at}: node pick ${c.pick}, down for ${c.down} steps`);
  lines.push(`  messages: ${schedule.messages.length} with another fate than normal`);
  const fate = (choice: number): string => (choice > 0 ? `held back ${choice} step(s)` : choice === DROP ? 'dropped' : 'duplicated');
  for (const m of schedule.messages) lines.push(`    ${m.from} -> ${m.to} message #${m.n}: ${fate(m.choice)}`);
  return lines;
}
