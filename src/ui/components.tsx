/**
 * The dashboard's pure components: each renders readonly props (a `Frame` snapshot and the
 * terminal size) and nothing else. The log is Ink's `Static` (printed once, above the live
 * part, and left in the terminal's scrollback), each line fitted to the width (long lines
 * wrap under their text, never into orphan fragments); the live part below it is sized to stay
 * shorter than the terminal, so Ink never has to clear the screen.
 *
 *   ... log lines ...   (the violation's line in red, the line a jump stopped at inverted)
 *    REPLAY  mpkv <emulation> · seed 1 · mutant x ─── t=123 ms  speed 100 ms/s  ❚❚ paused
 *   ┌──────────────────────────────────────────────────────────────────────┐
 *   │ server 1    serving   ...the emulation's row for the node...        │
 *   │ client 1    waiting   ...                                           │
 *   └──────────────────────────────────────────────────────────────────────┘
 *   net  in flight 4  delivered 120  dropped 0  duplicated 0  partitions 1 active
 *       partitioned {server 1, client 1} | rest
 *   VIOLATION agreement at t=79: ...             (once known: ahead, or reached)
 *   [t=300..600] … 12 quiet polls                (background lines being folded)
 *   space pause  n/→ step  v violation  f fault  m milestone  c crash  +/- speed  q quit
 */
import { Box, Static, Text } from 'ink';
import { overallStatus, statusLabel, summaryLine, type Verdict, type VerdictStatus } from '../../specs/verdict.js';
import type { Frame, LogLine, LogTone } from './driver.js';
import { controlsText, ellipsis, layoutPanels, networkLine, partitionsLine, verdictHeight, verdictLines, wrapLogLine, type NodeLine, type PanelGroup, type Tone } from './panels.js';

const TONE_COLOR: Record<Tone, string | undefined> = {
  normal: undefined,
  good: 'green',
  busy: 'cyan',
  warn: 'yellow',
  bad: 'red',
  dim: 'gray',
};

const STATUS_COLOR: Record<VerdictStatus, string> = { ok: 'green', fail: 'red', unknown: 'yellow' };

const LOG_STYLE: Record<LogTone, { color?: string; bold?: boolean; inverse?: boolean; dimColor?: boolean }> = {
  normal: {},
  fault: { color: 'yellow' },
  end: { color: 'magenta' },
  violation: { color: 'red', bold: true, inverse: true },
  evidence: { color: 'red', bold: true },
  target: { inverse: true },
  quiet: { dimColor: true },
  step: { color: 'cyan', bold: true },
};

export function LogView({ lines, width }: { readonly lines: readonly LogLine[]; readonly width: number }) {
  return (
    <Static items={lines as LogLine[]}>
      {(line) => (
        <Text key={line.key} {...LOG_STYLE[line.tone]}>
          {wrapLogLine(line.text, width)}
        </Text>
      )}
    </Static>
  );
}

/**
 * The header's title and speed in as many words as `width` allows: in full, then without
 * `mpkv` and the word `speed`, then without the seed; REPLAY, the emulation, its mutants and
 * the run's state always stay (the title is cut last).
 */
export function headerText(frame: Frame, width: number): { title: string; speed: string } {
  const { emulation, seed, mutants } = frame.heading;
  const badge = frame.replay ? ' REPLAY  ' : '';
  const status = statusText(frame);
  const mutant = mutants.length ? ` · mutant${mutants.length > 1 ? 's' : ''} ${mutants.join(', ')}` : '';
  const unit = frame.timeUnit === 'step' ? 'steps' : 'ms';
  const candidates = [
    { title: `mpkv ${emulation} · seed ${seed}${mutant}`, speed: `speed ${frame.speed} ${unit}/s` },
    { title: `${emulation} · seed ${seed}${mutant}`, speed: `${frame.speed} ${unit}/s` },
    { title: `${emulation}${mutant}`, speed: `${frame.speed} ${unit}/s` },
  ];
  const room = (c: { speed: string }): number => width - badge.length - `${clockText(frame)}  ${c.speed}  ${status}`.length - 2;
  const fit = candidates.find((c) => c.title.length <= room(c)) ?? candidates[2]!;
  return { title: ellipsis(fit.title, Math.max(4, room(fit))), speed: fit.speed };
}

