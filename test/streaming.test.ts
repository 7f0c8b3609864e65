/**
 * The trace streams: a run keeps no trace unless asked; listeners get only the kinds of event
 * they read, and kinds nobody reads are counted, not built; a note's text is built only when
 * read, and a text read at the end of the run (a kept trace written out) is the text a live
 * view printed at the time; a streamed digest equals the digest of the kept trace.
 */
import test from 'ava';
import { readdirSync } from 'node:fs';
import { main } from '../src/cli.js';
import { emulationOf } from '../src/emulations/index.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { emulate, startRun } from '../src/emulations/run.js';
import { traceDigest } from '../src/sim/digest.js';
import type { TraceEvent } from '../src/sim/trace.js';
import { config, traceOf } from './harness.js';

test('a run keeps no trace unless asked; its router says so rather than hand back an empty one', (t) => {
  const quiet = emulate(multipaxos, config('default.toml'));
  t.is(quiet.trace, undefined);
  t.true(quiet.summary.delivered > 100);
  const { router } = startRun(multipaxos, config('default.toml'));
  router.run();
  t.throws(() => router.trace, { message: /not kept/ });
  t.true(router.eventCount > quiet.summary.delivered, 'events are still counted');
});

test('a streamed digest is the digest of the kept trace, and of the JSON Lines mpkv run --json prints', async (t) => {
  const kept = emulate(multipaxos, config('lossy-network.toml'), { keepTrace: true, digest: true });
  t.is(kept.trace_sha256, traceDigest(traceOf(kept)));
  const streamed = emulate(multipaxos, config('lossy-network.toml'), { digest: true });
  t.is(streamed.trace_sha256, kept.trace_sha256);
  const lines: string[] = [];
  await main(['run', 'configs/lossy-network.toml', '--json'], { stdout: (l) => lines.push(l), stderr: () => undefined });
  t.is(lines.map((l) => `${l}\n`).join(''), traceOf(kept).map((e) => `${JSON.stringify(e)}\n`).join(''));
});

test('listeners get only the kinds they read; kinds nobody reads are counted, not built', (t) => {
  const { router } = startRun(multipaxos, config('default.toml'));
  const seen = new Set<string>();
  router.onEvent((e) => seen.add(e.kind), ['note', 'end']);
  router.run();
  t.deepEqual([...seen].sort(), ['end', 'note']);
  const all = startRun(multipaxos, config('default.toml'));
  let events = 0;
  all.router.onEvent(() => events++);
  all.router.run();
  t.is(router.eventCount, events, 'the same events happened, built or not');
});

/** A note's private state: its text function, until someone reads the text. */
const waiting = (e: TraceEvent): boolean => (e as unknown as { make?: unknown }).make !== undefined;

test('a note text is built only when read, and reads at the end of the run as it would have as it happened', (t) => {
  for (const file of readdirSync('configs').filter((f) => f.endsWith('.toml') && f !== 'load.toml')) {
    // Run A: a live view reads every note's text as it happens.
    const cfg = config(file);
    const a = startRun(emulationOf(cfg), cfg);
    const live: string[] = [];
    a.router.onEvent((e) => e.kind === 'note' && live.push(e.text), ['note']);
    a.router.run();
    // Run B, the same run: nobody reads a text until the run is over (a trace written out).
    const b = startRun(emulationOf(cfg), cfg, { keepTrace: true });
    b.router.run();
    const notes = b.router.trace.filter((e) => e.kind === 'note');
    t.true(notes.some(waiting), `${file}: texts nobody read were not built`);
    t.deepEqual(
      notes.map((e) => (e as { text: string }).text),
      live,
      `${file}: a text built at the end reads as it did live (no role's text reads state changed since)`,
    );
    t.false(notes.some(waiting), 'once read, built');
  }
});

test('the plain trace is the same whether its lines are built as they happen or when the trace is written out', async (t) => {
  const lines: string[] = [];
  await main(['run', 'configs/two-leaders.toml', '--plain'], { stdout: (l) => lines.push(l), stderr: () => undefined });
  const kept = emulate(multipaxos, config('two-leaders.toml'), { keepTrace: true });
  const texts = traceOf(kept).flatMap((e) => (e.kind === 'note' && e.text ? [`[t=${e.t} ${e.node}] ${e.text}`] : []));
  t.deepEqual(texts, lines.filter((l) => /^\[t=\d+ (acceptor|leader|replica|client)/.test(l)));
});
