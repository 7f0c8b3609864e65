/**
 * `mpkv verify <config> [--max-depth N] [--max-states M] [--workers K] [--no-reduction]
 *  [--mutant NAME] [--out FILE] [--timeout-s S] [--max-memory MB] [--progress] [--no-liveness]
 *  [--liveness-depth N] [--liveness-states M] [--liveness-timeouts T]`: bounded exhaustive model
 * checking (src/verify). Every order of events of a small configuration, breadth first, within
 * the bound of its `[verify]` table; the safety checks after every step. On a violation: the
 * shortest counterexample, printed event by event and written as a replay file (`mpkv run
 * <config> --replay FILE` plays it; on a terminal the dashboard steps through it).
 *
 * Before the search: the `[verify]` defaults applied to a config that sets none, and a warning
 * when the scope is too big to exhaust (./verify-scope.ts). During it: a line per level on
 * stdout, and within a level a progress line on stderr about every 2 s (./verify-progress.ts)
 * when stderr is a terminal or `--progress` asks. It stops early, with what it explored so far,
 * at a Ctrl-C, at --timeout-s, or when the process uses more than --max-memory; piped into a
 * reader that goes away (`| head`) it ends quietly. After it, unless the search was stopped:
 * the liveness pass (./verify-liveness.ts), a lasso search under weak fairness.
 *
 * Exit status: 0 no violation within the bound, 1 a violation or a lasso, 3 the search was cut
 * short (max states, memory or time) before it covered the bound, or liveness could not be
 * decided within its bound, 2 bad input.
 */
import { availableParallelism, totalmem } from 'node:os';
import { basename, extname } from 'node:path';
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { emulationOf, loadConfig } from '../emulations/index.js';
import { withMutant } from './mutant.js';
import { searchWithWorkers } from '../verify/parallel.js';
import { boundText, collisionOdds, type LevelProgress, type SearchOutcome } from '../verify/search.js';
import { ProgressMeter } from './verify-progress.js';
import { defaultsText, scopeOf, scopeWarning, verifyKeysOf } from './verify-scope.js';
import { playBack, reportCounterexample } from './counterexample.js';
import { checkOutputs, checkReplayOutput, flushStdout, intFlag, type Io, parseFlags, Stopper, UsageError } from './io.js';
import { configDigest } from '../explore/replay.js';
import { livenessBoundOf, reportLiveness, type LivenessBound } from './verify-liveness.js';

