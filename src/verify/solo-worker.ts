/**
 * The single-thread search (./search.ts) on a worker thread, for a command that must stay free
 * to hear a Ctrl-C while it runs (./parallel.ts): each level's progress and the outcome are
 * posted back; the main thread's stop flag is the search's deadline. It resolves the emulation
 * by its registered name, once, as it starts.
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
  const outcome = search(emulationNamed(task.emulation), task.config, { deadline: flagBudget(new Int32Array(task.stop)), onLevel: (progress) => post({ type: 'level', progress }) });
  post({ type: 'done', outcome });
}
