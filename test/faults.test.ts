/** Each network fault does what the config says, measured over the trace. */
import test from 'ava';
import { completedOf, configFrom, historyEvents, notOk, run, verdictOf } from './harness.js';
import type { TraceEvent } from '../src/sim/trace.js';

const base = (network: string, extra = ''): string => `
emulation = "multipaxos"
[topology]
acceptors = 3
leaders = 1
replicas = 2
clients = 3
[workload]
requests = 10
[network]
${network}
${extra}`;

const count = (trace: readonly TraceEvent[], pred: (e: TraceEvent) => boolean): number => trace.filter(pred).length;

test('faults: drop_rate = 0.3 loses about 30% of messages over many seeds', (t) => {
  let sent = 0;
  let lost = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const { trace } = run({ ...configFrom(base('drop_rate = 0.3')), seed });
    sent += count(trace, (e) => e.kind === 'send');
    lost += count(trace, (e) => e.kind === 'drop' && e.reason === 'loss');
  }
  const rate = lost / sent;
  t.true(rate > 0.27 && rate < 0.33, `lost ${lost} of ${sent} = ${rate.toFixed(3)}`);
});

test('faults: duplicate_rate = 0.2 delivers about 20% of messages twice', (t) => {
  let sent = 0;
  let duplicated = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const { trace } = run({ ...configFrom(base('duplicate_rate = 0.2')), seed });
    sent += count(trace, (e) => e.kind === 'send');
    duplicated += count(trace, (e) => e.kind === 'duplicate');
  }
  const rate = duplicated / sent;
  t.true(rate > 0.17 && rate < 0.23, `duplicated ${duplicated} of ${sent} = ${rate.toFixed(3)}`);
});

test('faults: a fixed delay delivers every message exactly delay_min_ms after its send', (t) => {
  const { trace } = run(configFrom(base('delay = "fixed"\ndelay_min_ms = 7\ndelay_max_ms = 7')));
  const sentAt = new Map<number, number>();
  for (const e of trace) if (e.kind === 'send') sentAt.set(e.id, e.t);
  const delays = new Set(trace.flatMap((e) => (e.kind === 'deliver' ? [e.t - sentAt.get(e.id)!] : [])));
  t.deepEqual([...delays], [7]);
});

test('faults: uniform delays stay within their bounds and reorder messages', (t) => {
  const { trace } = run(configFrom(base('delay = "uniform"\ndelay_min_ms = 2\ndelay_max_ms = 30')));
  const sentAt = new Map<number, number>();
  for (const e of trace) if (e.kind === 'send') sentAt.set(e.id, e.t);
  const delivered = trace.filter((e) => e.kind === 'deliver') as Array<Extract<TraceEvent, { kind: 'deliver' }>>;
  t.true(delivered.every((e) => e.t - sentAt.get(e.id)! >= 2 && e.t - sentAt.get(e.id)! <= 30));
  const overtaken = delivered.some((e, i) => i > 0 && e.id < delivered[i - 1]!.id);
  t.true(overtaken, 'some message arrives after one sent later');
});

test('faults: a partition window delivers nothing across it, and heals', (t) => {
  const partition = `
[[partitions]]
start_ms = 20
end_ms = 200
groups = [["leader 1", "acceptor 1"], ["acceptor 2", "acceptor 3"]]`;
  const result = run(configFrom(base('', partition)));
  const sides = [['leader 1', 'acceptor 1'], ['acceptor 2', 'acceptor 3']];
  const side = (n: string): number => sides.findIndex((g) => g.includes(n));
  const across = result.trace.filter((e) => e.kind === 'deliver' && e.t >= 20 && e.t < 200 && side(e.from) !== side(e.to));
  t.deepEqual(across, []);
  t.true(result.trace.some((e) => e.kind === 'drop' && e.reason === 'partition'), 'messages were cut');
  t.is(completedOf(result), 30, 'every request completes once it heals');
  t.deepEqual(notOk(result), []);
});

test('faults: a crashed node receives nothing and fires no timer until it restarts', (t) => {
  const crash = `
[[crashes]]
node = "replica 1"
at_ms = 20
restart_ms = 150
[[crashes]]
node = "client 2"
at_ms = 25
restart_ms = 120`;
  const result = run(configFrom(base('', crash)));
  const { trace } = result;
  for (const node of ['replica 1', 'client 2']) {
    const down = trace.find((e) => e.kind === 'crash' && e.node === node)!.t;
    const up = trace.find((e) => e.kind === 'restart' && e.node === node)!.t;
    const heard = trace.filter(
      (e) => e.t > down && e.t < up && ((e.kind === 'deliver' && e.to === node) || (e.kind === 'timer-fire' && e.node === node)),
    );
    t.deepEqual(heard, [], `${node} heard nothing while down`);
  }
  t.true(trace.some((e) => e.kind === 'drop' && e.reason === 'crashed' && e.to === 'replica 1'), 'decisions sent to the down replica were dropped');
  // The client crashed with a request in flight: after its restart it sends that request again
  // (same id), so nothing is lost: every request of every client completes, and every check passes.
  t.true(trace.some((e) => e.kind === 'note' && e.node === 'client 2' && e.text.startsWith('RESUME request')), 'the in-flight request is re-sent');
  t.is(completedOf(result), 30);
  t.deepEqual(notOk(result), []);
});

test('faults: a crash-stopped client counts as finished, its last request pending', (t) => {
  const crash = `
[[crashes]]
node = "client 1"
at_ms = 5`;
  const result = run(configFrom(base('', crash)));
  t.is(result.summary.reason, 'clients-done');
  t.is(verdictOf(result, 'liveness').status, 'ok', verdictOf(result, 'liveness').detail);
  t.regex(verdictOf(result, 'liveness').detail, /down at the end, not judged: client 1 \(0\/10\)/);
  const pending = historyEvents(result).filter((e) => e.process === 1);
  t.is(pending.length, 1, 'one invocation, never completed');
});
