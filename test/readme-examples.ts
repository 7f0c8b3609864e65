/**
 * The README's shell examples, as the tests run them (test/readme.test.ts; the long ones in
 * test/long/readme.test.ts). Every command line of every ```sh block of README.md has an entry
 * here saying what the README claims it does — its exit status and the lines it prints — and
 * a test compares the two lists, so that an example added, changed or removed without its
 * entry fails.
 *
 * How they run: each block in a directory of its own, in order (a block's later commands read
 * the files its earlier ones wrote), holding links to the repository's configs/ and test/ (the
 * README's paths are relative to the checkout). `npx mpkv` is this checkout's command
 * (dist/src/cli.js; test/readme.test.ts checks that `npx mpkv` resolves to it); any other
 * command runs in bash as written, `/path/to/mpkv` being the checkout, with npm's global
 * prefix in a directory of the test's own (`npm install -g` installs there, offline).
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, tempDir } from './harness.js';

/** What the README claims of one command line. */
export interface Example {
  /** Its exit status, and lines its stdout must hold (each a regex, multiline). */
  readonly status?: number;
  readonly prints?: readonly RegExp[];
  /** Files it leaves in its directory. */
  readonly writes?: readonly string[];
  /** Part of `npm run test:long`. */
  readonly long?: boolean;
  /** Run only this part of the line (what precedes it cannot run inside a test), or not at
   *  all: why. */
  readonly runs?: string;
  readonly notRun?: string;
}

