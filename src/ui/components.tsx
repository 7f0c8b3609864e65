/**
 * The dashboard's pure components: each renders readonly props (a `Frame` snapshot and the
 * terminal size) and nothing else. The log is Ink's `Static` (printed once, above the live
 * part, and left in the terminal's scrollback); the live part below it is sized to stay
 * shorter than the terminal, so Ink never has to clear the screen.
 *
 *   ... log lines ...
 *   ┌ mpkv <emulation> · seed 1 ──── t=123 ms  speed 100 ms/s  ▶ running ┐
 *   │ server 1    serving   ...the emulation's row for the node...        │
 *   │ client 1    waiting   ...                                           │
 *   └──────────────────────────────────────────────────────────────────────┘
 *   net  in flight 4  delivered 120  dropped 0  duplicated 0  partitions 1 active
 *       partitioned {server 1, client 1} | rest
 *   space pause  n/→ step  +/- speed  q quit
 */
import { Box, Static, Text } from 'ink';
import { overallStatus, statusLabel, summaryLine, type Verdict, type VerdictStatus } from '../../specs/verdict.js';
import type { Frame, LogLine } from './driver.js';
import { layoutPanels, networkLine, partitionsLine, verdictHeight, verdictLines, type NodeLine, type PanelGroup, type Tone } from './panels.js';

const TONE_COLOR: Record<Tone, string | undefined> = {
  normal: undefined,
  good: 'green',
  busy: 'cyan',
  warn: 'yellow',
  bad: 'red',
  dim: 'gray',
};

const STATUS_COLOR: Record<VerdictStatus, string> = { ok: 'green', fail: 'red', unknown: 'yellow' };

export function LogView({ lines }: { readonly lines: readonly LogLine[] }) {
  return (
    <Static items={lines as LogLine[]}>
      {(line) => (
        <Text key={line.key} color={line.tone === 'fault' ? 'yellow' : line.tone === 'end' ? 'magenta' : undefined}>
          {line.text}
        </Text>
      )}
    </Static>
  );
}

export function Header({ frame }: { readonly frame: Frame }) {
  const status = frame.ended ? `■ ended (${frame.ended})` : frame.paused ? '❚❚ paused' : '▶ running';
  return (
    <Box justifyContent="space-between">
      <Text bold>mpkv {frame.title}</Text>
      <Text>
        t={frame.time} ms  speed {frame.speed} ms/s  <Text color={frame.ended ? 'magenta' : frame.paused ? 'yellow' : 'green'}>{status}</Text>
      </Text>
    </Box>
  );
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
    <Box borderStyle="round" borderColor="gray" paddingX={1} columnGap={3}>
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
            {v.detail.map((d, i) => (
              <Text key={i}>{d}</Text>
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

export function Controls({ frame }: { readonly frame: Frame }) {
  return (
    <Text color="gray" wrap="truncate-end">
      {frame.ended ? 'q quit' : `space ${frame.paused ? 'resume' : 'pause'}  n/→ step  +/- speed  q quit`}
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

/** The whole screen for one frame. */
export function Dashboard({ frame, columns, rows }: DashboardProps) {
  const partitionRows = frame.network.partitions.length > 0 ? 1 : 0;
  // On a short terminal the passing verdicts share a line, so the nodes keep theirs.
  const room = rows - CHROME_ROWS - LOG_ROWS - partitionRows - frame.emulation.roles.length - 2;
  const compact = frame.verdicts !== undefined && verdictHeight(frame.verdicts, columns) > room;
  const verdictRows = frame.verdicts ? verdictHeight(frame.verdicts, columns, compact) : 0;
  const budget = Math.max(1, rows - CHROME_ROWS - LOG_ROWS - verdictRows - partitionRows);
  const panelColumns = layoutPanels(frame.emulation, frame.views, budget, columns >= 150 ? 2 : 1);
  return (
    <>
      <LogView lines={frame.log} />
      <Box flexDirection="column" width={columns}>
        <Header frame={frame} />
        <NodePanels columns={panelColumns} />
        <NetworkBar frame={frame} />
        {frame.verdicts ? <VerdictPanel verdicts={frame.verdicts} compact={compact} /> : null}
        <Controls frame={frame} />
      </Box>
    </>
  );
}
