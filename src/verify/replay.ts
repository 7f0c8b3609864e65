/**
 * A model checker's counterexample as a replay file, and the driver that plays it.
 *
 * Exploration's replay files (src/explore/replay.ts) fix a run by its seed and the fate of each
 * message, and time decides the order of events. A counterexample of `mpkv verify` is an exact
 * order of events instead, so it is a second kind of replay file:
 *
 *   {
 *     "mpkv_replay": 1,
 *     "kind": "steps",
 *     "config": "configs/verify/<name>.toml",      the config checked (a hint for the reader)
 *     "config_digest": "…",                         sha256 of that config (seed and mutants aside)
 *     "mutants": ["<name>"],
 *     "steps": [                                    the events after boot, in order
 *       { "event": "deliver", "from": "client 1", "to": "server", "msg": { … } },
 *       { "event": "timer", "node": "client 1", "timer": "retry" },
 *       { "event": "drop" | "duplicate", "from": …, "to": …, "msg": { … } },
 *       { "event": "crash" | "restart", "node": "server" }
 *     ],
 *     "lasso": { "loop_from": 7, "key": "client 1 request 1", "what": "…" },   a liveness lasso only
 *     "search": { "depth": 14, "distinct": 15725, "explored": 27057 },
 *     "expect": { "failed": ["integrity"], "steps": 14, "trace_sha256": "…" }
 *   }
 *
 * `StepRouter` plays such a path through the checker's own world (./world.ts): boot at time 0,
 * then one listed event per step, its time the step's number. It has the router's public face
 * (src/emulations/run.ts `RunRouter`), so `mpkv run --replay`, the plain trace, the JSON trace
 * and the dashboard (paused, stepped with `n`) all play it like any run. The run is cut at the
 * last event, not ended: checks of the end state (convergence, liveness) say unknown.
 *
 * A liveness counterexample (./liveness.ts) is a lasso: `lasso.loop_from` is the number of the
 * path's first event that repeats for ever (the events from it to the last are the loop; none:
 * the path ends stuck, nothing left to happen). The path is played once; a note marks where the
 * loop starts and where it goes back (the dashboard's log, the diagram's highlights), and
 * liveness fails there, naming what stays hot.
 */
import { readFile } from 'node:fs/promises';
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { configDigest, differencesFrom, expectationOf } from '../emulations/digest.js';
import type { RunResult, RunRouter } from '../emulations/run.js';
import type { PartitionWindow } from '../sim/network.js';
import type { NodeView, RunSummary } from '../sim/router.js';
import type { EndReason, TraceEvent } from '../sim/trace.js';
import { UsageError } from '../util/errors.js';
import { writeFileAtomic } from '../util/files.js';
import { fail, type Verdict } from '../../specs/verdict.js';
import { describeRecord, World, type StepRecord, type WorldState } from './world.js';

export const STEPS_REPLAY_VERSION = 1;

export interface StepsReplayFile {
  readonly mpkv_replay: number;
  readonly kind: 'steps';
  readonly config: string;
  readonly config_digest: string;
  readonly mutants: readonly string[];
  readonly steps: readonly StepRecord[];
  /** A liveness lasso: where its loop starts (1-based event number; past the last event: the
   *  path ends stuck), and the obligation that stays hot. */
  readonly lasso?: LassoMark;
  /** How it was found: the model checker's depth and state counts, or exploration's search. */
  readonly search?: Readonly<Record<string, number | string>>;
  readonly expect?: { readonly failed: readonly string[]; readonly steps: number; readonly trace_sha256: string };
}

/** Where a lasso's loop starts in a path of events, and what stays hot on it. */
export interface LassoMark {
  readonly loop_from: number;
  readonly key: string;
  readonly what: string;
}

