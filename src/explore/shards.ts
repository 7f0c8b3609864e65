/**
 * Shard results: what `mpkv explore --shard I/N` prints as its last line (one JSON object) and
 * writes with `--result FILE`, and how `mpkv explore --merge FILE...` puts N of them back
 * together into the verdict of the whole search.
 *
 *   {"mpkv_explore_result":1, "config":"configs/default.toml", "config_digest":"…",
 *    "emulation":"<name>", "mutants":[], "seed":42, "runs":100000, "check_steps":null,
 *    "shard":{"index":3,"count":8}, "explored":12500, "faults":205113, "undecided":0,
 *    "seconds":41.2, "violation":{…} (only when one was found)}
 *
 * Merging refuses results of different searches (another config, seed, run count, shard count,
 * mutants or check budget), a shard given twice, and a missing shard: a merge speaks for the
 * whole search or not at all.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../util/errors.js';
import type { Shard } from './search.js';

export const RESULT_VERSION = 1;

/** The violation a shard found, shrunk, with where to find it again. */
export interface ShardViolation {
  /** The failing run's index in the search. */
  readonly run: number;
  /** Its chunk's fast-check seed and size (`--seed S --runs N` explores that chunk alone), and the path. */
  readonly seed: number;
  readonly chunk_runs: number;
  readonly path: string;
  readonly shrinks: number;
  /** The checks that failed, and the shrunk schedule's size. */
  readonly failed: readonly string[];
  readonly faults: number;
  /** The replay file the shard wrote. */
  readonly replay?: string;
  /** The shard's report of it, line by line. */
  readonly report: readonly string[];
}

export interface ShardResult {
  readonly mpkv_explore_result: number;
  readonly config: string;
  readonly config_digest: string;
  readonly emulation: string;
  readonly mutants: readonly string[];
  readonly seed: number;
  readonly runs: number;
  readonly check_steps: number | null;
  readonly shard: Shard;
  /** Runs this shard explored (fewer than its share when it stopped at a violation). */
  readonly explored: number;
  readonly faults: number;
  readonly undecided: number;
  readonly undecided_example?: string;
  readonly seconds: number;
  readonly violation?: ShardViolation;
}

/** The whole search, from all its shards. */
export interface Merged {
  readonly first: ShardResult;
  readonly explored: number;
  readonly faults: number;
  readonly undecided: number;
  readonly undecidedExample?: string;
  /** Every violation found, the earliest run first. */
  readonly violations: readonly (ShardViolation & { readonly shard: number })[];
  /** The longest shard's time: the search's wall time when the shards ran side by side. */
  readonly seconds: number;
}

/** Reads one result file: its last line that is a result (a shard's whole stdout will do). */
export function readShardResult(file: string): ShardResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: cannot read the shard result (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`);
  }
  const lines = text.split('\n').filter((l) => l.trim().startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    let value: unknown;
    try {
      value = JSON.parse(lines[i]!);
    } catch {
      continue;
    }
    if (typeof value === 'object' && value !== null && (value as ShardResult).mpkv_explore_result === RESULT_VERSION) return checked(file, value as ShardResult);
  }
  throw new UsageError(`${file}: no shard result in it (expected a line {"mpkv_explore_result": ${RESULT_VERSION}, ...} from mpkv explore --shard)`);
}

function checked(file: string, r: ShardResult): ShardResult {
  const int = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  for (const key of ['seed', 'runs', 'explored', 'faults', 'undecided'] as const) {
    if (!int(r[key])) throw new UsageError(`${file}: ${key}: expected an integer >= 0`);
  }
  if (!r.shard || !int(r.shard.index) || !int(r.shard.count) || r.shard.index >= r.shard.count) throw new UsageError(`${file}: shard: expected {index, count} with index < count`);
  if (typeof r.config_digest !== 'string' || !Array.isArray(r.mutants)) throw new UsageError(`${file}: config_digest and mutants: expected a string and a list`);
  return r;
}

/** The search a result belongs to, in words, for comparing and for messages. */
const searchOf = (r: ShardResult): string =>
  `${r.config} (${r.emulation}${r.mutants.length ? `, mutants ${r.mutants.join(', ')}` : ''}), seed ${r.seed}, ${r.runs} runs in ${r.shard.count} shard(s)` +
  (r.check_steps === null ? '' : `, check steps ${r.check_steps}`);

/** Puts the shards of one search together; bad or incomplete input is a `UsageError`. */
export function mergeShardResults(results: readonly { file: string; result: ShardResult }[]): Merged {
  if (results.length === 0) throw new UsageError('--merge: expected the result files of every shard');
  const first = results[0]!.result;
  const bySlot = new Map<number, string>();
  for (const { file, result } of results) {
    const same =
      result.config_digest === first.config_digest &&
      result.seed === first.seed &&
      result.runs === first.runs &&
      result.shard.count === first.shard.count &&
      result.check_steps === first.check_steps &&
      JSON.stringify(result.mutants) === JSON.stringify(first.mutants);
    if (!same) throw new UsageError(`${file}: a different search (${searchOf(result)}) from ${results[0]!.file} (${searchOf(first)})`);
    const twice = bySlot.get(result.shard.index);
    if (twice !== undefined) throw new UsageError(`${file}: shard ${result.shard.index}/${result.shard.count} again (also in ${twice})`);
    bySlot.set(result.shard.index, file);
  }
  const missing = Array.from({ length: first.shard.count }, (_, i) => i).filter((i) => !bySlot.has(i));
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? `, … (${missing.length} in all)` : '');
    throw new UsageError(`--merge: shard(s) ${shown} of ${first.shard.count} missing: a merge speaks for the whole search or not at all`);
  }
  const all = results.map((r) => r.result);
  const undecidedExample = all.find((r) => r.undecided_example !== undefined)?.undecided_example;
  return {
    first,
    explored: sum(all.map((r) => r.explored)),
    faults: sum(all.map((r) => r.faults)),
    undecided: sum(all.map((r) => r.undecided)),
    ...(undecidedExample === undefined ? {} : { undecidedExample }),
    violations: all.flatMap((r) => (r.violation ? [{ ...r.violation, shard: r.shard.index }] : [])).sort((a, b) => a.run - b.run),
    seconds: Math.max(...all.map((r) => r.seconds)),
  };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
