/**
 * Two workers of `mpkv verify` share the work evenly (src/verify/parallel.ts, portable.ts).
 * A state belongs to the worker that reaches it first, so left alone the worker with the bigger
 * level claims more of the next one, and the other waits at the end of every level; between
 * levels, the workers with more work give states to those with less. Counted, never timed:
 * the transitions each worker took and the states it expanded.
 *
 * The moves themselves are checked on one thread, with two searches taking turns as two
 * workers would (`Pair`): the worst race there is — worker 0 always first — leaves worker 1
 * almost nothing without the moves, and half with them; the moved states are rebuilt with
 * the same fingerprints (the taker checks), the same states are found as by one search, and a
 * violation on a path that crossed workers is read back as a shortest counterexample.
 */
import test from 'ava';
import { join } from 'node:path';
import type { AnyEmulation, Config } from '../src/emulations/api/emulation.js';
import { emulationOf, loadConfig } from '../src/emulations/index.js';
import { searchWithWorkers, transfers } from '../src/verify/parallel.js';
import { placesOf, search, Search, type Counterexample, type LevelResult, type PathPiece } from '../src/verify/search.js';
import { FingerprintSet } from '../src/verify/visited.js';
import { repoRoot } from './harness.js';

const configOf = (file: string, max_depth?: number, mutants: readonly string[] = []): Config => {
  const base = loadConfig(join(repoRoot, 'configs/verify', file));
  return { ...base, verify: { ...base.verify, max_depth: max_depth ?? base.verify.max_depth }, mutants: { enable: [...mutants] } };
};

const shares = (expanded: readonly number[]): number[] => expanded.map((e) => e / expanded.reduce((a, b) => a + b, 0));

test('verify balance: two worker threads each expand about half the states of a search of 133,839 (leader-restart to depth 20)', async (t) => {
  const config = configOf('leader-restart.toml', 20);
  const outcome = await searchWithWorkers(emulationOf(config), config, { workers: 2 });
  t.is(outcome.distinct, 133_839, 'the states one worker finds (search(), the same config)');
  const balance = outcome.balance!;
  t.log(`expanded ${balance.expanded.join(' + ')}, transitions ${balance.explored.join(' + ')}, ${balance.moved} moved, evenness ${balance.evenness.toFixed(3)}`);
  for (const share of shares(balance.explored)) t.true(share > 0.45 && share < 0.55, `a worker's share of the transitions ${share.toFixed(3)}`);
  // Its states may differ more: a state another worker reached too at its depth costs more.
  for (const share of shares(balance.expanded)) t.true(share > 1 / 3 && share < 2 / 3, `a worker's share of the states ${share.toFixed(3)}`);
  t.true(balance.evenness > 0.95, `levels shared evenly: ${balance.evenness.toFixed(3)}`);
});

test('verify balance: who gives how many to whom', (t) => {
  t.deepEqual(transfers([900, 100]), [{ from: 0, to: 1, count: 400 }]);
  t.deepEqual(transfers([100, 901]), [{ from: 1, to: 0, count: 400 }]);
  t.deepEqual(transfers([500, 490]), [], 'close enough');
  t.deepEqual(transfers([40, 0]), [], 'too few to bother');
  t.deepEqual(transfers([600, 0, 300]), [{ from: 0, to: 1, count: 300 }]);
  t.deepEqual(transfers([500, 500], [1, 2]), [{ from: 1, to: 0, count: 125 }], 'worker 1 takes twice the transitions per state');
});

test('verify balance: on one thread, worker 0 always first: it takes nearly all without moves, half with them', async (t) => {
  const config = configOf('leader-restart.toml', 14);
  const emulation = emulationOf(config);
  const alone = search(emulation, config);
  const still = await new Pair(emulation, config, 'none').run();
  const moving = await new Pair(emulation, config, 'even').run();
  t.log(`without moves ${still.expanded.join(' + ')}; with ${moving.expanded.join(' + ')} (${moving.moved} moved)`);
  t.true(shares(still.expanded)[0]! > 2 / 3, 'the race compounds without the moves');
  for (const share of shares(moving.expanded)) t.true(share > 0.45 && share < 0.55, `a share ${share.toFixed(3)}`);
  t.is(still.distinct, alone.distinct);
  t.is(moving.distinct, alone.distinct, 'the moved states are the same states');
  t.true(moving.moved > 0);
});

