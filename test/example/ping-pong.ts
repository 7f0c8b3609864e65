/**
 * The smallest complete emulation: ping-pong. Each pinger sends `ping n` to the ponger for
 * n = 1 .. rounds, one at a time, and re-sends it when no `pong` comes within `timeout_ms`;
 * the ponger answers every ping with a pong of the same number. The check, `echo`: a ping is
 * answered only by the pong of its own number. One mutant, `accepts-any-pong`: a pinger takes
 * any pong as the answer to its current ping, so a late answer to a re-sent ping is taken for
 * the answer to the next one (it needs a retry or a duplicate: a fault-free run passes).
 *
 * Not registered (src/emulations/index.ts does not list it): the tests hand it to the core
 * directly, which is all the core needs; README "Adding an emulation" walks through it.
 */
import * as v from 'valibot';
import { setup, type MachineContext } from 'xstate';
import { count, positiveMs } from '../../src/config/base.js';
import type { Config, Emulation, RunEnd, RunJudge } from '../../src/emulations/api/emulation.js';
import { topState } from '../../src/emulations/api/rows.js';
import { step, type Outbox as AnyOutbox } from '../../src/sim/outbox.js';
import type { NodeEvent as AnyNodeEvent, TraceEvent } from '../../src/sim/trace.js';
import { fail, ok, unknown, type Verdict } from '../../specs/verdict.js';

type Message =
  /** pinger -> ponger: are you there? (`n`: which round; a retry sends the same n) */
  | { readonly type: 'ping'; readonly n: number }
  /** ponger -> pinger: the answer to ping `n`. */
  | { readonly type: 'pong'; readonly n: number };
/** A pinger took pong `pong` as the answer to its ping `ping`. */
type Fact = { readonly kind: 'answered'; readonly ping: number; readonly pong: number };
type NodeEvent = AnyNodeEvent<Message>;
type Outbox = AnyOutbox<Message, Fact>;

const sections = {
  topology: v.optional(v.strictObject({ pingers: v.optional(count(1), 1) }), {}),
  workload: v.optional(v.strictObject({ rounds: v.optional(count(1, 1000), 3), timeout_ms: v.optional(positiveMs(), 50) }), {}),
};
type Sections = { readonly [K in keyof typeof sections]: v.InferOutput<(typeof sections)[K]> };

const PONGER = 'ponger';
const pingers = (config: Config<Sections>): string[] => Array.from({ length: config.topology.pingers }, (_, i) => `pinger ${i + 1}`);

interface PingerInput {
  readonly rounds: number;
  readonly timeout_ms: number;
  /** The mutant `accepts-any-pong`. */
  readonly anyPong: boolean;
}

interface Pinger extends MachineContext, PingerInput {
  /** The round waiting for its pong (rounds + 1: all answered). */
  readonly n: number;
}

function ping(state: Pinger, out: Outbox): Pinger {
  out.send(PONGER, { type: 'ping', n: state.n });
  out.setTimer('retry', state.timeout_ms);
  return state;
}

/** Does the pinger take this pong for the answer to its ping? (The mutant takes any.) */
const takes = (state: Pinger, event: NodeEvent): boolean => event.type === 'pong' && (event.n === state.n || state.anyPong);

function onPong(state: Pinger, event: NodeEvent, out: Outbox): Pinger {
  if (event.type !== 'pong' || !takes(state, event)) return state;
  out.note(() => `PONG ${event.n} answers ping ${state.n}`, { kind: 'answered', ping: state.n, pong: event.n });
  out.cancelTimer('retry');
  const next = { ...state, n: state.n + 1 };
  return next.n <= state.rounds ? ping(next, out) : next;
}

