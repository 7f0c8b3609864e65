/**
 * `mpkv verify`'s progress line during a level (on stderr, about every 2 s on a terminal, or
 * with `--progress`): the depth being expanded and how much of it is done, distinct states,
 * states per second since the last line, the next level so far, the process's memory, and an
 * estimate of the time left when the level sizes allow one.
 *
 * The estimate. The work of a breadth-first search is expanding states, one at a time, at
 * about the same cost each; so the time left is the states left to expand over the rate at
 * which they have been expanded so far (all of them over all the time). The states left to
 * expand are the rest of this level and the levels below it, none of which exist yet. `r`, the
 * new states this level has produced per state expanded so far, is taken for every state to
 * come: the next level is this one times r, the one after it the next times r, and so on —
 * levels that shrink (r < 1) add up to a finite remainder, the search drawing to exhaustion;
 * levels that grow go on until the depth bound, or until max_states distinct states (the
 * search then stops within a level: after the states that produce the last ones it may hold).
 * There is no estimate until a level of at least `MIN_LEVEL` states is 5% expanded (before
 * that the ratio is noise).
 *
 * Nothing here reads a clock: the caller passes the time of each sample (ms), so that tests
 * drive it with a clock of their own.
 */
import type { LevelProgress } from '../verify/search.js';

/** The search's bound, as far as the estimate needs it. */
export interface ProgressBound {
  readonly maxDepth: number;
  readonly maxStates: number;
}

/** What the estimate says is left, and what it assumed. */
export interface Estimate {
  /** Seconds left. */
  readonly seconds: number;
  /** The ratio of the next level to this one. */
  readonly ratio: number;
  /** What ends the search, as the estimate sees it. */
  readonly until: 'exhaustion' | 'max-depth' | 'max-states';
}

/** Below this many states, a level says nothing reliable about the next. */
const MIN_LEVEL = 64;
/** Share of a level expanded before its output is extrapolated. */
const MIN_SHARE = 0.05;

export class ProgressMeter {
  /** States of each completed level, by depth (the root's level: 1). */
  private readonly levels: number[] = [1];
  private previous: { at: number; distinct: number };
  /** The counts last seen (a level's end, or within a level). */
  last = { depth: 0, explored: 0, distinct: 1 };

  constructor(
    private readonly bound: ProgressBound,
    private readonly started: number,
  ) {
    this.previous = { at: started, distinct: 1 };
  }

  /** A level is complete: `p.frontier` states at depth `p.depth`. */
  level(p: LevelProgress): void {
    this.levels[p.depth] = p.frontier;
    this.seen(p);
  }

  /** Counts from within a level (or its end). */
  seen(p: LevelProgress): void {
    if (p.distinct >= this.last.distinct) this.last = { depth: p.depth, explored: p.explored, distinct: p.distinct };
  }

  /** Counts from a level already complete (read before the next level reported any). */
  stale(p: LevelProgress): boolean {
    return p.depth < this.levels.length - 1 || p.of === undefined || p.of === 0;
  }

  /** States expanded so far: the completed levels above `depth`, and `done` of it. */
  expanded(p: LevelProgress): number {
    let n = p.done ?? 0;
    for (let d = 0; d < p.depth; d++) n += this.levels[d] ?? 0;
    return n;
  }

  /** The time left, if the level sizes allow an estimate (see the module's doc). */
  estimate(p: LevelProgress, at: number): Estimate | undefined {
    const done = p.done ?? 0;
    const of = p.of ?? 0;
    const seconds = (at - this.started) / 1000;
    if (of < MIN_LEVEL || done < MIN_SHARE * of || seconds <= 0) return undefined;
    const rate = this.expanded(p) / seconds;
    // New states per state expanded: this level's so far, and (r) every later level's.
    const ratio = p.frontier / done;
    let capacity = this.bound.maxStates - p.distinct;
    const restOfLevel = (of - done) * ratio;
    if (restOfLevel >= capacity) return { seconds: capacity / ratio / rate, ratio, until: 'max-states' };
    let left = of - done;
    capacity -= restOfLevel;
    let size = of * ratio;
    let until: Estimate['until'] = 'max-depth';
    // Levels p.depth + 1 .. maxDepth - 1 are expanded (the last level is generated only).
    for (let d = p.depth + 1; d < this.bound.maxDepth; d++) {
      if (size < 1) {
        until = 'exhaustion';
        break;
      }
      const produced = size * ratio;
      if (produced >= capacity) {
        left += capacity / ratio;
        until = 'max-states';
        break;
      }
      left += size;
      capacity -= produced;
      size = produced;
    }
    return { seconds: left / rate, ratio, until };
  }

  /** The progress line for the counts `p` at time `at` (ms), with `rssBytes` in use. */
  line(p: LevelProgress, at: number, rssBytes: number): string {
    const seconds = Math.max(at - this.previous.at, 1) / 1000;
    const rate = Math.max(0, p.distinct - this.previous.distinct) / seconds;
    this.previous = { at, distinct: p.distinct };
    const of = p.of ?? 0;
    const share = of > 0 ? ` (${Math.floor((100 * (p.done ?? 0)) / of)}% of ${count(of)} expanded)` : '';
    const eta = this.estimate(p, at);
    return (
      `… depth ${p.depth}${share}: ${count(p.distinct)} distinct states, ${count(Math.round(rate))} states/s, ` +
      `next level ${count(p.frontier)} so far, ${count(Math.round(rssBytes / 2 ** 20))} MB in use, ${eta ? etaText(eta, this.bound) : 'ETA: not yet known'}`
    );
  }
}

/** `ETA ~1m20s (levels growing ×1.8 a level, until max_states 2,000,000)`. */
export function etaText(eta: Estimate, bound: ProgressBound): string {
  const trend = eta.ratio < 1 ? `shrinking ×${eta.ratio.toFixed(2)}` : `growing ×${eta.ratio.toFixed(2)}`;
  const until = { exhaustion: 'until none is left', 'max-depth': `until depth ${bound.maxDepth}`, 'max-states': `until max_states ${count(bound.maxStates)}` }[eta.until];
  return `ETA ~${duration(eta.seconds)} (levels ${trend} a level, ${until})`;
}

/** `45s`, `3m05s`, `2h10m`, `more than 30 days`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds > 30 * 86_400) return 'more than 30 days';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

const count = (n: number): string => n.toLocaleString('en-US');
