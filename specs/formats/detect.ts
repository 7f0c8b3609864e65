/**
 * Which history format a text is in, from its first meaningful lines, so that a history given
 * with the wrong `--model` is refused with the model that would read it, instead of being
 * read as "no operations" and passed.
 */
export type FormatName = 'mpkv' | 'jepsen-etcd' | 'porcupine-kv';

export interface Detected {
  readonly format: FormatName;
  /** What gave it away, for the message. */
  readonly because: string;
}

/** The format of the first non-blank lines that look like any known history line. */
export function detectFormat(text: string): Detected | undefined {
  let seen = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (++seen > 200) break;
    if (/^\{\s*"type"\s*:/.test(line) || (/^\{/.test(line) && /"process"\s*:/.test(line) && /"f"\s*:/.test(line))) {
      return { format: 'mpkv', because: 'its lines are JSON objects with "type", "process" and "f"' };
    }
    if (/^\{\s*:process\b/.test(line) || (/^\{/.test(line) && /:type\s+:(invoke|ok|info|fail)\b/.test(line))) {
      return { format: 'porcupine-kv', because: 'its lines are EDN maps such as {:process 0, :type :invoke, ...}' };
    }
    if (/jepsen\.util\s+-\s+\S+\s+:(invoke|ok|fail|info)\b/.test(line)) {
      return { format: 'jepsen-etcd', because: 'it has Jepsen log lines such as "INFO jepsen.util - 3 :invoke :cas [1 4]"' };
    }
  }
  return undefined;
}
