/**
 * The README tells the truth about its shell examples: every command line of its ```sh blocks
 * is listed in test/readme-examples.ts with what the README claims it does, and each is run
 * (the long ones by test/long/readme.test.ts) and checked: its exit status, the lines it
 * prints, the files it writes. And `npx mpkv`, as the README writes it, is this checkout.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../src/emulations/api/emulation.js';
import { loadConfig } from '../src/emulations/index.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { startRun, type Run } from '../src/emulations/run.js';
import { explorationConfig, explore, scheduleOptions } from '../src/explore/explore.js';
import { SimDriver } from '../src/ui/driver.js';
import { StepRouter } from '../src/verify/replay.js';
import { search } from '../src/verify/search.js';
import { EXAMPLES, exampleTests, npmEnv, readmeCommands } from './readme-examples.js';
import { repoRoot } from './harness.js';

test('readme: every command of its sh blocks has an entry saying what it does, and every entry is in the README', (t) => {
  const commands = readmeCommands().map((c) => c.command);
  t.deepEqual(
    commands.filter((c) => !(c in EXAMPLES)),
    [],
    'README commands with no entry in test/readme-examples.ts',
  );
  t.deepEqual(
    Object.keys(EXAMPLES).filter((c) => !commands.includes(c)),
    [],
    'entries whose command is no longer in the README',
  );
});

test('readme: npx mpkv, run in the repository as the README does, is this checkout\'s mpkv', (t) => {
  const r = spawnSync('npx', ['mpkv', '--version'], { cwd: repoRoot, encoding: 'utf8', env: { ...npmEnv(), npm_config_offline: 'true' } });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /^mpkv \d+\.\d+\.\d+\n$/);
});

test('readme: the build leaves mpkv\'s command executable, so npx runs it even from an install npm cached before this build', (t) => {
  // A CI run failed this way: npm had cached the checkout's path from an earlier run, tsc wrote
  // dist/src/cli.js without the executable bit, and `npx mpkv` answered "Permission denied".
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  for (const bin of Object.values(pkg.bin)) {
    t.is(statSync(path.join(repoRoot, bin)).mode & 0o111, 0o111, `${bin} is executable`);
  }
});

exampleTests(false);

/** The dashboard's log, as `v` leaves it: the last lines up to the violation and one after. */
function logAtViolation(fresh: () => Run): Array<{ tone: string; text: string }> {
  const driver = new SimDriver(fresh(), { paused: true, rehearse: fresh });
  driver.jumpTo('violation'); // the v key
  driver.stepOne(); // n: the next line
  return driver.snapshot().log.map((l) => ({ tone: l.tone, text: l.text }));
}

test('readme: the dashboard\'s ▶ VIOLATION line is the one the README quotes, below the failing step\'s own line', (t) => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8').replace(/\n/g, ' ');
  const quoted = /`(\[t=\d+ check\] ▶ VIOLATION: [^`]+)`/.exec(readme)?.[1];
  t.truthy(quoted, 'the README quotes the line');
  const base = loadConfig('configs/mutants/two-leaders.toml');
  const config: Config = { ...base, mutants: { enable: ['quorum-too-small'] } };
  const schedule = explore(multipaxos, config, { runs: 50, seed: 1 }).failure!.schedule;
  const runConfig = explorationConfig(config, schedule.seed);
  const log = logAtViolation(() => startRun(multipaxos, runConfig, scheduleOptions(runConfig, schedule)));
  const at = log.findIndex((l) => l.text.includes('▶ VIOLATION'));
  t.is(log[at]!.text, quoted ?? 'no quoted line');
  t.is(log[at]!.tone, 'violation');
  t.regex(log[at - 1]!.text, /^\[t=6 leader 1\] LEADING with ballot 1\.1: /);
  t.is(log[at - 1]!.tone, 'violation', 'the failing step\'s own line, marked too');
});

test('readme: the violating step is drawn inverted above the ▶ VIOLATION line, and the earlier steps it names say ◀ named by <check>', (t) => {
  // An acceptor that promises below its promise: the step is a promise it only notes.
  const base = loadConfig('configs/verify/two-leaders.toml');
  const config: Config = { ...base, mutants: { enable: ['acceptor-promises-lower-ballot'] } };
  const steps = search(multipaxos, config).violation!.steps;
  const log = logAtViolation(() => startRun(multipaxos, config, { router: new StepRouter(multipaxos, config, steps) }));
  const at = log.findIndex((l) => l.text.includes('▶ VIOLATION'));
  t.regex(log[at]!.text, /^\[t=\d+ check\] ▶ VIOLATION: promises-kept first failed here .*: acceptor 1 promised ballot 1\.1 at t=\d+, below ballot 1\.2/);
  t.regex(log[at - 1]!.text, /^\[t=\d+ acceptor 1\] PROMISE ballot 1\.1 /);
  t.is(log[at - 1]!.tone, 'violation');
  const named = log.filter((l) => l.text.endsWith('◀ named by promises-kept'));
  t.is(named.length, 1);
  t.regex(named[0]!.text, /^\[t=\d+ acceptor 1\] PROMISE ballot 1\.2 /);
});
