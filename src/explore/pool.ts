/**
 * Exploration on several cores: `workers` threads (./worker.ts) share out the search's chunks
 * (./search.ts), each taking the next chunk as soon as it is free, so a slow chunk does not
 * hold the others up. The schedules explored are those of the search whatever the number of
 * workers. The first worker to see a violation wins: no more chunks are handed out, the others
 * are stopped, it shrinks the violation and reports it with its chunk's seed, which reproduces
 * that chunk alone (`--seed S --runs <chunk runs> --workers 1`).
 *
 * A caller that may stop the search (`signal`: a Ctrl-C) gets it on worker threads even with
 * one worker, so that this thread is free to hear it; when the signal aborts, no more chunks
 * are handed out, the workers are stopped, and the outcome counts what they had explored.
 */
import { Worker } from 'node:worker_threads';
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { registeredName } from '../emulations/index.js';
import { exploreChunks, type ChunkOptions, type ExploreOutcome, type Progress, type Strategy } from './explore.js';
import type { PctOptions } from './pct.js';
import { searchChunks, type Chunk, type Shard } from './search.js';
import type { WorkerMessage, WorkerTask } from './worker.js';

/** A worker's young generation, as the CLI gives the main thread (`--max-semi-space-size=64`: two
 *  semi-spaces and room for new large objects). Runs allocate heavily and briefly (XState: a few
 *  kilobytes per event); with V8's default size the scavenger took a third of the time. */
const YOUNG_GENERATION_MB = 3 * 64;

export interface PoolOptions {
  readonly runs: number;
  readonly seed: number;
  readonly workers: number;
  /** Explore only this share of the search (default: all of it). */
  readonly shard?: Shard;
  readonly checkSteps?: number;
  /** How schedules are drawn (default `random`), and PCT's depth and steps. */
  readonly strategy?: Strategy;
  readonly pct?: PctOptions;
  readonly onProgress?: (p: Progress) => void;
  /** Aborted: stop now, and return the counts so far, `stopped`. */
  readonly signal?: AbortSignal;
}

/** An exploration's outcome; `stopped` when its signal ended it first (and whether a violation
 *  had been found then, its shrinking cut short). */
export interface PoolOutcome extends ExploreOutcome {
  readonly stopped?: { readonly found: boolean };
}

const idle: Progress = { runs: 0, shrinks: 0, faults: 0, found: false, undecided: 0 };

export async function exploreWithWorkers(emulation: AnyEmulation, config: Config, options: PoolOptions): Promise<PoolOutcome> {
  const chunks = searchChunks(options.seed, options.runs, options.shard);
  const drawn: Pick<ChunkOptions, 'checkSteps' | 'strategy' | 'pct'> = {
    ...(options.checkSteps === undefined ? {} : { checkSteps: options.checkSteps }),
    ...(options.strategy ? { strategy: options.strategy } : {}),
    ...(options.pct ? { pct: options.pct } : {}),
  };
  if (!options.signal && (options.workers <= 1 || chunks.length <= 1)) return exploreChunks(emulation, config, chunks, { ...drawn, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });

  const pending = [...chunks];
  /** Finished chunks' counts, and each worker's count within its current chunk. */
  let done: Progress = idle;
  const current: Progress[] = [];
  const report = (): void => {
    const all = [done, ...current];
    options.onProgress?.({
      runs: sum(all.map((p) => p.runs)),
      shrinks: sum(all.map((p) => p.shrinks)),
      faults: sum(all.map((p) => p.faults)),
      found: all.some((p) => p.found),
      undecided: sum(all.map((p) => p.undecided)),
    });
  };
  let undecidedExample: string | undefined;
  let failure: ExploreOutcome['failure'];
  let winner: number | undefined;
  let stopped = false;

  const task: WorkerTask = { emulation: registeredName(emulation), config, ...drawn };
  const count = Math.min(options.workers, chunks.length);
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL('./worker.js', import.meta.url), { workerData: task, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } }),
  );
  const stop = (): void => {
    stopped = true;
    for (const worker of workers) void worker.terminate();
  };
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  await Promise.all(
    workers.map(
      (worker, i) =>
        new Promise<void>((resolve, reject) => {
          current[i] = idle;
          const next = (): void => {
            const chunk: Chunk | undefined = winner === undefined && !stopped ? pending.shift() : undefined;
            if (chunk) worker.postMessage(chunk);
            else void worker.terminate();
          };
          worker.on('message', (message: WorkerMessage) => {
            if (message.type === 'progress') {
              current[i] = message.progress;
              report();
            } else if (message.type === 'found') {
              if (winner !== undefined) return;
              winner = i;
              current[i] = { ...current[i]!, found: true };
              workers.forEach((other, j) => j !== i && void other.terminate());
            } else {
              const o = message.outcome;
              done = add(done, { runs: o.runs, shrinks: 0, faults: o.faults, found: false, undecided: o.undecided });
              current[i] = idle;
              undecidedExample ??= o.undecidedExample;
              if (o.failure && (winner === undefined || winner === i)) failure = o.failure;
              report();
              next();
            }
          });
          worker.on('error', reject);
          worker.on('exit', () => {
            // A worker stopped mid-chunk (another found a violation) still explored its runs.
            done = add(done, { ...current[i]!, shrinks: 0, found: false });
            current[i] = idle;
            resolve();
          });
          next();
        }),
    ),
  );
  options.signal?.removeEventListener('abort', stop);
  const tally = { runs: done.runs, faults: done.faults, undecided: done.undecided, ...(undecidedExample === undefined ? {} : { undecidedExample }) };
  if (failure) return { ...tally, failure };
  return stopped ? { ...tally, stopped: { found: winner !== undefined } } : tally;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

const add = (a: Progress, b: Progress): Progress => ({
  runs: a.runs + b.runs,
  shrinks: a.shrinks + b.shrinks,
  faults: a.faults + b.faults,
  found: a.found || b.found,
  undecided: a.undecided + b.undecided,
});
