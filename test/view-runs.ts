/** Runs the diagram tests draw: known counterexamples of the mutants, and correct runs. */
import type { MutantName } from '../src/emulations/multipaxos/mutants.js';
import { config, run, type TracedResult } from './harness.js';

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