const pingerMachine = setup({
  types: { context: {} as Pinger, events: {} as NodeEvent, input: {} as PingerInput },
  actions: {
    ping: step<Pinger, NodeEvent, Message, Fact>((s, _e, out) => ping(s, out)),
    onPong: step<Pinger, NodeEvent, Message, Fact>(onPong),
  },
}).createMachine({
  context: ({ input }) => ({ ...input, n: 1 }),
  initial: 'pinging',
  states: {
    pinging: {
      on: {
        start: { actions: 'ping' },
        pong: [{ guard: ({ context, event }) => takes(context, event) && context.n === context.rounds, target: 'done', actions: 'onPong' }, { actions: 'onPong' }],
        timeout: { actions: 'ping' },
      },
    },
    done: { type: 'final' },
  },
});

/** The ponger answers every ping (it keeps nothing: a crash loses nothing). */
function pong(state: MachineContext, event: NodeEvent, out: Outbox): MachineContext {
  if (event.type === 'ping') out.send(event.from, { type: 'pong', n: event.n });
  return state;
}

const pongerMachine = setup({
  types: { context: {} as MachineContext, events: {} as NodeEvent },
  actions: { pong: step<MachineContext, NodeEvent, Message, Fact>(pong) },
}).createMachine({ context: {}, initial: 'answering', states: { answering: { on: { ping: { actions: 'pong' } } } } });

/** Checks every answer as it is noted; at the end, that every pinger got all its pongs. */
class PingPongJudge implements RunJudge<Message, Fact> {
  readonly reads = ['note'] as const;
  private wrong: Verdict | undefined;

  constructor(private readonly rounds: number) {}

  observe(event: TraceEvent<Message, Fact>, index: number): void {
    if (event.kind !== 'note' || !event.fact || this.wrong) return;
    const { ping, pong } = event.fact;
    if (pong !== ping) this.wrong = fail('echo', `${event.node} took pong ${pong} for the answer to ping ${ping}`, { t: event.t, event: index });
  }

  finish(end: RunEnd) {
    const echo = this.wrong ?? ok('echo', 'every ping was answered by its own pong');
    const short = end.views.filter((view) => view.role === 'pinger' && view.status !== 'crashed' && (view.context as Pinger).n <= this.rounds);
    const liveness = end.cut
      ? unknown('liveness', `not judged: ${end.cut}`)
      : short.length > 0
        ? fail('liveness', `${short.map((view) => view.id).join(', ')} did not get all ${this.rounds} pongs`)
        : ok('liveness', 'every pinger got its pongs');
    return { verdicts: [echo, liveness], counts: [`rounds per pinger: ${this.rounds}`] };
  }

  fork(): PingPongJudge {
    return Object.assign(new PingPongJudge(this.rounds), { wrong: this.wrong });
  }

  violations(): Verdict[] {
    return this.wrong ? [this.wrong] : [];
  }

  memory(): unknown {
    return this.wrong !== undefined;
  }
}

export const pingPong: Emulation<Sections, Message, Fact> = {
  name: 'ping_pong',
  sections,
  topology: (config) => [
    { role: 'ponger', nodes: [PONGER] },
    { role: 'pinger', nodes: pingers(config) },
  ],
  nodes: (config) => [
    { id: PONGER, role: 'ponger', machine: pongerMachine, input: () => ({}) },
    ...pingers(config).map((id) => ({
      id,
      role: 'pinger',
      client: true,
      machine: pingerMachine,
      input: (): PingerInput => ({ ...config.workload, anyPong: config.mutants.enable.includes('accepts-any-pong') }),
    })),
  ],
  roles: [
    { name: 'ponger', crashable: true, row: (view) => ({ state: topState(view.state), detail: '', tone: 'normal' }), summary: () => '' },
    {
      name: 'pinger',
      crashable: false,
      row: (view) => ({ state: topState(view.state), detail: `round ${(view.context as Pinger).n}`, tone: 'normal' }),
      summary: (views) => `${views.length} pingers`,
    },
  ],
  messages: { describe: (msg) => `${msg.type} ${msg.n}` },
  mutants: { 'accepts-any-pong': 'a pinger takes any pong as the answer to its current ping' },
  judge: (config) => new PingPongJudge(config.workload.rounds),
  explore: {
    links: (config) => pingers(config).flatMap((p): [string, string][] => [[p, PONGER], [PONGER, p]]),
  },
};
