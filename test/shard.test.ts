/**
 * Sharded exploration: the search is a fixed list of chunks (src/explore/search.ts), so N shards
 * explore disjoint shares that together are exactly the unsharded search's schedules, whatever
 * the number of worker threads; `mpkv explore --shard I/N` ends with a JSON result line and
 * `--merge` puts the shards back together, refusing missing shards and other searches.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { loadConfig } from '../src/emulations/index.js';
import { kvStore } from '../src/emulations/kv_store/index.js';
import { explore } from '../src/explore/explore.js';
import { exploreWithWorkers } from '../src/explore/pool.js';
import type { Schedule } from '../src/explore/schedule.js';
import type { PctSchedule } from '../src/explore/pct.js';
import { CHUNK_RUNS, chunkSeed, parseShard, runsIn, searchChunks } from '../src/explore/search.js';
import { testDir } from './harness.js';

const config = loadConfig('configs/kv_store.toml');
const RUNS = 2 * CHUNK_RUNS + 37; // three chunks, the last one partial
const SEED = 77;

/** Every schedule a search explores, by its index in the search. */
function explored(shard?: { index: number; count: number }): Map<number, string> {
  const seen = new Map<number, string>();
  const outcome = explore(kvStore, config, {
    runs: RUNS,
    seed: SEED,
    ...(shard ? { shard } : {}),
    onRun: (index: number, schedule: Schedule | PctSchedule) => {
      if (seen.has(index)) throw new Error(`run ${index} explored twice`);
      seen.set(index, JSON.stringify(schedule));
    },
  });
  if (outcome.failure) throw new Error('the correct protocol failed');
  return seen;
}

test('search: chunks cover the runs once, in order; chunk 0 keeps the seed', (t) => {
  const chunks = searchChunks(SEED, RUNS);
  t.deepEqual(
    chunks.map((c) => [c.index, c.first, c.runs]),
    [
      [0, 0, CHUNK_RUNS],
      [1, CHUNK_RUNS, CHUNK_RUNS],
      [2, 2 * CHUNK_RUNS, 37],
    ],
  );
  t.is(chunks[0]!.seed, SEED);
  t.is(new Set(chunks.map((c) => c.seed)).size, 3);
  t.true(chunks.every((c) => c.seed >= 0 && c.seed < 2 ** 31));
  t.is(chunkSeed(SEED, 2), chunks[2]!.seed);
  for (const count of [1, 2, 3, 5]) {
    const shares = Array.from({ length: count }, (_, index) => runsIn(searchChunks(SEED, RUNS, { index, count })));
    t.is(shares.reduce((a, b) => a + b), RUNS, `${count} shard(s) share out every run`);
  }
});

test('shards: N shards together explore exactly the schedules of the unsharded search', (t) => {
  const whole = explored();
  t.is(whole.size, RUNS);
  t.deepEqual([...whole.keys()], Array.from({ length: RUNS }, (_, i) => i), 'runs 0..RUNS-1, in order');
  for (const count of [2, 3, 4]) {
    const union = new Map<number, string>();
    for (let index = 0; index < count; index++) {
      for (const [i, schedule] of explored({ index, count })) {
        t.false(union.has(i), `run ${i} is in two of ${count} shards`);
        union.set(i, schedule);
      }
    }
    t.deepEqual(new Map([...union].sort((a, b) => a[0] - b[0])), whole, `${count} shards = the whole search`);
  }
  // And the schedules really differ from run to run (the comparison above is not vacuous).
  t.true(new Set(whole.values()).size > RUNS * 0.9);
});

test('workers: one or two worker threads explore the same schedules (same runs, same faults)', async (t) => {
  const one = await exploreWithWorkers(kvStore, config, { runs: RUNS, seed: SEED, workers: 1 });
  const two = await exploreWithWorkers(kvStore, config, { runs: RUNS, seed: SEED, workers: 2 });
  t.is(two.runs, RUNS);
  t.is(one.runs, RUNS);
  t.is(two.faults, one.faults, 'the faults injected add up the same');
  t.true(one.faults > RUNS);
});