test('verify balance: a violation on a path that crossed workers is read back, as short as one search finds', async (t) => {
  const config = configOf('two-leaders.toml', 12, ['leader-skips-value-adoption']);
  const emulation = emulationOf(config);
  const alone = search(emulation, { ...config, verify: { ...config.verify, max_depth: 20 } });
  // Every level, each worker gives all its states to the other: every path crosses.
  const pair = new Pair(emulation, { ...config, verify: { ...config.verify, max_depth: 20 } }, 'swap');
  const found = await pair.run();
  t.truthy(found.lead, 'the violation was found on a moved path');
  t.is(found.violation?.depth, alone.violation?.depth);
  t.deepEqual(
    found.violation?.verdicts.map((v) => v.name),
    alone.violation?.verdicts.map((v) => v.name),
  );
});

/**
 * Two searches taking turns as two workers of `mpkv verify --workers 2` would (./worker.ts),
 * on one thread: the same first levels, the frontier shared out, then level by level, worker
 * 0's level before worker 1's; between levels, states moved: `even` as the thread driver
 * moves them, `swap` all of each worker's to the other, `none` not at all.
 */
class Pair {
  private readonly workers: Search[];
  private readonly count = new Int32Array(new SharedArrayBuffer(4));
  expanded = [0, 0];
  moved = 0;

  constructor(
    emulation: AnyEmulation,
    private readonly config: Config,
    private readonly moves: 'none' | 'even' | 'swap',
  ) {
    this.workers = [new Search(emulation, config), new Search(emulation, config)];
  }

  async run(): Promise<{ distinct: number; expanded: number[]; moved: number; violation?: Counterexample; lead?: PathPiece }> {
    let depth = 0;
    for (; this.workers[0]!.levelEnd - this.workers[0]!.levelStart < 32; depth++) {
      for (const w of this.workers) {
        w.expand(depth);
        w.advance();
      }
    }
    const visited = FingerprintSet.buffer(1 << 20, true);
    const levelStarts = new Int32Array(new SharedArrayBuffer(8));
    this.count[0] = this.workers[0]!.store.size;
    this.workers.forEach((w, worker) =>
      w.shareOut(new FingerprintSet(visited, true), { worker, claim: () => Atomics.add(this.count, 0, 1) < this.config.verify.max_states, count: () => this.count[0]!, levelStarts }, 2),
    );
    for (; depth < this.config.verify.max_depth; depth++) {
      const results = this.workers.map((w) => w.expand(depth));
      const found = await this.found(results);
      if (found) return { ...this.tally(), ...found };
      results.forEach((r, k) => (this.expanded[k]! += r.expanded));
      for (const w of this.workers) w.advance();
      this.move();
    }
    return this.tally();
  }

  private tally(): { distinct: number; expanded: number[]; moved: number } {
    return { distinct: this.count[0]!, expanded: this.expanded, moved: this.moved };
  }

  private move(): void {
    const frontiers = this.workers.map((w) => w.levelEnd - w.levelStart);
    if (this.moves === 'swap') {
      const parcels = this.workers.map((w, k) => w.give(frontiers[k]!, 1 - k));
      parcels.forEach((p, k) => this.workers[1 - k]!.take(p));
      return;
    }
    if (this.moves === 'none') return;
    for (const { from, to, count } of transfers(frontiers)) {
      this.workers[to]!.take(this.workers[from]!.give(count, to));
      this.moved += count;
    }
  }

  /** A violation, its path gathered from both workers as the thread driver gathers it. */
  private async found(results: LevelResult[]): Promise<{ violation: Counterexample; lead?: PathPiece } | undefined> {
    const result = results.find((r) => r.violation || r.lead);
    if (!result) return undefined;
    if (result.violation) return { violation: result.violation };
    const places = await placesOf(result.lead!, (worker, id) => this.workers[worker]!.piece(id));
    return { violation: this.workers[0]!.replay(places), lead: result.lead! };
  }
}
