/**
 * 53-bit structural fingerprints of values, written straight from the value (no text built):
 * equal values get equal fingerprints whatever the insertion order of their Maps, Sets and
 * object keys, because the entries of those are combined by a sum (a multiset hash, as in
 * incremental hashing), and arrays in order. Functions and undefined fields are left out (a
 * node's rules are part of its fixed setting). Node names may be renamed on the way (symmetry:
 * ./fingerprints.ts). An object with a `toJSON` is fingerprinted as what that returns (what
 * the object is, not how it is laid out inside). A frozen value never changes, so its
 * fingerprint is kept (per renaming): judges hand out the same frozen memory until it changes.
 *
 * A fingerprint is a JavaScript number below 2^53 (high 21 bits, low 32 bits), so a shared
 * Int32Array can hold them. As in TLC and Stateright, two different states might share one; with
 * n states the odds of any collision are about n^2 / 2^54 (1e-5 for a million states).
 */

/** Renames node names (whole strings), with a key naming the renaming (for the cache). */
export interface Renaming {
  readonly name: (text: string) => string;
  readonly key: string;
}

const TWO32 = 4_294_967_296;

/** Mixes `b` into `a` (both fingerprints): order matters. */
export function mix(a: number, b: number): number {
  let lo = (a % TWO32) | 0;
  let hi = Math.floor(a / TWO32) | 0;
  const blo = (b % TWO32) | 0;
  const bhi = Math.floor(b / TWO32) | 0;
  // b's words are scrambled before they meet a's: mix(a, b) and mix(b, a) differ (a plain
  // xor would make them equal, and a message from x to y one with the message from y to x).
  lo = Math.imul(lo ^ Math.imul(blo, 0x9e3779b1), 0x85ebca6b);
  lo ^= lo >>> 13;
  hi = Math.imul(hi ^ Math.imul(bhi, 0x7feb352d) ^ lo, 0xc2b2ae35);
  hi ^= hi >>> 16;
  lo = Math.imul(lo ^ hi ^ bhi, 0x27d4eb2f);
  lo ^= lo >>> 15;
  hi = Math.imul(hi ^ (lo >>> 7), 0x165667b1);
  hi ^= hi >>> 13;
  return (hi & 0x1fffff) * TWO32 + (lo >>> 0);
}

const T = { string: 1, number: 2, boolean: 3, nothing: 4, array: 5, map: 6, set: 7, object: 8, big: 9, nul: 10 } as const;

const strings = new Map<string, number>();

export function hashText(text: string): number {
  let cached = strings.get(text);
  if (cached !== undefined) return cached;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  cached = (h2 & 0x1fffff) * TWO32 + (h1 >>> 0);
  if (strings.size > 200_000) strings.clear();
  strings.set(text, cached);
  return cached;
}

const frozen = new WeakMap<object, Map<string, number>>();

/** The fingerprint of `value`; `omit`: top-level fields to leave out. Never 0. */
export function hashOf(value: unknown, renaming?: Renaming, omit?: ReadonlySet<string>): number {
  return hash(value, renaming, omit) || 1;
}

function hash(value: unknown, renaming: Renaming | undefined, omit?: ReadonlySet<string>): number {
  switch (typeof value) {
    case 'string':
      return mix(T.string, hashText(renaming ? renaming.name(value) : value));
    case 'number':
      return Number.isSafeInteger(value) && value >= 0 ? mix(T.number, value) : mix(T.number + 100, hashText(String(value)));
    case 'boolean':
      return mix(T.boolean, value ? 1 : 0);
    case 'bigint':
      return mix(T.big, hashText(String(value)));
    case 'undefined':
    case 'function':
    case 'symbol':
      return T.nothing;
  }
  if (value === null) return T.nul;
  const object = value as object;
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return hash(toJSON.call(object), renaming, omit);
  if (omit || !Object.isFrozen(object)) return structure(object, renaming, omit);
  const key = renaming?.key ?? '';
  let prints = frozen.get(object);
  if (!prints) frozen.set(object, (prints = new Map()));
  let print = prints.get(key);
  if (print === undefined) prints.set(key, (print = structure(object, renaming, undefined)));
  return print;
}

/**
 * The fingerprint of an object's fields (as `hashOf` gives it), where the object values of the
 * fields `immutable` says are never changed in place (only replaced) are fingerprinted once per
 * object and renaming, and kept: a node's context keeps most of its fields from step to step.
 */
export function hashFields(record: Record<string, unknown>, renaming: Renaming | undefined, omit: ReadonlySet<string>, immutable: (key: string) => boolean): number {
  let lo = 0;
  let hi = 0;
  let n = 0;
  for (const key in record) {
    const field = record[key];
    if (field === undefined || typeof field === 'function' || omit.has(key)) continue;
    const print = typeof field === 'object' && field !== null && immutable(key) ? kept(field, renaming) : hash(field, renaming);
    const x = mix(hashText(key), print);
    lo = (lo + (x % TWO32)) % TWO32;
    hi = (hi + Math.floor(x / TWO32)) & 0x1fffff;
    n++;
  }
  return mix(mix(T.object, n), hi * TWO32 + lo);
}

const keptPrints = new WeakMap<object, Map<string, number>>();

function kept(object: object, renaming: Renaming | undefined): number {
  const key = renaming?.key ?? '';
  let prints = keptPrints.get(object);
  if (!prints) keptPrints.set(object, (prints = new Map()));
  let print = prints.get(key);
  if (print === undefined) prints.set(key, (print = hash(object, renaming)));
  return print;
}

function structure(value: object, renaming: Renaming | undefined, omit: ReadonlySet<string> | undefined): number {
  if (Array.isArray(value)) {
    let h = mix(T.array, value.length);
    for (const item of value) h = mix(h, hash(item, renaming));
    return h;
  }
  // Entries of Maps, Sets and objects are added up (a multiset hash): their order does not count.
  let lo = 0;
  let hi = 0;
  let n = 0;
  const add = (x: number): void => {
    lo = (lo + (x % TWO32)) % TWO32;
    hi = (hi + Math.floor(x / TWO32)) & 0x1fffff;
    n++;
  };
  let tag: number;
  if (value instanceof Map) {
    tag = T.map;
    for (const [k, v] of value) add(mix(hash(k, renaming), hash(v, renaming)));
  } else if (value instanceof Set) {
    tag = T.set;
    for (const v of value) add(hash(v, renaming));
  } else {
    tag = T.object;
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const field = record[key];
      if (field === undefined || typeof field === 'function' || omit?.has(key)) continue;
      add(mix(hashText(key), hash(field, renaming)));
    }
  }
  return mix(mix(tag, n), hi * TWO32 + lo);
}
