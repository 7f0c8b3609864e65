/**
 * The property itself: the correct protocol passes a few hundred random schedules on every
 * config in configs/ and configs/mutants/ (with no mutant on), each schedule within the
 * config's [faults] budget and healed afterwards. A long search: `npm run test:long`;
 * `npm run explore:long` explores 5,000 schedules per config.
 */
import test from 'ava';
import { readdirSync } from 'node:fs';
import { emulationOf, loadConfig } from '../../src/emulations/index.js';
import { explore, failureReport } from '../../src/explore/explore.js';

/** Schedules per config; MPKV_EXPLORE_RUNS raises it (`npm run explore:long`). */
const RUNS = Number(process.env.MPKV_EXPLORE_RUNS ?? 300);
const SEED = Number(process.env.MPKV_EXPLORE_SEED ?? 20240601);

const configFiles = (): string[] => [
  ...readdirSync('configs').filter((f) => f.endsWith('.toml')).map((f) => `configs/${f}`),
  ...readdirSync('configs/mutants').filter((f) => f.endsWith('.toml')).map((f) => `configs/mutants/${f}`),
];

/** Configs explored at a smaller size (the load config: 1,000 clients is one run, not 300). */
const SCALED: Readonly<Record<string, { clients: number; requests: number }>> = { 'configs/load.toml': { clients: 12, requests: 5 } };

for (const file of configFiles()) {
  test(`explore: the correct protocol passes ${RUNS} random schedules on ${file}`, (t) => {
    const config = loadConfig(file, SCALED[file] ?? {});
    const outcome = explore(emulationOf(config), config, { runs: RUNS, seed: SEED });
    if (outcome.failure) t.fail([`violation on ${file} (seed ${SEED}):`, ...failureReport(outcome.failure)].join('\n'));
    else t.is(outcome.runs, RUNS);
    t.true(outcome.faults > RUNS, `schedules inject faults (${outcome.faults} in ${RUNS} runs)`);
  });
}