/** `t=120 ms`; on a model checker's path, where time is the step's number, `step 7`. */
export const clockText = (frame: Pick<Frame, 'time' | 'timeUnit'>): string => (frame.timeUnit === 'step' ? `step ${frame.time}` : `t=${frame.time} ms`);

const statusText = (frame: Frame): string => (frame.ended ? `■ ended (${frame.ended})` : frame.paused ? '❚❚ paused' : '▶ running');

export function Header({ frame, width }: { readonly frame: Frame; readonly width: number }) {
  const status = statusText(frame);
  const { title, speed } = headerText(frame, width);
  return (
    <Box justifyContent="space-between">
      <Text wrap="truncate-end">
        {frame.replay ? (
          <Text inverse bold color="yellow">
            {' REPLAY '}
          </Text>
        ) : null}
        {frame.replay ? ' ' : ''}
        <Text bold>{title}</Text>
      </Text>
      <Box flexShrink={0}>
        <Text wrap="truncate-end">
          {clockText(frame)}  {speed}  <Text color={frame.ended ? 'magenta' : frame.paused ? 'yellow' : 'green'}>{status}</Text>
        </Text>
      </Box>
    </Box>
  );
}

/** Where the run breaks a check: ahead (jump with v) or reached. */
export function ViolationBar({ frame }: { readonly frame: Frame }) {
  const v = frame.violation;
  if (!v) return null;
  const when = Number.isFinite(v.t) ? (frame.timeUnit === 'step' ? `step ${v.t}` : `t=${v.t}`) : 'the end';
  // Several checks failed: this is the first in time; the others are named (the verdicts say more).
  const others = v.others.length === 0 ? '' : ` (first of ${v.others.length + 1} failed checks; also ${v.others.join(', ')})`;
  const text = v.reached
    ? `VIOLATION ${v.check} at ${when}${others}: ${v.detail.split('\n')[0]}`
    : `a violation ahead: ${v.check} fails at ${when}${others} (v goes there)`;
  return (
    <Text wrap="truncate-end" color="red" bold={v.reached}>
      {text}
    </Text>
  );
}

/** The last key's notice, the background lines being folded, or that the nodes have settled. */
export function StatusLine({ frame }: { readonly frame: Frame }) {
  if (frame.notice) {
    return (
      <Text wrap="truncate-end" color="yellow">
        {frame.notice}
      </Text>
    );
  }
  if (frame.folding || frame.settled) {
    return (
      <Text wrap="truncate-end" dimColor>
        {frame.folding ?? frame.settled}
      </Text>
    );
  }
  return null;
}

export function NodeRow({ line, idWidth, stateWidth }: { readonly line: NodeLine; readonly idWidth: number; readonly stateWidth: number }) {
  const color = TONE_COLOR[line.tone];
  return (
    <Text wrap="truncate-end">
      <Text bold>{line.id.padEnd(idWidth)}</Text> <Text color={color}>{line.state.padEnd(stateWidth)}</Text> {line.detail}
    </Text>
  );
}

export function NodeColumn({ groups }: { readonly groups: readonly PanelGroup[] }) {
  const lines = groups.flatMap((g) => g.lines);
  const idWidth = Math.max(0, ...lines.map((l) => l.id.length));
  const stateWidth = Math.max(0, ...lines.map((l) => l.state.length));
  return (
    <Box flexDirection="column" flexGrow={1} flexBasis={0}>
      {lines.map((line) => (
        <NodeRow key={line.id} line={line} idWidth={idWidth} stateWidth={stateWidth} />
      ))}
    </Box>
  );
}

export function NodePanels({ columns }: { readonly columns: readonly (readonly PanelGroup[])[] }) {
  return (
    <Box borderStyle="round" borderColor="gray" paddingX={1} columnGap={COLUMN_GAP}>
      {columns.map((groups, i) => (
        <NodeColumn key={i} groups={groups} />
      ))}
    </Box>
  );
}

