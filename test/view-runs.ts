/** Runs the diagram tests draw: known counterexamples of the mutants, and correct runs. */
import type { MutantName } from '../src/emulations/multipaxos/mutants.js';
import { explorationConfig, scheduleOptions } from '../src/explore/explore.js';
import type { Schedule } from '../src/explore/schedule.js';
import type { RunOptions } from '../src/emulations/run.js';
import { config, run, type AnyConfig, type TracedResult } from './harness.js';

/**
 * configs/mutants/two-leaders.toml with one mutant on, at a seed where the plain run (no
 * schedule) breaks agreement: quorum-too-small at seed 1 decides slot 8 twice, each leader
 * with a different single acceptor.
 */
export function mutantRun(mutant: MutantName, seed: number): TracedResult {
  const base = config('mutants/two-leaders.toml', { seed });
  return run({ ...base, mutants: { ...base.mutants, enable: [mutant] } });
}

export const quorumTooSmall = (): TracedResult => mutantRun('quorum-too-small', 1);

/**
 * configs/mutants/leader-restart.toml with leader-reuses-ballot-after-restart, under the shrunk
 * schedule exploration found for it (explore --seed 2): leader 1 loses two promises and two
 * prepares, restarts at t=103 and proposes a no-op under the very ballot of its first life.
 * Agreement and linearizability hold; one-value (t=113), quorum-backed and votes-safe fail.
 * `leaderRestartRun` gives the config and fresh run options (a schedule's network is used up
 * by the run it drives), `leaderRestart` the run.
 */
export function leaderRestartRun(): { config: AnyConfig; options: () => RunOptions } {
  const schedule: Schedule = {
    seed: 0,
    messages: [
      { from: 'acceptor 2', to: 'leader 1', n: 0, choice: -1 },
      { from: 'acceptor 3', to: 'leader 1', n: 0, choice: 91 },
      { from: 'leader 1', to: 'acceptor 2', n: 1, choice: -1 },
      { from: 'leader 1', to: 'acceptor 3', n: 1, choice: -1 },
    ],
    crashes: [{ node: 'leader 1', at_ms: 102, restart_ms: 103 }],
    partitions: [],
  };
  const runConfig = explorationConfig(config('mutants/leader-restart.toml'), schedule.seed, ['leader-reuses-ballot-after-restart']);
  return { config: runConfig, options: () => scheduleOptions(runConfig, schedule) };
}

export function leaderRestart(): TracedResult {
  const { config: runConfig, options } = leaderRestartRun();
  return run(runConfig, options());
}
