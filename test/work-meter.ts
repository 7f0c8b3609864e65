/**
 * A work meter that reads no clock: while a function runs, it counts the elements that
 * JavaScript's built-in collection operations walk — each step of an iterator over an array, a
 * Map or a Set (for-of, spread, `new Map(old)`, `Array.from`), and the length of the array an
 * O(length) array method runs over (`slice`, `filter`, `find`, `indexOf`, `concat`, `sort`...),
 * `forEach` over a Map or Set, the keys `Object.keys`/`entries`/`values`/`assign` visit, and the
 * characters `JSON.stringify` and `join` write. Code that copies or scans a structure that grows
 * with the run (a frozen Map copied on every vote, a log spread on every append) shows up as
 * work per event that grows with the run; bounded work per event stays flat. The same count on
 * any machine, loaded or not: it is a property of the code and its input, not of the clock.
 *
 * It patches the built-ins only while `f` runs (synchronously) and restores them after, so it
 * is for tests only. It undercounts work done with index loops over plain arrays (a persistent
 * collection's 32-wide nodes, say): what it measures is the growth it can see, which is where
 * quadratic runs have come from in this project.
 */

type Patch = { readonly target: object; readonly key: PropertyKey; readonly original: unknown };

/** How much work `f` did (see above), and what it returned. */
export function metered<T>(f: () => T): { value: T; work: number } {
  const counter = { work: 0 };
  const patches = install(counter);
  try {
    const value = f();
    return { value, work: counter.work };
  } finally {
    for (const { target, key, original } of patches.reverse()) Object.defineProperty(target, key, { value: original, writable: true, configurable: true });
  }
}

function install(counter: { work: number }): Patch[] {
  const patches: Patch[] = [];
  let reckoning = false;
  const wrap = (target: object, key: PropertyKey, cost: (self: unknown, args: unknown[], result: unknown) => number): void => {
    const original = (target as Record<PropertyKey, unknown>)[key] as (...args: unknown[]) => unknown;
    patches.push({ target, key, original });
    Object.defineProperty(target, key, {
      value: function (this: unknown, ...args: unknown[]) {
        const result = original.apply(this, args);
        // The cost is reckoned with the built-ins untouched (no meter inside the meter).
        if (!reckoning) {
          reckoning = true;
          try {
            counter.work += cost(this, args, result);
          } finally {
            reckoning = false;
          }
        }
        return result;
      },
      writable: true,
      configurable: true,
    });
  };
  const one = (): number => 1;
  // Every step of an iterator over an array, a Map or a Set.
  for (const iterator of [[][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator]()]) wrap(Object.getPrototypeOf(iterator), 'next', one);
  const length = (self: unknown): number => (self as { length: number }).length;
  for (const method of ['slice', 'filter', 'map', 'find', 'findIndex', 'findLast', 'some', 'every', 'indexOf', 'lastIndexOf', 'includes', 'forEach', 'reduce', 'reduceRight', 'join', 'flat', 'flatMap', 'sort', 'reverse', 'fill', 'splice', 'shift', 'unshift', 'copyWithin', 'toSorted', 'toReversed', 'with']) {
    if (method in Array.prototype) wrap(Array.prototype, method, length);
  }
  const sum = (xs: readonly unknown[], f: (x: unknown) => number): number => {
    let n = 0;
    for (let i = 0; i < xs.length; i++) n += f(xs[i]);
    return n;
  };
  wrap(Array.prototype, 'concat', (self, args) => length(self) + sum(args, (a) => (Array.isArray(a) ? a.length : 1)));
  for (const proto of [Map.prototype, Set.prototype]) wrap(proto, 'forEach', (self) => (self as { size: number }).size);
  const fields = (o: unknown): number => (o !== null && typeof o === 'object' ? Object.keys(o).length : 0);
  for (const method of ['keys', 'values', 'entries'] as const) wrap(Object, method, (_self, args) => fields(args[0]));
  wrap(Object, 'assign', (_self, args) => sum(args, fields) - fields(args[0]));
  wrap(JSON, 'stringify', (_self, _args, result) => (typeof result === 'string' ? result.length : 0));
  return patches;
}