export const VERIFY_HELP = `Usage: mpkv verify <config.toml> [options]

Explores every order of events of a small configuration (breadth first: the first violation
found is a shortest one), within the bound of the config's [verify] table: paths of at most
max_depth events, and per path at most that many message drops, duplicates, crash-recoveries
and timer firings. Virtual time is abstract: any armed timer may fire at any step. Equal states
reached by different paths are explored once; interchangeable nodes are explored once.
The emulation's safety checks (its judge's: its log checks, protocol invariants,
linearizability) are asked after every step.

Options:
  --max-depth N     the longest path, in events (overrides verify.max_depth)
  --max-states M    stop after M distinct states (overrides verify.max_states)
  --workers K       worker threads sharing the frontier (default 1)
  --no-reduction    take every order of independent steps and every delivery, even one
                    that changes nothing (the reduction keeps verdicts and the depth of
                    the first violation: for comparison)
  --mutant NAME     enable a deliberately broken rule (see mpkv explore --list-mutants)
  --out FILE        where to write a counterexample (default
                    <config>[-<mutant>].verify.replay.json)
  --force           overwrite a file that holds the replay of another run (another
                    config, mutant or kind): refused without it
  --timeout-s S     also stop after S seconds of wall-clock time (off by default)
  --max-memory MB   stop (exit 3, "stopped at depth N of M: memory") once the process uses
                    more than MB megabytes (resident), rather than swap or be killed (default:
                    half of this machine's memory, ${defaultMaxMemoryMb(totalmem()).toLocaleString('en-US')} MB)
  --progress        print progress within each level (depth, distinct states, states/s, the
                    next level so far, memory, an ETA) on stderr about every 2 s even when
                    stderr is not a terminal (on a terminal it always does)
  --no-liveness     skip the liveness pass
  --liveness-depth N   the liveness pass's longest path to a loop (default 200)
  --liveness-states M  the liveness pass's most states (default: verify.liveness_states, else
                       500000)
  --liveness-timeouts T  the liveness pass's budget of early timer firings per path (default:
                       verify.liveness_timeouts, else the safety search's verify.timeouts)
  -h, --help        this help

Liveness: once the safety search found no violation, a second pass explores the whole graph
(sleep sets off; symmetry where the emulation's hot keys name no interchangeable node;
time passes when no message is in flight: an armed timer may fire then, spending no budget,
in the order the emulation's timing gives, if any) and looks for a lasso under weak fairness: a path to a fair
cycle, or to a state where nothing can happen, on which something the emulation calls hot
stays hot for ever. A lasso is printed (stem, then the loop and where it repeats from) and
written as the replay file. The pass puts every state it adds to the safety checks too: a
violation it meets (on a path the safety search's budget leaves out) is printed and written
the same way (exit 1). Its fault budget is the safety search's, but for early timer firings a
config may give it fewer (verify.liveness_timeouts, --liveness-timeouts: each early firing
multiplies the graph); the report says so when it does.

A config with no [verify] table gets the defaults (each is printed). When max_depth is not
chosen (in [verify] or with --max-depth), a warning says if one run of the config delivers
more messages than max_depth: such a scope cannot be exhausted.

Exit status: 0 no violation within the bound, 1 a violation or a lasso (replay it with
mpkv run <config> --replay FILE), 3 the search stopped before covering the bound (max
states, --max-memory, --timeout-s, or Ctrl-C: what it explored so far is printed), or liveness
could not be decided within its bound, 2 bad input.`;

/** What the command reads of the machine and of time; tests pass their own. */
export interface VerifyEnv {
  /** Milliseconds, from any origin. */
  readonly now: () => number;
  /** Calls `tick` about every `ms` until the returned function is called. */
  readonly every: (ms: number, tick: () => void) => () => void;
  /** The process's resident memory, in bytes. */
  readonly rss: () => number;
  /** The machine's memory, in bytes. */
  readonly totalMemory: number;
}

export const processEnv: VerifyEnv = {
  now: () => performance.now(),
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  },
  rss: () => process.memoryUsage.rss(),
  totalMemory: totalmem(),
};

/** The default --max-memory: half of the machine's memory, in MB. */
export function defaultMaxMemoryMb(totalBytes: number): number {
  return Math.floor(totalBytes / 2 / 2 ** 20);
}

/** How often the progress line is printed. */
export const PROGRESS_MS = 2000;
/** How often the command looks at the clock and the process's memory during a search. */
const WATCH_MS = 250;

/** The command's limits on the search, by its own clocks: --timeout-s (wall-clock time from
 *  now) and --max-memory (the process's resident memory), looked at every WATCH_MS. */
function watchdog(task: VerifyTask, env: VerifyEnv, stop: (why: 'deadline' | 'memory') => void): () => void {
  const started = env.now();
  return env.every(WATCH_MS, () => {
    if (task.timeout && env.now() - started >= task.timeout * 1000) stop('deadline');
    else if (env.rss() > task.maxMemoryMb * 2 ** 20) stop('memory');
  });
}


