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
 *     oldest one; when no message is in flight at all, the highest-priority node with an armed
 *     timer fires it (each timer at most once between two messages its node receives). Timers
 *     are slower than messages, as in the configs (retry_ms 50, delays of a few ms): without
 *     that, nodes that re-arm their timers forever would keep the others from ever running;
 *   - at d - 1 steps chosen at random in [0, k), the node that just ran drops to a priority
 *     below every initial one (the i-th change point to priority d - i). k is the length of a
 *     run of the config with no change and no fault, unless given.
 *
 * A bug that needs d ordering constraints between n nodes, within k steps, is then found with
 * probability at least 1 / (n k^(d-1)) per run, however unlikely the order is under random
 * delays: that is the guarantee. Beside the order, a schedule may inject a few faults at chosen
 * steps, within the config's [faults] budget (crash-recoveries of crashable nodes, two drops
 * and two duplicates at most when their rates are not 0).
 *
 * A run goes on until the clients are done and nothing is in flight, until nothing can happen,
 * or for `MAX_STEPS` steps. The emulation's safety checks are asked after every step; liveness
 * is not judged here (the order is chosen, not fair). Schedules are fast-check values, so they
 * shrink (fewer change points, fewer faults, earlier ones); a failing run is written as a path
 * of events (a `steps` replay file: src/verify/replay.ts), which `mpkv run --replay` plays.
 */
import fc from 'fast-check';
import type { Config } from '../emulations/api/emulation.js';
import { rngFromEntropy } from '../sim/rng.js';
import type { Verdict } from '../../specs/verdict.js';
import { World, type Step, type StepRecord, type WorldState } from '../verify/world.js';

/** Steps a run may take at most (a safety net; runs of the small configs end long before). */
export const MAX_STEPS = 2_000;

export interface PctFault {
  /** The step before which it happens. */
  readonly at: number;
  readonly kind: 'drop' | 'duplicate' | 'crash';
  /** Which message in flight, or which node that may crash (modulo how many there are). */
  readonly pick: number;
  /** A crash: steps until the node restarts. */
  readonly down: number;
}

export interface PctSchedule {
  /** The priorities (and nothing else) are drawn from it. */
  readonly seed: number;
  /** d, the depth of bug aimed at: d - 1 change points at most. */
  readonly depth: number;
  /** k: change points are drawn in [0, k). */
  readonly steps: number;
  readonly changes: readonly number[];
  readonly faults: readonly PctFault[];
}

export interface PctOptions {
  readonly depth: number;
  /** k; undefined: the length of a run of the config with no change point and no fault. */
  readonly steps?: number;
}

export const DEFAULT_PCT: PctOptions = { depth: 3 };

/** k for a config: how many steps a run takes when nothing is changed or injected. */
export function calibratedSteps(config: Config, depth: number): number {
  return Math.max(10, runPct(config, { seed: 0, depth, steps: MAX_STEPS, changes: [], faults: [] }).path.length);
}

/** The fast-check arbitrary of PCT schedules for `config`. */
export function pctArbitrary(config: Config, options: PctOptions = DEFAULT_PCT): fc.Arbitrary<PctSchedule> {
  const f = config.faults;
  const steps = options.steps ?? calibratedSteps(config, options.depth);
  const kinds: PctFault['kind'][] = [
    ...(f.drop_rate > 0 ? (['drop'] as const) : []),
    ...(f.duplicate_rate > 0 ? (['duplicate'] as const) : []),
    ...(f.crashes > 0 && f.max_crashed > 0 && f.crash_roles.length > 0 ? (['crash'] as const) : []),
  ];
  const step = fc.noBias(fc.integer({ min: 0, max: steps - 1 }));
  const fault =
    kinds.length === 0
      ? fc.constant([] as PctFault[])
      : fc.array(
          fc.record({ at: step, kind: fc.constantFrom(...kinds), pick: fc.noBias(fc.nat({ max: 1000 })), down: fc.noBias(fc.integer({ min: 1, max: 60 })) }),
          { maxLength: f.crashes + (f.drop_rate > 0 ? 2 : 0) + (f.duplicate_rate > 0 ? 2 : 0) },
        );
  return fc.record({
    seed: fc.noBias(fc.nat({ max: 2 ** 32 - 1 })),
    depth: fc.constant(options.depth),
    steps: fc.constant(steps),
    changes: fc.array(step, { maxLength: options.depth - 1 }),
    faults: fault,
  });
}

