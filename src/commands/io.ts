import { writeSync } from 'node:fs';
/** What a command may print to; tests pass collectors, the CLI passes the process streams. */
export interface Io {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Is stdout a terminal (the dashboard is drawn only then)? */
  readonly tty?: boolean;
  /** Is stderr a terminal (a long command's progress is shown there only then, unless asked)? */
  readonly stderrTty?: boolean;
  /** Has the reader of stdout gone away (a pipe into `head` closed)? Then nothing is shown. */
  readonly closed?: () => boolean;
  /** Calls `stop` at the first Ctrl-C (SIGINT) until the returned function is called; a second
   *  Ctrl-C ends the process as it would without mpkv. */
  readonly onInterrupt?: (stop: () => void) => () => void;
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
    pending += newline(printable(line));
    if (pending.length >= FLUSH_AT || process.stdout.isTTY) flushStdout();
  },
  stderr: (line) => {
    flushStdout();
    process.stderr.write(newline(printable(line)));
  },
  tty: Boolean(process.stdout.isTTY),
  stderrTty: Boolean(process.stderr.isTTY),
  closed: () => stdoutClosed,
  onInterrupt: (stop) => {
    const handler = (): void => stop();
    process.once('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

/**
 * Stops a long command early, for one of two reasons: a Ctrl-C (it then reports what it found
 * so far), or the reader of its output gone (`| head`: it then ends quietly, exit 0). Its
 * `signal` aborts the search; `noticeClosed` is called after output.
 */
export class Stopper {
  reason: 'interrupted' | 'output closed' | undefined;
  private readonly controller = new AbortController();
  private readonly release: () => void;

  constructor(private readonly io: Io) {
    this.release = io.onInterrupt?.(() => this.stop('interrupted')) ?? (() => undefined);
  }

  /** The signal, for a search to stop on; none when nothing can stop it (an Io that hears no
   *  Ctrl-C and has no reader to lose: the search may then run on this thread). */
  get signal(): AbortSignal | undefined {
    return this.io.onInterrupt || this.io.closed ? this.controller.signal : undefined;
  }

  stop(reason: 'interrupted' | 'output closed'): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller.abort();
  }

  /** After writing output: stop if nobody reads it any more. */
  noticeClosed(): void {
    if (this.io.closed?.()) this.stop('output closed');
  }

  /** Ctrl-C is the shell's again. */
  dispose(): void {
    this.release();
  }
}

import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../util/errors.js';
import { unwritable } from '../util/files.js';
import { replayOverwriteProblem, type ReplayIdentity } from '../explore/replay.js';

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

/**
 * Checks the files a command will write before it starts its work: each must be writable
 * (src/util/files.ts), and no two of them, nor one of them and an input, may be one file.
 * `outputs` maps what names each file (`--history`, `the replay file`) to it, if given.
 */
export function checkOutputs(outputs: Readonly<Record<string, string | undefined>>, inputs: readonly (string | undefined)[] = []): void {
  const taken = new Map<string, string | undefined>();
  for (const input of inputs) if (input !== undefined) taken.set(path.resolve(input), undefined);
  for (const [name, file] of Object.entries(outputs)) {
    if (file === undefined) continue;
    const problem = unwritable(file);
    if (problem) throw new UsageError(`${name} ${file}: ${problem}`);
    const key = path.resolve(file);
    if (taken.has(key)) {
      const other = taken.get(key);
      throw new UsageError(`${name} ${file}: ${other === undefined ? 'that is an input of this command: it would be overwritten' : `also given to ${other}`}`);
    }
    taken.set(key, name);
  }
}

/** Parses a non-negative integer flag value, or says which flag is wrong. */
export function intFlag(name: string, value: string | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name}: expected an integer ${range}, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Refuses to write a replay file over a file that is not a replay of the same setup
 *  (src/explore/replay.ts `replayOverwriteProblem`), unless `--force`. */
export function checkReplayOutput(name: string, file: string, identity: ReplayIdentity, force: boolean | undefined): void {
  const problem = force ? undefined : replayOverwriteProblem(file, identity);
  if (problem) throw new UsageError(`${name} ${file}: ${problem}: give another --out FILE, or --force to overwrite it`);
}

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * A command's flags and operands (node:util parseArgs), with mpkv's own answer to a flag it
 * does not know, a flag missing its value (`--seed` at the end, or followed by another flag)
 * and a value given to a flag that takes none: one line naming the flag, with the command's
 * flags, instead of Node's text.
 */
export function parseFlags<const T extends FlagOptions>(command: string, args: string[], options: T) {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    const flag = printable(token.rawName);
    if (spec === undefined) throw new UsageError(`unknown flag ${flag}; mpkv ${command} takes ${flagList(options)} (see mpkv ${command} --help)`);
    if (spec.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
      throw new UsageError(`${flag} needs a value${token.value === undefined ? '' : `, not the flag ${printable(token.value)}`} (see mpkv ${command} --help)`);
    }
    if (spec.type === 'boolean' && token.inlineValue) throw new UsageError(`${flag} takes no value (got ${printable(`${token.rawName}=${token.value}`)})`);
  }
  return parseArgs<{ args: string[]; options: T; allowPositionals: true }>({ args, options, allowPositionals: true });
}

const flagList = (options: FlagOptions): string =>
  Object.entries(options)
    .map(([name, spec]) => (spec.short ? `-${spec.short}/--${name}` : `--${name}`))
    .join(', ');

/**
 * `text` safe to show on a terminal: control characters (an escape sequence, a bell, a NUL
 * from a binary file), DEL and the C1 controls are written as escapes (`\u001b`), so what a
 * user gave — a file name, a flag, a line of a file — is shown, never acted on. Line breaks
 * and tabs of multi-line text are kept. The escape is JSON's: inside a JSON string (`--json`)
 * it still reads back as the same character.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