export async function verifyCommand(args: string[], io: Io, env: VerifyEnv = processEnv): Promise<number> {
  const task = verifyTask(args, env);
  if (!task) {
    io.stdout(VERIFY_HELP);
    return 0;
  }
  const { file, emulation, config } = task;
  io.stdout(`mpkv verify ${file}: ${config.emulation}${config.mutants.enable.length ? `, mutants: ${config.mutants.enable.join(', ')}` : ''}, ${task.workers} worker(s)`);
  for (const line of defaultsText(file, task.keys, task.overridden)) io.stdout(line);
  for (const line of boundText(emulation, config)) io.stdout(line);
  // A bound the user did not choose is checked against the scope: can it be exhausted?
  if (!task.overridden.includes('max_depth') && !task.keys?.includes('max_depth')) {
    for (const line of scopeWarning(scopeOf(emulation, config), config, task.maxMemoryMb)) io.stdout(line);
  }
  const started = env.now();
  const stopper = new Stopper(io);
  let outcome: SearchOutcome | Lost;
  try {
    outcome = await watchedSearch(task, io, env, stopper);
  } finally {
    stopper.dispose();
  }
  if (stopper.reason === 'output closed') return 0; // piped into `head`: nobody reads on
  const seconds = (env.now() - started) / 1000;
  const rate = `${Math.round(outcome.distinct / Math.max(seconds, 1e-3)).toLocaleString('en-US')} distinct states/s`;
  const tally = `${outcome.explored.toLocaleString('en-US')} transitions, ${outcome.distinct.toLocaleString('en-US')} distinct states`;
  const code = report(io, task, outcome, { seconds, rate, tally });
  // Liveness after a safety search that found nothing.
  // (Not after a Ctrl-C, nor when memory ran out: the pass would need more.)
  const safe = !('lost' in outcome) && !outcome.violation && outcome.cut !== 'stopped' && outcome.cut !== 'memory';
  if (!task.liveness || !safe) return code;
  const live = await reportLiveness(io, task.file, task.emulation, task.config, task.liveness, task.out);
  // A lasso is a failure whatever the safety search covered; otherwise a cut search stays 3.
  return live === 1 ? 1 : code === 3 ? 3 : live;
}

/** What the command was asked to do (undefined: --help). */
interface VerifyTask {
  readonly file: string;
  readonly emulation: AnyEmulation;
  readonly config: Config;
  readonly workers: number;
  readonly timeout: number | undefined;
  readonly maxMemoryMb: number;
  readonly progress: boolean;
  /** Sleep sets and pruning (off: --no-reduction). */
  readonly reduction: boolean;
  /** The liveness pass's bounds (undefined: --no-liveness). */
  readonly liveness: LivenessBound | undefined;
  readonly out: string;
  /** The [verify] keys the file sets (undefined: no [verify] table), and those a flag set. */
  readonly keys: string[] | undefined;
  readonly overridden: string[];
}

