/**
 * What `mpkv verify` explores, pinned, as Stateright's tests pin `unique_state_count`: a search
 * that silently stops exploring (a lost step, a wrong fingerprint, a reduction that prunes too
 * much) changes a count and fails here. For every config of configs/verify/, on the correct
 * protocol, at the config's own bound: the distinct states, the depth reached and whether the
 * space was exhausted, with the reduction (sleep sets and no-op deliveries left out) and without
 * it (`--no-reduction`). Sleep sets alone must find exactly the states of the full search (they
 * save transitions, not states: src/verify/reduction.ts).
 *
 * And the reduction is sound on every built-in mutant verify catches (every emulation's
 * `verifyGrounds`): the same verdict, at the same depth of the first violation, with and
 * without it — the counterexample found with the reduction is a shortest one.
 */
import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../src/emulations/api/emulation.js';
import { EMULATIONS, emulationOf, loadConfig } from '../src/emulations/index.js';
import { search, type SearchOutcome } from '../src/verify/search.js';
import { repoRoot } from './harness.js';

interface Count {
  readonly distinct: number;
  readonly depth: number;
  readonly exhausted: boolean;
}

/** Per config: with the reduction, and without it. (Regenerate after a deliberate change to a
 *  config or to what a state is, and say why in the commit.) */
const pinned: Record<string, { readonly reduced: Count; readonly full: Count }> = {
  'acceptor-restart.toml': { reduced: { distinct: 30_983, depth: 12, exhausted: false }, full: { distinct: 52_568, depth: 12, exhausted: false } },
  'catch-up-liveness.toml': { reduced: { distinct: 24, depth: 7, exhausted: true }, full: { distinct: 24, depth: 7, exhausted: true } },
  'duplicates.toml': { reduced: { distinct: 889, depth: 14, exhausted: true }, full: { distinct: 1_435, depth: 17, exhausted: true } },
  'leader-restart-one-client.toml': { reduced: { distinct: 26_214, depth: 24, exhausted: true }, full: { distinct: 89_171, depth: 28, exhausted: true } },
  'leader-restart.toml': { reduced: { distinct: 78_474, depth: 15, exhausted: false }, full: { distinct: 120_931, depth: 15, exhausted: false } },
  'max-sync.toml': { reduced: { distinct: 1_076, depth: 10, exhausted: true }, full: { distinct: 1_484, depth: 10, exhausted: true } },
  'preemption-liveness.toml': { reduced: { distinct: 57, depth: 10, exhausted: true }, full: { distinct: 63, depth: 11, exhausted: true } },
  'raft-election.toml': { reduced: { distinct: 33_382, depth: 9, exhausted: false }, full: { distinct: 48_006, depth: 9, exhausted: false } },
  'raft-figure8.toml': { reduced: { distinct: 41_150, depth: 14, exhausted: false }, full: { distinct: 65_272, depth: 14, exhausted: false } },
  'raft-restart.toml': { reduced: { distinct: 35_158, depth: 10, exhausted: false }, full: { distinct: 68_056, depth: 10, exhausted: false } },
  'raft-truncate.toml': { reduced: { distinct: 52_588, depth: 9, exhausted: false }, full: { distinct: 72_864, depth: 9, exhausted: false } },
  'retry-liveness.toml': { reduced: { distinct: 21, depth: 6, exhausted: true }, full: { distinct: 21, depth: 6, exhausted: true } },
  'stale-read.toml': { reduced: { distinct: 45_188, depth: 20, exhausted: false }, full: { distinct: 91_446, depth: 20, exhausted: false } },
  'two-leaders.toml': { reduced: { distinct: 50_687, depth: 14, exhausted: false }, full: { distinct: 62_376, depth: 14, exhausted: false } },
};

const configFiles = readdirSync(join(repoRoot, 'configs/verify')).filter((f) => f.endsWith('.toml'));
const countOf = (o: SearchOutcome): Count => ({ distinct: o.distinct, depth: o.depth, exhausted: o.exhausted });

test('verify counts: every config of configs/verify/ has its counts pinned', (t) => {
  t.deepEqual(Object.keys(pinned).sort(), [...configFiles].sort());
});

for (const file of configFiles) {
  test(`verify counts: ${file} explores the pinned states, with the reduction and without`, (t) => {
    const config = loadConfig(join(repoRoot, 'configs/verify', file));
    const emulation = emulationOf(config);
    const reduced = search(emulation, config);
    const full = search(emulation, config, { reduction: false });
    for (const outcome of [reduced, full]) {
      t.is(outcome.violation, undefined, outcome.violation?.verdicts.map((v) => `${v.name}: ${v.detail}`).join('\n'));
      t.is(outcome.cut, undefined);
    }
    t.deepEqual({ reduced: countOf(reduced), full: countOf(full) }, pinned[file]);
    t.true(reduced.explored < full.explored, 'the reduction takes fewer transitions');
    const sleepOnly = search(emulation, config, { prune: false });
    t.is(sleepOnly.distinct, full.distinct, 'sleep sets alone reach every state of the full search');
    t.is(sleepOnly.depth, full.depth);
    t.true(sleepOnly.explored <= full.explored);
  });
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
