/**
 * The models `mpkv check` can judge a history file against, each with the one format it
 * reads: a model and its parser are paired here so their types stay private to each pairing.
 */
import { formatResult } from './explain.js';
import type { FormatName } from './formats/detect.js';
import { EmptyHistoryError } from './formats/error.js';
import { parseJepsenEtcdHistory } from './formats/jepsen-etcd.js';
import { parseMpkvHistory } from './formats/mpkv.js';
import { parsePorcupineKvHistory } from './formats/porcupine-kv.js';
import type { Operation } from './history.js';
import { checkOperations, type CheckOptions, type CheckResult } from './linearizability.js';
import type { Model } from './model.js';
import { kvAppendModel } from './models/kv-append.js';
import { kvModel } from './models/kv.js';
import { registerModel } from './models/register.js';

export interface Checker {
  readonly description: string;
  readonly format: FormatName;
  /** What the format's lines are, for a page's time axis when the history records no times of
   *  its own (they then count lines). */
  readonly timeUnit: string;
  run(text: string, source: string, options: CheckOptions): CheckedHistory;
}

/** A history checked: the verdict, its text, and what a view needs to draw it. */
export interface CheckedHistory {
  readonly result: CheckResult<unknown, unknown>;
  readonly text: string;
  readonly model: Model<unknown, unknown, unknown>;
  readonly ops: readonly Operation<unknown, unknown>[];
}

function checkerFor<S, I, O>(
  model: Model<S, I, O>,
  description: string,
  format: FormatName,
  timeUnit: string,
  parse: (text: string, source: string) => Operation<I, O>[],
): Checker {
  return {
    description,
    format,
    timeUnit,
    run(text, source, options) {
      const ops = parse(text, source);
      if (ops.length === 0) throw new EmptyHistoryError(source, `no ${model.name} operations in this ${format} history (the file has no events this format reads)`);
      const result = checkOperations(model, ops, options);
      return {
        result: result as CheckResult<unknown, unknown>,
        text: formatResult(model, result),
        model: model as unknown as Model<unknown, unknown, unknown>,
        ops: ops as readonly Operation<unknown, unknown>[],
      };
    },
  };
}

/** Every model `mpkv check --model` knows, with the format it reads. */
export const CHECKERS: Readonly<Record<string, Checker>> = {
  kv: checkerFor(kvModel, "mpkv's kv store (put / get / delete), as mpkv run --history writes it", 'mpkv', 'history line', parseMpkvHistory),
  register: checkerFor(registerModel, 'a compare-and-set register (Jepsen etcd logs)', 'jepsen-etcd', 'log line', parseJepsenEtcdHistory),
  'kv-append': checkerFor(kvAppendModel, "a kv store with append (Porcupine's kv tests)", 'porcupine-kv', 'history line', parsePorcupineKvHistory),
};

