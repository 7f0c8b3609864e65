/**
 * Growth without a clock: a run ten times longer must cost about ten times as much, not a
 * hundred. The work meter (./work-meter.ts) counts the elements the built-in collections walk
 * (iterator steps, array scans and copies, serialised characters) while a run simulates with its
 * checks streaming, or while a judge alone reads a run's recorded facts. Per delivered message,
 * or per fact, a run ten times longer (or with ten times the clients) must not cost more than
 * 1.5 times a short one. A check that copies its memory on every fact — the frozen Map of every
 * slot copied per vote that made 100 clients x 100 requests take 201 s (issue 18) — costs ten
 * times more per fact in the longer run, and fails here on any machine, loaded or not.
 */
import test from 'ava';
import type { AnyEmulation, Config, RunJudge } from '../src/emulations/api/emulation.js';
import { emulationOf, parseConfig } from '../src/emulations/index.js';
import { kvJudge } from '../src/emulations/kv/judge.js';
import type { FactCheck, Noted } from '../src/emulations/kv/log-checks.js';
import { emulate, startRun } from '../src/emulations/run.js';
import type { TraceEvent } from '../src/sim/trace.js';
import { ok, type Verdict } from '../specs/verdict.js';
import { metered } from './work-meter.js';

/** The most a run ten times larger may cost per message or fact, over the smaller one. */
const FLAT = 1.5;

const paxos = (clients: number, requests: number): string => `emulation = "multipaxos"
seed = 3
[topology]
acceptors = 3
leaders = 1
replicas = 2
clients = ${clients}
[workload]
requests = ${requests}
`;

const kvStore = (clients: number, requests: number): string => `emulation = "kv_store"
seed = 3
[topology]
clients = ${clients}
[workload]
requests = ${requests}
`;

const maxSync = (clientsPerServer: number, messages: number): string => `emulation = "max_sync"
seed = 3
[topology]
servers = 3
clients_per_server = ${clientsPerServer}
[workload]
messages = ${messages}
`;

const raft = (clients: number, requests: number): string => `emulation = "raft"
seed = 3
[topology]
servers = 3
clients = ${clients}
[workload]
requests = ${requests}
`;

const configOf = (toml: string): Config => parseConfig(toml, 'growth.toml');

/** Work per delivered message of a whole run: the router, the machines, the checks streaming. */
function workPerMessage(toml: string): number {
  const config = configOf(toml);
  const run = startRun(emulationOf(config), config);
  const { value: summary, work } = metered(() => run.router.run());
  return work / summary.delivered;
}

/** A run's trace, its config and its emulation (whose judge, or another, reads the trace again). */
function recorded(toml: string): { trace: readonly TraceEvent[]; config: Config; emulation: AnyEmulation } {
  const config = configOf(toml);
  const emulation = emulationOf(config);
  return { trace: emulate(emulation, config, { keepTrace: true }).trace!, config, emulation };
}

/** Work per fact of a judge reading a recorded run (the events it reads, as the router gives them). */
function workPerFact(trace: readonly TraceEvent[], judge: RunJudge): number {
  const reads = judge.reads ? new Set<string>(judge.reads) : undefined;
  const events = trace.flatMap((event, index) => (reads && !reads.has(event.kind) ? [] : [[event, index] as const]));
  const facts = events.filter(([event]) => event.kind === 'note' && event.fact !== undefined).length;
  const { work } = metered(() => {
    for (const [event, index] of events) judge.observe(event, index);
  });
  return work / facts;
}

/** How many times more the larger run cost per unit than the smaller one. */
const growth = (small: number, large: number): number => large / small;

test('a run ten times longer costs the same per delivered message: simulation and streaming checks (multipaxos)', (t) => {
  const short = workPerMessage(paxos(5, 20));
  const long = workPerMessage(paxos(5, 200));
  t.log(`work per message: ${short.toFixed(1)} (5 x 20), ${long.toFixed(1)} (5 x 200)`);
  t.true(growth(short, long) <= FLAT, `x${growth(short, long).toFixed(2)} per message for a run ten times longer`);
});

test('ten times the clients cost the same per delivered message (multipaxos)', (t) => {
  const few = workPerMessage(paxos(5, 20));
  const many = workPerMessage(paxos(50, 20));
  t.log(`work per message: ${few.toFixed(1)} (5 x 20), ${many.toFixed(1)} (50 x 20)`);
  t.true(growth(few, many) <= FLAT, `x${growth(few, many).toFixed(2)} per message with ten times the clients`);
});

test('a run ten times longer costs the same per delivered message: simulation and streaming checks (raft)', (t) => {
  const short = workPerMessage(raft(5, 20));
  const long = workPerMessage(raft(5, 200));
  t.log(`work per message: ${short.toFixed(1)} (5 x 20), ${long.toFixed(1)} (5 x 200)`);
  t.true(growth(short, long) <= FLAT, `x${growth(short, long).toFixed(2)} per message for a run ten times longer`);
});

for (const [name, toml] of [['multipaxos', paxos], ['kv_store', kvStore], ['max_sync', maxSync], ['raft', raft]] as const) {
  test(`the ${name} judge does bounded work per fact, and forks in constant work, however long the run`, (t) => {
    const judged = [toml(5, 20), toml(5, 200)].map((text) => {
      const { trace, config, emulation } = recorded(text);
      const judge = emulation.judge(config, {});
      const perFact = workPerFact(trace, judge);
      return { perFact, fork: metered(() => judge.fork()).work };
    });
    const [short, long] = judged as [(typeof judged)[0], (typeof judged)[0]];
    t.log(`work per fact ${short.perFact.toFixed(1)} then ${long.perFact.toFixed(1)}; a fork ${short.fork} then ${long.fork}`);
    t.true(growth(short.perFact, long.perFact) <= FLAT, `x${growth(short.perFact, long.perFact).toFixed(2)} per fact for a run ten times longer`);
    t.true(long.fork <= short.fork * FLAT, `a fork cost ${short.fork}, then ${long.fork} after a run ten times longer`);
  });
}

/** The regression of issue 18, reintroduced on purpose: a check that copies its memory (a
 *  frozen Map with an entry per slot) on every fact. The guard above must catch it. */
class CopiesEveryFact implements FactCheck {
  readonly names = ['copies-every-fact'];
  readonly kinds = ['decide', 'apply'];
  private seen: ReadonlyMap<number, unknown> = new Map();

  observe(noted: Noted): void {
    if (noted.fact.kind === 'decide' || noted.fact.kind === 'apply') this.seen = Object.freeze(new Map(this.seen).set(noted.fact.slot, noted.fact.command));
  }
  verdicts(): Verdict[] {
    return [ok('copies-every-fact', `${this.seen.size} slot(s)`)];
  }
  failures(): Verdict[] {
    return [];
  }
  memory(): unknown {
    return this.seen;
  }
  fork(): CopiesEveryFact {
    return this;
  }
}

test('the guard catches a check that copies its memory on every fact (the quadratic regression of issue 18)', (t) => {
  const [short, long] = [paxos(5, 20), paxos(5, 200)].map((text) => {
    const { trace } = recorded(text);
    const judge = kvJudge({ requests: 0, isLearner: () => true, stallReasons: () => [], protocolChecks: () => [new CopiesEveryFact()] }, {});
    return workPerFact(trace, judge as RunJudge);
  }) as [number, number];
  t.log(`work per fact ${short.toFixed(1)} then ${long.toFixed(1)}: x${growth(short, long).toFixed(2)}`);
  t.false(growth(short, long) <= FLAT, 'the guard would let it through');
});
