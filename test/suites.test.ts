/**
 * The two test suites: `npm test` (ava.config.js) runs every test file but the long searches,
 * which live in test/long/ and run with `npm run test:long` (ava.long.config.js); CI runs both
 * and counts both (.ci/summarise, run here on made-up suite outputs). Every test file belongs to exactly one suite. The browser the browser tests
 * drive comes with `npm ci`, not from the system.
 */
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundledRuns, findChromium } from './chromium.js';
import { repoRoot, testDir } from './harness.js';

interface AvaConfig {
  readonly files: readonly string[];
}

const load = async (name: string): Promise<AvaConfig> => ((await import(pathToFileURL(path.join(repoRoot, name)).href)) as { default: AvaConfig }).default;

/** Every test file under test/, as a path from the repository's root. */
function testFiles(dir = 'test'): string[] {
  return readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'fixtures' || entry.name === 'golden' ? [] : testFiles(file);
    return file.endsWith('.test.ts') ? [file] : [];
  });
}

test('suites: npm test leaves test/long/ to npm run test:long; every test file is in exactly one suite', async (t) => {
  const quick = await load('ava.config.js');
  const long = await load('ava.long.config.js');
  t.deepEqual(quick.files, ['test/**/*.test.ts', '!test/long/**']);
  t.deepEqual(long.files, ['test/long/**/*.test.ts']);
  const files = testFiles();
  const inLong = files.filter((f) => f.startsWith('test/long/'));
  t.true(inLong.length >= 4, `the long searches: ${inLong.join(', ')}`);
  t.true(files.length - inLong.length > 30, 'the rest is the default suite');
  const scripts = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  t.is(scripts.test, 'ava');
  t.is(scripts['test:long'], 'ava --config ava.long.config.js');
});

test('suites: CI runs both suites, then .ci/summarise closes with both counted', (t) => {
  const ci = readFileSync(path.join(repoRoot, '.ci/run'), 'utf8');
  t.regex(ci, /^npm test 2>&1 \| tee "\$short_log"$/m);
  t.regex(ci, /^npm run test:long 2>&1 \| tee "\$long_log"$/m);
  t.regex(ci, /^bash \.ci\/summarise "\$short_log" "\$long_log" "\$status" "\$long_status"$/m);
  t.notRegex(ci, /apt-get/, 'no system package: the browser comes with npm ci');
});

/** ava's output for a suite: its list of tests, then (when some failed) its account of them. */
const avaLog = (lines: readonly string[], account: readonly string[] = []): string => ['', ...lines, '  ─', '', ...account, ''].join('\n');

/** Runs .ci/summarise on two suites' outputs and statuses. */
function summarise(t: ExecutionContext, short: string, long: string, statuses: readonly [number, number]) {
  const dir = testDir(t, 'mpkv-ci-summary-');
  writeFileSync(path.join(dir, 'short.log'), short);
  writeFileSync(path.join(dir, 'long.log'), long);
  const r = spawnSync('bash', [path.join(repoRoot, '.ci/summarise'), 'short.log', 'long.log', String(statuses[0]), String(statuses[1])], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, lines: r.stdout.trimEnd().split('\n') };
}

test('suites: when a test fails, CI repeats it and ava\'s account of it just before the closing line, and fails', (t) => {
  const short = avaLog(['  ✔ a › passes', '  ✘ [fail]: b › breaks Difference', '  - [skip] c › skipped'], ['  b › breaks', '  Difference (- actual, + expected):', '  - 1', '  + 2', '  ─', '  1 test failed']);
  const long = avaLog(['  ✔ long › passes (3s)', '    ℹ a log line of a passing test'], ['  1 test passed']);
  const { status, lines } = summarise(t, short, long, [1, 0]);
  t.is(status, 1);
  t.is(lines.at(-1), '2 passed, 1 failed, 1 skipped', 'both suites counted');
  t.deepEqual(lines.slice(0, 3), ['── what failed in npm test ──', '  ✘ [fail]: b › breaks Difference', '  ─']);
  t.true(lines.includes('  - 1') && lines.includes('  + 2'), 'ava\'s account of the failure is repeated');
  t.false(lines.some((l) => l.includes('test:long')), 'a suite that passed is not reported');
});

test('suites: a suite that exits non-zero without a failed test (ava crashed) counts as one failure', (t) => {
  const { status, lines } = summarise(t, avaLog(['  ✔ a › passes'], ['  1 test passed']), 'Error: ava could not start\n', [0, 1]);
  t.is(status, 1);
  t.is(lines.at(-1), '1 passed, 1 failed');
  t.true(lines.includes('── what failed in npm run test:long ──'));
});

test('suites: when both suites pass, CI closes with the count and succeeds', (t) => {
  const { status, lines } = summarise(t, avaLog(['  ✔ a › passes', '  ✔ b › passes']), avaLog(['  ✔ c › passes']), [0, 0]);
  t.is(status, 0);
  t.deepEqual(lines, ['3 passed, 0 failed']);
});

/** Only where the package's binary runs (Linux x64) and no other browser is asked for. */
const whereBundled = bundledRuns && !process.env.MPKV_CHROMIUM ? test : test.skip;

whereBundled('suites: the browser tests drive the Chromium npm ci installed, not a system one', async (t) => {
  const chromium = await findChromium();
  t.regex(chromium?.source ?? 'none', /^@sparticuz\/chromium \d+\.\d+\.\d+, unpacked in /);
  t.true(chromium!.executablePath.startsWith(path.join(tmpdir(), 'mpkv-chromium-')), chromium!.executablePath);
});
