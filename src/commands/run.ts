/**
 * `mpkv run <config>`: run an emulation, show it, judge it.
 * Exit 0 when every check passes, 1 when one fails, 3 when none fails but one could not
 * decide (unknown), 2 on a usage or config error.
 */
import type { AnyEmulation, Config } from '../emulations/api/emulation.js';
import { emulationOf, loadConfig } from '../emulations/index.js';
import { withMutant } from './mutant.js';
import { finishRun, startRun, type Run, type RunOptions, type RunResult } from '../emulations/run.js';
import { describeFault, type ScheduleNetwork } from '../explore/network.js';
import type { InjectedNote } from '../ui/driver.js';
import { formatEvent, formatSummary, PLAIN_KINDS } from '../ui/plain.js';
import { writeFileAtomic } from '../util/files.js';
import { checkOutputs, intFlag, type Io, parseFlags, UsageError } from './io.js';
import type { CheckOptions } from '../../specs/linearizability.js';
import { EXIT_CODES, statusLabel, summaryLine, verdictNote } from '../../specs/verdict.js';
import { timeBudget } from '../util/budget.js';
import { readFile } from 'node:fs/promises';
import { loadReplayFile, replayDivergence, replayRun, type LoadedReplay } from '../explore/replay.js';
import { decodeChoice } from '../explore/schedule.js';
import { isStepsReplay, loadStepsReplay, StepRouter, stepNarrator, stepsReplayDivergence, type LoadedStepsReplay } from '../verify/replay.js';
import type { Highlight } from '../emulations/api/diagram.js';

export const RUN_HELP = `Usage: mpkv run <config.toml> [options]

Runs an emulation: the live dashboard on a terminal, the plain trace otherwise; then the
verdicts (linearizability, agreement, validity, integrity, order, convergence, liveness).

Options:
  --seed N            override the config's seed
  --clients N         override topology.clients
  --requests N        override workload.requests (per client)
  --mutant NAME       enable a deliberately broken rule, alone (see mpkv explore --list-mutants)
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
  --no-witness        do not offer the run's log order to the linearizability checker as a
                      witness (it is always verified, never trusted): search instead
  -h, --help          this help

Exit status: 0 all checks pass, 1 a check fails, 3 no check fails but one could not
decide (unknown), 2 usage or config error.`;

