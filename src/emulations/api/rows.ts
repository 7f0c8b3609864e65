/**
 * Small helpers for an emulation's dashboard rows (./emulation.ts `Role.row` and
 * `Role.summary`): the words for a machine's state, number ranges, spans, and a detail that
 * abbreviates itself to fit the width it is given.
 */

/** `preempted.backingOff` for nested XState values. */
export function stateText(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}.${stateText(v)}`)
      .join(',');
  }
  return String(value);
}

/** The top-level state: the word shown on the row (a substate goes in the detail). */
export const topState = (value: unknown): string => stateText(value).split('.')[0]!;

/** Numbers as `0-14` or `0-3, 5, 7-9` (at most `max` runs, then `…`). */
export function numberRanges(numbers: Iterable<number>, max = 3): string {
  const sorted = [...numbers].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return runs.length > max ? `${runs.slice(0, max).join(', ')}, …` : runs.join(', ');
}

/** `15` when all agree, `12-15` otherwise. */
export function span(values: readonly number[]): string {
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
}

/** One part of a row's detail: its full words, shorter ones, and whether it may be left out. */
export interface RowPart {
  readonly full: string;
  readonly short?: string;
  /** May be dropped when even the short forms do not fit (dropped from the last one back). */
  readonly optional?: boolean;
}

/**
 * The parts joined by two spaces: in full if that fits `width`, else in their short forms, else
 * without their optional parts (the last ones first). Without a width, in full.
 */
export function fitParts(parts: readonly RowPart[], width?: number): string {
  const join = (ps: readonly string[]): string => ps.join('  ');
  const full = join(parts.map((p) => p.full));
  if (width === undefined || full.length <= width) return full;
  const short = parts.map((p) => p.short ?? p.full);
  if (join(short).length <= width) return join(short);
  const kept = parts.map((p, i) => ({ text: short[i]!, optional: p.optional === true }));
  for (let i = kept.length - 1; i >= 0 && join(kept.map((k) => k.text)).length > width; i--) {
    if (kept[i]!.optional) kept.splice(i, 1);
  }
  return join(kept.map((k) => k.text));
}
