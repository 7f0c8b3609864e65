/**
 * The run's only randomness: one seed, split into independent streams (pure-rand's
 * xoroshiro128+, one `jump` — 2^64 draws — apart), so that the network's choices and each
 * node's choices never disturb one another: changing the drop rate does not change which
 * requests the clients make.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

export interface Rng {
  /** A uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** A uniform float in [0, 1). */
  float(): number;
  /** A uniform 32-bit unsigned integer. */
  u32(): number;
}

type Generator = ReturnType<typeof xoroshiro128plus>;

function wrap(gen: Generator): Rng {
  return {
    int: (min, max) => uniformInt(gen, min, max),
    float: () => (gen.next() >>> 0) / 0x1_0000_0000,
    u32: () => gen.next() >>> 0,
  };
}

/** `count` independent streams from one seed. */
export function rngStreams(seed: number, count: number): Rng[] {
  const gen = xoroshiro128plus(seed);
  const streams: Rng[] = [];
  for (let i = 0; i < count; i++) {
    streams.push(wrap(gen.clone()));
    gen.jump();
  }
  return streams;
}

/** A small deterministic generator from one 32-bit entropy value (what a role receives). */
export function rngFromEntropy(entropy: number): Rng {
  return wrap(xoroshiro128plus(entropy));
}

/** `rngFromEntropy(entropy).int(min, max)`, without building the generator's wrapper (for a
 *  draw per message). */
export function intFromEntropy(entropy: number, min: number, max: number): number {
  return uniformInt(xoroshiro128plus(entropy), min, max);
}

/** Folds integers into one 32-bit seed (murmur3's finaliser after each word): a stream of its
 *  own for, say, request k of client c, independent of everything else drawn in the run. */
export function mixSeed(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}
