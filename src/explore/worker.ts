/**
 * A worker thread of `mpkv explore --workers K` (see ./pool.ts): it explores the chunks the pool
 * hands it, one at a time, posts its progress now and then, says at once when it sees a
 * violation (so the pool can stop the others), shrinks it here, and posts each chunk's outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../emulations/api/emulation.js';
import { emulationNamed } from '../emulations/index.js';
import { chunkExplorer, type ExploreOutcome, type Progress, type Strategy } from './explore.js';
import type { PctOptions } from './pct.js';
import type { Chunk } from './search.js';

/** What a worker is given: plain data. It resolves the emulation by its registered name, once,
 *  as it starts (an emulation's functions cannot cross threads). */
export interface WorkerTask {
  readonly emulation: string;
  readonly config: Config;
  readonly checkSteps?: number;
  readonly strategy?: Strategy;
  readonly pct?: PctOptions;
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly progress: Progress }
  | { readonly type: 'found' }
  | { readonly type: 'done'; readonly outcome: ExploreOutcome };

const PROGRESS_EVERY_MS = 200;

if (parentPort) {
  const port = parentPort;
  const task = workerData as WorkerTask;
  const emulation = emulationNamed(task.emulation);
  let last = 0;
  // One drawing for all the chunks this worker is handed (swarm and PCT calibrate it with a run).
  const explore = chunkExplorer(emulation, task.config, {
    ...(task.checkSteps === undefined ? {} : { checkSteps: task.checkSteps }),
    ...(task.strategy ? { strategy: task.strategy } : {}),
    ...(task.pct ? { pct: task.pct } : {}),
    onFound: () => port.postMessage({ type: 'found' } satisfies WorkerMessage),
    onProgress: (progress) => {
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      port.postMessage({ type: 'progress', progress } satisfies WorkerMessage);
    },
  });
  port.on('message', (chunk: Chunk) => port.postMessage({ type: 'done', outcome: explore(chunk) } satisfies WorkerMessage));
}
