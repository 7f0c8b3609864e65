/**
 * The dashboard: pure panel lines, the driver's pacing and determinism, Ink frames of a small
 * deterministic run (initial, mid-run after stepping, verdicts) driven through stdin and a
 * manual ticker, the layout at 80x24 with many nodes, and the non-TTY fallback.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import React from 'react';
import { render } from 'ink-testing-library';
import type { Config } from '../src/emulations/api/emulation.js';
import { loadConfig, parseConfig } from '../src/emulations/index.js';
import { storeText } from '../src/emulations/kv/views.js';
import { maxSync } from '../src/emulations/max_sync/index.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { numberRanges, stateText } from '../src/emulations/api/rows.js';
import { emulate, startRun } from '../src/emulations/run.js';
import type { NodeView } from '../src/sim/router.js';
import { Dashboard } from '../src/ui/components.js';
import { eraseEcho, keysOf, LiveDashboard } from '../src/ui/dashboard.js';
import { holdKeystrokes } from '../src/commands/io.js';
import { DEFAULT_SPEED, ManualTicker, SimDriver } from '../src/ui/driver.js';
import { controlsText, layoutPanels, networkLine, nodeLine as nodeLineOf, partitionsLine, roleSummary as roleSummaryOf, wrapLogLine } from '../src/ui/panels.js';
import { explorationConfig, explore, scheduleOptions } from '../src/explore/explore.js';
import type { Schedule } from '../src/explore/schedule.js';
import { describeFault } from '../src/explore/network.js';
import { leaderRestartRun } from './view-runs.js';
import { describeSteps, StepRouter, stepNarrator } from '../src/verify/replay.js';
import { search } from '../src/verify/search.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT = path.join(ROOT, 'configs/default.toml');
const run = promisify(execFile);

const small = (): Config => loadConfig(DEFAULT);
const driverFor = (config: Config, options: ConstructorParameters<typeof SimDriver>[1] = {}) => new SimDriver(startRun(multipaxos, config), options);
const nodeLine = (view: NodeView) => nodeLineOf(multipaxos, view);
const roleSummary = (role: string, views: readonly NodeView[]) => roleSummaryOf(multipaxos, role, views);

/** React flushes every update made inside `act` before it resolves: frames are deterministic,
 *  no wall-clock waits. `act` is global, so the Ink tests run serially. */
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
const act = (fn: () => void = () => {}) => React.act(async () => fn());
const flush = () => act();
const mount = async (element: React.ReactElement) => {
  let ui: ReturnType<typeof render> | undefined;
  await act(() => {
    ui = render(element);
  });
  return ui!;
};
const unmount = (ui: ReturnType<typeof render>) => act(() => ui.unmount());
const ESC = '\u001B';
const stripAnsi = (s: string) => s.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
/** The live part of a frame: what follows the Static log (from the header on). */
const livePart = (frame: string) => frame.slice(frame.lastIndexOf('mpkv '));

// ---- panels ----------------------------------------------------------------------------------

test('panels: slot ranges, stores and state values read well', (t) => {
  t.is(numberRanges([0, 1, 2, 3]), '0-3');
  t.is(numberRanges([5, 0, 1, 3, 7, 8, 9, 12]), '0-1, 3, 5, …');
  t.is(storeText(new Map()), '{}');
  t.is(storeText(new Map([['b', 'val_2'], ['a', 'val_1']])), '{a=val_1, b=val_2}');
  t.is(stateText({ preempted: 'backingOff' }), 'preempted.backingOff');
  t.is(stateText('leading'), 'leading');
});

test('panels: a line per role from a real mid-run snapshot', (t) => {
  const config = small();
  const { router } = startRun(multipaxos, config);
  router.boot();
  while (router.time < 60 && router.step()) {
    /* into the run */
  }
  const lines = new Map(router.views().map((v) => [v.id, nodeLine(v)]));
  const acceptor = lines.get('acceptor 1')!;
  t.is(acceptor.role, 'acceptor');
  t.regex(acceptor.detail, /^promised 1\.1 {2}accepted \d+ \(slots 0-\d+\)$/);
  const leader = lines.get('leader 1')!;
  t.is(leader.state, 'leading');
  t.is(leader.tone, 'good');
  t.regex(leader.detail, /^ballot 1\.1 {2}next \d+ {2}decided\/applied \d+\/\d+ {2}in flight \d+/);
  t.regex(lines.get('replica 1')!.detail, /^applied \d+ {2}store \{.*\}$/);
  t.regex(lines.get('client 1')!.detail, /^request [1-5]\/5: (PUT|GET|DELETE) "[a-e]"/);
});

