/**
 * The breadth-first search on several cores (`mpkv verify --workers K`). A state's words name
 * local states, packets and judges by numbers that only the thread that made them knows
 * (./model.ts), so no state moves between workers; what they share is the set of fingerprints
 * seen, each with the number of the state and of the worker that owns it (a SharedArrayBuffer,
 * ./visited.ts), and the count of distinct states:
 *
 *   1. every worker builds the first levels itself, identically (each with a private set),
 *      until there are enough states to share out (16 per worker);
 *   2. every worker writes the fingerprints seen so far into the shared set, and worker w keeps
 *      the w-th of K runs of consecutive states of the last level (./search.ts `shareOut`);
 *   3. level by level, in lockstep (this thread is the barrier), each worker expands its own
 *      states; a successor is the worker's if it claims the fingerprint first. No state is
 *      explored twice, and, since no worker starts a level before all finished the one before,
 *      every state is claimed at its least depth: the first violation is still a shortest one.
 *      A state of the next level that another worker reaches too must take every step (its
 *      sleep set, ./reduction.ts, is its owner's alone): that worker flags it in the shared set.
 *      When the shared set is 3/4 full, the workers stop where they are, this thread grows it,
 *      and they go on.
 *   4. between levels, the workers even out: a state belongs to the worker that claims it
 *      first, so left alone the worker with the bigger level claims more of the next one (in
 *      a search of 1.2 million states, one worker expanded 94% of them, and the other waited
 *      at the end of every level). A worker whose next level is bigger than its share gives its last
 *      states to one whose level is smaller (./portable.ts: the words, renumbered, and once
 *      per part the recipe of each local state, message and judge they name); the taker
 *      expands them as its own. The states of each level are the same, so are the counts.
 *
 * A worker that finds a violation reads its path back from its own states (the first levels are
 * the same in every worker); if the path starts at a state another worker gave it, this thread
 * asks that worker for the path to it, and so on back to the root, each step by its place
 * among its state's enabled steps (the same in every worker), and one worker plays the whole
 * path. Which of several violations at the least depth is reported may vary from run to run
 * with several workers; its depth does not, nor do the counts of states.
 * With one worker the search runs on this thread (./search.ts), or, when the caller may stop it
 * (`signal`: a Ctrl-C; `watchdog`) or watches it (`progress`, `maxMemoryMb`), on one worker thread
 * (./solo-worker.ts), so that this thread is free to hear it.
 *
 * Stopping: the threads share a flag (a SharedArrayBuffer) that every worker's level reads as
 * its deadline; this thread sets it when the signal aborts or the command's watchdog says a
 * limit of its own was reached (wall-clock time, memory: the command reads those clocks, not
 * this module), and the workers end their level at once, with their counts so far.
 */
import { Worker } from 'node:worker_threads';
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { registeredName } from '../emulations/index.js';
import { parcelBuffers, type Parcel } from './portable.js';
import { placesOf, search, type Balance, type Counterexample, type Kept, type LevelProgress, type PathPiece, type SearchOutcome } from './search.js';
import { FingerprintSet } from './visited.js';

export interface ParallelOptions {
  readonly workers: number;
  /** The most heap the search's threads may hold together (MB): their resource limit. */
  readonly maxMemoryMb?: number;
  /** Aborted: stop now and return the counts so far, with `cut: 'stopped'`. */
  readonly signal?: AbortSignal;
  /** Armed by the command, which owns the clocks: it calls `stop` when a limit of its own is
   *  reached (wall-clock time: 'deadline'; the process's memory: 'memory'); returns how to
   *  disarm it. The search itself reads no clock. */
  readonly watchdog?: (stop: (why: 'deadline' | 'memory') => void) => () => void;
  readonly onLevel?: (p: LevelProgress) => void;
  /** Progress within a level: `onProgress` is called, with the counts so far, whenever
   *  `ticker` ticks (the command's timer, a test's hand); the ticker returns how to stop it. */
  readonly progress?: { readonly onProgress: (p: LevelProgress) => void; readonly ticker: (tick: () => void) => () => void };
  /** Partial-order reduction (default on). */
  readonly reduction?: boolean;
  /** Several workers: even out their levels by moving states between them (default on; off
   *  only to measure what it is for). */
  readonly rebalance?: boolean;
}