/** The command's flags and config, checked (bad input: a UsageError or a ConfigError). */
function verifyTask(args: string[], env: VerifyEnv): VerifyTask | undefined {
  const { values, positionals } = parseFlags('verify', args, {
    'max-depth': { type: 'string' },
    'max-states': { type: 'string' },
    workers: { type: 'string' },
    'no-reduction': { type: 'boolean' },
    mutant: { type: 'string' },
    out: { type: 'string' },
    'timeout-s': { type: 'string' },
    'max-memory': { type: 'string' },
    progress: { type: 'boolean' },
    force: { type: 'boolean' },
    'no-liveness': { type: 'boolean' },
    'liveness-depth': { type: 'string' },
    'liveness-states': { type: 'string' },
    'liveness-timeouts': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return undefined;
  if (positionals.length !== 1) throw new UsageError('expected one config file, e.g. mpkv verify configs/verify/duplicates.toml');
  const file = positionals[0]!;
  const loaded = loadConfig(file);
  const emulation = emulationOf(loaded);
  const maxDepth = intFlag('max-depth', values['max-depth'], 1, 10_000);
  const maxStates = intFlag('max-states', values['max-states'], 1, 20_000_000);
  const workers = intFlag('workers', values.workers, 1) ?? 1;
  if (workers > 4 * availableParallelism()) throw new UsageError(`--workers: expected at most ${4 * availableParallelism()} on this machine, got ${workers}`);
  const timeout = intFlag('timeout-s', values['timeout-s'], 1);
  const maxMemoryMb = intFlag('max-memory', values['max-memory'], 1, 1 << 30) ?? defaultMaxMemoryMb(env.totalMemory);
  const liveness: LivenessBound | undefined = values['no-liveness']
    ? undefined
    : {
        ...livenessBoundOf(loaded),
        ...definedOnly({
          maxDepth: intFlag('liveness-depth', values['liveness-depth'], 1, 100_000),
          maxStates: intFlag('liveness-states', values['liveness-states'], 1, 20_000_000),
          timeouts: intFlag('liveness-timeouts', values['liveness-timeouts'], 0, 1000),
        }),
        ...(timeout ? { timeoutMs: timeout * 1000 } : {}),
      };
  const mutant = values.mutant;
  const mutated = withMutant(emulation, loaded, mutant);
  const config: Config = {
    ...mutated,
    verify: { ...loaded.verify, ...(maxDepth ? { max_depth: maxDepth } : {}), ...(maxStates ? { max_states: maxStates } : {}) },
  };
  const out = values.out ?? `${basename(file, extname(file))}${mutant ? `-${mutant}` : ''}.verify.replay.json`;
  const outName = values.out === undefined ? 'the replay file' : '--out';
  checkOutputs({ [outName]: out }, [file]);
  checkReplayOutput(outName, out, { config_digest: configDigest(config), mutants: config.mutants.enable, kind: 'steps' }, values.force);
  const overridden = [...(maxDepth ? ['max_depth'] : []), ...(maxStates ? ['max_states'] : [])];
  return { file, emulation, config, workers, timeout, maxMemoryMb, progress: Boolean(values.progress), reduction: !values['no-reduction'], liveness, out, keys: verifyKeysOf(file), overridden };
}

/** The flags given (an absent one leaves the config's or the default value). */
const definedOnly = <T extends Record<string, number | undefined>>(flags: T): Partial<Record<keyof T, number>> =>
  Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined)) as Partial<Record<keyof T, number>>;

/**
 * The search, on worker threads even with one worker (this thread stays free to hear a Ctrl-C
 * and watch the memory): a line per level on stdout, and within a level, progress on stderr
 * when it is a terminal or --progress asked.
 */
async function watchedSearch(task: VerifyTask, io: Io, env: VerifyEnv, stopper: Stopper): Promise<SearchOutcome | Lost> {
  const { config } = task;
  const started = env.now();
  const meter = new ProgressMeter({ maxDepth: config.verify.max_depth, maxStates: config.verify.max_states }, started);
  const showProgress = task.progress || Boolean(io.stderrTty);
  try {
    return await searchWithWorkers(task.emulation, config, {
      workers: task.workers,
      maxMemoryMb: task.maxMemoryMb,
      reduction: task.reduction,
      watchdog: (stop) => watchdog(task, env, stop),
      ...(stopper.signal ? { signal: stopper.signal } : {}),
      onLevel: (p) => {
        meter.level(p);
        levelLine(io, p, (env.now() - started) / 1000);
        stopper.noticeClosed();
      },
      progress: {
        ticker: (tick) => env.every(PROGRESS_MS, tick),
        onProgress: (p) => {
          meter.seen(p);
          if (showProgress && !meter.stale(p)) io.stderr(meter.line(p, env.now(), env.rss()));
        },
      },
    });
  } catch (error) {
    // A worker thread that ran out of heap between two looks at the memory: what it had done.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_WORKER_OUT_OF_MEMORY') throw error;
    return { lost: true, ...meter.last };
  }
}

