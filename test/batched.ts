/** Runs with batching on, as the batching tests read them (test/batching.test.ts, test/long/). */
import { config, kvTrace, notOk, run, type AnyConfig } from './harness.js';

/** Requests a run's leaders decided, and how many slots held a batch. */
export function decided(cfg: AnyConfig): { slots: number; batches: number; requests: number; sent: number; ok: string[] } {
  const result = run(cfg);
  let slots = 0;
  let batches = 0;
  let requests = 0;
  for (const e of kvTrace(result)) {
    if (e.kind !== 'note' || e.fact?.kind !== 'decide' || e.fact.ballot === undefined) continue;
    slots++;
    if (e.fact.command.kind === 'batch') batches++;
    requests += e.fact.command.kind === 'batch' ? e.fact.command.requests.length : e.fact.command.kind === 'request' ? 1 : 0;
  }
  return { slots, batches, requests, sent: result.summary.sent, ok: notOk(result) };
}

/** A hunting ground with batching on: a window of one, so requests queue and share slots. */
export function batchedGround(file: string): AnyConfig {
  const base = config(file);
  return { ...base, paxos: { ...base.paxos, window: 1, batch: 4 } };
}