export const EXAMPLES: Readonly<Record<string, Example>> = {
  // The quick start.
  'npm ci && npx mpkv run configs/default.toml': {
    runs: 'npx mpkv run configs/default.toml', // npm ci has run: this suite runs in what it installed
    status: 0,
    prints: [/^\[t=0 leader 1\] PREPARE ballot 1\.1 from slot 0 -> acceptor 1, acceptor 2, acceptor 3$/, /^requests completed: 15\/15$/, /^all checks passed$/],
  },
  'npm ci && npm test': { notRun: 'the default suite itself' },
  'npm run test:long': { notRun: 'the long suite itself (.ci/run runs both)' },
  // From outside the repository.
  'npx --prefix /path/to/mpkv mpkv run my.toml': { status: 0, prints: [/^mpkv run my\.toml: multipaxos, seed 1$/, /^all checks passed$/] },
  'npm install -g /path/to/mpkv': { status: 0, long: true },
  'mpkv run my.toml': { status: 0, prints: [/^all checks passed$/], long: true },
  // mpkv view.
  'npx mpkv run configs/two-leaders.toml --trace-json run.jsonl': { status: 0, prints: [/^wrote run\.jsonl$/, /^all checks passed$/], writes: ['run.jsonl'] },
  'npx mpkv view run.jsonl -o run.html': { status: 0, prints: [/^wrote run\.html: \d+ messages, t=0\.\.\d+ ms$/], writes: ['run.html'] },
  // mpkv check.
  'npx mpkv run configs/two-leaders.toml --history h.jsonl': { status: 0, prints: [/^wrote h\.jsonl$/], writes: ['h.jsonl'] },
  'npx mpkv check h.jsonl --model kv': { status: 0, prints: [/linearizable/] },
  'npx mpkv check test/fixtures/porcupine/jepsen/etcd_002.log --model register': { status: 0, prints: [/linearizable/] },
  // mpkv explore.
  'npx mpkv explore configs/default.toml --runs 1000 --seed 1': { status: 0, prints: [/^ok: 1000 schedule\(s\) passed, \d+ fault\(s\) injected/], long: true },
  'npx mpkv explore configs/mutants/two-leaders.toml --mutant quorum-too-small --seed 1': {
    status: 1,
    prints: [
      /^failed checks:$/,
      /^ {2}quorum-backed: leader 1 started Phase 2 under ballot 1\.1 at t=6 on 1 promise\(s\) \(acceptor 1\); a quorum of 3 acceptors is 2 \[first failed at t=6\]$/,
      /^minimal schedule \(run seed \d+\); the violation happened at t=\d+ \(quorum-backed\):$/,
      /^replay file: two-leaders-quorum-too-small\.explore\.replay\.json$/,
    ],
    writes: ['two-leaders-quorum-too-small.explore.replay.json'],
  },
  // Liveness in explore.
  'npx mpkv explore configs/two-leaders.toml --mutant leader-never-prepares-again --seed 1': {
    status: 1,
    prints: [
      /^liveness: once the faults heal, nothing may stay hot longer than 5560 ms \(the default: 4 x \(workload\.timeout_ms 300 \+ paxos\.backoff_max_ms 640 \+ paxos\.retry_ms 50 \+ 3 x paxos\.catch_up_ms 100 \+ 10 x network\.delay_max_ms 10\) = 5560 ms\)$/,
      /^failed checks:$/,
      /^ {2}liveness: client 1's request 1 \(DELETE "e"\) still unanswered at t=5600: hot for 5600 ms since it arose at t=0 \(the run had no fault\), longer than the bound of 5560 ms \(the default: 4 x \(.*\) = 5560 ms\) of healed virtual time, in which every step is fair \(898 router step\(s\) since it arose; no message lost or held back, no node down\); 1 other obligation\(s\) hot too \[first failed at t=5600\]$/,
      /^replay file: two-leaders-leader-never-prepares-again\.explore\.replay\.json$/,
    ],
    writes: ['two-leaders-leader-never-prepares-again.explore.replay.json'],
  },
  'npx mpkv run configs/two-leaders.toml --replay two-leaders-leader-never-prepares-again.explore.replay.json': {
    status: 1,
    prints: [/^\[t=5600 sim\] END \(halted\)$/, /^ {2}convergence +unknown +not judged: the run was stopped at t=5600, where liveness failed/, /^ {2}liveness +FAIL +client 1's request 1 \(DELETE "e"\) still unanswered at t=5600: hot for 5600 ms/],
  },
  'npx mpkv explore --list-mutants': { status: 0, prints: [/^multipaxos:$/, /^ {2}quorum-too-small +a quorum is any single acceptor instead of a majority$/, /^max_sync:$/] },
  // mpkv verify.
  'npx mpkv verify configs/verify/two-leaders.toml': {
    status: 0,
    prints: [
      /^ok: no violation within depth 30: .*458,777 distinct states; the whole space within the budget was explored/,
      /^liveness ok: no lasso in the whole graph \(410,609 states, 3,012,384 edges, depth 44; /,
    ],
    long: true,
  },
  'npx mpkv verify configs/verify/leader-restart.toml --mutant leader-reuses-ballot-after-restart': {
    status: 1,
    prints: [/^VIOLATION at depth 14: a shortest counterexample/, /^ {2}one-value: /, /^replay file: leader-restart-leader-reuses-ballot-after-restart\.verify\.replay\.json$/],
    writes: ['leader-restart-leader-reuses-ballot-after-restart.verify.replay.json'],
    long: true,
  },
  'npx mpkv run configs/verify/leader-restart.toml --replay leader-restart-leader-reuses-ballot-after-restart.verify.replay.json': {
    status: 1,
    prints: [/, REPLAY of leader-restart-leader-reuses-ballot-after-restart\.verify\.replay\.json$/, /^ {2}one-value +FAIL /, /^ {2}convergence +unknown /, /^ {2}liveness +unknown /],
    long: true,
  },
  // Liveness in verify: lassos.
  'npx mpkv verify configs/verify/preemption-liveness.toml': {
    status: 0,
    prints: [/^ok: no violation within depth \d+: /, /^liveness: weak fairness on every delivery, restart and armed timer; .*sleep sets off for this pass \(they drop edges a cycle needs\); symmetry: none here/, /^liveness ok: no lasso in the whole graph /],
  },
  'npx mpkv verify configs/verify/preemption-liveness.toml --mutant leader-never-prepares-again': {
    status: 1,
    prints: [
      /^liveness FAIL: client 1's request 1 \(GET "a"\) still unanswered for ever: a lasso/,
      /^stem \(6 event\(s\) after boot\):$/,
      /^ {3}6\. timer backoff fires at leader 1$/,
      /^loop \(9 event\(s\)\), repeats from step 7 for ever:$/,
      /^ {2}15\. deliver client 1 -> leader 1: request 1 of client 1: GET "a"$/,
      /^ {2}\.\.\. back to step 7$/,
      /^replay file: preemption-liveness-leader-never-prepares-again\.verify\.replay\.json \(the loop marked: it starts at event 7\)$/,
    ],
    writes: ['preemption-liveness-leader-never-prepares-again.verify.replay.json'],
  },
  'npx mpkv run configs/verify/preemption-liveness.toml --replay preemption-liveness-leader-never-prepares-again.verify.replay.json': {
    status: 1,
    prints: [/^\[t=7 leader 1\] LOOP START \(liveness lasso\): events 7-15 \(9\) repeat for ever/, /^\[t=15 leader 1\] LOOP END: back to event 7/, /^ {2}liveness +FAIL +client 1's request 1 \(GET "a"\) still unanswered for ever/],
  },
  // The Raft emulation.
  'npx mpkv run configs/raft.toml': { status: 0, prints: [/^\[t=233 server 2\] LEADER of term 1 on the votes of server 2, server 1; log ends at index 0 \(term 0\)$/, /^all checks passed$/] },
  'npx mpkv run configs/raft-figure7.toml': {
    status: 0,
    prints: [/^\[t=\d+ server 7\] APPEND index 4-10 from server 2 \(term 8\), after deleting 8 conflicting entries from index 4$/, /^all checks passed$/],
  },
  'npx mpkv explore configs/mutants/raft-figure8.toml --strategy swarm --mutant commits-earlier-term-by-counting --seed 3': {
    status: 1,
    prints: [/^ {2}leader-completeness: server 3 became leader of term 4 at t=\d+ without index 1 \(term 1\), which server 1 committed in term 3 /, /^replay file: raft-figure8-commits-earlier-term-by-counting\.explore-swarm\.replay\.json$/],
    writes: ['raft-figure8-commits-earlier-term-by-counting.explore-swarm.replay.json'],
  },
  'npx mpkv verify configs/verify/raft-figure8.toml --mutant commits-earlier-term-by-counting': {
    status: 1,
    prints: [/^VIOLATION at depth 10: a shortest counterexample/, /^ {2}leader-completeness: server 3 became leader of term 4 at t=10 /],
    writes: ['raft-figure8-commits-earlier-term-by-counting.verify.replay.json'],
  },
  'npx mpkv verify configs/default.toml --max-states 20000': {
    status: 3,
    prints: [
      /^configs\/default\.toml has no \[verify\] table: mpkv verify applies its defaults/,
      /^ {2}max_depth = 30: paths of at most 30 events$/,
      /^warning: this scope is too big to exhaust: one run of it delivers 156 messages \(3 client\(s\) x 5 request\(s\), 9 nodes \(3 acceptors, 1 leader, 2 replicas, 3 clients\)\), more than a path of max_depth 30 events holds;$/,
      /^unknown: no violation among [\d,]+ transitions, 20,000 distinct states explored, but the search stopped at depth \d+ of 30: max_states \(20,000\) reached$/,
      /^ {2}fingerprint collision probability: about 2\.2e-11 \(n\^2 \/ 2\^64 for n = 20,000 distinct states, 63-bit fingerprints\)$/,
    ],
  },
  // The peer-sync max emulation.
  'npx mpkv run configs/max-sync.toml': { status: 0, prints: [/^\[t=\d+ server \d\] WRITE \d+ from client \d+ -> hold \d+ \(was \d+\)$/, /^\[t=\d+ server \d\] SYNC from server \d: \d+ > \d+ -> adopt \d+$/, /^all checks passed$/] },
  'npx mpkv explore configs/max-sync-lossy.toml --mutant server-without-disk --seed 1': { status: 1, prints: [/monotonicity/], writes: ['max-sync-lossy-server-without-disk.explore.replay.json'] },
};

/** One command line of a ```sh block: the line as written (its comment dropped). */
export interface ReadmeCommand {
  readonly block: number;
  /** The README's line number. */
  readonly line: number;
  readonly command: string;
}

/** Every command line of README.md's ```sh blocks, in order. */
export function readmeCommands(): ReadmeCommand[] {
  const lines = readFileSync(path.join(repoRoot, 'README.md'), 'utf8').split('\n');
  const commands: ReadmeCommand[] = [];
  let block = 0;
  let inside = false;
  lines.forEach((text, i) => {
    if (!inside && text.trim() === '```sh') {
      inside = true;
      block++;
    } else if (inside && text.trim() === '```') inside = false;
    else if (inside) {
      const command = text.replace(/\s+#.*$/, '').trim();
      if (command !== '') commands.push({ block, line: i + 1, command });
    }
  });
  return commands;
}

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const cli = path.join(repoRoot, 'dist/src/cli.js');

/** A directory for one block: links to the checkout's configs/ and test/, a config of one's own
 *  (`my.toml`, for the examples run from outside), and npm's global prefix. */
export function blockDir(root: string, block: number): string {
  const dir = path.join(root, `block-${block}`);
  mkdirSync(path.join(dir, '.npm-global'), { recursive: true });
  symlinkSync(path.join(repoRoot, 'configs'), path.join(dir, 'configs'));
  symlinkSync(path.join(repoRoot, 'test'), path.join(dir, 'test'));
  symlinkSync(path.join(repoRoot, 'configs/default.toml'), path.join(dir, 'my.toml'));
  return dir;
}

/**
 * npm as the tests run it: quiet, and running no package script. `npx mpkv` (even in the
 * checkout), `npx --prefix /path/to/mpkv` and `npm install -g /path/to/mpkv` install the
 * checkout (into npm's cache, or the test's prefix) and would run its `prepare` script — tsc,
 * rewriting dist/ in place while the tests beside this one load it (seen: worker threads that
 * found dist/src/explore/explore.js, then dist/specs/liveness.js, half written). The checkout
 * is built already, as it is for a reader who ran the quick start.
 */
export const npmEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_ignore_scripts: 'true',
});

/** Runs one example's command line in `dir` (a child process: the test's thread stays free). */
export function runExample(command: string, dir: string): Promise<Ran> {
  const env = { ...npmEnv(), CI: 'true' };
  const mpkv = /^npx mpkv (.*)$/.exec(command);
  const child = mpkv
    ? spawn(process.execPath, [cli, ...mpkv[1]!.split(/\s+/)], { cwd: dir, env })
    : spawn('bash', ['-c', command.replaceAll('/path/to/mpkv', repoRoot)], {
        cwd: dir,
        env: { ...env, npm_config_prefix: path.join(dir, '.npm-global'), npm_config_offline: 'true', PATH: `${path.join(dir, '.npm-global', 'bin')}:${process.env.PATH}` },
      });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Registers the examples of one suite (`long` or not), one test per block. */
export function exampleTests(long: boolean): void {
  const root = tempDir('mpkv-readme-');
  const blocks = new Map<number, ReturnType<typeof readmeCommands>>();
  for (const c of readmeCommands()) blocks.set(c.block, [...(blocks.get(c.block) ?? []), c]);
  for (const [block, commands] of blocks) {
    const mine = commands.filter((c) => EXAMPLES[c.command] && !EXAMPLES[c.command]!.notRun && Boolean(EXAMPLES[c.command]!.long) === long);
    if (mine.length === 0) continue;
    test(`readme: the example at README.md:${mine[0]!.line} does what the README says (${mine.map((c) => c.command.replace(/^npx mpkv /, '')).join('; ')})`, async (t) => {
      const dir = blockDir(root, block);
      for (const { command, line } of mine) {
        const example = EXAMPLES[command]!;
        const r = await runExample(example.runs ?? command, dir);
        const where = `README.md:${line}: ${command}\n${r.stdout.slice(-1500)}${r.stderr}`;
        if (example.status !== undefined) t.is(r.status, example.status, where);
        for (const printed of example.prints ?? []) t.regex(r.stdout, new RegExp(printed.source, 'm'), where);
        for (const file of example.writes ?? []) t.true(existsSync(path.join(dir, file)), `${file}: ${where}`);
      }
    });
  }
}

