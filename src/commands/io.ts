import { writeSync } from 'node:fs';
/** What a command may print to; tests pass collectors, the CLI passes the process streams. */
export interface Io {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Is stdout a terminal (the dashboard is drawn only then)? */
  readonly tty?: boolean;
  /** Has the reader of stdout gone away (a pipe into `head` closed)? Then nothing is shown. */
  readonly closed?: () => boolean;
}

const newline = (line: string): string => (line.endsWith('\n') ? line : `${line}\n`);

/**
 * stdout, written synchronously in blocks: a run prints its trace from one synchronous loop,
 * where a stream's asynchronous 'error' event would come too late to notice that the reader
 * went away (a pipe into `head`). A write that fails with EPIPE marks stdout closed; later
 * lines are dropped quietly and the command can stop early.
 */
let stdoutClosed = false;
let pending = '';
const FLUSH_AT = 1 << 16;

export function flushStdout(): void {
  if (pending === '' || stdoutClosed) {
    pending = '';
    return;
  }
  let buffer = Buffer.from(pending);
  pending = '';
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(writeSync(1, buffer));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue; // a non-blocking pipe that is full: try again
      if (code === 'EPIPE') stdoutClosed = true;
      else throw error;
      return;
    }
  }
}

/** Call once at start-up: a closed pipe is not an error worth a stack trace. */
export function watchStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stdoutClosed = true;
    else throw error;
  });
}

export const processIo: Io = {
  stdout: (line) => {
    if (stdoutClosed) return;
    // Flushed when the block is full, or as soon as the event loop turns (lines printed from
    // asynchronous code, such as exploration's progress, appear at once).
    if (pending === '') setImmediate(flushStdout);
    pending += newline(line);
    if (pending.length >= FLUSH_AT || process.stdout.isTTY) flushStdout();
  },
  stderr: (line) => {
    flushStdout();
    process.stderr.write(newline(line));
  },
  tty: Boolean(process.stdout.isTTY),
  closed: () => stdoutClosed,
};

import { UsageError } from '../util/errors.js';

/**
 * For a command that will draw the dashboard: from now on keys are not echoed (the terminal in
 * raw mode) but kept, unread, for the dashboard, which acts on them once it is up. Without this,
 * keys typed while mpkv starts print as stray characters above its first frame. Node puts the
 * terminal back as it was when it exits; the dashboard does when it quits.
 */
export function holdKeystrokes(stdin: { readonly isTTY?: boolean; setRawMode?(raw: boolean): unknown } = process.stdin): void {
  if (stdin.isTTY) stdin.setRawMode?.(true);
}

export { UsageError };

/** Parses a non-negative integer flag value, or says which flag is wrong. */
export function intFlag(name: string, value: string | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name}: expected an integer ${range}, got ${JSON.stringify(value)}`);
  return Number(value);
}