test('panels: a crashed node and a preempted leader say so', (t) => {
  const crashed: NodeView = { id: 'acceptor 2', role: 'acceptor', status: 'crashed', restartPending: true, state: undefined, context: undefined };
  t.like(nodeLine(crashed), { state: 'CRASHED', tone: 'bad' });
  const preempted: NodeView = {
    restartPending: false,
    id: 'leader 2',
    role: 'leader',
    status: 'up',
    state: { preempted: 'backingOff' },
    context: { ballot: { round: 3, leader: 2 }, nextSlot: 4, applied: 2, decided: new Map(), proposals: new Map(), queue: [1, 2] },
  };
  t.like(nodeLine(preempted), { state: 'preempted', tone: 'warn' });
  t.is(nodeLine(preempted).detail, 'ballot 3.2  next 4  decided/applied 2/2  in flight 0  queued 2  backing off');
  // Short of room the row abbreviates, but its queue stays in words: `q` is the quit key.
  const narrow = nodeLineOf(multipaxos, preempted, 50).detail;
  t.is(narrow, 'b3.2  next 4  dec/app 2/2  flight 0  queued 2  backoff');
});

test('panels: many nodes are summarised by role to fit, leaders last', (t) => {
  const config = parseConfig('[topology]\nacceptors = 7\nleaders = 3\nreplicas = 2\nclients = 10\n');
  const { router } = startRun(multipaxos, config);
  router.run();
  const views = router.views();
  const all = layoutPanels(multipaxos, views, 100);
  t.is(all[0]!.reduce((n, g) => n + g.lines.length, 0), 22, 'room for all: a line per node');
  const tight = layoutPanels(multipaxos, views, 8)[0]!;
  t.deepEqual(
    tight.map((g) => [g.role, g.summarised]),
    [['acceptor', true], ['leader', false], ['replica', false], ['client', true]],
  );
  t.true(tight.reduce((n, g) => n + g.lines.length, 0) <= 8);
  t.regex(roleSummary('client', views.filter((v) => v.id.startsWith('client'))).detail, /^50\/50 requests completed {2}0 waiting$/);
  const two = layoutPanels(multipaxos, views, 12, 2);
  t.is(two.length, 2);
  for (const col of two) t.true(col.reduce((n, g) => n + g.lines.length, 0) <= 12);
});

test('panels: the network line', (t) => {
  const net = { inFlight: 3, sent: 10, delivered: 6, dropped: 1, duplicated: 0, partitions: [{ start_ms: 0, end_ms: 9, groups: [['leader 1']] }] };
  t.is(
    networkLine(net),
    'in flight 3  delivered 6  dropped 1  duplicated 0  partitions 1 active',
  );
  t.is(partitionsLine(net), '{leader 1} | rest');
});

test('panels: at 80 columns the key bar names every key but c (f stops at crashes too), speed included', (t) => {
  for (const paused of [true, false]) {
    const bar = controlsText({ ended: false, paused }, 80);
    t.true(bar.length <= 80, bar);
    t.is(bar, `space ${paused ? 'resume' : 'pause'}  n/→ step  v violation  f fault  m milestone  +/- speed  q quit`);
  }
  t.regex(controlsText({ ended: false, paused: true }, 100), /m milestone {2}c crash {2}\+\/- speed {2}q quit$/, 'with room, all of them');
});

// ---- driver ----------------------------------------------------------------------------------

test('driver: the same seed gives the same trace as the plain run, whatever the pace', (t) => {
  const config = small();
  const plain = emulate(multipaxos, config, { keepTrace: true });
  const driver = new SimDriver(startRun(multipaxos, config, { keepTrace: true }), { maxStepsPerTick: 7 });
  const realTicks = [16, 33, 50, 5, 120];
  for (let i = 0; !driver.done && i < 100_000; i++) {
    if (i % 11 === 3) driver.stepOne();
    if (i % 17 === 5) driver.faster();
    driver.advance(realTicks[i % realTicks.length]!);
  }
  t.true(driver.done);
  t.true(plain.trace!.length > 100, 'the traces compared are real ones');
  t.deepEqual(JSON.stringify(driver.result!.trace), JSON.stringify(plain.trace));
  t.deepEqual(driver.result!.verdicts, plain.verdicts);
});

test('driver: pacing follows virtual ms per real second; paused means still', (t) => {
  const driver = driverFor(small(), { speed: 50 });
  t.is(driver.speed, 50);
  driver.advance(1000); // 50 virtual ms
  const at = driver.snapshot().time;
  t.true(at <= 60 && at >= 40, `t=${at}`);
  driver.togglePause();
  const frame = driver.snapshot();
  driver.advance(10_000);
  t.is(driver.snapshot().time, frame.time);
  t.is(driver.snapshot().steps, frame.steps);
  driver.faster();
  driver.slower();
  driver.slower();
  t.is(driver.speed, 25);
  t.is(driverFor(small()).speed, DEFAULT_SPEED);
});

