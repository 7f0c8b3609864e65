/**
 * Helpers for an emulation's `VerifySpec.behaviour` (./emulation.ts): a node's context as far as
 * its future depends on it, for the liveness pass of `mpkv verify`.
 */

/** The context with the counter `record.count` left out (the counter only numbers a retry in a
 *  note: `retry #3`), e.g. `forgetCount(context, 'outstanding', 'sends')`. */
export function forgetCount(context: Record<string, unknown>, record: string, count: string): Record<string, unknown> {
  const inner = context[record] as Record<string, unknown> | undefined;
  if (!inner || !(count in inner)) return context;
  const { [count]: _forgotten, ...rest } = inner;
  return { ...context, [record]: rest };
}

/** The context with the round-robin index `field` taken modulo the length of the list `over`
 *  (only `index % length` chooses anything). */
export function roundRobin(context: Record<string, unknown>, field: string, over: string): Record<string, unknown> {
  const list = context[over] as readonly unknown[] | undefined;
  const index = context[field] as number | undefined;
  if (!list || list.length === 0 || index === undefined) return context;
  return { ...context, [field]: index % list.length };
}
