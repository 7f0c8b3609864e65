/**
 * Budgets for work that must give up rather than run forever, such as the linearizability
 * checker's search (NP-complete in general).
 *
 * A budget is only asked "has it run out?", so the code that spends it never reads a clock:
 * the checker in `specs/` stays free of time sources, and tests can hand it a budget that is
 * already spent, or one that runs out after a fixed number of questions.
 */

/** Something that can run out. */
export interface Deadline {
  expired(): boolean;
}

/** A budget that never runs out. */
export const noDeadline: Deadline = { expired: () => false };

/** A wall-clock budget of `ms` milliseconds from now. The clock is injectable for tests. */
export function timeBudget(ms: number, now: () => number = () => performance.now()): Deadline {
  const end = now() + ms;
  return { expired: () => now() >= end };
}

/** A budget that runs out after it has been asked `questions` times (deterministic, for tests). */
export function countBudget(questions: number): Deadline {
  let left = questions;
  return { expired: () => left-- <= 0 };
}

/**
 * A budget another thread can end: it runs out once `flag[0]` is not 0 (Atomics.store), as the
 * thread that hears a Ctrl-C or a timer sets it for a search running in a worker thread.
 */
export function flagBudget(flag: Int32Array): Deadline {
  return { expired: () => Atomics.load(flag, 0) !== 0 };
}