test('driver: one step is one protocol event in the log', (t) => {
  const driver = driverFor(small(), { paused: true });
  const before = driver.snapshot().log.length;
  driver.stepOne();
  t.is(driver.snapshot().log.length, before + 1);
});

// ---- Ink frames --------------------------------------------------------------------------------

test.serial('dashboard: initial frame, stepping via stdin, and the verdict frame', async (t) => {
  const driver = driverFor(small(), { paused: true });
  const ticker = new ManualTicker();
  const ui = await mount(React.createElement(LiveDashboard, { driver, ticker, columns: 100, rows: 30 }));
  await flush();
  t.true(ticker.started);

  const initial = stripAnsi(ui.lastFrame()!);
  t.regex(initial, /mpkv multipaxos · seed 1 +t=0 ms {2}speed 100 ms\/s {2}❚❚ paused/);
  t.regex(initial, /acceptor 1 +serving +promised 0\.0 {2}accepted none/);
  t.regex(initial, /leader 1 +preparing +ballot 1\.1 {2}promises 0\/2/);
  t.regex(initial, /client 1 +waiting +request 1\/5: /);
  t.regex(initial, /net in flight \d+ {2}delivered 0 {2}dropped 0 {2}duplicated 0 {2}partitions none/);
  t.regex(initial, /space resume {2}n\/→ step {2}v violation {2}f fault {2}m milestone {2}c crash {2}\+\/- speed {2}q quit/);

  // Paused: ticks do nothing.
  await act(() => ticker.tick(1000));
  t.regex(stripAnsi(ui.lastFrame()!), /t=0 ms/);

  // `n` and → each show one more protocol step.
  const logLines = (frame: string) => frame.split('\n').filter((l) => l.startsWith('[t=')).length;
  const before = logLines(stripAnsi(ui.lastFrame()!));
  await act(() => ui.stdin.write('n'));
  await act(() => ui.stdin.write(`${ESC}[C`));
  const stepped = stripAnsi(ui.lastFrame()!);
  t.is(logLines(stepped), before + 2);
  t.regex(stepped, /\[t=\d+ acceptor \d\] PROMISE ballot 1\.1/);

  // Speed keys.
  await act(() => ui.stdin.write('+'));
  t.regex(stripAnsi(ui.lastFrame()!), /speed 200 ms\/s/);
  await act(() => {
    ui.stdin.write('-');
    ui.stdin.write('-');
  });
  t.regex(stripAnsi(ui.lastFrame()!), /speed 50 ms\/s/);

  // Resume, and let a few frames pass: mid-run.
  await act(() => ui.stdin.write(' '));
  t.regex(stripAnsi(ui.lastFrame()!), /▶ running/);
  await act(() => ticker.tick(1000));
  const mid = stripAnsi(ui.lastFrame()!);
  t.regex(mid, /leader 1 +leading +ballot 1\.1/);
  t.notRegex(mid, /linearizability/);

  // To the end: the verdict panel.
  await act(() => {
    for (let i = 0; i < 100 && !driver.done; i++) ticker.tick(1000);
  });
  const end = stripAnsi(ui.lastFrame()!);
  t.regex(end, /■ ended \(clients-done\)/);
  for (const name of ['linearizability', 'agreement', 'validity', 'integrity', 'order', 'convergence', 'liveness']) {
    t.regex(end, new RegExp(`│ ${name} +ok `));
  }
  t.regex(end, /all checks passed/);
  t.regex(end, /\[t=\d+ sim\] END \(clients-done\)/);
  await unmount(ui);
});

test.serial('dashboard: q quits (the app unmounts, the ticker stops)', async (t) => {
  const driver = driverFor(small(), { paused: true });
  const ticker = new ManualTicker();
  const ui = await mount(React.createElement(LiveDashboard, { driver, ticker, columns: 100, rows: 30 }));
  await flush();
  t.true(ticker.started);
  await act(() => ui.stdin.write('q'));
  t.false(ticker.started, 'unmounted: the ticker was stopped');
});

test.serial('dashboard: a burst of one key (auto-repeat, a paste) acts once per key, like the keys one by one', async (t) => {
  const oneByOne = driverFor(small(), { paused: true });
  for (let i = 0; i < 3; i++) oneByOne.stepOne();
  const driver = driverFor(small(), { paused: true });
  const ticker = new ManualTicker();
  const ui = await mount(React.createElement(LiveDashboard, { driver, ticker, columns: 100, rows: 30 }));
  await flush();
  await act(() => ui.stdin.write('nnn'));
  t.deepEqual(driver.snapshot().log.map((l) => l.text), oneByOne.snapshot().log.map((l) => l.text), 'three steps');
  await act(() => ui.stdin.write('++'));
  t.is(driver.speed, DEFAULT_SPEED * 4);
  await act(() => ui.stdin.write('---'));
  t.is(driver.speed, DEFAULT_SPEED / 2);
  await act(() => ui.stdin.write('nq'));
  t.false(ticker.started, 'a q in a burst quits');
});

