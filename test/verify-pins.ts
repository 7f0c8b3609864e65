/**
 * The pinned counts of every config of configs/verify/ (test/verify-counts.test.ts, and
 * test/long/verify-counts.test.ts for the spaces too big for `npm test`), and the check that a
 * search finds them: on the correct protocol, at the config's own bound, with the reduction
 * (sleep sets, no-op deliveries left out, dead messages taken out of flight) and without it
 * (`--no-reduction`); sleep sets
 * alone must find exactly the states of the full search (they save transitions, not states:
 * src/verify/reduction.ts).
 */
import type { ExecutionContext } from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../src/emulations/api/emulation.js';
import { emulationOf, loadConfig } from '../src/emulations/index.js';
import { search, type SearchOutcome } from '../src/verify/search.js';
import { repoRoot } from './harness.js';

export interface Count {
  readonly distinct: number;
  readonly depth: number;
  readonly exhausted: boolean;
}

/**
 * Per config: with the reduction, and without it. (Regenerate after a deliberate change to a
 * config or to what a state is, and say why in the commit.) A space of millions of states is
 * compared with the full search to depth `compare` only (without the reduction, two-leaders
 * passes 6,000,000 states at depth 27): `full` is then that search's.
 */
export const pinned: Record<string, { readonly reduced: Count; readonly full: Count; readonly compare?: number }> = {
  'acceptor-restart.toml': { reduced: { distinct: 111_676, depth: 24, exhausted: true }, full: { distinct: 69_871, depth: 15, exhausted: false }, compare: 15 },
  'catch-up-liveness.toml': { reduced: { distinct: 24, depth: 7, exhausted: true }, full: { distinct: 24, depth: 7, exhausted: true } },
  'duel-liveness.toml': { reduced: { distinct: 2_136, depth: 45, exhausted: true }, full: { distinct: 3_056, depth: 46, exhausted: true } },
  'duplicates.toml': { reduced: { distinct: 474, depth: 14, exhausted: true }, full: { distinct: 1_435, depth: 17, exhausted: true } },
  'leader-restart-one-client.toml': { reduced: { distinct: 2_218, depth: 24, exhausted: true }, full: { distinct: 89_171, depth: 28, exhausted: true } },
  'leader-restart.toml': { reduced: { distinct: 1_047_201, depth: 36, exhausted: true }, full: { distinct: 120_931, depth: 15, exhausted: false }, compare: 15 },
  'max-sync.toml': { reduced: { distinct: 1_076, depth: 10, exhausted: true }, full: { distinct: 1_484, depth: 10, exhausted: true } },
  'preemption-liveness.toml': { reduced: { distinct: 53, depth: 10, exhausted: true }, full: { distinct: 63, depth: 11, exhausted: true } },
  'raft-election.toml': { reduced: { distinct: 20_193, depth: 9, exhausted: false }, full: { distinct: 48_006, depth: 9, exhausted: false } },
  'raft-early-election.toml': { reduced: { distinct: 1_911, depth: 17, exhausted: true }, full: { distinct: 3_155, depth: 18, exhausted: true } },
  'raft-liveness.toml': { reduced: { distinct: 11, depth: 3, exhausted: true }, full: { distinct: 11, depth: 3, exhausted: true } },
  'raft-figure8.toml': { reduced: { distinct: 23_616, depth: 14, exhausted: false }, full: { distinct: 65_272, depth: 14, exhausted: false } },
  'raft-restart.toml': { reduced: { distinct: 25_671, depth: 10, exhausted: false }, full: { distinct: 68_056, depth: 10, exhausted: false } },
  'raft-truncate.toml': { reduced: { distinct: 33_912, depth: 9, exhausted: false }, full: { distinct: 72_864, depth: 9, exhausted: false } },
  'retry-liveness.toml': { reduced: { distinct: 21, depth: 6, exhausted: true }, full: { distinct: 21, depth: 6, exhausted: true } },
  'stale-read.toml': { reduced: { distinct: 147_205, depth: 36, exhausted: true }, full: { distinct: 91_446, depth: 20, exhausted: false }, compare: 20 },
  'smr-small.toml': { reduced: { distinct: 458_777, depth: 30, exhausted: true }, full: { distinct: 769_259, depth: 20, exhausted: false }, compare: 20 },
  'two-leaders.toml': { reduced: { distinct: 458_777, depth: 30, exhausted: true }, full: { distinct: 769_259, depth: 20, exhausted: false }, compare: 20 },
};

export const configFiles = readdirSync(join(repoRoot, 'configs/verify')).filter((f) => f.endsWith('.toml'));
const countOf = (o: SearchOutcome): Count => ({ distinct: o.distinct, depth: o.depth, exhausted: o.exhausted });

/** Spaces of more distinct states than this are searched by the long tests. */
export const LONG = 300_000;

export const isLong = (file: string): boolean => pinned[file] !== undefined && Math.max(pinned[file].reduced.distinct, pinned[file].full.distinct) > LONG;

export function checkPinned(t: ExecutionContext, file: string): void {
  const config = loadConfig(join(repoRoot, 'configs/verify', file));
  const emulation = emulationOf(config);
  const pin = pinned[file]!;
  const reduced = search(emulation, config);
  const compared: Config = pin.compare ? { ...config, verify: { ...config.verify, max_depth: pin.compare } } : config;
  const full = search(emulation, compared, { reduction: false });
  for (const outcome of [reduced, full]) {
    t.is(outcome.violation, undefined, outcome.violation?.verdicts.map((v) => `${v.name}: ${v.detail}`).join('\n'));
    t.is(outcome.cut, undefined);
  }
  t.deepEqual({ reduced: countOf(reduced), full: countOf(full) }, { reduced: pin.reduced, full: pin.full });
  const reducedAlike = pin.compare ? search(emulation, compared) : reduced;
  t.true(reducedAlike.explored < full.explored, 'the reduction takes fewer transitions');
  const sleepOnly = search(emulation, compared, { prune: false });
  t.is(sleepOnly.distinct, full.distinct, 'sleep sets alone reach every state of the full search');
  t.is(sleepOnly.depth, full.depth);
  t.true(sleepOnly.explored <= full.explored);
}
