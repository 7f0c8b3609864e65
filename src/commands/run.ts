/**
 * `mpkv run <config>`: run an emulation, show it, judge it.
 * Exit 0 when every check passes, 1 when one fails, 3 when none fails but one could not
 * decide (unknown), 2 on a usage or config error.
 */
import { parseArgs } from 'node:util';
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { loadConfig } from '../emulations/index.js';
import { finishRun, startRun, type RunResult } from '../emulations/run.js';
import { formatEvent, formatSummary } from '../ui/plain.js';
import { writeFileAtomic } from '../util/files.js';
import { intFlag, UsageError, type Io } from './io.js';
import type { CheckOptions } from '../../specs/linearizability.js';
import { EXIT_CODES, statusLabel, summaryLine } from '../../specs/verdict.js';
import { timeBudget } from '../util/budget.js';
import { readFile } from 'node:fs/promises';
import { loadReplayFile, replayDivergence, type LoadedReplay } from '../explore/replay.js';
import { decodeChoice } from '../explore/schedule.js';
import { isStepsReplay, loadStepsReplay, stepsReplayDivergence, type LoadedStepsReplay } from '../verify/replay.js';

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
  --html FILE         draw the run as a message-sequence diagram (a self-contained page;
                      a violation is explained and highlighted); FILE.svg: a standalone SVG
  --replay FILE       re-run exactly the run in FILE: a schedule written by mpkv explore, or
                      a path of events written by mpkv verify; on a terminal the dashboard
                      opens paused, to be stepped through
  --speed N           dashboard: virtual milliseconds per real second
  --check-steps N     the linearizability search's step budget (deterministic: the same
                      verdict on any machine; when it runs out the verdict is unknown)
  --check-timeout-ms N  also stop the search after N ms of wall-clock time (off by default:
                      it makes the verdict depend on the machine's speed)
  -h, --help          this help

Exit status: 0 all checks pass, 1 a check fails, 3 no check fails but one could not
decide (unknown), 2 usage or config error.`;

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
      html: { type: 'string' },
      replay: { type: 'string' },
      speed: { type: 'string' },
      'check-steps': { type: 'string' },
      'check-timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(RUN_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('run: expected one config file, e.g. mpkv run configs/default.toml');
  const config = loadConfig(positionals[0]!, {
    seed: intFlag('seed', values.seed, 0, 2 ** 32 - 1),
    clients: intFlag('clients', values.clients, 1),
    requests: intFlag('requests', values.requests),
  });
  const replay = values.replay ? await loadReplay(values.replay, config) : undefined;
  const runConfig = replay?.config ?? config;
  const judge = { check: checkOptions(values['check-steps'], values['check-timeout-ms']) };
  const run = startRun(runConfig, { ...(replay ? ('router' in replay ? { router: replay.router } : replay.options) : {}), judge });
  const { router, emulation } = run;
  if (values.history && !run.judge.history) throw new UsageError(`--history: the ${runConfig.emulation} emulation keeps no client history`);
  const title = runTitle(positionals[0]!, runConfig, replay?.file);
  const writesFiles = Boolean(values['trace-json'] || values.history || values.html);
  let result: RunResult;
  if (io.tty && !values.plain && !values.json) {
    const { runDashboard } = await import('../ui/dashboard.js');
    const watched = await runDashboard(run, { speed: intFlag('speed', values.speed, 1), paused: replay !== undefined, replay: replay?.file });
    if (!watched) {
      io.stdout(`stopped at t=${router.time} ms before the run ended: not judged (${title})`);
      return 1;
    }
    result = watched;
  } else {
    if (!values.json) io.stdout(title);
    router.onEvent((e) => {
      const line = values.json ? JSON.stringify(e) : formatEvent(e, emulation.describeMessage, values.verbose);
      if (line) io.stdout(line);
    });
    router.boot();
    while (router.step()) {
      // Output closed (piped into `head`): nothing more can be shown; stop, unless files are due.
      if (io.closed?.() && !writesFiles) return 0;
    }
    result = finishRun(run);
  }
  if (values['trace-json']) {
    const header = { kind: 'run', emulation: runConfig.emulation, seed: runConfig.seed, mutants: runConfig.mutants.enable };
    writeFileAtomic(values['trace-json'], [header, ...result.trace].map((e) => JSON.stringify(e)).join('\n') + '\n');
  }
  if (values.history && result.history) writeFileAtomic(values.history, result.history.text());
  if (values.html) writeFileAtomic(values.html, await diagramOf(values.html, emulation, result, title, replay));
  const diverged = replay ? ('router' in replay ? stepsReplayDivergence(replay, result) : replayDivergence(replay.replay, result)) : undefined;
  if (diverged) io.stderr(`mpkv run: REPLAY DIVERGED from ${replay!.file}: ${diverged}. The code changed since the file was written; this run does not reproduce it.`);
  if (!values.json) for (const line of report(runConfig, result, diverged)) io.stdout(line);
  return EXIT_CODES[result.status];
}

/** A replay file of either kind: an exploration schedule, or a model checker's path of events. */
async function loadReplay(file: string, config: Config): Promise<LoadedReplay | LoadedStepsReplay> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // Not readable or not JSON: the schedule reader says so, naming the file.
  }
  return isStepsReplay(value) ? loadStepsReplay(file, config, value as Record<string, unknown>) : loadReplayFile(file, config);
}

/** The run as a message-sequence diagram: a page, or an SVG when `file` ends in .svg; failed
 *  checks above the picture, a replay's message faults marked (a path's faults are in its trace). */
async function diagramOf(file: string, emulation: AnyEmulation, result: RunResult, title: string, replay: LoadedReplay | LoadedStepsReplay | undefined): Promise<string> {
  const { renderRunHtml, renderRunSvg } = await import('../view/trace-adapter.js');
  const notes = result.verdicts.filter((v) => v.status !== 'ok').map((v) => `${v.name} ${statusLabel(v.status)}: ${v.detail}`);
  const schedule = replay && !('router' in replay) ? replay.replay.schedule : undefined;
  const faults = (schedule?.messages ?? []).flatMap((m) => {
    const fault = decodeChoice(m.choice);
    return fault.kind === 'normal' ? [] : [{ from: m.from, to: m.to, n: m.n, fault }];
  });
  const options = { title, notes, faults };
  return file.toLowerCase().endsWith('.svg') ? renderRunSvg(emulation, result.trace, options) : renderRunHtml(emulation, result.trace, options);
}

/** `mpkv run configs/x.toml: <emulation>, seed 1, mutants: <names>, REPLAY of f.json`. */
export function runTitle(file: string, config: Config, replayFile?: string): string {
  const mutants = config.mutants.enable.length ? `, mutants: ${config.mutants.enable.join(', ')}` : '';
  return `mpkv run ${file}: ${config.emulation}, seed ${config.seed}${mutants}${replayFile ? `, REPLAY of ${replayFile}` : ''}`;
}

/** The linearizability search's budget from the command's flags. */
export function checkOptions(steps: string | undefined, timeoutMs: string | undefined): CheckOptions {
  const max_steps = intFlag('check-steps', steps, 1);
  const ms = intFlag('check-timeout-ms', timeoutMs, 1);
  return { ...(max_steps === undefined ? {} : { max_steps }), ...(ms === undefined ? {} : { deadline: timeBudget(ms) }) };
}

export function report(config: Config, result: RunResult, diverged?: string): string[] {
  const width = Math.max(...result.verdicts.map((v) => v.name.length));
  return [
    '',
    `${config.emulation} run, seed ${config.seed}${config.mutants.enable.length ? `, mutants: ${config.mutants.enable.join(', ')}` : ''}`,
    ...(diverged ? [`REPLAY DIVERGED: ${diverged}`] : []),
    ...result.counts,
    ...formatSummary(result.summary),
    'verdicts:',
    ...result.verdicts.map((v) => `  ${v.name.padEnd(width)}  ${statusLabel(v.status).padEnd(7)}  ${v.detail}`),
    summaryLine(result.verdicts),
  ];
}
