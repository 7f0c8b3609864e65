/**
 * The breadth-first search on several cores (`mpkv verify --workers K`). States are plain
 * JavaScript objects holding XState snapshots and judges, which cannot cross threads cheaply,
 * so no state ever moves between workers; what they share is the set of fingerprints seen (a
 * SharedArrayBuffer, ./visited.ts) and the count of distinct states:
 *
 *   1. every worker builds the first levels itself, identically (each with a private set),
 *      until there are enough states to share out (16 per worker);
 *   2. worker w keeps the states of that level whose position is w modulo K, and every worker
 *      writes the fingerprints seen so far into the shared set;
 *   3. level by level, in lockstep (this thread is the barrier), each worker expands its own
 *      states; a successor is the worker's if it claims the fingerprint first. No state is
 *      explored twice, and, since no worker starts a level before all finished the one before,
 *      every state is claimed at its least depth: the first violation is still a shortest one.
 *
 * A worker that finds a violation reads its path back from its own parent table (the first
 * levels are the same in every worker). Which of several violations at the least depth is
 * reported may vary from run to run with several workers; its depth does not, nor do the
 * counts of states. With one worker the search runs on this thread (./search.ts), or, when
 * the caller may stop it (`signal`: a Ctrl-C), on one worker thread (./solo-worker.ts), so that
 * this thread is free to hear it.
 *
 * Stopping: the threads share a flag (a SharedArrayBuffer) that every worker's level reads as
 * its deadline; this thread sets it when the time limit passes (`timeoutMs`) or the signal
 * aborts, and the workers end their level at once, with their counts so far.
 */
import { Worker } from 'node:worker_threads';
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { registeredName } from '../emulations/index.js';
import { timeBudget } from '../util/budget.js';
import { search, type Counterexample, type LevelProgress, type SearchOutcome } from './search.js';
import { FingerprintSet } from './visited.js';

export interface ParallelOptions {
  readonly workers: number;
  /** Wall-clock limit of the whole search, in ms. */
  readonly timeoutMs?: number;
  /** Aborted: stop now and return the counts so far, with `cut: 'stopped'`. */
  readonly signal?: AbortSignal;
  readonly onLevel?: (p: LevelProgress) => void;
}

/** Worker -> this thread. */
export type WorkerReport =
  | {
      readonly type: 'prefix';
      readonly depth: number;
      readonly explored: number;
      readonly distinct: number;
      readonly terminal: number;
      readonly frontier: number;
      readonly symmetry: boolean;
      /** Set when the search ended within the first levels (nothing to share out). */
      readonly outcome?: SearchOutcome;
    }
  | { readonly type: 'ready' }
  | {
      readonly type: 'level';
      readonly explored: number;
      readonly added: number;
      readonly terminal: number;
      readonly frontier: number;
      readonly violation?: Counterexample;
      readonly full: boolean;
      readonly cut?: 'deadline' | 'memory';
    };

/** This thread -> worker. */
export type WorkerCommand = { readonly type: 'share' } | { readonly type: 'level'; readonly deadline_ms?: number };

/** What a worker is given: plain data. It resolves the emulation by its registered name, once,
 *  as it starts (an emulation's functions cannot cross threads). */
export interface VerifyTask {
  readonly emulation: string;
  readonly config: Config;
  readonly index: number;
  readonly workers: number;
  readonly visited: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
  /** The stop flag: not 0 once the search must stop. */
  readonly stop: SharedArrayBuffer;
}

/** The single search on a worker thread (./solo-worker.ts): what it is given (plain data, the
 *  emulation by its registered name), what it posts. */
export interface SoloTask {
  readonly emulation: string;
  readonly config: Config;
  readonly stop: SharedArrayBuffer;
}
export type SoloReport = { readonly type: 'level'; readonly progress: LevelProgress } | { readonly type: 'done'; readonly outcome: SearchOutcome };

