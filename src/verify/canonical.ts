/**
 * Canonical text of a value: equal values give equal text, whatever the insertion order of
 * their Maps, Sets and object keys. It names a message in flight (equal messages on one link
 * are one branch of the search) and matches a replay file's events to the messages in flight.
 * Functions and undefined fields are left out.
 */
export function canonical(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
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
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Map) return `M{${[...value].map(([k, v]) => `${canonical(k)}:${canonical(v)}`).sort().join(',')}}`;
  if (value instanceof Set) return `S{${[...value].map(canonical).sort().join(',')}}`;
  const record = value as Record<string, unknown>;
  const fields: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const field = record[key];
    if (field !== undefined && typeof field !== 'function') fields.push(`${JSON.stringify(key)}:${canonical(field)}`);
  }
  return `{${fields.join(',')}}`;
}
