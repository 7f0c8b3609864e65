/**
 * Exploration on several cores: `workers` threads (./worker.ts), each running its share of the
 * runs with a seed derived from the main one (worker 0 uses the main seed itself, so one worker
 * explores exactly what `--workers 1` would). The first worker to see a violation wins: the
 * others are stopped, it shrinks the violation and reports it with its own seed, which
 * reproduces the search alone (`--seed S --workers 1`).
 */
import { Worker } from 'node:worker_threads';
import type { Config } from '../emulations/api/emulation.js';
import { exploreWith, type ExploreOutcome, type Failure, type PctFailure, type Progress, type Strategy } from './explore.js';
import type { PctOptions } from './pct.js';
import type { WorkerMessage, WorkerTask } from './worker.js';

export interface PoolOptions {
  readonly runs: number;
  readonly seed: number;
  readonly workers: number;
  readonly checkSteps?: number;
  readonly strategy?: Strategy;
  readonly pct?: PctOptions;
  readonly onProgress?: (p: Progress) => void;
}

/** Worker i's fast-check seed (a 31-bit integer, as fast-check likes them). */
export function workerSeed(seed: number, i: number): number {
  if (i === 0) return seed;
  let h = (seed ^ Math.imul(i, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

/** Runs split as evenly as possible: the first ones get one more. */
export function shares(runs: number, workers: number): number[] {
  return Array.from({ length: workers }, (_, i) => Math.floor(runs / workers) + (i < runs % workers ? 1 : 0));
}

export async function exploreWithWorkers(config: Config, options: PoolOptions): Promise<ExploreOutcome<Failure | PctFailure>> {
  if (options.workers <= 1) return exploreWith(config, options);
  const tasks: WorkerTask[] = shares(options.runs, options.workers)
    .map((runs, i) => ({
      config,
      runs,
      seed: workerSeed(options.seed, i),
      ...(options.checkSteps === undefined ? {} : { checkSteps: options.checkSteps }),
      ...(options.strategy ? { strategy: options.strategy } : {}),
      ...(options.pct ? { pct: options.pct } : {}),
    }))
    .filter((t) => t.runs > 0);
  const progress = tasks.map((): Progress => ({ runs: 0, shrinks: 0, faults: 0, found: false, undecided: 0 }));
  const report = (): void =>
    options.onProgress?.({
      runs: sum(progress.map((p) => p.runs)),
      shrinks: sum(progress.map((p) => p.shrinks)),
      faults: sum(progress.map((p) => p.faults)),
      found: progress.some((p) => p.found),
      undecided: sum(progress.map((p) => p.undecided)),
    });
  const workers = tasks.map((task) => new Worker(new URL('./worker.js', import.meta.url), { workerData: task }));
  let winner: number | undefined;
  const outcomes = await Promise.all(
    workers.map(
      (worker, i) =>
        new Promise<ExploreOutcome<Failure | PctFailure> | undefined>((resolve, reject) => {
          worker.on('message', (message: WorkerMessage) => {
            if (message.type === 'progress') {
              progress[i] = message.progress;
              report();
            } else if (message.type === 'found') {
              if (winner !== undefined) return;
              winner = i;
              progress[i] = { ...progress[i]!, found: true };
              workers.forEach((other, j) => j !== i && void other.terminate());
            } else {
              progress[i] = { ...progress[i]!, runs: message.outcome.runs, faults: message.outcome.faults, undecided: message.outcome.undecided };
              report();
              resolve(message.outcome);
            }
          });
          worker.on('error', reject);
          worker.on('exit', () => resolve(undefined));
        }),
    ),
  );
  const runs = sum(progress.map((p) => p.runs));
  const faults = sum(progress.map((p) => p.faults));
  const undecided = sum(progress.map((p) => p.undecided));
  const undecidedExample = outcomes.find((o) => o?.undecidedExample)?.undecidedExample;
  const tally = { runs, faults, undecided, ...(undecidedExample === undefined ? {} : { undecidedExample }) };
  const failure = (winner !== undefined ? outcomes[winner] : undefined)?.failure ?? outcomes.find((o) => o?.failure)?.failure;
  return failure ? { ...tally, failure } : tally;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