/** The report of a search: a violation (exit 1), cut short (3), or none within the bound (0). */
function report(io: Io, task: VerifyTask, outcome: SearchOutcome | Lost, how: How): number {
  const { config, maxMemoryMb } = task;
  const memory = `memory (the process used more than --max-memory ${maxMemoryMb.toLocaleString('en-US')} MB)`;
  if ('lost' in outcome) return reportCut(io, config, outcome.depth, `${memory}: a worker thread ran out of heap`, outcome.distinct, how);
  if (outcome.violation) return reportViolation(io, task, outcome, how);
  if (outcome.cut) {
    const why = {
      'max-states': `max_states (${config.verify.max_states.toLocaleString('en-US')}) reached`,
      deadline: `--timeout-s ${task.timeout} reached`,
      memory,
      stopped: 'interrupted (Ctrl-C)',
    }[outcome.cut];
    return reportCut(io, config, outcome.depth, why, outcome.distinct, how);
  }
  const space = outcome.exhausted
    ? `the whole space within the budget was explored: no event is left after depth ${outcome.depth} (${outcome.terminal.toLocaleString('en-US')} final state(s))`
    : `paths longer than ${config.verify.max_depth} events were not explored`;
  io.stdout(`ok: no violation within depth ${outcome.exhausted ? outcome.depth : config.verify.max_depth}: ${how.tally}; ${space}`);
  io.stdout(`  ${how.seconds.toFixed(1)}s, ${how.rate}`);
  io.stdout(collisionLine(outcome.distinct));
  return 0;
}

/** A search that ended with its worker thread (out of heap): the counts last seen. */
interface Lost {
  readonly lost: true;
  readonly depth: number;
  readonly explored: number;
  readonly distinct: number;
}

interface How {
  readonly seconds: number;
  readonly rate: string;
  readonly tally: string;
}

/** A search stopped before covering its bound: what it explored, and why it stopped; exit 3. */
function reportCut(io: Io, config: Config, depth: number, why: string, distinct: number, how: How): number {
  io.stdout(`unknown: no violation among ${how.tally} explored, but the search stopped at depth ${depth} of ${config.verify.max_depth}: ${why}`);
  io.stdout(`  ${how.seconds.toFixed(1)}s, ${how.rate}`);
  io.stdout(collisionLine(distinct));
  return 3;
}

/**
 * The odds that two of the `distinct` states share a fingerprint — one of them then never
 * explored — as TLC reports them: n(n-1)/2 pairs, each alike with odds 2^-b for b-bit
 * fingerprints, about n^2 / 2^(b+1).
 */
export function collisionLine(distinct: number): string {
  const odds = collisionOdds(distinct, FINGERPRINT_BITS);
  return `  fingerprint collision probability: about ${odds.toExponential(1)} (n^2 / 2^${FINGERPRINT_BITS + 1} for n = ${distinct.toLocaleString('en-US')} distinct states, ${FINGERPRINT_BITS}-bit fingerprints)`;
}

/** The width of a state's fingerprint (src/verify/fingerprints.ts: two words, 31 + 32 bits). */
const FINGERPRINT_BITS = 63;

function reportViolation(io: Io, task: VerifyTask, outcome: SearchOutcome, how: How): number {
  const { file, emulation, config, out } = task;
  const violation = outcome.violation!;
  io.stdout(`VIOLATION at depth ${violation.depth}: a shortest counterexample (every shorter path was explored), after ${how.tally} in ${how.seconds.toFixed(1)}s (${how.rate})`);
  const found = { file, emulation, config, out };
  const search = { depth: violation.depth, distinct: outcome.distinct, explored: outcome.explored };
  reportCounterexample(io, found, violation.steps, violation.verdicts, search, playBack(found, violation.steps));
  io.stdout(collisionLine(outcome.distinct));
  return 1;
}

/** The line of a completed level, on stdout. */
function levelLine(io: Io, p: LevelProgress, seconds: number): void {
  io.stdout(`depth ${String(p.depth).padStart(3)}: ${p.distinct.toLocaleString('en-US')} distinct states, ${p.frontier.toLocaleString('en-US')} new at this depth (${seconds.toFixed(1)}s)`);
  flushStdout();
}
