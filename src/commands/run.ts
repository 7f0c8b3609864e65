/**
 * `mpkv run <config>`: run an emulation, show it, judge it.
 * Exit 0 when every check passes, 1 when one fails, 2 on a usage or config error.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createRouter } from '../emulations/index.js';
import { finishRun, type RunResult } from '../emulations/run.js';
import { formatEvent, formatSummary } from '../ui/plain.js';
import { writeFileAtomic } from '../util/files.js';
import { intFlag, UsageError, type Io } from './io.js';
import { linearizabilityJudge } from '../../specs/checks.js';
import { loadReplayFile } from '../explore/replay.js';
import { formatMpkvHistory } from '../../specs/formats/mpkv.js';

export const RUN_HELP = `Usage: mpkv run <config.toml> [options]

Runs an emulation: the live dashboard on a terminal, the plain trace otherwise; then the
verdicts (linearizability, agreement, validity, integrity, order, convergence, liveness).

Options:
  --seed N            override the config's seed
  --clients N         override topology.clients
  --requests N        override workload.requests (per client)
  --plain             print the plain trace even on a terminal
  --json              print the trace as JSON Lines events
  --verbose           plain trace: also sends, deliveries and timers
  --trace-json FILE   write the full trace as JSON Lines
  --history FILE      write the client history (JSON Lines, see README)
  --replay FILE       re-run exactly the schedule in FILE (written by mpkv explore);
                      on a terminal the dashboard opens paused, to be stepped through
  --speed N           dashboard: virtual milliseconds per real second
  -h, --help          this help

Exit status: 0 all checks pass, 1 a check fails, 2 usage or config error.`;

export async function runCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      clients: { type: 'string' },
      requests: { type: 'string' },
      plain: { type: 'boolean' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
      'trace-json': { type: 'string' },
      history: { type: 'string' },
      replay: { type: 'string' },
      speed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(RUN_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('run: expected one config file, e.g. mpkv run configs/default.toml');
  const config = loadConfig(positionals[0]!, {
    seed: intFlag('seed', values.seed),
    clients: intFlag('clients', values.clients, 1),
    requests: intFlag('requests', values.requests),
  });
  const replay = values.replay ? await loadReplayFile(values.replay, config) : undefined;
  const runConfig = replay?.config ?? config;
  const router = createRouter(runConfig, replay?.options);
  let result: RunResult;
  if (io.tty && !values.plain && !values.json) {
    const { runDashboard } = await import('../ui/dashboard.js');
    const watched = await runDashboard(runConfig, router, { speed: intFlag('speed', values.speed, 1), paused: replay !== undefined, judge: linearizabilityJudge });
    if (!watched) {
      io.stdout(`stopped at t=${router.time} ms before the run ended: not judged (${runConfig.emulation}, seed ${runConfig.seed})`);
      return 1;
    }
    result = watched;
  } else {
    router.onEvent((e) => {
      const line = values.json ? JSON.stringify(e) : formatEvent(e, values.verbose);
      if (line) io.stdout(line);
    });
    result = finishRun(runConfig, router, linearizabilityJudge);
  }
  if (values['trace-json']) writeFileAtomic(values['trace-json'], result.trace.map((e) => JSON.stringify(e)).join('\n') + '\n');
  if (values.history) writeFileAtomic(values.history, formatMpkvHistory(result.history));
  if (!values.json) for (const line of report(runConfig, result)) io.stdout(line);
  return result.verdicts.every((v) => v.ok) ? 0 : 1;
}

export function report(config: Config, result: RunResult): string[] {
  const width = Math.max(...result.verdicts.map((v) => v.name.length));
  return [
    '',
    `${config.emulation} run, seed ${config.seed}`,
    ...formatSummary(result.summary, result.completed, result.expected),
    'verdicts:',
    ...result.verdicts.map((v) => `  ${v.name.padEnd(width)}  ${v.ok ? 'ok  ' : 'FAIL'}  ${v.detail}`),
    result.verdicts.every((v) => v.ok) ? 'all checks passed' : `${result.verdicts.filter((v) => !v.ok).length} check(s) FAILED`,
  ];
}
