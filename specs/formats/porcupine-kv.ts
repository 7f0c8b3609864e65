/**
 * Porcupine's key-value test histories: one EDN map per line,
 *
 *   {:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}
 *   {:process 0, :type :ok, :f :get, :key "7", :value "x 7 1 y"}
 *
 * A tiny reader for exactly this shape (a flat map of keywords to integers, keywords, strings
 * or nil), not EDN in general. Types: `:invoke`, `:ok` (a get's value is what it read, nil
 * meaning ""), `:info` (pending) and `:fail` (did not happen: left out). Unmatched invocations
 * are pending. Line numbers are the times.
 */
import type { Operation } from '../history.js';
import type { KvAppendInput, KvAppendOutput } from '../models/kv-append.js';
import { HistoryFormatError, numberedLines, shown } from './error.js';

type KvAppendOp = Operation<KvAppendInput, KvAppendOutput>;

/** An EDN scalar: integer, keyword (kept with its colon), string, or nil. */
type EdnScalar = number | { readonly keyword: string } | string | null;

interface Open {
  readonly line: number;
  readonly process: number;
  readonly input: KvAppendInput;
}

/** Reads a Porcupine kv history; throws `HistoryFormatError` on the first bad line. */
export function parsePorcupineKvHistory(text: string, source = 'kv.txt'): KvAppendOp[] {
  const outstanding = new Map<number, Open>();
  const done: { open: Open; ret: number; output: KvAppendOutput | undefined }[] = [];
  for (const { line, text: content } of numberedLines(text)) {
    const fail = (problem: string): never => {
      throw new HistoryFormatError(source, line, problem);
    };
    const fields = readEdnMap(content, fail);
    const process = fields.get(':process');
    if (typeof process !== 'number' || process < 0) fail(`:process must be a non-negative integer, got ${describeEdn(process)}`);
    const type = keywordField(fields, ':type', [':invoke', ':ok', ':info', ':fail'], fail);
    const f = keywordField(fields, ':f', [':get', ':put', ':append'], fail).slice(1) as KvAppendInput['op'];
    const key = fields.get(':key');
    if (typeof key !== 'string') fail(`:key must be a string, got ${describeEdn(key)}`);
    const value = fields.get(':value');
    const open = outstanding.get(process as number);
    if (type === ':invoke') {
      if (open) fail(`process ${process} invokes again while its ${open.input.op} from line ${open.line} is outstanding`);
      outstanding.set(process as number, { line, process: process as number, input: inputOf(f, key as string, value, fail) });
      continue;
    }
    if (!open) return fail(`${type} for process ${process}, which has no operation outstanding`);
    if (open.input.op !== f || open.input.key !== key) fail(`${type} :${f} ${shown(key)} does not match the ${open.input.op} ${shown(open.input.key)} invoked on line ${open.line}`);
    outstanding.delete(process as number);
    if (type === ':ok') done.push({ open, ret: line, output: outputOf(f, value, fail) });
    else if (type === ':info') done.push({ open, ret: Infinity, output: undefined });
  }
  for (const open of outstanding.values()) done.push({ open, ret: Infinity, output: undefined });
  done.sort((a, b) => a.open.line - b.open.line);
  return done.map(({ open, ret, output }, id) => ({ id, process: open.process, call: open.line, ret, input: open.input, output, source: { call: open.line, ret, unit: 'line' as const } }));
}

function inputOf(f: KvAppendInput['op'], key: string, value: EdnScalar | undefined, fail: (problem: string) => never): KvAppendInput {
  if (f === 'get') return { op: 'get', key };
  if (typeof value !== 'string') return fail(`:value of ${f} must be a string, got ${describeEdn(value)}`);
  return { op: f, key, value };
}

function outputOf(f: KvAppendInput['op'], value: EdnScalar | undefined, fail: (problem: string) => never): KvAppendOutput {
  if (f !== 'get') return {};
  if (value === null) return { value: '' };
  if (typeof value !== 'string') return fail(`:value of a completed get must be a string or nil, got ${describeEdn(value)}`);
  return { value };
}

function keywordField(fields: ReadonlyMap<string, EdnScalar>, name: string, allowed: readonly string[], fail: (problem: string) => never): string {
  const value = fields.get(name);
  if (typeof value === 'object' && value !== null && allowed.includes(value.keyword)) return value.keyword;
  return fail(`${name} must be one of ${allowed.join(' ')}, got ${describeEdn(value)}`);
}

function describeEdn(value: EdnScalar | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'nil';
  if (typeof value === 'object') return value.keyword;
  return shown(value);
}

/** Reads `{:k v, :k v}`; commas are whitespace in EDN. */
function readEdnMap(text: string, fail: (problem: string) => never): Map<string, EdnScalar> {
  const fields = new Map<string, EdnScalar>();
  let at = 0;
  const skipSpace = (): void => {
    while (at < text.length && /[\s,]/.test(text[at]!)) at++;
  };
  const where = (): string => `column ${at + 1}`;
  skipSpace();
  if (text[at] !== '{') fail(`expected an EDN map "{:key value, ...}" at ${where()}`);
  at++;
  for (;;) {
    skipSpace();
    if (text[at] === '}') break;
    if (at >= text.length) fail('the map is not closed with "}"');
    const name = readScalar();
    if (typeof name !== 'object' || name === null) return fail(`expected a keyword at ${where()}`);
    skipSpace();
    fields.set(name.keyword, readScalar());
  }
  at++;
  skipSpace();
  if (at < text.length) fail(`unexpected text after the map at ${where()}`);
  return fields;

  function readScalar(): EdnScalar {
    const start = at;
    if (text[at] === '"') return readString();
    while (at < text.length && !/[\s,{}]/.test(text[at]!)) at++;
    const token = text.slice(start, at);
    if (token === 'nil') return null;
    if (/^-?\d+$/.test(token)) return Number(token);
    if (/^:[^\s:]+$/.test(token)) return { keyword: token };
    return fail(`expected a keyword, integer, string or nil at column ${start + 1}, got ${shown(token)}`);
  }

  function readString(): string {
    let out = '';
    for (at++; at < text.length; at++) {
      const c = text[at]!;
      if (c === '"') {
        at++;
        return out;
      }
      if (c === '\\') {
        const escaped = text[++at];
        out += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : (escaped ?? '');
      } else out += c;
    }
    return fail('a string is not closed with \'"\'');
  }
}