test('dashboard: keys typed while mpkv starts are held, not echoed, and what was echoed is erased before the first frame', (t) => {
  const modes: boolean[] = [];
  holdKeystrokes({ isTTY: true, setRawMode: (raw: boolean) => modes.push(raw) });
  t.deepEqual(modes, [true], 'raw mode: no echo, the keys wait for the dashboard');
  holdKeystrokes({ isTTY: false, setRawMode: (raw: boolean) => modes.push(raw) });
  t.deepEqual(modes, [true], 'not a terminal: nothing to hold');
  const written: string[] = [];
  eraseEcho({ isTTY: true, write: (s: string) => written.push(s) });
  t.deepEqual(written, ['\r\u001B[2K'], 'back to the start of the line, and the line cleared');
  eraseEcho({ isTTY: false, write: (s: string) => written.push(s) });
  t.is(written.length, 1, 'piped: nothing written');
  t.deepEqual(keysOf('nnn', { ctrl: false, meta: false }), ['n', 'n', 'n']);
  t.deepEqual(keysOf('c', { ctrl: true, meta: false }), ['c'], 'Ctrl+C is one key');
});

test.serial('dashboard: a violation is explained in the verdict panel', async (t) => {
  const driver = driverFor(small());
  while (!driver.done) driver.advance(10_000);
  const frame = driver.snapshot();
  const verdicts = frame.verdicts!.map((v) =>
    v.name === 'agreement' ? { name: 'agreement', status: 'fail' as const, detail: 'slot 3 decided twice:\n  leader 1: PUT "a"\n  leader 2: GET "b"' } : v,
  );
  const failing = { ...frame, log: [], verdicts };
  const ui = await mount(React.createElement(Dashboard, { frame: failing, columns: 80, rows: 40 }));
  const out = stripAnsi(ui.lastFrame()!);
  t.regex(out, /agreement +FAIL +slot 3 decided twice:/);
  t.regex(out, /leader 2: GET "b"/);
  t.regex(out, /1 check\(s\) FAILED/);
  await unmount(ui);
});

test.serial('dashboard: 7 acceptors, 3 leaders, 10 clients fit 80x24, summarised, verdicts included', async (t) => {
  const config = parseConfig('[topology]\nacceptors = 7\nleaders = 3\nreplicas = 2\nclients = 10\n');
  const driver = driverFor(config);
  driver.advance(500);
  for (const [label, frame] of [
    ['mid-run', { ...driver.snapshot(), log: [] }],
    ['end', (() => {
      while (!driver.done) driver.advance(10_000);
      return { ...driver.snapshot(), log: [] };
    })()],
  ] as const) {
    const ui = await mount(React.createElement(Dashboard, { frame, columns: 80, rows: 24 }));
    const lines = stripAnsi(ui.lastFrame()!).split('\n');
    t.true(lines.length < 24, `${label}: ${lines.length} lines`);
    for (const line of lines) t.true(line.length <= 80, `${label}: ${line.length} columns: ${line}`);
    t.regex(lines.join('\n'), /10 clients +summary +\d+\/50 requests completed/, label);
    if (label === 'mid-run') t.regex(lines.join('\n'), /leader 3 +\S+ +b(allot )?\d+\.\d /, 'leaders keep a line each while there is room');
    if (label === 'end') t.regex(lines.join('\n'), /7 acceptors +summary +promised \d+\.\d by \d/);
    await unmount(ui);
  }
});

const FAULTY = `
seed = 7
[topology]
acceptors = 7
leaders = 3
clients = 10
[network]
drop_rate = 0.05
duplicate_rate = 0.05
[[partitions]]
start_ms = 20
end_ms = 120
groups = [["leader 1", "acceptor 1"]]
[[crashes]]
node = "acceptor 2"
at_ms = 30
restart_ms = 200
`;

test.serial('dashboard: faults show at 80x24: a crashed node, the partition, drops and duplicates', async (t) => {
  const driver = driverFor(parseConfig(FAULTY), { speed: 50 });
  while (driver.snapshot().time < 50) driver.advance(100);
  const frame = driver.snapshot();
  const ui = await mount(React.createElement(Dashboard, { frame, columns: 80, rows: 24 }));
  const out = stripAnsi(ui.lastFrame()!);
  const live = livePart(out).split('\n');
  t.true(live.length < 24, `${live.length} lines`);
  t.regex(out, /acceptor 2 +CRASHED +volatile state lost/);
  t.regex(out, /net in flight \d+ {2}delivered \d+ {2}dropped [1-9]\d* {2}duplicated [1-9]\d* {2}partitions 1 active/);
  t.regex(out, /partitioned \{leader 1, acceptor 1\} \| rest/);
  t.regex(out, /\[t=30 acceptor 2\] CRASH/, 'faults are in the log too');
  await unmount(ui);
});

