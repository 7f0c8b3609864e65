/**
 * Golden traces: the plain output of `mpkv run` for every config in configs/ and a few seeds,
 * byte for byte, and a digest of the full JSON trace (every send, delivery and timer). A
 * refactor must leave them unchanged. When a change is meant to change them, regenerate on
 * purpose with `npm run golden:update` and review the diff.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../src/cli.js';
import { repoRoot } from './harness.js';

const SEEDS = [1, 2, 3];
const goldenDir = path.join(repoRoot, 'test/golden');
const update = process.env.MPKV_UPDATE_GOLDEN === '1';

/** Configs too large for a readable golden trace, and the size they are traced at here (the
 *  bench measures them at full size; test/load.test.ts runs them in full). */
const SCALED: Readonly<Record<string, readonly string[]>> = { 'configs/load.toml': ['--clients', '20', '--requests', '10'] };

const configs = ['configs', 'configs/mutants'].flatMap((folder) =>
  readdirSync(path.join(repoRoot, folder))
    .filter((f) => f.endsWith('.toml'))
    .map((f) => `${folder}/${f}`),
);

async function output(args: string[]): Promise<string> {
  const lines: string[] = [];
  await main(args, { stdout: (l) => lines.push(l), stderr: (l) => lines.push(`stderr: ${l}`) });
  return `${lines.join('\n')}\n`;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

for (const config of configs) {
  for (const seed of SEEDS) {
    const name = `${config.replace(/^configs\//, '').replace(/\//g, '_').replace(/\.toml$/, '')}.seed${seed}`;
    test(`golden: ${config} --seed ${seed}`, async (t) => {
      const scaled = SCALED[config] ?? [];
      const plain = await output(['run', config, '--seed', String(seed), ...scaled, '--plain']);
      const json = await output(['run', config, '--seed', String(seed), ...scaled, '--json']);
      const actual = { plain, trace_sha256: sha256(json) };
      const file = path.join(goldenDir, `${name}.txt`);
      const digestFile = path.join(goldenDir, `${name}.sha256`);
      if (update) {
        mkdirSync(goldenDir, { recursive: true });
        writeFileSync(file, actual.plain);
        writeFileSync(digestFile, `${actual.trace_sha256}\n`);
        t.pass();
        return;
      }
      t.true(existsSync(file), `${file} is missing: run npm run golden:update`);
      t.is(actual.plain, readFileSync(file, 'utf8'), `plain trace of ${config} seed ${seed} changed`);
      t.is(actual.trace_sha256, readFileSync(digestFile, 'utf8').trim(), `JSON trace of ${config} seed ${seed} changed`);
    });
  }
}