export function NetworkBar({ frame }: { readonly frame: Frame }) {
  const partitions = partitionsLine(frame.network);
  return (
    <>
      <Text wrap="truncate-end">
        <Text bold>net </Text>
        {networkLine(frame.network)}
      </Text>
      {partitions ? (
        <Text wrap="truncate-end" color="yellow">
          {'    partitioned '}
          {partitions}
        </Text>
      ) : null}
    </>
  );
}

/** The verdicts; `compact` (a short terminal): the passing ones share a line, each line cut with an ellipsis. */
export function VerdictPanel({ verdicts, compact = false }: { readonly verdicts: readonly Verdict[]; readonly compact?: boolean }) {
  const lines = verdictLines(verdicts, compact);
  const width = Math.max(...lines.map((v) => v.name.length));
  const status = overallStatus(verdicts);
  const color = STATUS_COLOR[status];
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={color} paddingX={1}>
      {lines.map((v) => (
        <Box key={v.name}>
          <Box width={width + 2} flexShrink={0}>
            <Text bold>{v.name}</Text>
          </Box>
          <Box width={8} flexShrink={0}>
            <Text color={STATUS_COLOR[v.status]} bold>
              {statusLabel(v.status)}
            </Text>
          </Box>
          <Box flexDirection="column">
            {(compact ? v.detail.slice(0, 1) : v.detail).map((d, i) => (
              <Text key={i} wrap={compact ? 'truncate-end' : 'wrap'}>
                {d}
              </Text>
            ))}
          </Box>
        </Box>
      ))}
      <Text bold color={color}>
        {summaryLine(verdicts)}
      </Text>
    </Box>
  );
}

export function Controls({ frame, width }: { readonly frame: Frame; readonly width: number }) {
  return (
    <Text color="gray" wrap="truncate-end">
      {controlsText({ ended: frame.ended !== undefined, paused: frame.paused }, width)}
    </Text>
  );
}

export interface DashboardProps {
  readonly frame: Frame;
  readonly columns: number;
  readonly rows: number;
}

/** Rows the live part uses besides the node lines: header, borders, network, controls, and
 *  a few rows left for the log to show through. */
const CHROME_ROWS = 5;
const LOG_ROWS = 3;
/** The node panel's border and padding, and the gap between its two columns. */
const PANEL_CHROME = 4;
const COLUMN_GAP = 3;

/** The whole screen for one frame. */
export function Dashboard({ frame, columns, rows }: DashboardProps) {
  // The verdicts in full when they leave room for a line per role; otherwise one line each,
  // the passing ones sharing a line.
  const fullRows = frame.verdicts ? verdictHeight(frame.verdicts, columns) : 0;
  const roles = new Set(frame.views.map((v) => v.role)).size;
  const compact = frame.verdicts !== undefined && rows - CHROME_ROWS - LOG_ROWS - fullRows < roles;
  const verdictRows = frame.verdicts ? (compact ? verdictLines(frame.verdicts, true).length + 3 : fullRows) : 0;
  const partitionRows = frame.network.partitions.length > 0 ? 1 : 0;
  const extraRows = (frame.violation ? 1 : 0) + (frame.notice || frame.folding || frame.settled ? 1 : 0);
  const budget = Math.max(1, rows - CHROME_ROWS - LOG_ROWS - verdictRows - partitionRows - extraRows);
  const two = columns >= 150;
  const columnWidth = two ? Math.floor((columns - PANEL_CHROME - COLUMN_GAP) / 2) : columns - PANEL_CHROME;
  const panelColumns = layoutPanels(frame.emulation, frame.views, budget, two ? 2 : 1, columnWidth);
  return (
    <>
      <LogView lines={frame.log} width={columns} />
      <Box flexDirection="column" width={columns}>
        <Header frame={frame} width={columns} />
        <NodePanels columns={panelColumns} />
        <NetworkBar frame={frame} />
        {frame.verdicts ? <VerdictPanel verdicts={frame.verdicts} compact={compact} /> : null}
        <ViolationBar frame={frame} />
        <StatusLine frame={frame} />
        <Controls frame={frame} width={columns} />
      </Box>
    </>
  );
}
