/**
 * An explored run ends once nothing can change any more (src/emulations/multipaxos/quiescent.ts,
 * the router's `quiescent`): never while a message is in flight or a planned fault is still
 * to come, and with the verdicts the full drain would have given — for the correct protocol
 * and for every mutant.
 */
import test from 'ava';
import fc from 'fast-check';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { emulate } from '../src/emulations/run.js';
import { explorationConfig, scheduleOptions } from '../src/explore/explore.js';
import { scheduleArbitrary, type Schedule } from '../src/explore/schedule.js';
import { config, type AnyConfig } from './harness.js';

/** A schedule's run, ending when quiescent or draining in full. */
function both(cfg: AnyConfig, schedule: Schedule) {
  const runConfig = explorationConfig(cfg, schedule.seed);
  const quick = emulate(multipaxos, runConfig, scheduleOptions(runConfig, schedule));
  const full = emulate(multipaxos, runConfig, { ...scheduleOptions(runConfig, schedule), endWhenQuiescent: false });
  const failed = (r: typeof quick): string[] => r.verdicts.map((v) => `${v.name} ${v.status}`);
  return { quick, full, same: JSON.stringify(failed(quick)) === JSON.stringify(failed(full)) };
}

for (const [file, mutants] of [
  ['default.toml', [undefined, 'replica-applies-out-of-order', 'no-retry-dedup']],
  ['mutants/two-leaders.toml', [undefined, 'quorum-too-small', 'leader-skips-value-adoption', 'acceptor-accepts-lower-ballot', 'leader-reads-locally']],
  ['mutants/forgetful-acceptors.toml', [undefined, 'acceptor-forgets-on-restart']],
] as const) {
  test(`quiescent end on ${file}: sooner, never before a planned fault, and the same verdicts as the full drain`, (t) => {
    const base = config(file);
    const schedules = fc.sample(scheduleArbitrary(multipaxos, base), { numRuns: 40, seed: 5 });
    let sooner = 0;
    let failing = 0;
    for (const mutant of mutants) {
      const cfg = mutant ? { ...base, mutants: { enable: [mutant] } } : base;
      for (const schedule of schedules) {
        const { quick, full, same } = both(cfg, schedule);
        t.true(same, `${mutant ?? 'correct'}, run seed ${schedule.seed}: ${quick.verdicts.map((v) => v.status).join(',')} vs ${full.verdicts.map((v) => v.status).join(',')}`);
        const lastFault = Math.max(0, ...schedule.crashes.map((c) => c.restart_ms), ...schedule.partitions.map((p) => p.end_ms ?? 0));
        t.true(quick.summary.time_ms >= lastFault, 'the run lasts past every planned fault');
        if (quick.summary.steps < full.summary.steps) sooner++;
        if (quick.status === 'fail') failing++;
      }
    }
    t.true(sooner > schedules.length / 2, `most runs end sooner (${sooner})`);
    t.true(failing > 0, 'some mutant runs fail, and fail the same way when they end sooner');
  });
}
