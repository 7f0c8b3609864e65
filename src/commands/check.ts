/**
 * `mpkv check FILE --model M [--format F] [--check-steps N] [--timeout-ms N] [--html FILE]`:
 * checks a recorded history for linearizability against one of the models in
 * specs/checkers.ts.
 *
 * Exit codes: 0 linearizable, 1 not (the explanation is printed), 2 bad input (one line,
 * `mpkv check: <file>:<line>: <what>`, never a stack trace), 3 unknown (the budget ran out
 * before the search finished; no verdict is claimed).
 *
 * Each format yields the operations of one model, so the default format follows the model.
 * A file in another format than the model reads, or with no operation the model can check,
 * is bad input, and the message names the model that would read it.
 */
import { readFile } from 'node:fs/promises';
import { CHECKERS, type Checker } from '../../specs/checkers.js';
import { EmptyHistoryError, HistoryFormatError } from '../../specs/formats/error.js';
import { detectFormat, type FormatName } from '../../specs/formats/detect.js';
import type { CheckOptions } from '../../specs/linearizability.js';
import { timeBudget } from '../util/budget.js';
import { UsageError } from '../util/errors.js';
import { checkOutputs, parseFlags } from './io.js';
import { writeFileAtomic } from '../util/files.js';
import { renderHistoryHtml } from '../view/history-html.js';

export interface CommandOutput {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}



export const CHECK_HELP = `Usage: mpkv check <history> --model ${Object.keys(CHECKERS).join('|')} [options]

Checks a recorded history for linearizability against a model:
${Object.entries(CHECKERS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.description}; reads ${c.format}`)
  .join('\n')}

Options:
  --model M          the model (required)
  --format F         ${[...new Set(Object.values(CHECKERS).map((c) => c.format))].join(' | ')} (default: the one the model reads)
  --check-steps N    the search's step budget (deterministic: the same verdict anywhere)
  --timeout-ms N     also stop after N ms of wall-clock time (default: no time limit)
  --html FILE        write the history and the verdict as an HTML page
  -h, --help         this help

Exit status: 0 linearizable, 1 not linearizable (explained), 2 bad input,
3 unknown (the budget ran out before the search could decide).`;

/** The model that reads `format`. */
const modelFor = (format: FormatName): string => Object.entries(CHECKERS).find(([, c]) => c.format === format)![0];

export async function checkCommand(args: string[], out: CommandOutput): Promise<number> {
  try {
    const options = parseCheckArgs(args);
    if (options.help) {
      out.stdout(`${CHECK_HELP}\n`);
      return 0;
    }
    checkOutputs({ '--html': options.html }, [options.file]);
    const text = await readHistory(options.file);
    const detected = detectFormat(text);
    if (detected && detected.format !== options.format) {
      throw new UsageError(
        `${options.file}: looks like a history in the ${detected.format} format (${detected.because}), but --model ${options.model} reads ${options.format}: ` +
          `use --model ${modelFor(detected.format)}`,
      );
    }
    const checked = options.checker.run(text, options.file, options.budget);
    const { result, text: report } = checked;
    out.stdout(`${report}\n`);
    if (options.html !== undefined) {
      const page = renderHistoryHtml(checked.model, result, checked.ops, { title: `mpkv check ${options.file}`, timeUnit: options.checker.timeUnit });
      writeFileAtomic(options.html, page);
      out.stdout(`wrote ${options.html}\n`);
    }
    return { ok: 0, illegal: 1, unknown: 3 }[result.verdict];
  } catch (error) {
    if (error instanceof HistoryFormatError || error instanceof EmptyHistoryError || error instanceof UsageError) {
      out.stderr(`mpkv check: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

interface CheckArgs {
  readonly help?: boolean;
  readonly file: string;
  readonly model: string;
  readonly format: FormatName;
  readonly checker: Checker;
  readonly budget: CheckOptions;
  readonly html?: string;
}

function parseCheckArgs(args: string[]): CheckArgs {
  const parsed = parseFlags('check', args, {
    model: { type: 'string' },
    format: { type: 'string' },
    'check-steps': { type: 'string' },
    'timeout-ms': { type: 'string' },
    html: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const { values, positionals } = parsed;
  if (values.help) return { help: true, file: '', model: '', format: 'mpkv', checker: Object.values(CHECKERS)[0]!, budget: {} };
  if (positionals.length !== 1) throw new UsageError(`expected one history FILE, got ${positionals.length}`);
  const model = values.model;
  if (model === undefined) throw new UsageError(`--model is required (${Object.keys(CHECKERS).join(', ')})`);
  const checker = CHECKERS[model];
  if (checker === undefined) throw new UsageError(`unknown model "${model}": expected ${Object.keys(CHECKERS).join(', ')}`);
  const format = values.format ?? checker.format;
  if (format !== checker.format) throw new UsageError(`model ${model} reads the ${checker.format} format, not "${format}"`);
  const budget: CheckOptions = {
    ...(values['check-steps'] === undefined ? {} : { max_steps: positiveInt('--check-steps', values['check-steps']) }),
    ...(values['timeout-ms'] === undefined ? {} : { deadline: timeBudget(positiveInt('--timeout-ms', values['timeout-ms'])) }),
  };
  return { file: positionals[0]!, model, format: checker.format, checker, budget, ...(values.html === undefined ? {} : { html: values.html }) };
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n <= 0 || !Number.isSafeInteger(n)) throw new UsageError(`${flag} must be a positive integer, got "${text}"`);
  return n;
}

async function readHistory(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: cannot read the history (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`);
  }
}
