/**
 * The correct protocol has no violation in any config of configs/verify/, explored to depth 9
 * (the full bounds run in `npm run bench -- verify`). A long search: `npm run test:long`.
 */
import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { emulationOf, loadConfig } from '../../src/emulations/index.js';
import { search } from '../../src/verify/search.js';
import { repoRoot } from '../harness.js';

const verifyConfigs = readdirSync(join(repoRoot, 'configs/verify'))
  .filter((f) => f.endsWith('.toml'))
  .map((f) => `configs/verify/${f}`);

for (const config of verifyConfigs) {
  test(`verify: the correct protocol has no violation in ${config} to depth 9`, (t) => {
    const base = loadConfig(config);
    const outcome = search(emulationOf(base), { ...base, verify: { ...base.verify, max_depth: 9 } });
    t.is(outcome.violation, undefined, outcome.violation?.verdicts.map((v) => `${v.name}: ${v.detail}`).join('\n'));
    t.is(outcome.cut, undefined);
    t.true(outcome.distinct > 1);
  });
}