/** Plays a path of events, one per step, with the router's public face. */
export class StepRouter implements RunRouter {
  readonly trace: TraceEvent[] = [];
  private readonly listeners: Array<(event: TraceEvent, index: number) => void> = [];
  private readonly world: World;
  private state: WorldState | undefined;
  private next = 0;
  private ended: EndReason | undefined;
  private counts = { sent: 0, delivered: 0, dropped: 0, lost: 0, duplicated: 0 };
  /** Why the path could not be played to its end, if it could not. */
  problem: string | undefined;
  /** A lasso's liveness failure, once the path has been played to its end. */
  liveness: Verdict | undefined;
  private loopStart: { event: number } | undefined;

  constructor(
    emulation: AnyEmulation,
    config: Config,
    private readonly steps: readonly StepRecord[],
    private readonly lasso?: LassoMark,
  ) {
    this.world = new World(emulation, config);
  }

  get cut(): string {
    return `the run is a replayed path of ${this.steps.length} event(s), cut at its last one (a counterexample stops at its violation)`;
  }

  /** Every event goes to every listener (a replayed path is short: nothing is left unbuilt). */
  onEvent(listener: (event: TraceEvent, index: number) => void): void {
    this.listeners.push(listener);
  }

  /** Events recorded so far (the next event's index). */
  get eventCount(): number {
    return this.trace.length;
  }

  /** A replayed path keeps its trace (the dashboard and diagrams read it). */
  get keepsTrace(): boolean {
    return true;
  }

  get time(): number {
    return this.next;
  }

  get done(): boolean {
    return this.ended !== undefined;
  }

  nextAt(): number | undefined {
    return this.ended ? undefined : this.next + 1;
  }

  boot(): void {
    if (!this.state) this.state = this.world.initial((e) => this.record(e));
  }

  run(): RunSummary {
    this.boot();
    while (this.step()) {
      /* one event at a time */
    }
    return this.summary();
  }

  step(): boolean {
    this.boot();
    if (this.ended) return false;
    const record = this.steps[this.next];
    if (!record) return this.end();
    const step = this.world.find(this.state!, record);
    if (typeof step === 'string') {
      this.problem = `event ${this.next + 1} of the path (${step})`;
      return this.end();
    }
    this.next++;
    if (this.lasso && this.next === this.lasso.loop_from) this.markLoopStart(record);
    this.state = this.world.apply(this.state!, step, this.next, (e) => this.record(e));
    return true;
  }

  /** A note at the node of the loop's first event: from here the path repeats. */
  private markLoopStart(record: StepRecord): void {
    const length = this.steps.length - this.lasso!.loop_from + 1;
    this.loopStart = { event: this.trace.length };
    this.record({ t: this.next, kind: 'note', node: nodeOfRecord(record), text: `LOOP START (liveness lasso): events ${this.lasso!.loop_from}-${this.steps.length} (${length}) repeat for ever, fairly; ${this.lasso!.what} throughout` });
  }

  /** At the end of a lasso's path: the note that it goes back (or is stuck), and the verdict. */
  private markLoopEnd(): void {
    const lasso = this.lasso!;
    const last = this.steps[this.steps.length - 1];
    const node = last ? nodeOfRecord(last) : this.world.ids[0]!;
    const event = this.trace.length;
    if (this.loopStart) {
      this.record({ t: this.next, kind: 'note', node, text: `LOOP END: back to event ${lasso.loop_from}; it repeats from there for ever` });
      // Judged where the loop closes; its start is the earlier step the verdict names.
      this.liveness = fail('liveness', `${lasso.what} for ever: events ${lasso.loop_from}-${this.steps.length} repeat without end (a fair loop: every message in flight and every armed timer is taken on it), and it stays hot in every state of the loop`, { t: this.next, event, evidence: [this.loopStart.event] });
      return;
    }
    this.record({ t: this.next, kind: 'note', node, text: `STUCK (liveness): nothing can happen any more (no message in flight, no timer armed, no node down); ${lasso.what}` });
    this.liveness = fail('liveness', `${lasso.what} for ever: after event ${this.steps.length} nothing can happen any more (no message in flight, no timer armed, no node down)`, { t: this.next, event });
  }

