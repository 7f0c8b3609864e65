/**
 * `mpkv view TRACE.jsonl [-o OUT.html|OUT.svg] [--replay FILE] [--title TEXT]`: draws a run's
 * trace (written by `mpkv run --trace-json`) as a message-sequence diagram: a self-contained
 * HTML page, or a standalone SVG. With the replay file the run came from, the schedule's
 * message faults are marked where they hit.
 *
 * Exit 0 when the file is written, 2 on bad input (one line naming the file and line).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readReplayFile, traceDigest } from '../explore/replay.js';
import { decodeChoice } from '../explore/schedule.js';
import type { TraceEvent } from '../sim/trace.js';
import { writeFileAtomic } from '../util/files.js';
import { diagramSvg, drawDiagram } from '../view/draw.js';
import { renderDiagramPage } from '../view/page.js';
import { EMULATIONS } from '../emulations/index.js';
import { diagramSpecOf, parseTraceJsonl, runDiagram, TraceFileError, type MessageFault, type RunViewOptions } from '../view/trace-adapter.js';
import { isStepsReplay, parseStepsReplay, type StepsReplayFile } from '../verify/replay.js';
import { checkOutputs, type Io, parseFlags, UsageError } from './io.js';

export const VIEW_HELP = `Usage: mpkv view <trace.jsonl> [-o OUT.html|OUT.svg] [options]

Draws a run as a message-sequence diagram: one lane per node, time going down, an arrow per
message (drops, duplicates, crashes, partitions and client operations marked). A violation
is explained in the emulation's words and highlighted with the events behind it (the same
explanation is printed). The HTML page is self-contained (zoom, filters by node or by the
messages' fields, folded background traffic, SVG export).

  mpkv run configs/default.toml --trace-json run.jsonl
  mpkv view run.jsonl -o run.html

Options:
  -o, --out FILE      output: .html (default: the trace's name with .html) or .svg
  --emulation NAME    the emulation that wrote the trace (default: the trace's first line says)
  --replay FILE       the replay file the run came from: mark the schedule's message faults
                      (a path of mpkv verify's: its time is in steps)
  --title TEXT        the page's title
  -h, --help          this help

Exit status: 0 written, 2 bad input.`;

export async function viewCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('view', args, {
    out: { type: 'string', short: 'o' },
    replay: { type: 'string' },
    title: { type: 'string' },
    emulation: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(VIEW_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('expected one trace file (JSON Lines of mpkv run --trace-json), e.g. mpkv view run.jsonl -o run.html');
  const file = positionals[0]!;
  const out = values.out ?? `${file.replace(/\.jsonl?$/i, '')}.html`;
  const format = path.extname(out).toLowerCase();
  if (!['.html', '.htm', '.svg'].includes(format)) throw new UsageError(`-o ${out}: expected a .html or .svg file name`);
  checkOutputs({ [values.out === undefined ? 'the page' : '-o']: out }, [file, values.replay]);
  const { header, events: trace } = await readTrace(file, values.emulation);
  const emulation = EMULATIONS.find((e) => e.name === (values.emulation ?? header?.emulation));
  if (!emulation) {
    throw new UsageError(
      `${file}: which emulation wrote this trace? Its first line does not say (traces of mpkv run --trace-json do): give --emulation ${EMULATIONS.map((e) => e.name).join('|')}`,
    );
  }
  const options: RunViewOptions = {
    title: values.title ?? `mpkv run ${path.basename(file)}`,
    ...(header?.time_unit ? { timeUnit: header.time_unit } : {}),
    ...(values.replay ? await replayOptions(values.replay, trace) : {}),
  };
  const model = runDiagram(emulation, trace, options);
  const content = format === '.svg' ? diagramSvg(model, drawDiagram(model)) : renderDiagramPage(model);
  writeFileAtomic(out, content);
  const faults = model.highlights.filter((h) => h.role === 'fault').length;
  io.stdout(`wrote ${out}: ${model.messages.length} messages, ${model.timeUnit === 'step' ? `steps 0..${trace[trace.length - 1]!.t}` : `t=0..${trace[trace.length - 1]!.t} ms`}${faults ? `, ${faults} fault(s) marked` : ''}`);
  for (const line of model.explanation) io.stdout(line);
  return 0;
}

/** The replay file, if it is a model checker's path (other kinds, and files that cannot be
 *  read, are the schedule reader's to judge). */
async function stepsReplayIn(file: string): Promise<StepsReplayFile | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  return isStepsReplay(value) ? parseStepsReplay(file, value as Record<string, unknown>) : undefined;
}

async function readTrace(file: string, emulation: string | undefined): Promise<ReturnType<typeof parseTraceJsonl>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: cannot read the trace (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code ?? 'error'})`);
  }
  try {
    const known = (name: string | undefined) => {
      const e = EMULATIONS.find((x) => x.name === (emulation ?? name));
      if (name !== undefined && !e) throw new TraceFileError(`${file}:1: emulation: no emulation named ${JSON.stringify(name)}`);
      return e ? diagramSpecOf(e).messageTypes : [];
    };
    return parseTraceJsonl(text, file, known);
  } catch (error) {
    if (error instanceof TraceFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** The replay's mutants (for the subtitle) and message faults; refuses a replay of another run.
 *  A model checker's path (a `steps` replay) has no faults to mark: its time is in steps. */
async function replayOptions(file: string, trace: readonly TraceEvent[]): Promise<Pick<RunViewOptions, 'subtitle' | 'faults' | 'timeUnit'>> {
  const found = await stepsReplayIn(file);
  if (found) {
    if (found.expect && found.expect.trace_sha256 !== traceDigest(trace)) {
      throw new UsageError(`${file}: expect.trace_sha256: the trace is not the run of this replay (run mpkv run ${found.config} --replay ${file} --trace-json FILE)`);
    }
    const mutants = found.mutants.length > 0 ? `, mutant ${found.mutants.join(', ')}` : '';
    return { subtitle: `replay of ${found.config}${mutants}: a path of ${found.steps.length} event(s) found by mpkv verify`, timeUnit: 'step' };
  }
  const replay = await readReplayFile(file);
  if (replay.expect && replay.expect.trace_sha256 !== traceDigest(trace)) {
    throw new UsageError(`${file}: expect.trace_sha256: the trace is not the run of this replay (run mpkv run ${replay.config} --replay ${file} --trace-json FILE)`);
  }
  const faults: MessageFault[] = replay.schedule.messages.flatMap((m) => {
    const fault = decodeChoice(m.choice);
    return fault.kind === 'normal' ? [] : [{ from: m.from, to: m.to, n: m.n, fault }];
  });
  const mutants = replay.mutants.length > 0 ? `, mutant ${replay.mutants.join(', ')}` : '';
  return { subtitle: `replay of ${replay.config}${mutants}: ${faults.length} message fault(s), ${replay.schedule.crashes.length} crash(es), ${replay.schedule.partitions.length} partition(s)`, faults };
}
