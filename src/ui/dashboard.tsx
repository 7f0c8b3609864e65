/**
 * The live Ink dashboard. (Placeholder until the dashboard lands: that work replaces this
 * module, keeping `runDashboard`'s signature.)
 */
import type { Config } from '../config/schema.js';
import type { HistoryJudge } from '../emulations/run.js';
import type { Router } from '../sim/router.js';
import { UsageError } from '../commands/io.js';

export interface DashboardOptions {
  /** Virtual milliseconds per real second (undefined: the default pace). */
  readonly speed: number | undefined;
  /** Open paused (replays), to be stepped through. */
  readonly paused: boolean;
  readonly judge: HistoryJudge;
}

export async function runDashboard(_config: Config, _router: Router, _options: DashboardOptions): Promise<number> {
  throw new UsageError('the dashboard is not available yet: use --plain');
}