  summary(): RunSummary {
    return { reason: this.ended ?? 'path-end', time_ms: this.next, steps: this.next, ...this.counts };
  }

  views(): NodeView[] {
    const nodes = this.state?.nodes ?? [];
    return this.world.specs.map((spec, i) => {
      const node = nodes[i];
      const status = node?.status ?? 'up';
      return { id: spec.id, role: spec.role, status, restartPending: false, state: node?.snapshot?.value, context: status === 'crashed' ? undefined : node?.snapshot?.context };
    });
  }

  inFlight(): number {
    return this.state?.packets.length ?? 0;
  }

  activePartitionWindows(): readonly PartitionWindow[] {
    return [];
  }

  private end(): false {
    if (this.lasso && !this.problem) this.markLoopEnd();
    this.ended = 'path-end';
    this.record({ t: this.next, kind: 'end', reason: 'path-end' });
    return false;
  }

  private record(event: TraceEvent): void {
    if (event.kind === 'send') this.counts.sent++;
    else if (event.kind === 'deliver') this.counts.delivered++;
    else if (event.kind === 'drop') {
      this.counts.dropped++;
      if (event.reason === 'loss') this.counts.lost++;
    }
    else if (event.kind === 'duplicate') this.counts.duplicated++;
    const index = this.trace.length;
    this.trace.push(event);
    for (const listener of this.listeners) listener(event, index);
  }
}

/** The replay file of a path of events; `result` is its replayed run (for `expect`). */
export function stepsReplayFile(
  configFile: string,
  config: Config,
  steps: readonly StepRecord[],
  search: Readonly<Record<string, number | string>>,
  result?: RunResult,
  lasso?: LassoMark,
): StepsReplayFile {
  return {
    mpkv_replay: STEPS_REPLAY_VERSION,
    kind: 'steps',
    config: configFile,
    config_digest: configDigest(config),
    mutants: config.mutants.enable,
    steps,
    ...(lasso ? { lasso } : {}),
    search,
    ...(result ? { expect: expectationOf(result) } : {}),
  };
}

export function writeStepsReplayFile(file: string, replay: StepsReplayFile): void {
  writeFileAtomic(file, `${JSON.stringify(replay, null, 2)}\n`);
}

/** Is this replay file (parsed JSON) a path of steps? */
export const isStepsReplay = (value: unknown): boolean => typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'steps';

/** Checks a parsed replay file of the `steps` kind; bad input is a `UsageError` naming the file. */
export function parseStepsReplay(file: string, value: Record<string, unknown>): StepsReplayFile {
  if (value.mpkv_replay !== STEPS_REPLAY_VERSION) throw new UsageError(`${file}: not a replay file (expected "mpkv_replay": ${STEPS_REPLAY_VERSION})`);
  if (typeof value.config_digest !== 'string') throw new UsageError(`${file}: config_digest: expected a string`);
  const mutants = value.mutants ?? [];
  if (!Array.isArray(mutants) || !mutants.every((m) => typeof m === 'string')) throw new UsageError(`${file}: mutants: expected a list of mutant names`);
  if (!Array.isArray(value.steps)) throw new UsageError(`${file}: steps: expected a list of events`);
  const lasso = value.lasso as Record<string, unknown> | undefined;
  if (lasso !== undefined && (typeof lasso !== 'object' || lasso === null || !Number.isInteger(lasso.loop_from) || typeof lasso.key !== 'string' || typeof lasso.what !== 'string')) {
    throw new UsageError(`${file}: lasso: expected {loop_from: an event number, key, what}`);
  }
  value.steps.forEach((step: unknown, i: number) => {
    const problem = stepProblem(step);
    if (problem) throw new UsageError(`${file}: steps[${i}]: ${problem}`);
  });
  return { ...(value as unknown as StepsReplayFile), mutants: mutants as string[] };
}

