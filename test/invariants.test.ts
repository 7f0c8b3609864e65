/** The run invariants catch what they claim to: hand-made broken traces fail the right check. */
import test from 'ava';
import { agreement, convergence, factsOf, integrity, order, validity } from '../src/emulations/kv/log-checks.js';
import type { Fact, LogCommand } from '../src/emulations/multipaxos/messages.js';
import type { TraceEvent as AnyTraceEvent } from '../src/sim/trace.js';

type TraceEvent = AnyTraceEvent<never, Fact>;
import { config, run } from './harness.js';

const put = (client: number, request_id: number, key: string, value: string): LogCommand => ({
  kind: 'request',
  client,
  request_id,
  command: { op: 'put', key, value },
});
const note = (t: number, node: string, fact: Fact): TraceEvent => ({ t, kind: 'note', node, text: '', fact });
const invoke = (t: number, client: number, request_id: number, key: string, value: string): TraceEvent =>
  note(t, `client ${client}`, { kind: 'invoke', client, request_id, command: { op: 'put', key, value } });

test('agreement: two decisions for one slot fail, naming the slot, both commands, ballots and nodes', (t) => {
  const trace = [
    note(5, 'leader 1', { kind: 'decide', slot: 3, command: put(1, 1, 'a', 'val_1'), ballot: { round: 1, leader: 1 } }),
    note(9, 'leader 2', { kind: 'decide', slot: 3, command: put(2, 1, 'a', 'val_2'), ballot: { round: 2, leader: 2 } }),
  ];
  const v = agreement(factsOf(trace));
  t.is(v.status, 'fail');
  t.regex(v.detail, /slot 3: leader 1 decided PUT "a" = "val_1" \(client 1 request 1\) under ballot 1\.1 .* but leader 2 decided PUT "a" = "val_2" \(client 2 request 1\) under ballot 2\.2/);
});

test('agreement: a replica applying another command than was decided fails', (t) => {
  const trace = [
    note(5, 'leader 1', { kind: 'decide', slot: 0, command: put(1, 1, 'a', 'val_1') }),
    note(7, 'replica 1', { kind: 'apply', slot: 0, command: { kind: 'noop' }, fresh: true }),
  ];
  t.is(agreement(factsOf(trace)).status, 'fail');
});

test('validity: a command no client sent fails; a no-op is fine', (t) => {
  const trace = [
    invoke(1, 1, 1, 'a', 'val_1'),
    note(5, 'leader 1', { kind: 'decide', slot: 0, command: put(1, 1, 'a', 'val_1') }),
    note(6, 'leader 1', { kind: 'decide', slot: 1, command: { kind: 'noop' } }),
  ];
  t.is(validity(factsOf(trace)).status, 'ok');
  const forged = [...trace, note(8, 'leader 1', { kind: 'decide', slot: 2, command: put(1, 1, 'a', 'val_9') })];
  const v = validity(factsOf(forged));
  t.is(v.status, 'fail');
  t.regex(v.detail, /leader 1 decided PUT "a" = "val_9" \(client 1 request 1\) at t=8, which no client sent/);
});

test('integrity: a request applied twice on one node fails; once per restarted incarnation is fine', (t) => {
  const twice = [
    note(5, 'replica 1', { kind: 'apply', slot: 0, command: put(1, 1, 'a', 'val_1'), result: { ok: true }, fresh: true }),
    note(9, 'replica 1', { kind: 'apply', slot: 4, command: put(1, 1, 'a', 'val_1'), result: { ok: true }, fresh: true }),
  ];
  const v = integrity(factsOf(twice));
  t.is(v.status, 'fail');
  t.regex(v.detail, /replica 1 applied .* twice: slot 0 at t=5 and slot 4 at t=9/);
  const skipped = [twice[0]!, note(9, 'replica 1', { kind: 'apply', slot: 4, command: put(1, 1, 'a', 'val_1'), fresh: false })];
  t.is(integrity(factsOf(skipped)).status, 'ok', 'a retry answered from the client table is not an application');
  const restarted: TraceEvent[] = [twice[0]!, { t: 7, kind: 'restart', node: 'replica 1' }, twice[1]!];
  t.is(integrity(factsOf(restarted)).status, 'ok');
});

test('order: applying slot 1 before slot 0 fails', (t) => {
  const trace = [
    note(5, 'replica 1', { kind: 'apply', slot: 1, command: { kind: 'noop' }, fresh: true }),
    note(6, 'replica 1', { kind: 'apply', slot: 0, command: { kind: 'noop' }, fresh: true }),
  ];
  const v = order(factsOf(trace));
  t.is(v.status, 'fail');
  t.regex(v.detail, /replica 1 applied slot 1 at t=5 before slot 0/);
});

test('convergence: diverged replicas fail; crashed ones are not compared', (t) => {
  const store = (o: Record<string, string>) => new Map(Object.entries(o));
  const v = convergence([
    { node: 'leader 1', up: true, applied: 3, store: store({ a: 'val_1' }) },
    { node: 'replica 1', up: true, applied: 3, store: store({ a: 'val_2' }) },
  ]);
  t.is(v.status, 'fail');
  t.regex(v.detail, /leader 1 holds \{"a":"val_1"\} but replica 1 holds \{"a":"val_2"\}/);
  t.is(convergence([
    { node: 'leader 1', up: true, applied: 3, store: store({}) },
    { node: 'replica 2', up: true, applied: 2, store: store({}) },
  ]).status, 'fail');
  t.is(convergence([
    { node: 'leader 1', up: true, applied: 3, store: store({}) },
    { node: 'replica 2', up: false, applied: 1, store: store({ b: 'x' }) },
  ]).status, 'ok');
});

test('invariants: a real correct run passes them all, with their counts in the details', (t) => {
  const result = run(config('two-leaders.toml'));
  for (const v of result.verdicts) t.is(v.status, 'ok', `${v.name}: ${v.detail}`);
  t.regex(result.verdicts.find((v) => v.name === 'agreement')!.detail, /^\d+ slot\(s\), one command each$/);
});