test.serial('dashboard: wide terminals put the nodes in two columns', async (t) => {
  const config = parseConfig('[topology]\nacceptors = 7\nleaders = 3\nreplicas = 2\nclients = 10\n');
  const driver = driverFor(config);
  driver.advance(500);
  const ui = await mount(React.createElement(Dashboard, { frame: { ...driver.snapshot(), log: [] }, columns: 160, rows: 30 }));
  const out = stripAnsi(ui.lastFrame()!);
  t.regex(out, /│ acceptor 1 .+ replica 1 /, 'two nodes on one row');
  t.true(livePart(out).split('\n').length < 30);
  await unmount(ui);
});

// ---- going to the point ------------------------------------------------------------------------------

const twoLeaders = loadConfig(path.join(ROOT, 'configs/mutants/two-leaders.toml'));
const quorumTooSmall: Config = { ...twoLeaders, mutants: { enable: ['quorum-too-small'] } };
/** The replay of quorum-too-small's first counterexample (exploration, seed 1), as `mpkv run
 *  --replay` opens it: paused, with a rehearsal of the same run. */
let counterexample: Schedule | undefined;
const replayDriver = (options: ConstructorParameters<typeof SimDriver>[1] = {}) => {
  counterexample ??= explore(multipaxos, quorumTooSmall, { runs: 50, seed: 1 }).failure!.schedule;
  const runConfig = explorationConfig(quorumTooSmall, counterexample.seed);
  const fresh = () => startRun(multipaxos, runConfig, scheduleOptions(runConfig, counterexample!));
  return new SimDriver(fresh(), { paused: true, replay: 'qts.replay.json', rehearse: fresh, ...options });
};
const fits = (t: ExecutionContext, frame: string, columns: number) => {
  for (const line of frame.split('\n')) t.true(line.length <= columns, `${line.length} columns: ${line}`);
};

test.serial('dashboard: a replay reaches its violation in one key press, marked in the log and the bar', async (t) => {
  const driver = replayDriver();
  const ticker = new ManualTicker();
  const ui = await mount(React.createElement(LiveDashboard, { driver, ticker, columns: 80, rows: 24 }));
  await flush();
  const opened = stripAnsi(ui.lastFrame()!);
  t.regex(opened, /^ REPLAY {2}multipaxos · (seed \d+ · )?mutant quorum-too-small +t=0 ms {2}100 ms\/s {2}❚❚ paused$/m, 'REPLAY and the mutant in the header');
  t.regex(opened, /❚❚ paused/);

  await act(() => ui.stdin.write('v'));
  const frame = stripAnsi(ui.lastFrame()!);
  const violation = driver.snapshot().violation!;
  // The first bad step: the protocol invariant catches the leader that led on too few promises.
  t.like(violation, { check: 'quorum-backed', reached: true });
  t.regex(frame, new RegExp(`t=${violation.t} ms .*❚❚ paused`), 'stopped at the violation');
  // The leader's LEADING line is the last protocol line, marked; then the VIOLATION line.
  const log = driver.snapshot().log;
  const marked = log.filter((l) => l.tone === 'violation');
  t.is(marked.length, 2);
  t.regex(marked[0]!.text, /^\[t=\d+ leader \d\] LEADING with ballot [\d.]+: /);
  t.regex(marked[1]!.text, /^\[t=\d+ check\] ▶ VIOLATION: quorum-backed first failed here \(the earlier step\(s\) it names are marked ◀ above\): leader \d started Phase 2 under ballot [\d.]+ at t=\d+ on 1 promise/);
  t.is(log.filter((l) => l.tone === 'evidence').length, 1, 'the one promise it counted, marked');
  t.regex(frame, /▶ VIOLATION: quorum-backed first failed here/);
  t.regex(frame, /^VIOLATION quorum-backed at t=\d+: leader \d started Phase 2/m);
  fits(t, frame, 80);

  // Going back is impossible: v again says so, and the run is where it was.
  await act(() => ui.stdin.write('v'));
  t.regex(stripAnsi(ui.lastFrame()!), /the violation is behind \(t=\d+\): replay the run to see it happen/);
  await unmount(ui);
});

