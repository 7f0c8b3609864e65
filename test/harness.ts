/** Test helpers: run a config by name, and drive one role's machine by hand. */
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createActor, type AnyStateMachine } from 'xstate';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Overrides } from '../src/config/load.js';
import type { Config } from '../src/emulations/api/emulation.js';
import { emulationOf, loadConfig, parseConfig } from '../src/emulations/index.js';
import type { Effect, Fact, Message, NodeEvent, NodeId } from '../src/emulations/multipaxos/messages.js';
import { emulate, type RunOptions, type RunResult } from '../src/emulations/run.js';
import type { TraceEvent } from '../src/sim/trace.js';
import type { MpkvHistoryEvent } from '../specs/formats/mpkv.js';

/** The repository root (tests run from dist/test). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const configPath = (name: string): string => path.join(repoRoot, 'configs', name);

/** A temporary directory for a whole test file, removed when its tests are done. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  test.after.always(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A temporary directory for one test, removed when it ends. */
export function testDir(t: ExecutionContext, prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A loaded config, its sections untyped (tests read `topology.clients` and the like). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyConfig = Config<Record<string, any>>;

export function config(name: string, overrides: Overrides = {}): AnyConfig {
  return loadConfig(configPath(name), overrides) as AnyConfig;
}

export function configFrom(toml: string): AnyConfig {
  return parseConfig(toml, 'inline.toml') as AnyConfig;
}

/** A run whose whole trace was kept (runs keep none unless asked). */
export type TracedResult = RunResult & { readonly trace: readonly TraceEvent[] };

/** Runs a config of a registered emulation, keeping its trace (tests read it). */
export function run(cfg: Config, options: RunOptions = {}): TracedResult {
  return emulate(emulationOf(cfg), cfg, { keepTrace: true, ...options }) as TracedResult;
}

/** The kept trace of a run (throws if the run kept none). */
export function traceOf(result: RunResult): readonly TraceEvent[] {
  if (!result.trace) throw new Error('the run kept no trace: run it with { keepTrace: true }');
  return result.trace;
}

/** The trace of a kv emulation's run, with its messages and facts typed. */
export const kvTrace = (result: RunResult): readonly TraceEvent<Message, Fact>[] => traceOf(result) as readonly TraceEvent<Message, Fact>[];

/** The client history of a kv emulation's run, as events. */
export function historyEvents(result: RunResult): MpkvHistoryEvent[] {
  const text = result.history?.text() ?? '';
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as MpkvHistoryEvent);
}

/** Distinct requests completed over all clients. */
export function completedOf(result: RunResult): number {
  const done = new Set<string>();
  for (const e of kvTrace(result)) if (e.kind === 'note' && e.fact?.kind === 'complete') done.add(`${e.node}/${e.fact.request_id}`);
  return done.size;
}

/** The verdicts that are not ok, as `name status: detail` lines (an empty list when all pass). */
export const notOk = (result: RunResult): string[] =>
  result.verdicts.filter((v) => v.status !== 'ok').map((v) => `${v.name} ${v.status}: ${v.detail}`);

/** The verdict named `name`. */
export function verdictOf(result: RunResult, name: string) {
  const v = result.verdicts.find((x) => x.name === name);
  if (!v) throw new Error(`no verdict ${name}`);
  return v;
}

/** One role's machine, driven event by event; `effects` collects what it asked for. */
export class Driven {
  readonly effects: Effect[] = [];
  private readonly actor;
  private entropy = 1;

  constructor(machine: AnyStateMachine, input: unknown) {
    this.actor = createActor(machine, { input });
    this.actor.on('*', (e) => this.collect(e as unknown as Effect));
    this.actor.start();
  }

  /** Effects as a node emits them (a transition's batch), one by one. */
  private collect(effect: Effect): void {
    if (effect.type === 'effects') for (const one of effect.effects) this.collect(one);
    else this.effects.push(effect);
  }

  start(): this {
    return this.send({ type: 'start', entropy: this.entropy++ });
  }

  deliver(from: NodeId, msg: Message): this {
    return this.send({ ...msg, from, entropy: this.entropy++ } as NodeEvent);
  }

  /** Facts noted since the start. */
  facts(): Fact[] {
    return this.effects.flatMap((e) => (e.type === 'note' && e.fact ? [e.fact] : []));
  }

  timeout(timer: string): this {
    return this.send({ type: 'timeout', timer, entropy: this.entropy++ });
  }

  send(event: NodeEvent): this {
    this.actor.send(event);
    return this;
  }

  /** Messages sent since the last call, and forget them. */
  take(): Array<{ to: NodeId; msg: Message }> {
    const sent = this.effects.flatMap((e) => (e.type === 'send' ? [{ to: e.to, msg: e.msg }] : []));
    this.effects.length = 0;
    return sent;
  }

  /** What the role last asked to persist. */
  lastDisk(): unknown {
    const persisted = this.effects.filter((e) => e.type === 'persist').at(-1);
    return persisted?.type === 'persist' ? persisted.disk : undefined;
  }

  get state(): unknown {
    return this.actor.getSnapshot().value;
  }

  get context(): Record<string, unknown> {
    return this.actor.getSnapshot().context as Record<string, unknown>;
  }
}
