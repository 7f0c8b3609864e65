/**
 * The two test suites: `npm test` (ava.config.js) runs every test file but the long searches,
 * which live in test/long/ and run with `npm run test:long` (ava.long.config.js); CI runs both
 * and counts both. Every test file belongs to exactly one suite. The browser the browser tests
 * drive comes with `npm ci`, not from the system.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundledRuns, findChromium } from './chromium.js';
import { repoRoot } from './harness.js';

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

test('suites: CI runs both suites and its closing line counts both', (t) => {
  const ci = readFileSync(path.join(repoRoot, '.ci/run'), 'utf8');
  t.regex(ci, /^npm test 2>&1 \| tee "\$log"$/m);
  t.regex(ci, /^npm run test:long 2>&1 \| tee -a "\$log"$/m);
  t.regex(ci, /echo "\$\{passed\} passed, \$\{failed\} failed/);
  t.notRegex(ci, /apt-get/, 'no system package: the browser comes with npm ci');
});

/** Only where the package's binary runs (Linux x64) and no other browser is asked for. */
const whereBundled = bundledRuns && !process.env.MPKV_CHROMIUM ? test : test.skip;

whereBundled('suites: the browser tests drive the Chromium npm ci installed, not a system one', async (t) => {
  const chromium = await findChromium();
  t.regex(chromium?.source ?? 'none', /^@sparticuz\/chromium \d+\.\d+\.\d+, unpacked in /);
  t.true(chromium!.executablePath.startsWith(path.join(tmpdir(), 'mpkv-chromium-')), chromium!.executablePath);
});