function stepProblem(step: unknown): string | undefined {
  if (typeof step !== 'object' || step === null) return 'expected an event object';
  const s = step as Record<string, unknown>;
  switch (s.event) {
    case 'deliver':
    case 'drop':
    case 'duplicate':
      if (typeof s.from !== 'string' || typeof s.to !== 'string' || typeof s.msg !== 'object' || s.msg === null) return `expected {event: "${s.event}", from, to, msg}`;
      return undefined;
    case 'timer':
      return typeof s.node === 'string' && typeof s.timer === 'string' ? undefined : 'expected {event: "timer", node, timer}';
    case 'crash':
    case 'restart':
      return typeof s.node === 'string' ? undefined : `expected {event: "${s.event}", node}`;
    default:
      return 'event: expected deliver, drop, duplicate, timer, crash or restart';
  }
}

export interface LoadedStepsReplay {
  readonly file: string;
  readonly replay: StepsReplayFile;
  /** The config with the replay's mutants. */
  readonly config: Config;
  readonly router: StepRouter;
}

/** Reads a steps replay file for `config` of `emulation` (refusing one recorded with another config). */
export async function loadStepsReplay(file: string, emulation: AnyEmulation, config: Config, value?: Record<string, unknown>): Promise<LoadedStepsReplay> {
  const replay = parseStepsReplay(file, value ?? (JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>));
  const known = Object.keys(emulation.mutants);
  const unknownMutant = replay.mutants.find((m) => !known.includes(m));
  if (unknownMutant) throw new UsageError(`${file}: mutants: ${JSON.stringify(unknownMutant)} is not a mutant of ${config.emulation} (see mpkv explore --list-mutants)`);
  if (configDigest(config) !== replay.config_digest) {
    throw new UsageError(`${file}: recorded with a different config (${replay.config}); run it with that file and no overrides`);
  }
  const runConfig: Config = { ...config, mutants: { enable: [...replay.mutants] } };
  return { file, replay, config: runConfig, router: new StepRouter(emulation, runConfig, replay.steps, replay.lasso) };
}

/** How the replayed run differs from what the file recorded, in words (undefined: it matches). */
export function stepsReplayDivergence(loaded: LoadedStepsReplay, result: RunResult): string | undefined {
  const differences: string[] = [];
  if (loaded.router.problem) differences.push(`${loaded.router.problem}`);
  if (loaded.replay.expect) differences.push(...differencesFrom(loaded.replay.expect, result));
  return differences.length === 0 ? undefined : differences.join('; ');
}

/** The path, one line per event, in the emulation's words, for reports: each message in full
 *  (its `detail`: the command it carries, and whose request that is), so that two requests of
 *  the same words read differently. */
export function describeSteps(emulation: AnyEmulation, steps: readonly StepRecord[]): string[] {
  const width = String(steps.length).length;
  return steps.map((step, i) => `${String(i + 1).padStart(width)}. ${describeStep(emulation, step)}`);
}

/** One event of a path, its message in full (see `describeSteps`). */
function describeStep(emulation: AnyEmulation, step: StepRecord): string {
  const words = emulation.messages;
  return describeRecord(step, (m) => (words.detail ?? words.label ?? words.describe).call(words, m));
}

/**
 * For the dashboard playing a path: at the first event of each step (its time is the step's
 * number), the step in the words of the report, `── step 8: deliver client 1 -> server:
 * request 1 of client 1: GET "a"`; nothing at the other events.
 */
export function stepNarrator(emulation: AnyEmulation, steps: readonly StepRecord[]): (event: TraceEvent) => string | undefined {
  let told = 0;
  return (event) => {
    if (event.kind === 'end' || event.t <= told || event.t > steps.length) return undefined;
    told = event.t;
    return `── step ${event.t}: ${describeStep(emulation, steps[event.t - 1]!)}`;
  };
}

/** The node a recorded event happens at (a message's addressee). */
function nodeOfRecord(record: StepRecord): string {
  return 'to' in record ? record.to : record.node;
}
