/**
 * The headless Chromium that the browser tests (test/browser.test.ts) and the view bench
 * drive through puppeteer-core — found with nothing installed but what `npm ci` installs.
 *
 * Where it comes from: the devDependency `@sparticuz/chromium` ships a headless Chromium for
 * Linux x64 inside its npm package (brotli-compressed: no download at install or run time),
 * with the few system libraries a bare machine may lack (NSS, NSPR, expat: its "al2023" set)
 * and a font. It is unpacked once per version into `<tmpdir>/mpkv-chromium-<version>/`, whole
 * or not at all: into a directory beside it, which is then renamed into place (two processes
 * unpacking at once both succeed; one rename wins). The package unpacks into the system's
 * temporary directory, read from TMPDIR at each call, so TMPDIR points it at ours while it
 * works; and it unpacks its libraries only where it believes it runs on AWS Lambda, which
 * AWS_LAMBDA_JS_RUNTIME says to it. Both are set for that call only.
 *
 * MPKV_CHROMIUM=path drives another Chromium or Chrome instead. On another system than Linux
 * x64 the package's binary cannot run: there MPKV_CHROMIUM, or a Chrome/Chromium in a usual
 * place, is used; `browserMissing` says what to do when there is none.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';

/** How to start the browser: its binary, and what its environment needs besides ours. */
export interface ChromiumBinary {
  readonly executablePath: string;
  readonly env: Readonly<Record<string, string>>;
  /** Where it came from, for a test's log. */
  readonly source: string;
}

/** Usual places of a Chrome or Chromium installed by the system (Debian, Fedora, macOS). */
const SYSTEM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];

/** Can the npm package's binary run here? It is built for Linux on x64. */
export const bundledRuns = process.platform === 'linux' && process.arch === 'x64';

/** The browser to drive, or undefined when there is none (see `browserMissing`). */
export async function findChromium(): Promise<ChromiumBinary | undefined> {
  const chosen = process.env.MPKV_CHROMIUM;
  if (chosen) return { executablePath: chosen, env: {}, source: `MPKV_CHROMIUM=${chosen}` };
  if (bundledRuns) return unpackBundled();
  const system = SYSTEM.find((p) => existsSync(p));
  return system === undefined ? undefined : { executablePath: system, env: {}, source: system };
}

/** One line: why no browser test can run here, and how to run them. */
export const browserMissing = (): string =>
  `no browser: the Chromium that npm ci installs runs on Linux x64 only (this is ${process.platform}/${process.arch}); ` +
  'run the browser tests with MPKV_CHROMIUM=/path/to/chrome npm test';

/** The package's Chromium, unpacked (once per version) into a directory of ours. */
async function unpackBundled(): Promise<ChromiumBinary> {
  const require = createRequire(import.meta.url);
  // build/cjs/index.cjs, two folders below the package's root (its exports name no package.json)
  const root = path.resolve(path.dirname(require.resolve('@sparticuz/chromium')), '../..');
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = path.join(tmpdir(), `mpkv-chromium-${version}`);
  if (!existsSync(path.join(dir, 'chromium'))) await unpackInto(dir);
  return {
    executablePath: path.join(dir, 'chromium'),
    env: { LD_LIBRARY_PATH: [path.join(dir, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), FONTCONFIG_FILE: fontsConf(dir) },
    source: `@sparticuz/chromium ${version}, unpacked in ${dir}`,
  };
}

async function unpackInto(dir: string): Promise<void> {
  const staging = mkdtempSync(`${dir}.partial-`);
  const saved = { TMPDIR: process.env.TMPDIR, AWS_LAMBDA_JS_RUNTIME: process.env.AWS_LAMBDA_JS_RUNTIME };
  try {
    process.env.TMPDIR = staging;
    process.env.AWS_LAMBDA_JS_RUNTIME = 'nodejs20.x';
    const { default: chromium } = await import('@sparticuz/chromium');
    await chromium.executablePath();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  try {
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(path.join(dir, 'chromium'))) throw error; // not another process's win
  }
}

/** A font configuration naming the package's font and the system's (the package's own file
 *  names a fixed directory under /tmp). */
function fontsConf(dir: string): string {
  const file = path.join(dir, 'fonts-mpkv.conf');
  if (!existsSync(file)) {
    const dirs = [path.join(dir, 'fonts'), '/usr/share/fonts', '/usr/local/share/fonts'].map((d) => `  <dir>${d}</dir>`).join('\n');
    writeFileSync(`${file}.${process.pid}`, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n${dirs}\n  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`);
    renameSync(`${file}.${process.pid}`, file);
  }
  return file;
}

/** Starts the browser headless, with a profile directory of its own. */
export async function launchChromium(binary: ChromiumBinary, profile: string): Promise<Browser> {
  const { default: puppeteer } = await import('puppeteer-core');
  return puppeteer.launch({
    executablePath: binary.executablePath,
    headless: binary.source.startsWith('@sparticuz') ? 'shell' : true,
    userDataDir: profile,
    env: { ...process.env, ...binary.env } as Record<string, string>,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
