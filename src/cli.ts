#!/usr/bin/env -S node --max-semi-space-size=64
/**
 * mpkv's command line: `mpkv run | check | explore | verify | view`. Every user error (bad flags, a broken
 * config, a corrupt history) is one line on stderr and exit status 2 — never a stack trace.
 *
 * Node runs it with a larger young generation (`--max-semi-space-size=64`, in MB): XState
 * allocates several kilobytes of short-lived objects per event, and with V8's default 16 MB the
 * collector's scavenges took a third of a long run (see `npm run bench`, section protocol).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './config/load.js';
import { flushStdout, holdKeystrokes, printable, processIo, UsageError, watchStdout, type Io } from './commands/io.js';

const HELP = `mpkv — watch a distributed protocol run, and check it is correct

Usage:
  mpkv run <config.toml> [options]        run an emulation, show the trace, print verdicts
  mpkv check <history> --model M [opts]   check a recorded history for linearizability
  mpkv explore <config.toml> [options]    hunt for schedules that break the protocol
  mpkv verify <config.toml> [options]     explore every order of events of a small config
  mpkv view <trace.jsonl> [-o OUT.html]   draw a run as a message-sequence diagram

Run \`mpkv <command> --help\` (or \`mpkv help <command>\`) for a command's options;
\`mpkv --version\` prints the version.
Exit status: 0 ok, 1 a check failed, 3 a check could not decide, 2 bad input.`;

type Command = (args: string[], io: Io) => Promise<number>;

/** Commands are imported on use, so `mpkv --help` starts fast. */
const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  check: async () => (await import('./commands/check.js')).checkCommand,
  explore: async () => (await import('./commands/explore.js')).exploreCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  view: async () => (await import('./commands/view.js')).viewCommand,
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  // `mpkv help run` is `mpkv run --help`.
  const [name, ...rest] = argv[0] === 'help' && argv.length > 1 ? [argv[1]!, '--help'] : argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`mpkv ${version()}`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    io.stderr(`mpkv: unknown command ${JSON.stringify(name)} (expected run, check, explore, verify or view; see mpkv --help)`);
    return 2;
  }
  // The dashboard's UI library takes longest to load: start on it while the command loads.
  if (name === 'run' && io === processIo && rest[0] !== undefined && process.stdout.isTTY && !rest.some((a) => ['--plain', '--json', '-h', '--help'].includes(a))) {
    holdKeystrokes();
    import('./commands/dashboard.js').catch(() => undefined);
  }
  try {
    return await (await load())(joinNegativeValues(rest), io);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof UsageError) {
      io.stderr(`mpkv ${name}: ${e.message}`);
      return 2;
    }
    if (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`mpkv ${name}: ${e.message.split('\n')[0]} (see mpkv ${name} --help)`);
      return 2;
    }
    throw e;
  }
}

/** mpkv's version, from its package.json (two folders up from dist/src/cli.js, which runs). */
function version(): string {
  const file = fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** `--seed -1` as `--seed=-1`, so a negative number is judged as a value ("expected an
 *  integer >= 0"), not mistaken for an unknown flag. */
function joinNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (/^--[a-z-]+$/.test(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

const isEntry = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').slice(-3).join('/'));
if (isEntry || process.argv[1]?.endsWith('/mpkv') || process.argv[1]?.endsWith('cli.js')) {
  watchStdout();
  main(process.argv.slice(2)).then(
    (code) => {
      flushStdout();
      process.exitCode = code;
    },
    (e: unknown) => {
      flushStdout();
      process.stderr.write(`mpkv: internal error: ${printable(e instanceof Error ? e.message : String(e))}\n`);
      if (process.env.MPKV_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 70;
    },
  );
}