test.serial('dashboard: f, m and c run to the next fault, milestone or crash, and say when there is none', async (t) => {
  const driver = driverFor(parseConfig(FAULTY), { paused: true, rehearse: () => startRun(multipaxos, parseConfig(FAULTY)) });
  const ticker = new ManualTicker();
  const ui = await mount(React.createElement(LiveDashboard, { driver, ticker, columns: 100, rows: 30 }));
  await flush();
  await act(() => ui.stdin.write('c'));
  let log = driver.snapshot().log;
  t.like(log[log.length - 1], { text: '[t=30 acceptor 2] CRASH (volatile state and timers lost)', tone: 'target' });
  t.regex(stripAnsi(ui.lastFrame()!), /t=30 ms .*❚❚ paused/);
  await act(() => ui.stdin.write('c'));
  t.regex(stripAnsi(ui.lastFrame()!), /no further crash in the rest of the run/);
  t.is(driver.snapshot().time, 30, 'no crash ahead: the run stays where it was');

  await act(() => ui.stdin.write('m'));
  log = driver.snapshot().log;
  const target = log.filter((l) => l.tone === 'target').pop()!;
  t.regex(target.text, /^\[t=\d+ \w+ \d\] (slot \d+ DECIDED|DECISION slot \d+|LEARN slot \d+) /, 'a milestone: the diagram\'s strong badge (a decision)');

  await act(() => ui.stdin.write('f'));
  const fault = driver.snapshot().log.filter((l) => l.tone === 'target').pop()!;
  t.regex(fault.text, /^\[t=\d+ (net\] (DROP|DUPLICATE|PARTITION)|acceptor 2\] RESTART)/);
  await unmount(ui);
});

test.serial('dashboard: v stops at the first broken invariant; the earlier votes it names are marked, the bar names the other failed checks', async (t) => {
  const { config: runConfig, options } = leaderRestartRun();
  const fresh = () => startRun(multipaxos, runConfig, options());
  const driver = new SimDriver(fresh(), { paused: true, replay: 'lr.replay.json', rehearse: fresh });
  const ui = await mount(React.createElement(LiveDashboard, { driver, ticker: new ManualTicker(), columns: 120, rows: 30 }));
  await flush();
  await act(() => ui.stdin.write('v'));
  const frame = driver.snapshot();
  t.like(frame.violation, { check: 'one-value', t: 113, reached: true, others: ['quorum-backed', 'votes-safe'] });
  t.is(frame.time, 113);
  const log = frame.log;
  const named = log.filter((l) => l.tone === 'evidence');
  t.deepEqual(named.map((l) => l.text), ['[t=109 acceptor 3] ACCEPT slot 1 ballot 1.1 GET "b" (client 2 request 1) -> accepted  ◀ named by one-value'], 'the other vote of ballot 1.1 in slot 1');
  const marked = log.filter((l) => l.tone === 'violation').map((l) => l.text);
  t.is(marked[0], '[t=113 acceptor 2] ACCEPT slot 1 ballot 1.1 NO-OP -> accepted', 'the vote that broke it (a bare fact, shown by its line)');
  t.regex(marked[1]!, /^\[t=113 check\] ▶ VIOLATION: one-value first failed here \(the earlier step\(s\) it names are marked ◀ above\): slot 1 ballot 1\.1/);
  t.is(log.indexOf(log.find((l) => l.text === marked[1])!), log.length - 1, 'the VIOLATION line comes after the step, last');
  t.regex(stripAnsi(ui.lastFrame()!), /^VIOLATION one-value at t=113 \(first of 3 failed checks; also quorum-backed, votes-safe\): slot 1/m);
  await unmount(ui);
});