test('--shard: I/N, and auto/N from a Kubernetes Indexed Job', (t) => {
  t.deepEqual(parseShard('2/5'), { index: 2, count: 5 });
  t.deepEqual(parseShard('auto/5', { JOB_COMPLETION_INDEX: '4' }), { index: 4, count: 5 });
  t.regex(parseShard('auto/5', {}) as string, /JOB_COMPLETION_INDEX is not set/);
  t.regex(parseShard('5/5') as string, /not below the shard count/);
  t.regex(parseShard('1-5') as string, /expected I\/N/);
});

const collector = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), tty: false }, out, err };
};

test('mpkv explore --shard ... --result, then --merge: the whole search, once every shard is in', async (t) => {
  const dir = testDir(t, 'mpkv-shards-');
  const files: string[] = [];
  let explored = 0;
  for (let index = 0; index < 3; index++) {
    const file = join(dir, `shard-${index}.json`);
    const { io, out } = collector();
    const args = ['explore', 'configs/kv_store.toml', '--runs', String(RUNS), '--seed', String(SEED), '--shard', `${index}/3`, '--result', file];
    t.is(await main(args, io), 0);
    const line = JSON.parse(out.at(-1)!) as { explored: number; shard: unknown };
    t.deepEqual(line, JSON.parse(readFileSync(file, 'utf8')), 'the last stdout line is the result file');
    t.deepEqual(line.shard, { index, count: 3 });
    explored += line.explored;
    files.push(file);
  }
  t.is(explored, RUNS);
  const merged = collector();
  t.is(await main(['explore', '--merge', ...files], merged.io), 0);
  t.regex(merged.out.at(-1)!, new RegExp(`^ok: ${RUNS} schedule\\(s\\) passed`));

  const partial = collector();
  t.is(await main(['explore', '--merge', files[0]!, files[2]!], partial.io), 2);
  t.regex(partial.err.join('\n'), /shard\(s\) 1 of 3 missing/);
  const twice = collector();
  t.is(await main(['explore', '--merge', ...files, files[1]!], twice.io), 2);
  t.regex(twice.err.join('\n'), /shard 1\/3 again/);

  const other = join(dir, 'other.json');
  t.is(await main(['explore', 'configs/kv_store.toml', '--runs', String(RUNS), '--seed', '78', '--shard', '1/3', '--result', other], collector().io), 0);
  const mixed = collector();
  t.is(await main(['explore', '--merge', files[0]!, other, files[2]!], mixed.io), 2);
  t.regex(mixed.err.join('\n'), /a different search .*seed 78/);
});

test('mpkv explore --shard: a violation is shrunk in its shard, written to a replay file, and reported by the merge', async (t) => {
  const dir = testDir(t, 'mpkv-shards-');
  const files: string[] = [];
  let found = 0;
  for (let index = 0; index < 2; index++) {
    const file = join(dir, `shard-${index}.json`);
    const out = join(dir, `shard-${index}.replay.json`);
    const code = await main(
      ['explore', 'configs/default.toml', '--runs', '200', '--seed', '1', '--mutant', 'replica-applies-out-of-order', '--shard', `${index}/2`, '--result', file, '--out', out],
      collector().io,
    );
    const result = JSON.parse(readFileSync(file, 'utf8')) as { violation?: { replay: string; failed: string[] } };
    if (code === 1) {
      found++;
      t.is(result.violation!.replay, out);
      t.true(result.violation!.failed.includes('order'));
      t.is(await main(['run', 'configs/default.toml', '--replay', out, '--plain'], collector().io), 1, 'the replay fails again');
    } else t.is(result.violation, undefined);
    files.push(file);
  }
  t.true(found > 0, 'the mutant is caught in some shard');
  const merged = collector();
  t.is(await main(['explore', '--merge', ...files], merged.io), 1);
  const text = merged.out.join('\n');
  t.regex(text, /VIOLATION in shard \d\/2, run #\d+ of the search/);
  const again = /again: mpkv explore (\S+) --seed (\d+) --runs (\d+) --workers 1 --mutant (\S+)/.exec(text);
  t.truthy(again, text);
  const alone = collector();
  t.is(await main(['explore', again![1]!, '--seed', again![2]!, '--runs', again![3]!, '--mutant', again![4]!, '--out', join(dir, 'again.replay.json')], alone.io), 1, 'the chunk alone finds it again');
});
