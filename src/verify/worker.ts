/**
 * A worker thread of `mpkv verify --workers K` (see ./parallel.ts): it builds the first levels
 * like every other worker, keeps its share of them, and then expands one level at a time when
 * told to, claiming new states in the shared fingerprint set.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { flagBudget } from '../util/budget.js';
import { Fingerprinter } from './fingerprints.js';
import type { VerifyTask, WorkerCommand, WorkerReport } from './parallel.js';
import { Level, Parents, type Entry, type SearchOutcome } from './search.js';
import { copyFingerprints, FingerprintSet } from './visited.js';
import { World } from './world.js';
import { emulationNamed } from '../emulations/index.js';

/** States per worker before the frontier is shared out. */
const SHARE_AT = 16;

if (parentPort) {
  const port = parentPort;
  const task = workerData as VerifyTask;
  const post = (report: WorkerReport): void => port.postMessage(report);
  const { max_depth, max_states } = task.config.verify;
  const world = new World(emulationNamed(task.emulation), task.config);
  const fingerprints = new Fingerprinter(world);
  const parents = new Parents();
  /** Set by the main thread: a Ctrl-C, or the time limit (./parallel.ts). */
  const stopped = flagBudget(new Int32Array(task.stop));

  // 1. The first levels, the same in every worker, with a private set.
  const own = new FingerprintSet(FingerprintSet.buffer(Math.min(max_states, 1 << 20), false));
  let distinct = 1;
  const prefix = new Level(world, fingerprints, own, parents, { limit: max_states, claim: () => (distinct < max_states ? (distinct++, true) : false) });
  const root = world.initial();
  own.add(fingerprints.of(root));
  const base = { symmetry: fingerprints.symmetric };
  let frontier: Entry[] = [{ state: root, id: 0 }];
  let depth = 0;
  let explored = 0;
  let terminal = 0;
  let outcome: SearchOutcome | undefined;
  const rootFailed = root.judge.violations();
  if (rootFailed.length > 0) outcome = { ...base, explored: 0, distinct, depth: 0, terminal: 0, exhausted: false, violation: { depth: 0, steps: [], verdicts: rootFailed } };
  while (!outcome && frontier.length > 0 && frontier.length < SHARE_AT * task.workers && depth < max_depth) {
    const result = prefix.expand(frontier, depth, stopped);
    explored += result.explored;
    terminal += result.terminal;
    const tally = { ...base, explored, distinct, terminal, exhausted: false };
    if (result.violation) outcome = { ...tally, depth: depth + 1, violation: result.violation };
    else if (result.full) outcome = { ...tally, depth: depth + 1, cut: 'max-states' };
    else if (result.cut) outcome = { ...tally, depth, cut: result.cut };
    frontier = result.next;
    depth++;
  }
  if (!outcome && frontier.length === 0) outcome = { ...base, explored, distinct, depth: depth - 1, terminal, exhausted: true };
  if (!outcome && depth >= max_depth) outcome = { ...base, explored, distinct, depth, terminal, exhausted: false };
  post({ type: 'prefix', depth, explored, distinct, terminal, frontier: frontier.length, ...base, ...(outcome ? { outcome } : {}) });

  // 2. and 3.: share out, then one level at a time, in lockstep.
  const shared = new FingerprintSet(task.visited);
  const counters = new Int32Array(task.counters);
  const level = new Level(world, fingerprints, shared, parents, { limit: max_states, claim: () => Atomics.add(counters, 0, 1) < max_states });
  let mine: Entry[] = [];
  port.on('message', (command: WorkerCommand) => {
    if (command.type === 'share') {
      copyFingerprints(own, shared);
      mine = frontier.filter((_, i) => i % task.workers === task.index);
      frontier = [];
      post({ type: 'ready' });
      return;
    }
    const result = level.expand(mine, depth, stopped);
    mine = result.next;
    depth++;
    post({
      type: 'level',
      explored: result.explored,
      added: result.added,
      terminal: result.terminal,
      frontier: mine.length,
      full: result.full,
      ...(result.violation ? { violation: result.violation } : {}),
      ...(result.cut ? { cut: result.cut } : {}),
    });
  });
}
