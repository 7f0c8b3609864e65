/**
 * The search as a fixed list of work: `runs` schedules from one seed, cut into chunks of
 * `CHUNK_RUNS` consecutive runs. Chunk c is one fast-check property check of its size, seeded
 * with `chunkSeed(seed, c)`; so a run's schedule depends only on (seed, its index), never on
 * who explores it or in what order. That is what lets the search be split:
 *
 *  - over worker threads (./pool.ts), which take chunks as they become free;
 *  - over machines: `mpkv explore --shard I/N` explores the chunks c with c mod N = I, and the
 *    N shards together explore exactly the schedules of the unsharded search (test/shard.test.ts).
 *
 * Chunk 0 is seeded with the search's seed itself, so a search of at most `CHUNK_RUNS` runs is
 * one plain fast-check check of that seed, and any chunk is reproduced alone by a search seeded
 * with its own seed (`--seed <chunk seed> --runs <its size>`). Within a chunk fast-check keeps
 * its usual bias (early runs lean toward small values), restarted at each chunk.
 */

/** Runs per chunk: small enough to share out evenly, large enough that a chunk's fixed cost
 *  (one fast-check check) is nothing beside its runs. */
export const CHUNK_RUNS = 100;

export interface Chunk {
  /** Its place in the search, from 0. */
  readonly index: number;
  /** fast-check's seed for it (31 bits). */
  readonly seed: number;
  /** The search's index of its first run, and how many runs it has. */
  readonly first: number;
  readonly runs: number;
}

/** One of N disjoint parts of a search: chunks c with c mod count = index. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const WHOLE: Shard = { index: 0, count: 1 };

/** Chunk c's fast-check seed: the search's seed for chunk 0, a mix of both otherwise. */
export function chunkSeed(seed: number, c: number): number {
  if (c === 0) return seed;
  let h = (seed ^ Math.imul(c, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

/** The chunks of a search of `runs` runs from `seed` that belong to `shard`, in order. */
export function searchChunks(seed: number, runs: number, shard: Shard = WHOLE): Chunk[] {
  const chunks: Chunk[] = [];
  for (let c = shard.index, first = c * CHUNK_RUNS; first < runs; c += shard.count, first = c * CHUNK_RUNS) {
    chunks.push({ index: c, seed: chunkSeed(seed, c), first, runs: Math.min(CHUNK_RUNS, runs - first) });
  }
  return chunks;
}

/** Runs in a list of chunks. */
export const runsIn = (chunks: readonly Chunk[]): number => chunks.reduce((n, c) => n + c.runs, 0);

/** Parses `I/N` (I may be `auto`: the Kubernetes Indexed Job's JOB_COMPLETION_INDEX); a
 *  problem is returned as a sentence naming what is wrong. */
export function parseShard(text: string, env: NodeJS.ProcessEnv = {}): Shard | string {
  const match = /^(\d+|auto)\/(\d+)$/.exec(text);
  if (!match) return `expected I/N (such as 0/4, or auto/4 to read JOB_COMPLETION_INDEX), got ${JSON.stringify(text)}`;
  const count = Number(match[2]);
  if (count < 1 || count > 1_000_000) return `expected between 1 and 1000000 shards, got ${count}`;
  let index: number;
  if (match[1] === 'auto') {
    const fromEnv = env.JOB_COMPLETION_INDEX;
    if (fromEnv === undefined || !/^\d+$/.test(fromEnv)) {
      return `auto: JOB_COMPLETION_INDEX is ${fromEnv === undefined ? 'not set' : JSON.stringify(fromEnv)} (a Kubernetes Indexed Job sets it; elsewhere give the index)`;
    }
    index = Number(fromEnv);
  } else index = Number(match[1]);
  if (index >= count) return `shard index ${index} is not below the shard count ${count}`;
  return { index, count };
}
