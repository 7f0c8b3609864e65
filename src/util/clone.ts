/**
 * Copying a value so that a branch of a search may change it without touching the other
 * branches. A model checker runs one node's transition on a state that several successors
 * share; roles may update parts of their state in place (a log extended rather than copied:
 * copying it on every step made long runs quadratic), so before a transition
 * the state is copied deeply, and the shared original is never written.
 *
 * Copied: arrays, Maps, Sets, plain objects and class instances (same prototype, own fields
 * copied). Shared: primitives, functions, and frozen objects (they cannot change). Values are
 * trees: a cycle is not expected and not handled.
 */
export function deepClone<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) return value.map(copy);
  if (value instanceof Map) {
    const out = new Map();
    for (const [k, v] of value) out.set(copy(k), copy(v));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    for (const v of value) out.add(copy(v));
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  for (const key of Object.keys(value)) out[key] = copy((value as Record<string, unknown>)[key]);
  return out;
}