export async function searchWithWorkers(emulation: AnyEmulation, config: Config, options: ParallelOptions): Promise<SearchOutcome> {
  if (options.workers <= 1 && !options.signal) {
    return search(emulation, config, {
      ...(options.timeoutMs ? { deadline: timeBudget(options.timeoutMs) } : {}),
      ...(options.onLevel ? { onLevel: options.onLevel } : {}),
    });
  }
  const name = registeredName(emulation);
  const stop = new SharedArrayBuffer(4);
  const flag = new Int32Array(stop);
  let why: 'deadline' | 'stopped' | undefined;
  const stopNow = (reason: 'deadline' | 'stopped'): void => {
    why ??= reason;
    Atomics.store(flag, 0, 1);
  };
  const timer = options.timeoutMs ? setTimeout(() => stopNow('deadline'), options.timeoutMs) : undefined;
  const onAbort = (): void => stopNow('stopped');
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const outcome = options.workers <= 1 ? await solo(name, config, options, stop) : await parallel(name, config, options, stop);
    // A level cut by the flag says 'deadline' (the flag is its deadline): say why it was set.
    return outcome.cut === 'deadline' ? { ...outcome, cut: why ?? 'deadline' } : outcome;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The single-thread search, on a worker thread. */
async function solo(emulation: string, config: Config, options: ParallelOptions, stop: SharedArrayBuffer): Promise<SearchOutcome> {
  const worker = new Worker(new URL('./solo-worker.js', import.meta.url), { workerData: { emulation, config, stop } satisfies SoloTask });
  try {
    return await new Promise<SearchOutcome>((resolve, reject) => {
      worker.on('message', (m: SoloReport) => (m.type === 'level' ? options.onLevel?.(m.progress) : resolve(m.outcome)));
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the search's worker thread ended (exit code ${code}) before its result`)));
    });
  } finally {
    await worker.terminate();
  }
}

/** The search shared by several worker threads, in lockstep. */
async function parallel(emulation: string, config: Config, options: ParallelOptions, stop: SharedArrayBuffer): Promise<SearchOutcome> {
  const visited = FingerprintSet.buffer(config.verify.max_states, true) as SharedArrayBuffer;
  const counters = new SharedArrayBuffer(8);
  const workers = Array.from(
    { length: options.workers },
    (_, index) => new Worker(new URL('./worker.js', import.meta.url), { workerData: { emulation, config, index, workers: options.workers, visited, counters, stop } satisfies VerifyTask }),
  );
  const inbox = workers.map(() => new Mailbox<WorkerReport>());
  workers.forEach((worker, i) => {
    worker.on('message', (m: WorkerReport) => inbox[i]!.put(m));
    worker.on('error', (e) => inbox[i]!.fail(e));
  });
  try {
    return await lockstep(config, options, workers, inbox, new Int32Array(counters), new Int32Array(stop));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function lockstep(config: Config, options: ParallelOptions, workers: Worker[], inbox: Mailbox<WorkerReport>[], counters: Int32Array, stop: Int32Array): Promise<SearchOutcome> {
  const prefixes = (await Promise.all(inbox.map((m) => m.take()))) as Extract<WorkerReport, { type: 'prefix' }>[];
  const prefix = prefixes[0]!;
  if (prefix.outcome) return prefix.outcome;
  Atomics.store(counters, 0, prefix.distinct);
  for (const w of workers) w.postMessage({ type: 'share' } satisfies WorkerCommand);
  await Promise.all(inbox.map((m) => m.take()));
  let { explored, terminal, depth } = prefix;
  const base = { symmetry: prefix.symmetry };
  const distinct = (): number => Math.min(Atomics.load(counters, 0), config.verify.max_states);
  let frontier = prefix.frontier;
  options.onLevel?.({ depth, explored, distinct: distinct(), frontier });
  while (depth < config.verify.max_depth && frontier > 0) {
    if (Atomics.load(stop, 0) !== 0) return { ...base, explored, distinct: distinct(), depth, terminal, exhausted: false, cut: 'deadline' };
    for (const w of workers) w.postMessage({ type: 'level' } satisfies WorkerCommand);
    const results = (await Promise.all(inbox.map((m) => m.take()))) as Extract<WorkerReport, { type: 'level' }>[];
    explored += results.reduce((n, r) => n + r.explored, 0);
    terminal += results.reduce((n, r) => n + r.terminal, 0);
    frontier = results.reduce((n, r) => n + r.frontier, 0);
    const tally = { ...base, explored, distinct: distinct(), terminal, exhausted: false };
    const violation = results.find((r) => r.violation)?.violation;
    if (violation) return { ...tally, depth: depth + 1, violation };
    if (results.some((r) => r.full)) return { ...tally, depth: depth + 1, cut: 'max-states' };
    const cut = results.find((r) => r.cut)?.cut;
    if (cut) return { ...tally, depth, cut };
    depth++;
    options.onLevel?.({ depth, explored, distinct: distinct(), frontier });
  }
  const exhausted = frontier === 0;
  return { ...base, explored, distinct: distinct(), depth: exhausted ? depth - 1 : depth, terminal, exhausted };
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
