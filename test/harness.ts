/** Test helpers: run a config by name, and drive one role's machine by hand. */
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createActor, type AnyStateMachine } from 'xstate';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, parseConfig, type Overrides } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { emulate, type RunResult } from '../src/emulations/run.js';
import { linearizabilityJudge } from '../specs/checks.js';
import type { Effect, NodeEvent } from '../src/sim/trace.js';
import type { Message, NodeId } from '../src/roles/messages.js';

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

export function config(name: string, overrides: Overrides = {}): Config {
  return loadConfig(configPath(name), overrides);
}

export function configFrom(toml: string): Config {
  return parseConfig(toml, 'inline.toml');
}

export function run(cfg: Config): RunResult {
  return emulate(cfg, {}, linearizabilityJudge);
}

/** Requests completed over all clients. */
export const completedOf = (result: RunResult): number => result.clients.reduce((n, c) => n + c.completed, 0);

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
    this.actor.on('*', (e) => this.effects.push(e as unknown as Effect));
    this.actor.start();
  }

  start(): this {
    return this.send({ type: 'start', entropy: this.entropy++ });
  }

  deliver(from: NodeId, msg: Message): this {
    return this.send({ ...msg, from, entropy: this.entropy++ } as NodeEvent);
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
