/**
 * mpkv's own history format: JSON Lines, one client event per line, written by
 * `mpkv run --history FILE` (through `formatMpkvEvent` below) and read by `mpkv check`.
 *
 *   {"type":"invoke","process":1,"f":"put","key":"a","value":"val_3"}
 *   {"type":"ok","process":1,"f":"put","key":"a","result":{"ok":true}}
 *   {"type":"invoke","process":2,"f":"get","key":"a"}
 *   {"type":"ok","process":2,"f":"get","key":"a","result":{"ok":true,"value":"val_3"}}
 *   {"type":"info","process":3,"f":"delete","key":"a"}
 *
 * - `ok` carries the store's answer (`KvResult`): `{"ok":false,"error":"key not found: a"}`
 *   is an answer too, and the checker holds the store to it;
 * - `info` means the outcome is unknown (a timeout): the operation is pending, as is an
 *   invoke that never completes. A pending operation may or may not have taken effect;
 * - a process has at most one operation outstanding; after an `info` it may invoke again;
 * - `time` (virtual ms, integer) is optional, but on every line or none. The real-time order
 *   is (time, line number): events with equal times keep their line order, because mpkv
 *   writes a reply delivered at t before the same client's next invoke at t. Without times
 *   the line order is the real-time order.
 *
 * Operation times (`call`, `ret`) are the events' line numbers when the file has no times,
 * so an explanation points straight at lines of the file; with times they are the events'
 * 1-based positions in (time, line) order, and explanations show the times themselves
 * (`Operation.source`).
 */
import type { KvCommand, KvResult } from '../../src/kv/kv.js';
import type { Operation } from '../history.js';
import { HistoryFormatError, numberedLines, shown } from './error.js';

export type MpkvFunction = KvCommand['op'];

interface EventBase {
  readonly process: number;
  readonly key: string;
  /** Virtual milliseconds. */
  readonly time?: number;
}

export type MpkvHistoryEvent =
  | (EventBase & { readonly type: 'invoke'; readonly f: 'put'; readonly value: string })
  | (EventBase & { readonly type: 'invoke'; readonly f: 'get' | 'delete' })
  | (EventBase & { readonly type: 'ok'; readonly f: MpkvFunction; readonly result: KvResult })
  | (EventBase & { readonly type: 'info'; readonly f: MpkvFunction });

const FUNCTIONS: readonly MpkvFunction[] = ['put', 'get', 'delete'];
const TYPES = ['invoke', 'ok', 'info'] as const;

/** The invoke event of `command` by `process`. */
export function invokeEvent(process: number, command: KvCommand, time?: number): MpkvHistoryEvent {
  const base = { process, key: command.key, ...(time === undefined ? {} : { time }) };
  return command.op === 'put' ? { type: 'invoke', f: 'put', value: command.value, ...base } : { type: 'invoke', f: command.op, ...base };
}

/** The completion of `command` with the store's answer. */
export function okEvent(process: number, command: KvCommand, result: KvResult, time?: number): MpkvHistoryEvent {
  return { type: 'ok', process, f: command.op, key: command.key, result, ...(time === undefined ? {} : { time }) };
}

/** The completion of `command` whose outcome is unknown (a timeout). */
export function infoEvent(process: number, command: KvCommand, time?: number): MpkvHistoryEvent {
  return { type: 'info', process, f: command.op, key: command.key, ...(time === undefined ? {} : { time }) };
}

/** One event as one JSON line (no newline), fields in a fixed order. */
export function formatMpkvEvent(event: MpkvHistoryEvent): string {
  const { type, process, f, key } = event;
  const value = event.type === 'invoke' && event.f === 'put' ? { value: event.value } : {};
  const result = event.type === 'ok' ? { result: event.result } : {};
  const time = event.time === undefined ? {} : { time: event.time };
  return JSON.stringify({ type, process, f, key, ...value, ...result, ...time });
}

/** A whole history as JSON Lines, each line ending in a newline. */
export function formatMpkvHistory(events: readonly MpkvHistoryEvent[]): string {
  return events.map((e) => `${formatMpkvEvent(e)}\n`).join('');
}

/** Reads an mpkv history into operations; throws `HistoryFormatError` on the first bad line. */
export function parseMpkvHistory(text: string, source = 'history.jsonl'): Operation<KvCommand, KvResult>[] {
  const events = numberedLines(text).map(({ line, text: content }) => ({ line, event: parseEventLine(content, source, line) }));
  return locatedOperations(events, source);
}

/**
 * The operations of in-memory events (a run's own history), paired exactly as a file is, so a
 * run's verdict and `mpkv check` of its --history file cannot disagree. `line` in errors is the
 * event's 1-based position. Throws `HistoryFormatError` if the events are not a well-formed
 * history (a completion without an invocation, say).
 */
export function mpkvOperations(events: readonly MpkvHistoryEvent[], source = 'run history'): Operation<KvCommand, KvResult>[] {
  return locatedOperations(events.map((event, i) => ({ line: i + 1, event })), source);
}

function locatedOperations(events: Located[], source: string): Operation<KvCommand, KvResult>[] {
  const timed = events.filter((e) => e.event.time !== undefined);
  if (timed.length > 0 && timed.length < events.length) {
    const odd = events.find((e) => e.event.time === undefined)!;
    throw new HistoryFormatError(source, odd.line, '"time" must be on every line or on none, and this line has none');
  }
  if (timed.length > 0) events.sort((a, b) => a.event.time! - b.event.time! || a.line - b.line);
  return pairEvents(events, timed.length > 0, source);
}

