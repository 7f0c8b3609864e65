/**
 * Canonical text of a value, for comparing states: equal values give equal text, whatever the
 * insertion order of their Maps, Sets and object keys (two paths that reach the same state
 * build its collections in different orders). Functions are left out (a node's rules are part
 * of its fixed setting). Optionally every string that names a node is renamed on the way,
 * which is how a symmetric state is put in the same form as its mirror images.
 *
 * Fingerprints are 53-bit hashes of that text (two independent 32-bit mixes, one cut to 21
 * bits, packed in a double): a JavaScript number, so a shared Int32Array can hold them. A
 * state's fingerprint mixes its parts' fingerprints (`Mixer`). As in TLC and Stateright, two
 * different states might share a fingerprint; with n states the odds of any such collision
 * are about n^2 / 2^54 (1e-5 for a million states).
 */

/** Renames node names (whole strings), with a key naming the renaming (for the cache). */
export interface Renaming {
  readonly name: (text: string) => string;
  readonly key: string;
}

/** Texts of frozen values, per renaming: a frozen value never changes, and judges hand out
 *  the same frozen memory until it changes, so most of a state's memory is written once. */
const written = new WeakMap<object, Map<string, string>>();

export function canonical(value: unknown, renaming?: Renaming, omit?: ReadonlySet<string>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(renaming ? renaming.name(value) : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
    case 'function':
    case 'symbol':
      return '~';
  }
  if (value === null) return 'null';
  const object = value as object;
  if (omit || !Object.isFrozen(object)) return write(object, renaming, omit);
  const key = renaming?.key ?? '';
  let texts = written.get(object);
  if (!texts) written.set(object, (texts = new Map()));
  let text = texts.get(key);
  if (text === undefined) texts.set(key, (text = write(object, renaming, undefined)));
  return text;
}

function write(value: object, renaming: Renaming | undefined, omit: ReadonlySet<string> | undefined): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, renaming)).join(',')}]`;
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => `${canonical(k, renaming)}:${canonical(v, renaming)}`).sort();
    return `M{${entries.join(',')}}`;
  }
  if (value instanceof Set) return `S{${[...value].map((v) => canonical(v, renaming)).sort().join(',')}}`;
  const object = value as Record<string, unknown>;
  const fields: string[] = [];
  for (const key of Object.keys(object).sort()) {
    const field = object[key];
    if (field === undefined || typeof field === 'function' || omit?.has(key)) continue;
    fields.push(`${key}:${canonical(field, renaming)}`);
  }
  return `{${fields.join(',')}}`;
}

/** Mixes numbers (53-bit fingerprints, counts) into one 53-bit fingerprint. */
export class Mixer {
  private h1 = 0x9e3779b9;
  private h2 = 0x85ebca6b;

  add(n: number): this {
    const lo = n % 4_294_967_296 | 0;
    const hi = Math.floor(n / 4_294_967_296) | 0;
    this.h1 = Math.imul(this.h1 ^ lo, 2654435761) ^ Math.imul(this.h2 ^ hi, 1597334677);
    this.h2 = Math.imul(this.h2 ^ hi, 2246822507) ^ Math.imul(this.h1 ^ (this.h1 >>> 15), 3266489909);
    this.h1 = (this.h1 << 13) | (this.h1 >>> 19);
    return this;
  }

  value(): number {
    let h1 = this.h1;
    let h2 = this.h2;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    const value = 4_294_967_296 * (h2 & 0x1fffff) + (h1 >>> 0);
    return value === 0 ? 1 : value;
  }
}

/** A 53-bit fingerprint of a text (never 0, so 0 can mean an empty slot). */
export function fingerprint(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const value = 4_294_967_296 * (h2 & 0x1fffff) + (h1 >>> 0);
  return value === 0 ? 1 : value;
}
