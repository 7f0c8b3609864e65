/**
 * The live Ink dashboard for `mpkv run` on a terminal: node panels, the protocol log, the
 * network, virtual time and speed; the verdicts at the end. `SimDriver` (driver.ts) paces the
 * simulation; `LiveDashboard` wires it to a ticker and the keyboard; the components
 * (components.tsx) only render its snapshots.
 *
 * Keys: space pause/resume, n or → one event, v the violation, f / m / c the next fault,
 * milestone or crash (each pauses there), + / - speed ×2 / ÷2, q quit. Keys that come in one
 * burst (auto-repeat, a paste: `nnn`) act one by one. Keys typed while mpkv starts are not
 * echoed: the command holds them (`holdKeystrokes`, src/commands/io.ts) until the dashboard
 * reads them, and whatever the terminal echoed before that is erased before the first frame.
 */
import { useEffect, useState } from 'react';
import { render, useApp, useInput, useStdout } from 'ink';
import type { Run, RunResult } from '../emulations/run.js';
import { Dashboard } from './components.js';
import { intervalTicker, REHEARSAL_MS_PER_TICK, SimDriver, type DriverOptions, type JumpTarget, type Ticker } from './driver.js';

export interface DashboardOptions {
  /** Virtual milliseconds per real second (undefined: the default pace). */
  readonly speed: number | undefined;
  /** Open paused (replays), to be stepped through. */
  readonly paused: boolean;
  /** The replay file being played, if any. */
  readonly replay?: string | undefined;
  /** A fresh copy of the run, for the driver's rehearsal (where does a check first fail?). */
  readonly rehearse?: () => Run;
  /** Rehearse in the background from the start (a replay, a mutant). */
  readonly rehearseEarly?: boolean;
  /** A replay's faults the trace shows no event for (see `DriverOptions.injected`). */
  readonly injected?: DriverOptions['injected'];
  /** A model checker's path: time in steps, and each step's line (see `DriverOptions`). */
  readonly timeUnit?: DriverOptions['timeUnit'];
  readonly narrate?: DriverOptions['narrate'];
}

/** The jump keys. */
const JUMPS: Readonly<Record<string, JumpTarget>> = { v: 'violation', f: 'fault', m: 'milestone', c: 'crash' };

export interface LiveDashboardProps {
  readonly driver: SimDriver;
  readonly ticker: Ticker;
  /** Terminal size (default: the stdout's, following resizes). */
  readonly columns?: number;
  readonly rows?: number;
}

/** The terminal's size, updated on resize. */
function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/** The dashboard wired to a driver, a ticker and the keyboard. */
export function LiveDashboard({ driver, ticker, columns, rows }: LiveDashboardProps) {
  const { exit } = useApp();
  const size = useTerminalSize();
  const [frame, setFrame] = useState(() => driver.snapshot());
  const refresh = () => setFrame(driver.snapshot());

  useEffect(
    () =>
      ticker.start((realMs) => {
        // Keep each tick short so keys stay responsive at high speeds.
        const start = performance.now();
        driver.advance(realMs, () => performance.now() - start > 20);
        const idle = performance.now();
        driver.idle(() => performance.now() - idle > REHEARSAL_MS_PER_TICK);
        refresh();
      }),
    [driver, ticker],
  );

  useInput((input, key) => {
    if (key.escape) return exit();
    let acted = false;
    for (const k of keysOf(input, key)) {
      if (k === 'q') return exit();
      acted = act(driver, k, key.rightArrow) || acted;
    }
    if (acted) refresh();
  });

  return <Dashboard frame={frame} columns={columns ?? size.columns} rows={rows ?? size.rows} />;
}

/** The keys of one input: a burst of printable keys (auto-repeat, a paste) comes as one
 *  string, and each of them counts (escape sequences, such as an arrow, come one at a time). */
export function keysOf(input: string, key: { readonly ctrl: boolean; readonly meta: boolean }): string[] {
  return input.length > 1 && !key.ctrl && !key.meta ? [...input] : [input];
}

/** What one key does to the run; false when it is no key of the dashboard's. */
function act(driver: SimDriver, input: string, rightArrow: boolean): boolean {
  if (input === ' ') driver.togglePause();
  else if (input === 'n' || rightArrow) driver.stepOne();
  else if (JUMPS[input] !== undefined) driver.jumpTo(JUMPS[input]!);
  else if (input === '+' || input === '=') driver.faster();
  else if (input === '-' || input === '_') driver.slower();
  else return false;
  return true;
}

/** Erases the line the cursor is on: keys typed before the command held them were echoed
 *  there by the terminal (a terminal only). */
export function eraseEcho(stdout: { readonly isTTY?: boolean; write(text: string): unknown }): void {
  if (stdout.isTTY) stdout.write('\r\u001B[2K');
}

/** What the user watched: the judged run, or, when they quit before its end, the rehearsal's
 *  judgement of the same run (if one was made: a jump, or a replay's background rehearsal). */
export interface Watched {
  readonly result: RunResult | undefined;
  readonly rehearsed: RunResult | undefined;
}

/**
 * Shows the run live until the user quits (q, Esc or Ctrl+C). The caller prints the report
 * after Ink has let go of the terminal, so the result stays on screen.
 */
export async function runDashboard(run: Run, options: DashboardOptions): Promise<Watched> {
  const driver = new SimDriver(run, options);
  eraseEcho(process.stdout);
  const instance = render(<LiveDashboard driver={driver} ticker={intervalTicker()} />, { exitOnCtrlC: true, patchConsole: true });
  await instance.waitUntilExit();
  instance.cleanup();
  return { result: driver.result, rehearsed: driver.rehearsed };
}
