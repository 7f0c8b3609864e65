/**
 * The README's side-by-side table of Raft and MultiPaxos is what the runs give: the same kv
 * workload on the same network, messages per request and the requests' latency in virtual time,
 * read off each run's trace the same way (bench/consensus.ts, `npm run bench -- consensus`).
 * Virtual time makes the figures exact, so the README states them to the digit; a change to
 * either protocol that moves them fails here, with the new table to paste.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sideBySideTable } from '../bench/consensus.js';
import { emulationOf, parseConfig } from '../src/emulations/index.js';
import { notOk, repoRoot } from './harness.js';

test('README: the side-by-side table of Raft and MultiPaxos is what the runs give', (t) => {
  const expected = sideBySideTable(
    (toml) => {
      const config = parseConfig(toml, 'side-by-side');
      return { emulation: emulationOf(config), config };
    },
    (row, result) => t.deepEqual(notOk(result), [], row.cluster),
  );
  t.log(`\n${expected}`);
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  t.true(readme.includes(expected), `the README's table differs from the runs; it should read:\n${expected}`);
});