export async function runCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('run', args, {
    seed: { type: 'string' },
    mutant: { type: 'string' },
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
    'no-witness': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(RUN_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('expected one config file, e.g. mpkv run configs/default.toml');
  checkOutputs({ '--trace-json': values['trace-json'], '--history': values.history, '--html': values.html }, [positionals[0], values.replay]);
  const speed = intFlag('speed', values.speed, 1);
  const loaded = loadConfig(positionals[0]!, {
    seed: intFlag('seed', values.seed, 0, 2 ** 32 - 1),
    clients: intFlag('clients', values.clients, 1),
    requests: intFlag('requests', values.requests),
  });
  const emulation = emulationOf(loaded);
  const config = withMutant(emulation, loaded, values.mutant);
  const replay = values.replay ? await loadReplay(values.replay, emulation, config) : undefined;
  if (replay && values.mutant !== undefined && replay.config.mutants.enable.join() !== values.mutant) {
    throw new UsageError(`--mutant ${values.mutant}: ${replay.file} replays a run ${replay.config.mutants.enable.length ? `with ${replay.config.mutants.enable.join(', ')}` : 'with no mutant'}; leave --mutant out (the replay file says which)`);
  }
  const runConfig = replay?.config ?? config;
  /** A model checker's path: its time is the step's number. */
  const isPath = replay !== undefined && 'router' in replay;
  const judge = { check: checkOptions(values['check-steps'], values['check-timeout-ms']), witness: !values['no-witness'] };
  const dashboard = io.tty && !values.plain && !values.json;
  // The whole trace is kept only for what reads it after the run: a trace file, a diagram, the
  // dashboard's explanation of a violation (a plain run that fails is run again to explain it).
  // A replay is checked against the streamed trace's digest.
  const keepTrace = Boolean(values['trace-json'] || values.html || dashboard);
  /** What drives a replayed run: a schedule's network and faults, or a path of events; `fresh`:
   *  new ones, for the same run again (a network and a path are consumed as they are played). */
  const replayOptions = (fresh: boolean): RunOptions => {
    if (!replay) return {};
    if ('router' in replay) return { router: fresh ? new StepRouter(emulation, runConfig, replay.replay.steps, replay.replay.lasso) : replay.router };
    return fresh ? replayRun(replay.replay, config, replay.file).options : replay.options;
  };
  const run = startRun(emulation, runConfig, { ...replayOptions(false), judge, keepTrace, digest: replay !== undefined });
  /** The same run again, from the start, keeping its trace. */
  const again = (onNetwork?: (run: Run, network: ScheduleNetwork) => void): Run => {
    const options = replayOptions(true);
    const copy = startRun(emulation, runConfig, { ...options, judge, keepTrace: true });
    if (options.network) onNetwork?.(copy, options.network as ScheduleNetwork);
    return copy;
  };
  const { router } = run;
  if (values.history && !run.judge.history) throw new UsageError(`--history: the ${runConfig.emulation} emulation keeps no client history`);
  const title = runTitle(positionals[0]!, runConfig, replay?.file);
  const writesFiles = Boolean(values['trace-json'] || values.history || values.html);
  let result: RunResult;
  if (dashboard) {
    const { runDashboard } = await import('./dashboard.js');
    // The same run again, for the dashboard's rehearsal (a replay's network is fresh per run),
    // and each run's schedule network, whose held-back messages the trace shows no event for.
    const networks = new WeakMap<Run, ScheduleNetwork>();
    if (replay && !('router' in replay)) networks.set(run, replay.options.network as ScheduleNetwork);
    const rehearse = (): Run => again((copy, network) => networks.set(copy, network));
    const watched = await runDashboard(run, {
      speed,
      paused: replay !== undefined,
      replay: replay?.file,
      rehearse,
      rehearseEarly: replay !== undefined || runConfig.mutants.enable.length > 0,
      ...(replay ? { injected: heldBack(networks) } : {}),
      ...(replay && 'router' in replay ? { timeUnit: 'step' as const, narrate: stepNarrator(emulation, replay.replay.steps) } : {}),
    });
    if (!watched.result) {
      io.stdout(`stopped at t=${router.time} ms before the run ended: not judged (${title})`);
      const rehearsed = watched.rehearsed;
      if (rehearsed) {
        // The dashboard ran the same run to its end on the side: its verdicts are this run's.
        io.stdout('the same run, played to its end on the side (the dashboard\'s rehearsal), is judged:');
        const why = rehearsed.status === 'fail' ? await explanationOf(emulation, rehearsed) : [];
        for (const line of report(runConfig, rehearsed, undefined, why)) io.stdout(line);
      }
      return 1;
    }
    result = watched.result;
  } else {
    if (!values.json) io.stdout(title);
    router.onEvent(
      (e) => {
        const line = values.json ? JSON.stringify(e) : formatEvent(e, (msg) => emulation.messages.describe(msg), values.verbose);
        if (line) io.stdout(line);
      },
      values.json || values.verbose ? undefined : PLAIN_KINDS,
    );
    router.boot();
    while (router.step()) {
      // Output closed (piped into `head`): nothing more can be shown; stop, unless files are due.
      if (io.closed?.() && !writesFiles) return 0;
    }
    result = finishRun(run);
  }
  // Each file written is said (on stderr with --json, whose stdout is JSON Lines only).
  const wrote = (file: string, content: string): void => {
    writeFileAtomic(file, content);
    (values.json ? io.stderr : io.stdout)(`wrote ${file}`);
  };
  if (values['trace-json']) {
    const header = { kind: 'run', emulation: runConfig.emulation, seed: runConfig.seed, mutants: runConfig.mutants.enable, ...(isPath ? { time_unit: 'step' } : {}) };
    wrote(values['trace-json'], [header, ...result.trace!].map((e) => JSON.stringify(e)).join('\n') + '\n');
  }
  if (values.history && result.history) wrote(values.history, result.history.text());
  if (values.html) wrote(values.html, await diagramOf(values.html, emulation, result, title, replay));
  const diverged = replay ? ('router' in replay ? stepsReplayDivergence(replay, result) : replayDivergence(replay.replay, result)) : undefined;
  if (diverged) io.stderr(`mpkv run: REPLAY DIVERGED from ${replay!.file}: ${diverged}. The code changed since the file was written; this run does not reproduce it.`);
  const why = result.status === 'fail' && !values.json ? await explanationOf(emulation, result.trace ? result : finishRun(again())) : [];
  if (!values.json) for (const line of report(runConfig, result, diverged, why)) io.stdout(line);
  return EXIT_CODES[result.status];
}

/** A replay's held-back messages, per run, as the dashboard's log shows them (drops and
 *  duplicates have trace events of their own). */
function heldBack(networks: WeakMap<Run, ScheduleNetwork>): (run: Run) => readonly InjectedNote[] {
  const noted = new WeakMap<Run, { seen: number; notes: InjectedNote[] }>();
  return (run) => {
    const injected = networks.get(run)?.injected ?? [];
    const done = noted.get(run) ?? { seen: 0, notes: [] };
    for (; done.seen < injected.length; done.seen++) {
      const fault = injected[done.seen]!;
      if (fault.fault.kind === 'delay') done.notes.push({ t: fault.t, text: describeFault(fault).replace(/^t=\d+ /, '') });
    }
    noted.set(run, done);
    return done.notes;
  };
}

/** A replay file of either kind: an exploration schedule, or a model checker's path of events. */
async function loadReplay(file: string, emulation: AnyEmulation, config: Config): Promise<LoadedReplay | LoadedStepsReplay> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // Not readable or not JSON: the schedule reader says so, naming the file.
  }
  return isStepsReplay(value) ? loadStepsReplay(file, emulation, config, value as Record<string, unknown>) : loadReplayFile(file, emulation, config);
}

