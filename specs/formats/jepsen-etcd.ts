/**
 * Jepsen's etcd compare-and-set register logs, as Porcupine's tests read them. Only lines
 * from `jepsen.util` matter:
 *
 *   INFO  jepsen.util - 3	:invoke	:cas	[1 4]
 *   INFO  jepsen.util - 3	:fail	:cas	[1 4]
 *
 * process, type (:invoke :ok :fail :info), function (:read :write :cas) and value (nil, an
 * integer, [FROM TO], or :timed-out). Every other line is ignored. There are no timestamps:
 * line numbers are the times. The completions mean (see specs/models/register.ts):
 *
 * - `:ok` is the observed result; `:fail :cas` is a cas that definitely failed (output
 *   `{ ok: false }`, which the register's value must explain);
 * - `:fail :read` (a timed-out read) has an unknown output but is over;
 * - `:fail :write` definitely did not happen, so the operation is left out;
 * - `:info` (timed out) leaves the operation pending: it may take effect at any time later.
 */
import type { Operation } from '../history.js';
import type { RegisterInput, RegisterOutput, RegisterValue } from '../models/register.js';
import { HistoryFormatError, numberedLines, shown } from './error.js';

type RegisterOp = Operation<RegisterInput, RegisterOutput>;

const LINE = /^INFO\s+jepsen\.util\s+-\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*?)\s*$/;
const TYPES = [':invoke', ':ok', ':fail', ':info'];
const FUNCTIONS = [':read', ':write', ':cas'];

interface Open {
  readonly line: number;
  readonly process: number;
  readonly input: RegisterInput;
}

/** Reads a Jepsen etcd log into register operations. */
export function parseJepsenEtcdHistory(text: string, source = 'etcd.log'): RegisterOp[] {
  const outstanding = new Map<number, Open>();
  const done: { open: Open; ret: number; output: RegisterOutput | undefined }[] = [];
  for (const { line, text: content } of numberedLines(text)) {
    if (!content.includes('jepsen.util')) continue;
    const fail = (problem: string): never => {
      throw new HistoryFormatError(source, line, problem);
    };
    const match = LINE.exec(content) ?? fail('expected "INFO jepsen.util - PROCESS :TYPE :F VALUE"');
    const [, processText, type, f, value] = match as unknown as [string, string, string, string, string];
    const process = /^\d+$/.test(processText) ? Number(processText) : fail(`the process must be a non-negative integer, got ${shown(processText)}`);
    if (!TYPES.includes(type)) fail(`the type must be one of ${TYPES.join(' ')}, got ${shown(type)}`);
    if (!FUNCTIONS.includes(f)) fail(`the function must be one of ${FUNCTIONS.join(' ')}, got ${shown(f)}`);
    const open = outstanding.get(process);
    if (type === ':invoke') {
      if (open) fail(`process ${process} invokes again while its ${open.input.f} from line ${open.line} is outstanding`);
      outstanding.set(process, { line, process, input: parseInput(f, value, fail) });
      continue;
    }
    if (!open) return fail(`${type} for process ${process}, which has no operation outstanding`);
    if (`:${open.input.f}` !== f) fail(`${type} ${f} for process ${process}, whose outstanding operation (line ${open.line}) is a ${open.input.f}`);
    outstanding.delete(process);
    if (type === ':info') done.push({ open, ret: Infinity, output: undefined });
    else if (type === ':ok') done.push({ open, ret: line, output: parseOkOutput(open.input, value, fail) });
    else if (f === ':cas') done.push({ open, ret: line, output: { f: 'cas', ok: false } });
    else if (f === ':read') done.push({ open, ret: line, output: undefined });
    // A failed write did not happen: leave it out.
  }
  for (const open of outstanding.values()) done.push({ open, ret: Infinity, output: undefined });
  done.sort((a, b) => a.open.line - b.open.line);
  return done.map(({ open, ret, output }, id) => ({ id, process: open.process, call: open.line, ret, input: open.input, output, source: { call: open.line, ret, unit: 'line' as const } }));
}

function parseInput(f: string, value: string, fail: (problem: string) => never): RegisterInput {
  if (f === ':read') return { f: 'read' };
  if (f === ':write') return { f: 'write', value: parseValue(value, fail) };
  const [from, to] = parsePair(value, fail);
  return { f: 'cas', from, to };
}

function parseOkOutput(input: RegisterInput, value: string, fail: (problem: string) => never): RegisterOutput {
  if (input.f === 'read') return { f: 'read', value: value === 'nil' ? null : parseValue(value, fail) };
  if (input.f === 'write') return { f: 'write' };
  return { f: 'cas', ok: true };
}

function parseValue(text: string, fail: (problem: string) => never): RegisterValue {
  return /^-?\d+$/.test(text) ? Number(text) : fail(`the value must be an integer, got ${shown(text)}`);
}

function parsePair(text: string, fail: (problem: string) => never): [RegisterValue, RegisterValue] {
  const pair = /^\[\s*(-?\d+)\s+(-?\d+)\s*\]$/.exec(text);
  return pair ? [Number(pair[1]), Number(pair[2])] : fail(`a cas value must be [FROM TO], got ${shown(text)}`);
}
