/**
 * A worker thread of `mpkv explore --workers K` (see ./pool.ts): it explores its share of the
 * runs from its own seed, posts its progress now and then, says at once when it sees a
 * violation (so the pool can stop the others), shrinks it here, and posts the outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../emulations/api/emulation.js';
import { exploreWith, type ExploreOutcome, type Failure, type PctFailure, type Progress, type Strategy } from './explore.js';
import type { PctOptions } from './pct.js';

export interface WorkerTask {
  readonly config: Config;
  readonly runs: number;
  readonly seed: number;
  readonly checkSteps?: number;
  readonly strategy?: Strategy;
  readonly pct?: PctOptions;
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly progress: Progress }
  | { readonly type: 'found' }
  | { readonly type: 'done'; readonly outcome: ExploreOutcome<Failure | PctFailure> };

const PROGRESS_EVERY_MS = 200;

if (parentPort) {
  const port = parentPort;
  const task = workerData as WorkerTask;
  let last = 0;
  const outcome = exploreWith(task.config, {
    runs: task.runs,
    seed: task.seed,
    ...(task.strategy ? { strategy: task.strategy } : {}),
    ...(task.pct ? { pct: task.pct } : {}),
    ...(task.checkSteps === undefined ? {} : { checkSteps: task.checkSteps }),
    onFound: () => port.postMessage({ type: 'found' } satisfies WorkerMessage),
    onProgress: (progress) => {
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      port.postMessage({ type: 'progress', progress } satisfies WorkerMessage);
    },
  });
  port.postMessage({ type: 'done', outcome } satisfies WorkerMessage);
}
