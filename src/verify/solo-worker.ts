/**
 * The single-thread search (./search.ts) on a worker thread, for a command that must stay free
 * to hear a Ctrl-C, watch the memory and print progress while it runs (./parallel.ts): each
 * level's progress is posted back, the counts within a level written to a shared array the
 * main thread reads, and the main thread's stop flag is the search's deadline. It resolves the
 * emulation by its registered name, once, as it starts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { emulationNamed } from '../emulations/index.js';
import { flagBudget } from '../util/budget.js';
import type { SoloReport, SoloTask } from './parallel.js';
import { search } from './search.js';

if (parentPort) {
  const port = parentPort;
  const task = workerData as SoloTask;
  const post = (report: SoloReport): void => port.postMessage(report);
  const counts = new Int32Array(task.progress);
  const outcome = search(emulationNamed(task.emulation), task.config, {
    reduction: task.reduction,
    deadline: flagBudget(new Int32Array(task.stop)),
    onLevel: (progress) => post({ type: 'level', progress }),
    onProgress: (p) => [p.depth, p.explored, p.distinct, p.done ?? 0, p.of ?? 0, p.frontier].forEach((x, i) => Atomics.store(counts, i, x)),
  });
  post({ type: 'done', outcome });
}
