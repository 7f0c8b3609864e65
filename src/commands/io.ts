/** What a command may print to; tests pass collectors, the CLI passes the process streams. */
export interface Io {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Is stdout a terminal (the dashboard is drawn only then)? */
  readonly tty?: boolean;
}

const newline = (line: string): string => (line.endsWith('\n') ? line : `${line}\n`);

export const processIo: Io = {
  stdout: (line) => process.stdout.write(newline(line)),
  stderr: (line) => process.stderr.write(newline(line)),
  tty: Boolean(process.stdout.isTTY),
};

/** A problem with what the user gave us: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses a non-negative integer flag value, or says which flag is wrong. */
export function intFlag(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  return Number(value);
}
