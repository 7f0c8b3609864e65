/**
 * What `mpkv verify` explores, pinned, as Stateright's tests pin `unique_state_count`: a search
 * that silently stops exploring (a lost step, a wrong fingerprint, a reduction that prunes too
 * much) changes a count and fails here. For every config of configs/verify/, on the correct
 * protocol, at the config's own bound: the distinct states, the depth reached and whether the
 * space was exhausted, with the reduction (sleep sets, no-op deliveries left out, dead messages
 * taken out of flight) and without it (`--no-reduction`). Sleep sets alone must find exactly
 * the states of the full search (they save transitions, not states: src/verify/reduction.ts).
 *
 * The spaces too big for `npm test` (two-leaders, smr-small: millions of states) are searched by
 * test/long/verify-counts.test.ts against the same table (./verify-pins.ts).
 *
 * And the reduction is sound on every built-in mutant verify catches (every emulation's
 * `verifyGrounds`): the same verdict, at the same depth of the first violation, with and
 * without it — the counterexample found with the reduction is a shortest one.
 */
import test from 'ava';
import { join } from 'node:path';
import type { Config } from '../src/emulations/api/emulation.js';
import { EMULATIONS, loadConfig } from '../src/emulations/index.js';
import { search } from '../src/verify/search.js';
import { repoRoot } from './harness.js';
import { checkPinned, configFiles, isLong, pinned } from './verify-pins.js';

test('verify counts: every config of configs/verify/ has its counts pinned', (t) => {
  t.deepEqual(Object.keys(pinned).sort(), [...configFiles].sort());
});

for (const file of configFiles.filter((f) => !isLong(f))) {
  test(`verify counts: ${file} explores the pinned states, with the reduction and without`, (t) => checkPinned(t, file));
}

const grounds = EMULATIONS.flatMap((emulation) => Object.entries(emulation.bench?.verifyGrounds ?? {}).map(([mutant, file]) => ({ emulation, mutant, file })));

test('verify counts: the mutants of MultiPaxos, Raft and max_sync all have verify grounds', (t) => {
  const named = new Set(grounds.map((g) => g.emulation.name));
  for (const name of ['multipaxos', 'raft', 'max_sync']) t.true(named.has(name), name);
});

for (const { emulation, mutant, file } of grounds) {
  test(`verify counts: ${emulation.name}/${mutant}: the same verdict and shortest depth with the reduction and without`, (t) => {
    const base = loadConfig(join(repoRoot, file));
    const config: Config = { ...base, mutants: { enable: [mutant] } };
    const reduced = search(emulation, config);
    if (!reduced.violation) return t.fail(`${mutant} not caught on ${file} with the reduction`);
    const depth = reduced.violation.depth;
    // Without the reduction, to the same depth: caught there too, and not before (breadth first).
    const full = search(emulation, { ...config, verify: { ...config.verify, max_depth: depth } }, { reduction: false });
    if (!full.violation) return t.fail(`${mutant}: caught at depth ${depth} with the reduction, not within it without`);
    t.is(full.violation.depth, depth, 'the counterexample found with the reduction is a shortest one');
    t.log(`${emulation.name}/${mutant}: depth ${depth}; ${reduced.distinct} distinct states with the reduction, ${full.distinct} without`);
  });
}