/** Worker -> this thread. */
export type WorkerReport =
  | {
      readonly type: 'prefix';
      readonly depth: number;
      readonly explored: number;
      readonly distinct: number;
      readonly terminal: number;
      readonly asleep: number;
      readonly frontier: number;
      readonly symmetry: boolean;
      readonly reduction: boolean;
      /** Set when the search ended within the first levels (nothing to share out). */
      readonly outcome?: SearchOutcome;
    }
  | { readonly type: 'ready' }
  | {
      readonly type: 'level';
      readonly explored: number;
      readonly added: number;
      readonly terminal: number;
      readonly asleep: number;
      readonly frontier: number;
      readonly violation?: Counterexample;
      readonly full: boolean;
      readonly cut?: 'deadline' | 'memory';
      /** Stopped for the shared set to grow; the level goes on after. */
      readonly paused: boolean;
      readonly kept: Kept;
      /** States of the level this worker expanded. */
      readonly expanded: number;
      /** A violation whose path starts at another worker: the piece this worker knows. */
      readonly lead?: PathPiece;
    }
  | { readonly type: 'parcel'; readonly parcel: Parcel }
  | { readonly type: 'path'; readonly piece: PathPiece }
  | { readonly type: 'counterexample'; readonly violation: Counterexample };

/** This thread -> worker. */
export type WorkerCommand =
  | { readonly type: 'share' }
  | { readonly type: 'level' }
  | { readonly type: 'visited'; readonly buffer: SharedArrayBuffer }
  /** Between levels: give the last `count` states of the level to worker `to` (a parcel back). */
  | { readonly type: 'give'; readonly count: number; readonly to: number }
  /** Between levels: take these states into the level. */
  | { readonly type: 'take'; readonly parcel: Parcel }
  /** After a violation: the piece of the path to state `id` (this worker's number). */
  | { readonly type: 'path'; readonly id: number }
  /** After a violation: the counterexample along these places (./search.ts `PathPiece`). */
  | { readonly type: 'replay'; readonly places: readonly number[] };

/** What a worker is given: plain data. It resolves the emulation by its registered name, once,
 *  as it starts (an emulation's functions cannot cross threads). */
export interface VerifyTask {
  readonly emulation: string;
  readonly config: Config;
  readonly index: number;
  readonly workers: number;
  readonly reduction: boolean;
  readonly visited: SharedArrayBuffer;
  /** [0]: distinct states claimed. */
  readonly counters: SharedArrayBuffer;
  /** Per worker, where its next level starts (its own numbering). */
  readonly levelStarts: SharedArrayBuffer;
  /** Per worker, 4 words: explored, added, expanded and to expand in the level. */
  readonly progress: SharedArrayBuffer;
  /** The stop flag: not 0 once the search must stop. */
  readonly stop: SharedArrayBuffer;
}

/** The single search on a worker thread (./solo-worker.ts): what it is given (plain data, the
 *  emulation by its registered name), what it posts. */
export interface SoloTask {
  readonly emulation: string;
  readonly config: Config;
  readonly reduction: boolean;
  readonly stop: SharedArrayBuffer;
  /** 6 words: depth, explored, distinct, expanded and to expand in the level, next level so far. */
  readonly progress: SharedArrayBuffer;
}
export type SoloReport = { readonly type: 'level'; readonly progress: LevelProgress } | { readonly type: 'done'; readonly outcome: SearchOutcome };

/** Why the stop flag was set. */
type Why = 'deadline' | 'stopped' | 'memory';