test('driver: a replay\'s held-back message shows in the log when it is sent, and f stops there', (t) => {
  counterexample ??= explore(multipaxos, quorumTooSmall, { runs: 50, seed: 1 }).failure!.schedule;
  const schedule: Schedule = { ...counterexample, messages: [...counterexample.messages, { from: 'leader 1', to: 'acceptor 2', n: 3, choice: 30 }] };
  const runConfig = explorationConfig(quorumTooSmall, schedule.seed);
  const networks = new WeakMap<object, ReturnType<typeof scheduleOptions>['network']>();
  const fresh = () => {
    const options = scheduleOptions(runConfig, schedule);
    const run = startRun(multipaxos, runConfig, options);
    networks.set(run, options.network);
    return run;
  };
  const injected = (run: object) =>
    (networks.get(run)?.injected ?? []).filter((f) => f.fault.kind === 'delay').map((f) => ({ t: f.t, text: describeFault(f).replace(/^t=\d+ /, '') }));
  const driver = new SimDriver(fresh(), { paused: true, rehearse: fresh, injected });
  t.false(driver.snapshot().log.some((l) => l.text.includes('SCHEDULE')), 'not yet sent');
  driver.jumpTo('fault');
  const log = driver.snapshot().log;
  const last = log.find((l) => l.tone === 'target')!;
  t.regex(last.text, /^\[t=(\d+) net\] SCHEDULE leader 1 -> acceptor 2 message #3 \((prepare|accept)\): held back 30ms$/);
  t.true(log.length - log.indexOf(last) <= 4, 'among the last lines: those of the step that sent it');
  t.is(driver.snapshot().time, Number(/t=(\d+)/.exec(last.text)![1]), 'stopped when it was sent');
  t.is(log.filter((l) => l.text.includes('SCHEDULE')).length, 1);
});

test('driver: without a rehearsal the violation is known at the end, and v says it cannot tell before', (t) => {
  const driver = replayDriver({ rehearse: undefined });
  driver.jumpTo('violation');
  t.regex(driver.snapshot().notice!, /cannot tell where the violation is/);
  driver.togglePause();
  while (!driver.done) driver.advance(10_000);
  t.like(driver.snapshot().violation, { check: 'quorum-backed', reached: true });
});

test('driver: with a replay the rehearsal runs in the background, and play stops at the violation', (t) => {
  const driver = replayDriver({ paused: false, rehearseEarly: true });
  driver.idle(() => false);
  t.like(driver.snapshot().violation, { check: 'quorum-backed', reached: false });
  for (let i = 0; i < 10_000 && !driver.paused; i++) driver.advance(100);
  const frame = driver.snapshot();
  t.true(frame.paused);
  t.is(frame.time, frame.violation!.t);
  t.deepEqual(frame.log.filter((l) => l.tone === 'violation').length, 2, 'the violating step and the VIOLATION line');
});

test('driver: when the nodes have settled but clients are still at work, the frame says since when (max_sync)', (t) => {
  const driver = new SimDriver(startRun(maxSync, loadConfig(path.join(ROOT, 'configs/max-sync.toml'))));
  let frame = driver.snapshot();
  for (let i = 0; i < 1000 && !frame.settled; i++) {
    driver.advance(100);
    frame = driver.snapshot();
  }
  t.regex(frame.settled!, /^settled since t=(\d+): nothing left to agree on; waiting for 10 client\(s\) at work$/);
  const since = Number(/t=(\d+)/.exec(frame.settled!)![1]);
  t.true(since < 400, `settled early (t=${since}), long before the clients are done`);
  const servers = frame.views.filter((v) => v.role === 'server').map((v) => (v.context as { value: number }).value);
  t.is(new Set(servers).size, 1, 'every server holds the same number');
  while (!driver.done) driver.advance(10_000);
  t.is(driver.snapshot().settled, undefined, 'the run is over: nothing to wait for');
  t.is(driverFor(small()).snapshot().settled, undefined, 'an emulation without settled() never says it');
});

test('driver: quiet catch-up polls are folded into one line', (t) => {
  const driver = driverFor(small());
  while (!driver.done) driver.advance(10_000);
  const log = driver.snapshot().log.map((l) => l.text);
  t.false(log.some((l) => l.includes('(quiet: any decisions missed?)')), 'no poll line of its own');
  const folded = log.filter((l) => /^\[t=\d+\.\.\d+\] … \d+ quiet catch-up polls \(/.test(l));
  t.is(folded.length, 1, log.slice(-5).join('\n'));
  t.regex(folded[0]!, /… 12 quiet catch-up polls \(leader 1, replica 1, replica 2\)$/);
  t.regex(log[log.length - 1]!, /END \(clients-done\)/, 'then the end');
  // Stepping through a quiet stretch counts the polls as they come.
  const stepping = driverFor(small(), { paused: true });
  while (!stepping.snapshot().folding) stepping.stepOne();
  t.regex(stepping.snapshot().folding!, /CATCH-UP from slot 15/);
  stepping.stepOne();
  t.regex(stepping.snapshot().folding!, /^\[t=300\] … 2 quiet catch-up polls$/);
});

test('driver: a fault is never folded, even one of a message the emulation calls background', (t) => {
  const driver = driverFor(loadConfig(path.join(ROOT, 'configs/lossy-network.toml')));
  while (!driver.done) driver.advance(10_000);
  const lost = driver.snapshot().log.filter((l) => /(DROP|DUPLICATE) .*: catch-up from slot/.test(l.text));
  t.true(lost.length >= 4, 'catch-up polls lost or doubled in this run');
  t.true(lost.every((l) => l.tone === 'fault'), 'each its own line, as a fault');
  t.is(multipaxos.background!({ t: 0, kind: 'send', id: 1, from: 'replica 1', to: 'leader 1', msg: { type: 'catch-up', from_slot: 15 } }), 'quiet catch-up polls');
});

test('panels: a long log line wraps under its text, never into an orphan fragment', (t) => {
  const line = '[t=79 leader 2] slot 7 DECIDED GET "b" (client 2 request 3) (ballot 3.2, quorum acceptor 3, acceptor 1)';
  const wrapped = wrapLogLine(line, 60).split('\n');
  t.true(wrapped.length > 1);
  for (const l of wrapped) t.true(l.length <= 60, l);
  for (const l of wrapped.slice(1)) t.true(l.startsWith(' '.repeat('[t=79 leader 2] '.length)), `indented: ${l}`);
  t.is(wrapped.map((l) => l.trim()).join(' '), line);
  t.is(wrapLogLine('short', 60), 'short');
});

test.serial('dashboard: at 80 and at 160 columns every line fits, leader rows whole', async (t) => {
  const config = parseConfig('[topology]\nacceptors = 7\nleaders = 3\nreplicas = 2\nclients = 10\n');
  const driver = driverFor(config);
  driver.advance(500);
  for (const columns of [80, 160]) {
    const ui = await mount(React.createElement(LiveDashboard, { driver, ticker: new ManualTicker(), columns, rows: 30 }));
    await flush();
    const frame = stripAnsi(ui.lastFrame()!);
    fits(t, frame, columns);
    const leaders = frame.split('\n').flatMap((l) => [...l.matchAll(/leader \d +\S+ +(b(?:allot )?[\d.]+ .*?flight \d+(?: \([\d, -]+\))?)/g)].map((m) => m[1]!));
    t.is(leaders.length, 3, `${columns} columns: a whole row per leader\n${frame}`);
    for (const row of leaders) t.notRegex(row, /…$/);
    await unmount(ui);
  }
});

// ---- without a terminal ---------------------------------------------------------------------------

test('no TTY: the plain trace, exactly as with --plain, and no escape codes', async (t) => {
  const cli = path.join(ROOT, 'dist/src/cli.js');
  const piped = await run(process.execPath, [cli, 'run', DEFAULT], { cwd: ROOT });
  const plain = await run(process.execPath, [cli, 'run', DEFAULT, '--plain'], { cwd: ROOT });
  t.is(piped.stdout, plain.stdout);
  t.false(piped.stdout.includes(ESC));
  t.regex(piped.stdout, /^\[t=\d+ leader 1\] PREPARE ballot 1\.1 from slot 0/m);
  t.regex(piped.stdout, /^\[t=\d+ sim\] END \(clients-done\)$/m);
  t.regex(piped.stdout, /^all checks passed$/m);
});

test.serial('dashboard: a verify counterexample, stepped through, says each step in the report\'s words (whose request each command is) and counts time in steps', async (t) => {
  // Two leaders, each with a client reading "a": two GET "a" requests, told apart.
  const config: Config = { ...loadConfig(path.join(ROOT, 'configs/verify/two-leaders.toml')), mutants: { enable: ['leader-skips-value-adoption'] } };
  const steps = search(multipaxos, config).violation!.steps;
  const driver = new SimDriver(startRun(multipaxos, config, { router: new StepRouter(multipaxos, config, steps) }), {
    paused: true,
    replay: 'r.json',
    timeUnit: 'step',
    narrate: stepNarrator(multipaxos, steps),
  });
  while (!driver.done) driver.stepOne();
  const frame = driver.snapshot();
  const told = frame.log.filter((l) => l.tone === 'step').map((l) => l.text);
  t.deepEqual(told.map((l) => /^── step (\d+): /.exec(l)?.[1]), steps.map((_, i) => String(i + 1)), 'one line per step, in order');
  t.deepEqual(told.map((l) => l.replace(/^── step \d+: /, '')), describeSteps(multipaxos, steps).map((l) => l.replace(/^ *\d+\. /, '')), 'in the words of mpkv verify\'s report');
  t.true(told.some((l) => l.endsWith('deliver client 1 -> leader 1: request 1 of client 1: GET "a"')));
  t.true(told.some((l) => l.endsWith('deliver client 2 -> leader 2: request 1 of client 2: GET "a"')));
  t.is(told.at(-1), '── step 13: deliver leader 2 -> acceptor 1: accept slot 0 ballot 1.2: GET "a" (client 2 request 1)', 'the line the README quotes');
  // Each step's line comes before what the step did.
  const at = (text: RegExp) => frame.log.findIndex((l) => text.test(l.text));
  t.true(at(/^── step 13: /) < at(/^\[t=13 acceptor 1\] ACCEPT /));
  const ui = await mount(React.createElement(Dashboard, { frame, columns: 120, rows: 40 }));
  const out = livePart(stripAnsi(ui.lastFrame()!));
  t.true(out.includes('step 13  speed 100 steps/s'), out); // as the README shows it
  t.notRegex(out, /t=13 ms/);
  await unmount(ui);
});
