/**
 * The kv family's part of the message-sequence diagram: short words for kv commands and
 * results, the client operations of a run (from a request's first send to the reply the client
 * took), and a linearizability violation pointed at: the operation that cannot be placed (its
 * call and its return) with the checker's reasons, and the other operations on its key.
 */
import { describeCommand, type KvCommand, type KvResult } from '../../kv/kv.js';
import { mpkvOperations, invokeEvent, okEvent, type MpkvHistoryEvent } from '../../../specs/formats/mpkv.js';
import { intervalText, type Operation } from '../../../specs/history.js';
import { checkOperations } from '../../../specs/linearizability.js';
import { kvModel } from '../../../specs/models/kv.js';
import type { DiagramEvent, DiagramExplanation, Highlight, OperationSpan } from '../api/diagram.js';
import type { FactBase } from '../../sim/trace.js';
import type { KvFact, LogCommand } from './messages.js';

/** An event of a kv emulation's run: its facts are the kv family's, or the emulation's own
 *  (which these functions pass by). */
type KvEvent = DiagramEvent<unknown, FactBase>;

export const shortCommand = (c: KvCommand): string => (c.op === 'put' ? `PUT ${c.key}=${c.value}` : c.op === 'get' ? `GET ${c.key}` : `DEL ${c.key}`);
/** Which request: `c1#2`, client 1's request 2 (two requests of the same words look different). */
export const requestTag = (client: number | string, request_id: number): string => `c${client}#${request_id}`;
/** `c1#2 PUT a=val_3` (the request first: a label cut to fit its arrow keeps it), `no-op`,
 *  `batch c1#2 c3#1`. */
export const shortLog = (c: LogCommand): string =>
  c.kind === 'noop' ? 'no-op' : c.kind === 'batch' ? `batch ${c.requests.map((r) => requestTag(r.client, r.request_id)).join(' ')}` : `${requestTag(c.client, c.request_id)} ${shortCommand(c.command)}`;
export const shortResult = (r: KvResult): string =>
  r.ok ? (r.value ?? 'OK') : r.error.startsWith('key not found') ? 'NOT FOUND' : r.error.startsWith('key already exists') ? 'EXISTS' : 'ERROR';

/** Each client request, from its first send (invoke) to the reply the client took (complete). */
export function kvOperations(events: readonly KvEvent[]): OperationSpan[] {
  const open = new Map<string, number>();
  const ops: OperationSpan[] = [];
  events.forEach((e, i) => {
    if (e.kind !== 'note' || !e.fact) return;
    const f = e.fact as KvFact;
    if (f.kind === 'invoke') {
      open.set(`${e.node}|${f.request_id}`, ops.length);
      ops.push({ lane: e.node, start: i, label: describeCommand(f.command) });
    } else if (f.kind === 'complete') {
      const k = open.get(`${e.node}|${f.request_id}`);
      if (k === undefined) return;
      open.delete(`${e.node}|${f.request_id}`);
      ops[k] = { ...ops[k]!, end: i, result: shortResult(f.result), failed: false };
    }
  });
  return ops;
}

/**
 * The run's client history checked as the run's linearizability verdict checks it; when it is
 * not linearizable, the operation that cannot be placed is pointed at. An operation's times in
 * that history are the 1-based positions of its invoke and complete notes in the events.
 */
export function explainLinearizability(events: readonly KvEvent[]): DiagramExplanation[] {
  const history: MpkvHistoryEvent[] = [];
  const notes: number[] = [];
  events.forEach((e, i) => {
    if (e.kind !== 'note' || !e.fact) return;
    const f = e.fact as KvFact;
    if (f.kind === 'invoke') history.push(invokeEvent(f.client, f.command, e.t));
    else if (f.kind === 'complete') history.push(okEvent(f.client, f.command, f.result, e.t));
    else return;
    notes.push(i);
  });
  let ops;
  try {
    ops = mpkvOperations(history);
  } catch {
    return []; // not even well-formed: the verdict says why; there is no operation to point at
  }
  const result = checkOperations(kvModel, ops);
  if (result.verdict !== 'illegal') return [];
  const e = result.explanation!;
  const at = (time: number): number[] => (Number.isFinite(time) && notes[time - 1] !== undefined ? [notes[time - 1]!] : []);
  const describe = (input: KvCommand, output: KvResult | undefined): string => kvModel.describeOperation(input, output);
  const culprit = describe(e.culprit.input, e.culprit.output);
  const key = JSON.stringify(e.culprit.input.key);
  const where = e.refuted
    ? 'fits no linearization at all'
    : `cannot be placed after the ${e.prefix.length} operation(s) that can (${e.stateAfterPrefix})`;
  const lines = [
    `LINEARIZABILITY VIOLATED on key ${key}: ${culprit} (client process ${e.culprit.process}) ${where}.`,
    ...e.rejections.map((r) => `  - ${r}`),
    ...keyOperations(e.partitionOps, e.culprit.id, e.prefix.map((op) => op.id), describe, key),
  ];
  // A refutation names the operations its argument rests on; otherwise every other operation on the key is evidence.
  const others = e.refuted && e.involved ? e.involved : e.partitionOps.filter((op) => op.id !== e.culprit.id);
  const highlights: Highlight[] = [
    { role: 'violation', title: `linearizability: ${culprit} cannot be placed`, text: lines.join(' '), events: [...at(e.culprit.call), ...at(e.culprit.ret)], tag: 'cannot be placed' },
    {
      role: 'evidence',
      title: `the other operations on key ${JSON.stringify(e.culprit.input.key)} (${others.length})`,
      text: others.map((op) => describe(op.input, op.output)).join('; '),
      events: others.flatMap((op) => at(op.call)),
      tag: `key ${e.culprit.input.key}`,
    },
  ];
  return [{ lines, highlights }];
}

/** The operations on the failing key, in call order, each with its client, its interval in
 *  virtual time (`t=92..119`, as the reasons give them), and its place: in the linearizable
 *  prefix (#k), or the one that cannot be placed. At most `max` lines, those nearest the
 *  culprit first kept. */
function keyOperations(
  ops: readonly Operation<KvCommand, KvResult>[],
  culprit: number,
  prefix: readonly number[],
  describe: (input: KvCommand, output: KvResult | undefined) => string,
  key: string,
  max = 12,
): string[] {
  const sorted = [...ops].sort((a, b) => a.call - b.call);
  const c = sorted.findIndex((op) => op.id === culprit);
  const from = Math.max(0, Math.min(c - Math.floor(max / 2), sorted.length - max));
  const shown = sorted.slice(from, from + max);
  const place = (op: Operation<KvCommand, KvResult>): string => (op.id === culprit ? '  <- cannot be placed' : prefix.includes(op.id) ? `  (#${prefix.indexOf(op.id) + 1} in the order found)` : '');
  return [
    `  the operations on key ${key} (${ops.length}${ops.length > shown.length ? `, ${shown.length} around it shown` : ''}):`,
    ...shown.map((op) => `    client process ${op.process}  ${intervalText(op)}  ${describe(op.input, op.output)}${place(op)}`),
  ];
}