export async function searchWithWorkers(emulation: AnyEmulation, config: Config, options: ParallelOptions): Promise<SearchOutcome> {
  const reduction = options.reduction ?? true;
  if (options.workers <= 1 && !options.signal && !options.progress && !options.watchdog && !options.maxMemoryMb) {
    return search(emulation, config, { reduction, ...(options.onLevel ? { onLevel: options.onLevel } : {}) });
  }
  const name = registeredName(emulation);
  const stop = new SharedArrayBuffer(4);
  const flag = new Int32Array(stop);
  let why: Why | undefined;
  const stopNow = (reason: Why): void => {
    why ??= reason;
    Atomics.store(flag, 0, 1);
  };
  const disarm = options.watchdog?.(stopNow);
  const onAbort = (): void => stopNow('stopped');
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const watch: Watch = { ...options, reduction, memoryMb: options.maxMemoryMb };
  try {
    const outcome = options.workers <= 1 ? await solo(name, config, watch, stop) : await parallel(name, config, watch, stop);
    // A level cut by the flag says 'deadline' (the flag is its deadline): say why it was set.
    return outcome.cut === 'deadline' ? { ...outcome, cut: why ?? 'deadline' } : outcome;
  } finally {
    disarm?.();
    options.signal?.removeEventListener('abort', onAbort);
  }
}

type Watch = ParallelOptions & { readonly reduction: boolean; readonly memoryMb: number | undefined };

/** Worker threads may hold as much heap as the search may use in all (at least what a worker
 *  needs to start: below that, the memory watch stops the search before it grows), and as
 *  big a young generation as this thread. */
const limits = (watch: Watch) => ({
  resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, ...(watch.memoryMb ? { maxOldGenerationSizeMb: Math.max(watch.memoryMb, MIN_WORKER_HEAP_MB) } : {}) },
});
const MIN_WORKER_HEAP_MB = 64;
/**
 * A worker's young generation, as this thread's: V8's default for a main thread, or what
 * --max-semi-space-size says (a limit given to a worker lets that flag have its say, as on this
 * thread; without one, Node gives a worker half this thread's, and a search that makes short-
 * lived objects, new judges and local states, collects twice as often on a worker).
 */
const YOUNG_GENERATION_MB = 48;

/** The single-thread search, on a worker thread. */
async function solo(emulation: string, config: Config, watch: Watch, stop: SharedArrayBuffer): Promise<SearchOutcome> {
  const progress = new SharedArrayBuffer(6 * 4);
  const worker = new Worker(new URL('./solo-worker.js', import.meta.url), {
    workerData: { emulation, config, stop, progress, reduction: watch.reduction } satisfies SoloTask,
    ...limits(watch),
  });
  const counts = new Int32Array(progress);
  const watching = watch.progress;
  const stopTicker = watching
    ? watching.ticker(() => {
        const [depth, explored, distinct, done, of, frontier] = [0, 1, 2, 3, 4, 5].map((i) => Atomics.load(counts, i));
        watching.onProgress({ depth: depth!, explored: explored!, distinct: distinct!, frontier: frontier!, done: done!, of: of! });
      })
    : undefined;
  try {
    return await new Promise<SearchOutcome>((resolve, reject) => {
      worker.on('message', (m: SoloReport) => (m.type === 'level' ? watch.onLevel?.(m.progress) : resolve(m.outcome)));
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the search's worker thread ended (exit code ${code}) before its result`)));
    });
  } finally {
    stopTicker?.();
    await worker.terminate();
  }
}