type Located = { line: number; event: MpkvHistoryEvent };

/** Matches each completion to its process's outstanding invoke. With times, an operation's
 *  `source` gives them (ms); without, the lines it is on. */
function pairEvents(events: readonly Located[], byPosition: boolean, source: string): Operation<KvCommand, KvResult>[] {
  type Open = { line: number; call: number; at: number; command: KvCommand; process: number };
  const outstanding = new Map<number, Open>();
  const done: (Open & { ret: number; atRet: number; output: KvResult | undefined })[] = [];
  events.forEach(({ line, event }, index) => {
    const time = byPosition ? index + 1 : line;
    const at = byPosition ? event.time! : line;
    const open = outstanding.get(event.process);
    if (event.type === 'invoke') {
      if (open) {
        throw new HistoryFormatError(source, line, `process ${event.process} invokes again while its ${open.command.op} from line ${open.line} is outstanding`);
      }
      outstanding.set(event.process, { line, call: time, at, command: commandOf(event), process: event.process });
      return;
    }
    if (!open) throw new HistoryFormatError(source, line, `"${event.type}" for process ${event.process}, which has no operation outstanding`);
    if (open.command.op !== event.f || open.command.key !== event.key) {
      throw new HistoryFormatError(source, line, `"${event.type}" is for ${event.f} ${shown(event.key)}, but process ${event.process} invoked ${open.command.op} ${shown(open.command.key)} on line ${open.line}`);
    }
    outstanding.delete(event.process);
    // An `info` outcome is unknown: the operation stays pending (see the module doc).
    if (event.type === 'ok') done.push({ ...open, ret: time, atRet: at, output: event.result });
    else done.push({ ...open, ret: Infinity, atRet: Infinity, output: undefined });
  });
  for (const open of outstanding.values()) done.push({ ...open, ret: Infinity, atRet: Infinity, output: undefined });
  done.sort((a, b) => a.call - b.call);
  const unit = byPosition ? 'ms' : 'line';
  return done.map((o, id) => ({ id, process: o.process, call: o.call, ret: o.ret, input: o.command, output: o.output, source: { call: o.at, ret: o.atRet, unit } }));
}

function commandOf(event: MpkvHistoryEvent): KvCommand {
  if (event.type === 'invoke' && event.f === 'put') return { op: 'put', key: event.key, value: event.value };
  return { op: event.f as 'get' | 'delete', key: event.key };
}

/** Validates one line into an event, naming the first field that is wrong. */
function parseEventLine(content: string, source: string, line: number): MpkvHistoryEvent {
  const fail = (problem: string): never => {
    throw new HistoryFormatError(source, line, problem);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(content);
  } catch {
    fail(`not a JSON object: ${shown(content)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(`not a JSON object: ${shown(content)}`);
  const fields = raw as Record<string, unknown>;
  const { type, process, f, key, time } = fields;
  if (!TYPES.includes(type as (typeof TYPES)[number])) fail(`"type" must be one of ${TYPES.join(', ')}, got ${shown(type)}`);
  if (!Number.isSafeInteger(process) || (process as number) < 0) fail(`"process" must be a non-negative integer, got ${shown(process)}`);
  if (!FUNCTIONS.includes(f as MpkvFunction)) fail(`"f" must be one of ${FUNCTIONS.join(', ')}, got ${shown(f)}`);
  if (typeof key !== 'string') fail(`"key" must be a string, got ${shown(key)}`);
  if (time !== undefined && (!Number.isSafeInteger(time) || (time as number) < 0)) fail(`"time" must be a non-negative integer (virtual ms), got ${shown(time)}`);
  const base = { process: process as number, key: key as string, ...(time === undefined ? {} : { time: time as number }) };
  const fn = f as MpkvFunction;
  switch (type as (typeof TYPES)[number]) {
    case 'invoke':
      if (fn !== 'put') return { type: 'invoke', f: fn, ...base };
      if (typeof fields.value !== 'string') fail(`"value" of a put must be a string, got ${shown(fields.value)}`);
      return { type: 'invoke', f: 'put', value: fields.value as string, ...base };
    case 'ok':
      return { type: 'ok', f: fn, result: parseResult(fields.result, fn, fail), ...base };
    case 'info':
      return { type: 'info', f: fn, ...base };
  }
}

function parseResult(raw: unknown, f: MpkvFunction, fail: (problem: string) => never): KvResult {
  const expected = `{"ok":true${f === 'get' ? ',"value":"..."' : ''}} or {"ok":false,"error":"..."}`;
  if (typeof raw !== 'object' || raw === null) return fail(`"result" must be ${expected}, got ${shown(raw)}`);
  const { ok, value, error } = raw as Record<string, unknown>;
  if (ok === false) {
    if (typeof error !== 'string') fail(`"result.error" must be a string when "ok" is false, got ${shown(error)}`);
    return { ok: false, error: error as string };
  }
  if (ok !== true) return fail(`"result" must be ${expected}, got ${shown(raw)}`);
  if (f !== 'get') return { ok: true };
  // A successful get without a value is what a broken store may answer: it is read as given,
  // and the model rejects it (no state explains it), rather than refused as bad input.
  if (value === undefined) return { ok: true };
  if (typeof value !== 'string') fail(`"result.value" of a successful get must be a string, got ${shown(value)}`);
  return { ok: true, value: value as string };
}
