/**
 * The one error every history parser throws. Its message is a single line a person can act
 * on, `history.jsonl:7: "f" must be one of put, get, delete, got "post"`, so the CLI prints it
 * as it is, without a stack trace.
 */
export class HistoryFormatError extends Error {
  override readonly name = 'HistoryFormatError';

  constructor(
    /** The file (or other source name) the history came from. */
    readonly source: string,
    /** 1-based line number of the offending line. */
    readonly line: number,
    /** What is wrong, without the location. */
    readonly problem: string,
  ) {
    super(`${source}:${line}: ${problem}`);
  }
}

/** The non-blank lines of a text with their 1-based line numbers. */
export function numberedLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  text.split(/\r?\n/).forEach((content, index) => {
    if (content.trim() !== '') lines.push({ line: index + 1, text: content });
  });
  return lines;
}

/** Shows a value in an error message, shortened so the message stays one line. */
export function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A history with no operation for the model: checking it would "pass" vacuously. */
export class EmptyHistoryError extends Error {
  override readonly name = 'EmptyHistoryError';

  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`${source}: ${problem}`);
  }
}