/** The search shared by several worker threads, in lockstep. */
async function parallel(emulation: string, config: Config, watch: Watch, stop: SharedArrayBuffer): Promise<SearchOutcome> {
  const K = watch.workers;
  const shared = {
    visited: FingerprintSet.buffer(1 << 16, true) as SharedArrayBuffer,
    counters: new SharedArrayBuffer(8),
    levelStarts: new SharedArrayBuffer(4 * K),
    progress: new SharedArrayBuffer(16 * K),
  };
  const workers = Array.from(
    { length: K },
    (_, index) =>
      new Worker(new URL('./worker.js', import.meta.url), {
        workerData: { emulation, config, index, workers: K, reduction: watch.reduction, ...shared, stop } satisfies VerifyTask,
        ...limits(watch),
      }),
  );
  const inbox = workers.map(() => new Mailbox<WorkerReport>());
  workers.forEach((worker, i) => {
    worker.on('message', (m: WorkerReport) => inbox[i]!.put(m));
    worker.on('error', (e) => inbox[i]!.fail(e));
  });
  try {
    return await lockstep(config, watch, { workers, inbox, ...shared, stop });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

interface Crew {
  readonly workers: Worker[];
  readonly inbox: Mailbox<WorkerReport>[];
  visited: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
  readonly progress: SharedArrayBuffer;
  readonly stop: SharedArrayBuffer;
}

async function lockstep(config: Config, watch: Watch, crew: Crew): Promise<SearchOutcome> {
  const { workers, inbox } = crew;
  const counters = new Int32Array(crew.counters);
  const stop = new Int32Array(crew.stop);
  const prefixes = (await Promise.all(inbox.map((m) => m.take()))) as Extract<WorkerReport, { type: 'prefix' }>[];
  const prefix = prefixes[0]!;
  if (prefix.outcome) return prefix.outcome;
  Atomics.store(counters, 0, prefix.distinct);
  for (const w of workers) w.postMessage({ type: 'share' } satisfies WorkerCommand);
  await Promise.all(inbox.map((m) => m.take()));
  let { explored, terminal, asleep, depth } = prefix;
  const base = { symmetry: prefix.symmetry, reduction: prefix.reduction };
  const distinct = (): number => Math.min(Atomics.load(counters, 0), config.verify.max_states);
  let frontier = prefix.frontier;
  let kept: Kept[] = [];
  const tally = new Tally(workers.length);
  const outcome = (rest: Pick<SearchOutcome, 'depth' | 'exhausted'> & Partial<SearchOutcome>): SearchOutcome => ({
    ...base,
    explored,
    distinct: distinct(),
    terminal,
    asleep,
    kept: sumKept(kept),
    balance: tally.balance(),
    ...rest,
  });
  const progress = new Int32Array(crew.progress);
  const watching = watch.progress;
  const stopTicker = watching
    ? watching.ticker(() => {
        const sum = (k: number): number => workers.reduce((n, _, w) => n + Atomics.load(progress, w * 4 + k), 0);
        watching.onProgress({ depth, explored: explored + sum(0), distinct: distinct(), frontier: sum(1), done: sum(2), of: sum(3) });
      })
    : undefined;
  try {
    watch.onLevel?.({ depth, explored, distinct: distinct(), frontier });
    while (depth < config.verify.max_depth && frontier > 0) {
      if (Atomics.load(stop, 0) !== 0) return outcome({ depth, exhausted: false, cut: 'deadline' });
      const results = await level(crew);
      tally.level(results);
      explored += results.reduce((n, r) => n + r.explored, 0);
      terminal += results.reduce((n, r) => n + r.terminal, 0);
      asleep += results.reduce((n, r) => n + r.asleep, 0);
      frontier = results.reduce((n, r) => n + r.frontier, 0);
      kept = results.map((r) => r.kept);
      const found = results.find((r) => r.violation || r.lead);
      if (found) return outcome({ depth: depth + 1, exhausted: false, violation: found.violation ?? (await pathOf(found.lead!, crew)) });
      if (results.some((r) => r.full)) return outcome({ depth: depth + 1, exhausted: false, cut: 'max-states' });
      const cut = results.find((r) => r.cut)?.cut;
      if (cut) return outcome({ depth, exhausted: false, cut });
      depth++;
      watch.onLevel?.({ depth, explored, distinct: distinct(), frontier });
      if (watch.rebalance !== false && depth < config.verify.max_depth) tally.moved += await rebalance(crew, results);
    }
    const exhausted = frontier === 0;
    return outcome({ depth: exhausted ? depth - 1 : depth, exhausted });
  } finally {
    stopTicker?.();
  }
}

type LevelReport = Extract<WorkerReport, { type: 'level' }>;

/** One level on every worker; the shared set grown whenever they stop for it. */
async function level(crew: Crew): Promise<LevelReport[]> {
  const { workers, inbox } = crew;
  const totals = workers.map(() => ({ explored: 0, added: 0, terminal: 0, asleep: 0, expanded: 0 }));
  let running = workers.map((_, w) => w);
  let last: LevelReport[] = [];
  for (const w of running) workers[w]!.postMessage({ type: 'level' } satisfies WorkerCommand);
  for (;;) {
    const results = (await Promise.all(running.map((w) => inbox[w]!.take()))) as LevelReport[];
    results.forEach((r, k) => {
      const total = totals[running[k]!]!;
      total.explored += r.explored;
      total.added += r.added;
      total.terminal += r.terminal;
      total.asleep += r.asleep;
      total.expanded += r.expanded;
      last[running[k]!] = r;
    });
    const paused = running.filter((_, k) => results[k]!.paused);
    if (paused.length === 0) break;
    // Every worker has stopped (paused or done): grow the set, and let the paused ones go on.
    running = paused;
    crew.visited = growShared(crew.visited);
    for (const worker of workers) worker.postMessage({ type: 'visited', buffer: crew.visited } satisfies WorkerCommand);
    for (const w of running) workers[w]!.postMessage({ type: 'level' } satisfies WorkerCommand);
  }
  last = last.map((r, w) => ({ ...r, ...totals[w]! }));
  return last;
}

/**
 * Between levels: the workers whose next level is more work than their share give states to
 * those with less (./portable.ts), so that they finish it together; returns how many states
 * moved. A worker a state reaches first keeps it, so left alone the worker with more states
 * claims more of the next level too, and the other waits at the end of every level. The work
 * of a level is counted in transitions: each worker's states, times the transitions per state
 * it took in the level before (its states differ: one that another worker reached too at its
 * depth takes every step, ./search.ts).
 */
async function rebalance(crew: Crew, last: readonly LevelReport[]): Promise<number> {
  const frontiers = last.map((r) => r.frontier);
  const costs = last.map((r) => (r.expanded > 0 ? r.explored / r.expanded : 0));
  let moved = 0;
  for (const { from, to, count } of transfers(frontiers, costs)) {
    crew.workers[from]!.postMessage({ type: 'give', count, to } satisfies WorkerCommand);
    const reply = await crew.inbox[from]!.take();
    if (reply.type !== 'parcel') throw new Error(`worker ${from} answered a 'give' with a '${reply.type}'`);
    const { parcel } = reply;
    const buffers = parcelBuffers(parcel);
    crew.workers[to]!.postMessage({ type: 'take', parcel } satisfies WorkerCommand, buffers);
    moved += count;
  }
  return moved;
}

/** Below this many states a level is not worth evening out; nor a gap of fewer than this. */
const EVEN_ENOUGH = 64;

/**
 * Who gives how many states to whom, for every worker's work in the next level (`frontiers`
 * states each, `costs` the work per state of each worker's: 1 if not given; a moved state's
 * work is its giver's) to be about the mean: those with the most give to those with the least.
 */
export function transfers(frontiers: readonly number[], costs?: readonly number[]): { from: number; to: number; count: number }[] {
  const K = frontiers.length;
  const known = (costs ?? []).filter((c) => c > 0);
  const typical = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  const cost = frontiers.map((_, w) => (costs?.[w] ?? 0) > 0 ? costs![w]! : typical);
  const work = frontiers.map((f, w) => f * cost[w]!);
  const total = work.reduce((a, b) => a + b, 0);
  const states = frontiers.reduce((a, b) => a + b, 0);
  const gap = Math.max(...work) - Math.min(...work);
  if (states < EVEN_ENOUGH * K || gap < Math.max(EVEN_ENOUGH * typical, total / (20 * K))) return [];
  const mean = total / K;
  const excess = work.map((w) => w - mean);
  const byLoad = frontiers.map((_, w) => w).sort((a, b) => excess[b]! - excess[a]! || a - b);
  const out: { from: number; to: number; count: number }[] = [];
  for (let g = 0, t = K - 1; g < t; ) {
    const [giver, taker] = [byLoad[g]!, byLoad[t]!];
    const count = Math.min(Math.floor(Math.min(excess[giver]!, -excess[taker]!) / cost[giver]!), frontiers[giver]!);
    if (count <= 0) {
      if (excess[giver]! + excess[taker]! > 0) t--;
      else g++;
      continue;
    }
    out.push({ from: giver, to: taker, count });
    excess[giver]! -= count * cost[giver]!;
    excess[taker]! += count * cost[giver]!;
  }
  return out;
}

/** A violation whose path crossed workers: its pieces gathered, back to the root, and played
 *  by one worker. */
async function pathOf(lead: PathPiece, crew: Crew): Promise<Counterexample> {
  const places = await placesOf(lead, async (worker, id) => {
    crew.workers[worker]!.postMessage({ type: 'path', id } satisfies WorkerCommand);
    const reply = await crew.inbox[worker]!.take();
    if (reply.type !== 'path') throw new Error(`worker ${worker} answered a 'path' with a '${reply.type}'`);
    return reply.piece;
  });
  crew.workers[0]!.postMessage({ type: 'replay', places } satisfies WorkerCommand);
  const reply = await crew.inbox[0]!.take();
  if (reply.type !== 'counterexample') throw new Error(`worker 0 answered a 'replay' with a '${reply.type}'`);
  return reply.violation;
}

/** The states each worker expanded and the transitions it took, level by level. */
class Tally {
  readonly expanded: number[];
  readonly explored: number[];
  moved = 0;
  private mean = 0;
  private most = 0;

  constructor(workers: number) {
    this.expanded = new Array<number>(workers).fill(0);
    this.explored = new Array<number>(workers).fill(0);
  }

  level(results: readonly { expanded: number; explored: number }[]): void {
    results.forEach((r, w) => {
      this.expanded[w]! += r.expanded;
      this.explored[w]! += r.explored;
    });
    this.mean += results.reduce((a, r) => a + r.explored, 0) / results.length;
    this.most += Math.max(...results.map((r) => r.explored));
  }

  balance(): Balance {
    return { expanded: [...this.expanded], explored: [...this.explored], moved: this.moved, evenness: this.most === 0 ? 1 : this.mean / this.most };
  }
}

function growShared(buffer: SharedArrayBuffer): SharedArrayBuffer {
  const set = new FingerprintSet(buffer, true);
  return set.grown().buffer as SharedArrayBuffer;
}

function sumKept(kept: readonly Kept[]): Kept {
  const sum = (f: (k: Kept) => number): number => kept.reduce((n, k) => n + f(k), 0);
  return {
    storeBytes: sum((k) => k.storeBytes),
    visitedBytes: kept[0]?.visitedBytes ?? 0,
    sleepBytes: sum((k) => k.sleepBytes),
    localStates: sum((k) => k.localStates),
    judges: sum((k) => k.judges),
    packets: sum((k) => k.packets),
  };
}

/** Messages from one worker, taken in order. */
class Mailbox<T> {
  private readonly queue: T[] = [];
  private waiting: { resolve: (m: T) => void; reject: (e: unknown) => void } | undefined;
  private error: unknown;

  put(message: T): void {
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve(message);
    } else this.queue.push(message);
  }

  fail(error: unknown): void {
    this.error = error;
    this.waiting?.reject(error);
    this.waiting = undefined;
  }

  take(): Promise<T> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift()!);
    if (this.error !== undefined) return Promise.reject(this.error);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }
}
