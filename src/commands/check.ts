/**
 * `mpkv check FILE --model kv|register|kv-append [--format mpkv|jepsen-etcd|porcupine-kv]
 *  [--timeout-ms N] [--html FILE]`: checks a recorded history for linearizability.
 *
 * Exit codes: 0 linearizable, 1 not (the explanation is printed), 2 bad input (one line,
 * `mpkv check: <file>:<line>: <what>`, never a stack trace), 3 unknown (the time budget ran
 * out before the search finished; no verdict is claimed).
 *
 * Each format yields the operations of one model, so the default format follows the model:
 * kv reads mpkv's JSON Lines, register reads Jepsen etcd logs, kv-append reads Porcupine's kv
 * histories.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatResult } from '../../specs/explain.js';
import { HistoryFormatError } from '../../specs/formats/error.js';
import { parseJepsenEtcdHistory } from '../../specs/formats/jepsen-etcd.js';
import { parseMpkvHistory } from '../../specs/formats/mpkv.js';
import { parsePorcupineKvHistory } from '../../specs/formats/porcupine-kv.js';
import type { Operation } from '../../specs/history.js';
import { checkOperations, type CheckResult } from '../../specs/linearizability.js';
import type { Model } from '../../specs/model.js';
import { kvAppendModel } from '../../specs/models/kv-append.js';
import { kvModel } from '../../specs/models/kv.js';
import { registerModel } from '../../specs/models/register.js';
import { timeBudget } from '../util/budget.js';
import { writeFileAtomic } from '../util/files.js';
import { renderHistoryHtml } from '../view/history-html.js';

export interface CommandOutput {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}



/** A model together with the one format it reads; the types stay private to each pairing. */
interface Checker {
  readonly format: string;
  /** What the format's operation times count (the HTML view's axis). */
  readonly timeUnit: string;
  run(text: string, source: string, timeoutMs: number): { result: CheckResult<unknown, unknown>; text: string; html: (title: string) => string };
}

function checkerFor<S, I, O>(model: Model<S, I, O>, format: string, timeUnit: string, parse: (text: string, source: string) => Operation<I, O>[]): Checker {
  return {
    format,
    timeUnit,
    run(text, source, timeoutMs) {
      const ops = parse(text, source);
      const result = checkOperations(model, ops, { deadline: timeBudget(timeoutMs) });
      return {
        result: result as CheckResult<unknown, unknown>,
        text: formatResult(model, result),
        html: (title) => renderHistoryHtml(model, result, ops, { title, timeUnit }),
      };
    },
  };
}

const CHECKERS: Record<string, Checker> = {
  kv: checkerFor(kvModel, 'mpkv', 'history event', parseMpkvHistory),
  register: checkerFor(registerModel, 'jepsen-etcd', 'log line', parseJepsenEtcdHistory),
  'kv-append': checkerFor(kvAppendModel, 'porcupine-kv', 'history line', parsePorcupineKvHistory),
};

/** Bad input: printed as one line, exit code 2. */
class UsageError extends Error {}

export async function checkCommand(args: string[], out: CommandOutput): Promise<number> {
  try {
    const options = parseCheckArgs(args);
    const text = await readHistory(options.file);
    const { result, text: report, html } = options.checker.run(text, options.file, options.timeoutMs);
    if (options.html !== undefined) writeFileAtomic(options.html, html(`mpkv check ${options.file}`));
    out.stdout(`${report}\n`);
    return { ok: 0, illegal: 1, unknown: 3 }[result.verdict];
  } catch (error) {
    if (error instanceof HistoryFormatError || error instanceof UsageError) {
      out.stderr(`mpkv check: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

interface CheckArgs {
  readonly file: string;
  readonly checker: Checker;
  readonly timeoutMs: number;
  readonly html?: string;
}

function parseCheckArgs(args: string[]): CheckArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { model: { type: 'string' }, format: { type: 'string' }, 'timeout-ms': { type: 'string' }, html: { type: 'string' } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split(/\. |\n/)[0]!);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`expected one history FILE, got ${positionals.length}`);
  const model = values.model;
  if (model === undefined) throw new UsageError(`--model is required (kv, register or kv-append)`);
  const checker = CHECKERS[model];
  if (checker === undefined) throw new UsageError(`unknown model "${model}": expected kv, register or kv-append`);
  const format = values.format ?? checker.format;
  if (format !== checker.format) throw new UsageError(`model ${model} reads the ${checker.format} format, not "${format}"`);
  const timeoutText = values['timeout-ms'] ?? '10000';
  const timeoutMs = Number(timeoutText);
  if (!/^\d+$/.test(timeoutText) || timeoutMs <= 0) throw new UsageError(`--timeout-ms must be a positive integer, got "${timeoutText}"`);
  return { file: positionals[0]!, checker, timeoutMs, ...(values.html === undefined ? {} : { html: values.html }) };
}

async function readHistory(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: cannot read the history (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`);
  }
}
