/**
 * A worker thread of `mpkv verify --workers K` (see ./parallel.ts): it builds the first levels
 * like every other worker, keeps its share of them, and then expands one level at a time when
 * told to, claiming new states in the shared fingerprint set. Between levels it may be told
 * to give states to another worker or to take states another gave (./portable.ts), and after
 * a violation to tell the path to a state it gave away.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { emulationNamed } from '../emulations/index.js';
import { flagBudget } from '../util/budget.js';
import type { VerifyTask, WorkerCommand, WorkerReport } from './parallel.js';
import { parcelBuffers } from './portable.js';
import { Search, type LevelResult, type SearchOutcome, type Shared } from './search.js';
import { FingerprintSet } from './visited.js';

/** States per worker before the frontier is shared out. */
const SHARE_AT = 16;

if (parentPort) {
  const port = parentPort;
  const task = workerData as VerifyTask;
  const post = (report: WorkerReport): void => port.postMessage(report);
  const { max_depth, max_states } = task.config.verify;
  const counters = new Int32Array(task.counters);
  const progress = new Int32Array(task.progress);
  /** Set by the main thread: a Ctrl-C, the time limit, memory (./parallel.ts). */
  const stopped = flagBudget(new Int32Array(task.stop));
  const shared: Shared = {
    worker: task.index,
    claim: () => Atomics.add(counters, 0, 1) < max_states,
    count: () => Atomics.load(counters, 0),
    levelStarts: new Int32Array(task.levelStarts),
  };
  const search = new Search(emulationNamed(task.emulation), task.config, { reduction: task.reduction });

  // 1. The first levels, the same in every worker, with a private set.
  let depth = 0;
  let explored = 0;
  let terminal = 0;
  let asleep = 0;
  let distinct = 1;
  const base = { symmetry: search.symmetric, reduction: search.reduction };
  let outcome: SearchOutcome | undefined;
  const tally = (rest: Pick<SearchOutcome, 'depth' | 'exhausted'> & Partial<SearchOutcome>): SearchOutcome => ({ ...base, explored, distinct: search.store.size, terminal, asleep, kept: search.kept(), ...rest });
  const rootViolation = search.rootViolation();
  if (rootViolation) outcome = tally({ depth: 0, exhausted: false, violation: rootViolation });
  const frontier = (): number => search.levelEnd - search.levelStart;
  while (!outcome && frontier() > 0 && frontier() < SHARE_AT * task.workers && depth < max_depth) {
    const result = search.expand(depth, stopped);
    explored += result.explored;
    terminal += result.terminal;
    asleep += result.asleep;
    distinct = search.store.size;
    if (result.violation) outcome = tally({ depth: depth + 1, exhausted: false, violation: result.violation });
    else if (distinct > max_states) outcome = tally({ depth: depth + 1, exhausted: false, cut: 'max-states', distinct: max_states });
    else if (result.cut) outcome = tally({ depth, exhausted: false, cut: result.cut });
    search.advance();
    depth++;
  }
  if (!outcome && frontier() === 0) outcome = tally({ depth: depth - 1, exhausted: true });
  if (!outcome && depth >= max_depth) outcome = tally({ depth, exhausted: false });
  post({ type: 'prefix', depth, explored, distinct: search.store.size, terminal, asleep, frontier: frontier(), ...base, ...(outcome ? { outcome } : {}) });

  // 2. and 3.: share out, then one level at a time, in lockstep.
  let resumeAt = -1;
  port.on('message', (command: WorkerCommand) => {
    if (command.type === 'share') {
      search.shareOut(new FingerprintSet(task.visited, true), shared, task.workers);
      post({ type: 'ready' });
      return;
    }
    if (command.type === 'visited') {
      search.visited = new FingerprintSet(command.buffer, true);
      return;
    }
    if (command.type !== 'level') return answer(search, port, command);
    const from = resumeAt >= 0 ? resumeAt : search.levelStart;
    const result: LevelResult = search.expand(depth, stopped, from, (done, e, a) => {
      Atomics.store(progress, task.index * 4, e);
      Atomics.store(progress, task.index * 4 + 1, a);
      Atomics.store(progress, task.index * 4 + 2, done);
      Atomics.store(progress, task.index * 4 + 3, frontier());
    });
    resumeAt = result.paused ?? -1;
    if (resumeAt < 0) {
      search.advance();
      depth++;
      for (let k = 0; k < 4; k++) Atomics.store(progress, task.index * 4 + k, 0);
    }
    post({
      type: 'level',
      explored: result.explored,
      added: result.added,
      terminal: result.terminal,
      asleep: result.asleep,
      frontier: frontier(),
      full: result.full,
      paused: resumeAt >= 0,
      kept: search.kept(),
      expanded: result.expanded,
      ...(result.lead ? { lead: result.lead } : {}),
      ...(result.violation ? { violation: result.violation } : {}),
      ...(result.cut ? { cut: result.cut } : {}),
    });
  });
}

/** Between levels: states given or taken (./portable.ts), and the path of a violation that
 *  crossed workers. */
function answer(search: Search, port: MessagePort, command: Exclude<WorkerCommand, { type: 'share' | 'visited' | 'level' }>): void {
  switch (command.type) {
    case 'give': {
      const parcel = search.give(command.count, command.to);
      const buffers = parcelBuffers(parcel);
      port.postMessage({ type: 'parcel', parcel } satisfies WorkerReport, buffers);
      return;
    }
    case 'take':
      search.take(command.parcel);
      return;
    case 'path':
      port.postMessage({ type: 'path', piece: search.piece(command.id) } satisfies WorkerReport);
      return;
    case 'replay':
      port.postMessage({ type: 'counterexample', violation: search.replay(command.places) } satisfies WorkerReport);
      return;
  }
}