export interface PctRun {
  /** The events taken, as a replay file lists them. */
  readonly path: readonly StepRecord[];
  /** The safety checks that failed (none: the run passed). */
  readonly failed: readonly Verdict[];
  /** Faults actually injected (a fault with nothing to hit is skipped). */
  readonly faults: number;
}

/** Runs one PCT schedule. */
export function runPct(config: Config, schedule: PctSchedule): PctRun {
  const world = new World(config);
  const n = world.ids.length;
  const priority = initialPriorities(n, schedule);
  const changes = [...schedule.changes].sort((a, b) => a - b);
  const faults = [...schedule.faults].sort((a, b) => a.at - b.at);
  const restarts: { at: number; node: number }[] = [];
  /** Per node, the timers fired since it last received a message. */
  const fired: Set<string>[] = world.ids.map(() => new Set());
  const path: StepRecord[] = [];
  let state = world.initial();
  let injected = 0;
  const take = (step: Step): Verdict[] => {
    path.push(world.record(step));
    state = world.apply(state, step, path.length);
    return [...state.judge.violations!()];
  };
  let failed: Verdict[] = [...state.judge.violations!()];
  for (let k = 0; failed.length === 0 && k < MAX_STEPS; k++) {
    // Faults and restarts due before this step.
    for (const fault of faults.filter((x) => x.at === k)) {
      const step = faultStep(world, state, fault);
      if (!step) continue;
      injected++;
      if (step.kind === 'crash') restarts.push({ at: k + fault.down, node: step.node });
      if ((failed = take(step)).length > 0) break;
    }
    for (const due of restarts.filter((r) => r.at === k && state.nodes[r.node]!.status === 'crashed')) {
      if ((failed = take({ kind: 'restart', node: due.node })).length > 0) break;
    }
    if (failed.length > 0) break;
    const next = chooseStep(state, priority, fired);
    if (!next) {
      // Nothing to do now: a crashed node coming back may still have work; otherwise done.
      const pending = restarts.filter((r) => r.at > k && state.nodes[r.node]!.status === 'crashed');
      if (pending.length === 0) break;
      continue;
    }
    if (next.kind === 'deliver') fired[next.packet.to]!.clear();
    else if (next.kind === 'timer') fired[next.node]!.add(next.timer);
    failed = take(next);
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

/** The highest-priority node's oldest message; with nothing in flight, the highest-priority
 *  node's armed timer. */
function chooseStep(state: WorldState, priority: readonly number[], fired: readonly Set<string>[]): Step | undefined {
  let best: Step | undefined;
  let bestPriority = -Infinity;
  if (state.packets.length > 0) {
    for (const packet of state.packets) {
      const p = priority[packet.to]!;
      if (p > bestPriority || (p === bestPriority && best?.kind === 'deliver' && packet.id < best.packet.id)) {
        best = { kind: 'deliver', packet };
        bestPriority = p;
      }
    }
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

function faultStep(world: World, state: WorldState, fault: PctFault): Step | undefined {
  if (fault.kind === 'crash') {
    const candidates = state.nodes.flatMap((_, i) => (world.mayCrash(state, i) ? [i] : []));
    return candidates.length === 0 ? undefined : { kind: 'crash', node: candidates[fault.pick % candidates.length]! };
  }
  if (state.packets.length === 0) return undefined;
  return { kind: fault.kind, packet: state.packets[fault.pick % state.packets.length]! };
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
  for (const f of schedule.faults) lines.push(`  fault before step ${f.at}: ${f.kind}${f.kind === 'crash' ? ` (down for ${f.down} steps)` : ''}, pick ${f.pick}`);
  return lines;
}