/** The run as a message-sequence diagram: a page, or an SVG when `file` ends in .svg; failed
 *  checks above the picture, a replay's message faults marked (a path's faults are in its trace). */
async function diagramOf(file: string, emulation: AnyEmulation, result: RunResult, title: string, replay: LoadedReplay | LoadedStepsReplay | undefined): Promise<string> {
  const { renderRunHtml, renderRunSvg } = await import('../view/trace-adapter.js');
  const notes = result.verdicts.filter((v) => v.status !== 'ok').map(verdictNote);
  const schedule = replay && !('router' in replay) ? replay.replay.schedule : undefined;
  const faults = (schedule?.messages ?? []).flatMap((m) => {
    const fault = decodeChoice(m.choice);
    return fault.kind === 'normal' ? [] : [{ from: m.from, to: m.to, n: m.n, fault }];
  });
  const options = { title, notes, faults, highlights: lassoHighlights(result, replay), ...(replay && 'router' in replay ? { timeUnit: 'step' } : {}) };
  const trace = result.trace!;
  return file.toLowerCase().endsWith('.svg') ? renderRunSvg(emulation, trace, options) : renderRunHtml(emulation, trace, options);
}

/** A model checker's lasso (src/verify/replay.ts): the notes where its loop starts and goes
 *  back, ringed as the violation (or the note that it is stuck). */
function lassoHighlights(result: RunResult, replay: LoadedReplay | LoadedStepsReplay | undefined): Highlight[] {
  const steps = replay && 'router' in replay ? replay.replay : undefined;
  const lasso = steps?.lasso;
  const failed = result.verdicts.find((v) => v.name === 'liveness' && v.status === 'fail');
  if (!steps || !lasso || failed?.at?.event === undefined) return [];
  const last = steps.steps.length;
  const start = failed.at.evidence?.[0];
  if (start === undefined) return [{ role: 'violation', title: `liveness: stuck after event ${last}`, text: failed.detail, events: [failed.at.event], tag: 'stuck' }];
  return [
    { role: 'violation', title: `liveness: events ${lasso.loop_from}-${last} repeat for ever (the loop starts and goes back at the ringed notes)`, text: failed.detail, events: [failed.at.event], tag: `back to ${lasso.loop_from}` },
    { role: 'evidence', title: `the loop starts here, at event ${lasso.loop_from}`, events: [start], tag: `loop from ${lasso.loop_from}` },
  ];
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

/** A failed run's violations in the emulation's words (what its diagram explains). */
async function explanationOf(emulation: AnyEmulation, result: RunResult): Promise<string[]> {
  const { explainRun } = await import('../view/trace-adapter.js');
  return explainRun(emulation, result.trace!, result.verdicts);
}

/** The closing report: counts, verdicts (a failure with the time it first failed), and the
 *  violation explained (`why`, from the emulation), if any. */
export function report(config: Config, result: RunResult, diverged?: string, why: readonly string[] = []): string[] {
  const width = Math.max(...result.verdicts.map((v) => v.name.length));
  return [
    '',
    `${config.emulation} run, seed ${config.seed}${config.mutants.enable.length ? `, mutants: ${config.mutants.enable.join(', ')}` : ''}`,
    ...(diverged ? [`REPLAY DIVERGED: ${diverged}`] : []),
    ...result.counts,
    ...formatSummary(result.summary),
    'verdicts:',
    ...result.verdicts.map((v) => `  ${v.name.padEnd(width)}  ${statusLabel(v.status).padEnd(7)}  ${v.detail}${v.at ? ` [first failed at t=${v.at.t}]` : ''}`),
    ...(why.length > 0 ? ['why:', ...why.map((line) => `  ${line}`)] : []),
    summaryLine(result.verdicts),
  ];
}
