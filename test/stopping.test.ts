/**
 * The long commands, stopped as a person stops them: `mpkv explore` and `mpkv verify` on a
 * search far longer than the test, in a real process. A Ctrl-C (SIGINT) ends them with the
 * summary of what they explored so far, exit 3 (the search did not cover its bound), nothing
 * on stderr and no replay file; a reader that goes away (`| head`) ends them quietly, exit 0.
 * Each test waits for the command to say it is searching before stopping it.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { configPath, repoRoot, testDir } from './harness.js';

const cli = path.join(repoRoot, 'dist/src/cli.js');

/** A search no test waits for: explore a million schedules; verify two leaders 40 events deep. */
const LONG = {
  explore: ['explore', configPath('default.toml'), '--runs', '1000000', '--seed', '7'],
  verify: ['verify', configPath('verify/two-leaders.toml'), '--max-depth', '40', '--max-states', '20000000'],
} as const;

/** The line each prints once its search is under way. */
const SEARCHING = { explore: /^budget: /m, verify: /^depth {3}1: /m } as const;

interface Ended {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs mpkv in `cwd`; once stdout matches `ready`, `act` is called with the child. */
function runUntil(cwd: string, args: readonly string[], ready: RegExp, act: (child: ReturnType<typeof spawn>) => void): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let acted = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!acted && ready.test(stdout)) {
        acted = true;
        act(child);
      }
    });
    child.stdout.on('error', () => undefined); // closed on purpose by a test
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

for (const command of ['explore', 'verify'] as const) {
  test(`${command}: Ctrl-C prints the summary so far and exits 3, nothing on stderr, no replay file`, async (t) => {
    t.timeout(120_000, 'a search that does not stop on Ctrl-C runs far longer than this');
    const cwd = testDir(t, `mpkv-sigint-${command}-`);
    // Once searching, give it a moment of work, then Ctrl-C.
    const ended = await runUntil(cwd, LONG[command], SEARCHING[command], (child) => setTimeout(() => child.kill('SIGINT'), 500));
    t.is(ended.signal, null, 'it handled the signal, and was not killed by it');
    t.is(ended.status, 3, ended.stdout.slice(-500));
    t.is(ended.stderr, '');
    const last = ended.stdout.trimEnd().split('\n');
    if (command === 'explore') {
      t.regex(last.at(-1)!, /^unknown: interrupted \(Ctrl-C\) after \d+ of 1000000 schedule\(s\): no violation so far, \d+ fault\(s\) injected, [\d.]+s \([\d.]+ schedules\/s\)$/);
    } else {
      t.regex(last.at(-3)!, /^unknown: no violation among [\d,]+ transitions, [\d,]+ distinct states explored, but the search stopped at depth \d+ of 40: interrupted \(Ctrl-C\)$/);
      t.regex(last.at(-2)!, /^ {2}[\d.]+s, [\d,]+ distinct states\/s$/);
      t.regex(last.at(-1)!, /^ {2}fingerprint collision probability: about [\d.]+e-\d+ /);
    }
    t.deepEqual(readdirSync(cwd), [], 'no replay file');
  });

  test(`${command}: piped into a reader that goes away (| head), it ends quietly with exit 0`, async (t) => {
    t.timeout(120_000, 'a search that does not notice its reader is gone runs far longer than this');
    const cwd = testDir(t, `mpkv-head-${command}-`);
    // Like `| head -1`: the reader takes the first line and closes the pipe.
    const ended = await runUntil(cwd, LONG[command], /\n/, (child) => child.stdout!.destroy());
    t.is(ended.signal, null);
    t.is(ended.status, 0);
    t.is(ended.stderr, '', 'no EPIPE, no stack trace');
    t.regex(ended.stdout, new RegExp(`^mpkv ${command} `));
  });
}

test('verify: Ctrl-C during the liveness pass stops it: liveness unknown, interrupted, exit 3, no replay file', async (t) => {
  t.timeout(120_000, 'a liveness pass that does not stop on Ctrl-C runs far longer than this');
  const cwd = testDir(t, 'mpkv-sigint-liveness-');
  const args = ['verify', configPath('verify/two-leaders.toml'), '--max-depth', '4', '--liveness-states', '20000000'];
  const ended = await runUntil(cwd, args, /^liveness: weak fairness/m, (child) => setTimeout(() => child.kill('SIGINT'), 500));
  t.is(ended.signal, null);
  t.is(ended.status, 3, ended.stdout.slice(-500));
  t.is(ended.stderr, '');
  const last = ended.stdout.trimEnd().split('\n');
  t.regex(last.at(-2)!, /^liveness unknown: the graph was cut: interrupted \(Ctrl-C\) after [\d,]+ state\(s\) expanded; no lasso among the states explored \([\d,]+ states, /);
  t.deepEqual(readdirSync(cwd), [], 'no replay file');
});
