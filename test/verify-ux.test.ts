/**
 * What a user of `mpkv verify` sees around the search: progress within a level (with a clock
 * and a ticker of the test's own: nothing here waits on or measures wall-clock time), an
 * estimate of the time left from the level sizes, --max-memory, the [verify] defaults and the
 * warning for a scope too big to exhaust, counterexamples whose requests can be told apart in
 * the report and the diagram (whose axis says "step"), and the fingerprint collision
 * probability. Ctrl-C and `| head` are test/stopping.test.ts's.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { collisionLine, defaultMaxMemoryMb, PROGRESS_MS, verifyCommand, type VerifyEnv } from '../src/commands/verify.js';
import { duration, ProgressMeter } from '../src/commands/verify-progress.js';
import { scopeOf, scopeWarning } from '../src/commands/verify-scope.js';
import type { Config } from '../src/emulations/api/emulation.js';
import { emulationOf, loadConfig } from '../src/emulations/index.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { startRun, finishRun } from '../src/emulations/run.js';
import { describeSteps, StepRouter } from '../src/verify/replay.js';
import { search } from '../src/verify/search.js';
import { runDiagram } from '../src/view/trace-adapter.js';
import { configPath, repoRoot, testDir } from './harness.js';

const cli = join(repoRoot, 'dist/src/cli.js');

/** mpkv in a child process, awaited (this process's event loop, and the tests beside this
 *  one, keep running meanwhile). */
function mpkv(args: readonly string[], cwd = repoRoot): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Lines a command printed, stdout and stderr apart. */
function collector(options: { stderrTty?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), ...options } };
}

/** A clock that moves 2 s at every tick, and a ticker that ticks every millisecond of real
 *  time while the search runs on its worker thread (the test never looks at the real clock).
 *  The tests that count on its ticks run serially: a search that another test runs on this
 *  thread would hold its ticks back. */
function fakeEnv(rssMb = 100): VerifyEnv & { ticks: () => number } {
  let now = 0;
  let ticks = 0;
  return {
    now: () => now,
    every: (ms, tick) => {
      const timer = setInterval(() => {
        now += 2000;
        if (ms === PROGRESS_MS) ticks++; // the progress ticker's ticks (not the limits' watch)
        tick();
      }, 1);
      return () => clearInterval(timer);
    },
    rss: () => rssMb * 2 ** 20,
    totalMemory: 16 * 2 ** 30,
    ticks: () => ticks,
  };
}

// ---- progress within a level ---------------------------------------------------------------

test('progress: the line says the depth, how much of it is expanded, distinct states, states/s since the last line, the next level so far, memory and an ETA', (t) => {
  const meter = new ProgressMeter({ maxDepth: 30, maxStates: 2_000_000 }, 0);
  // Levels of 1, 10, 100 and 1,000 states: 1,111 distinct, then depth 3 (1,000 states) half done.
  meter.level({ depth: 1, explored: 10, distinct: 11, frontier: 10 });
  meter.level({ depth: 2, explored: 110, distinct: 111, frontier: 100 });
  meter.level({ depth: 3, explored: 1110, distinct: 1111, frontier: 1000 });
  const p = { depth: 3, explored: 6000, distinct: 6111, frontier: 5000, done: 500, of: 1000 };
  const line = meter.line(p, 10_000, 300 * 2 ** 20);
  t.regex(line, /^… depth 3 \(50% of 1,000 expanded\): 6,111 distinct states, 611 states\/s, next level 5,000 so far, 300 MB in use, ETA ~/);
  // Expanded so far: 1 + 10 + 100 + 500 = 611 states in 10 s (61.1/s). Each state expanded
  // made 10 new ones (5,000 of 500): the rest of this level makes 5,000 more, the next level
  // (10,000 states) 100,000, the one after (100,000) 1,000,000; the one after that would pass
  // max_states, reached after (2,000,000 - 1,111,111) / 10 of its states.
  const eta = meter.estimate(p, 10_000)!;
  t.is(eta.until, 'max-states');
  t.is(eta.ratio, 10);
  t.is(Math.round(eta.seconds), Math.round((500 + 10_000 + 100_000 + (2_000_000 - 1_111_111) / 10) / 61.1));
  t.regex(line, /ETA ~54m23s \(levels growing ×10\.00 a level, until max_states 2,000,000\)$/);
  // Near max_states, the end comes within this level.
  const near = meter.estimate({ ...p, distinct: 1_995_111 }, 10_000)!;
  t.is(near.until, 'max-states');
  t.is(Math.round(near.seconds * 61.1), Math.round((2_000_000 - 1_995_111) / 10), 'the states that make the last new ones');
  // The next line's rate is over the time since this one.
  t.regex(meter.line({ ...p, distinct: 7111, done: 600 }, 12_000, 0), /: 7,111 distinct states, 500 states\/s,/);
});

test('progress: levels that shrink are summed to exhaustion; the depth bound ends growing levels first when it is near', (t) => {
  const shrinking = new ProgressMeter({ maxDepth: 100, maxStates: 2_000_000 }, 0);
  shrinking.level({ depth: 1, explored: 1000, distinct: 1001, frontier: 1000 });
  // Level 1 (1,000 states) fully expanded made 500: each level half the one before.
  const eta = shrinking.estimate({ depth: 1, explored: 2000, distinct: 1501, frontier: 500, done: 1000, of: 1000 }, 11_000)!;
  t.is(eta.until, 'exhaustion');
  t.is(eta.ratio, 0.5);
  // 1,001 expanded in 11 s (91/s); left: 500 + 250 + ... + 1 (the levels under one state end it).
  t.is(Math.round(eta.seconds), Math.round((500 + 250 + 125 + 62.5 + 31.25 + 15.625 + 7.8125 + 3.90625 + 1.953125 + 0.9765625 * 0) / 91));
  const shallow = new ProgressMeter({ maxDepth: 3, maxStates: 2_000_000 }, 0);
  shallow.level({ depth: 1, explored: 100, distinct: 101, frontier: 100 });
  t.is(shallow.estimate({ depth: 1, explored: 200, distinct: 301, frontier: 200, done: 50, of: 100 }, 1000)?.until, 'max-depth');
});

test('progress: no ETA while a level is too small or barely begun to say what the next will be', (t) => {
  const meter = new ProgressMeter({ maxDepth: 30, maxStates: 2_000_000 }, 0);
  meter.level({ depth: 1, explored: 10, distinct: 11, frontier: 10 });
  t.is(meter.estimate({ depth: 1, explored: 12, distinct: 13, frontier: 2, done: 5, of: 10 }, 1000), undefined, 'a level of 10 states');
  meter.level({ depth: 2, explored: 5000, distinct: 5011, frontier: 5000 });
  t.is(meter.estimate({ depth: 2, explored: 5100, distinct: 5111, frontier: 100, done: 100, of: 5000 }, 1000), undefined, '2% of the level');
  t.regex(meter.line({ depth: 2, explored: 5100, distinct: 5111, frontier: 100, done: 100, of: 5000 }, 1000, 0), /, ETA: not yet known$/);
  t.truthy(meter.estimate({ depth: 2, explored: 5500, distinct: 5511, frontier: 500, done: 500, of: 5000 }, 1000));
  t.is(duration(59), '59s');
  t.is(duration(185), '3m05s');
  t.is(duration(1e12), 'more than 30 days');
});

test.serial('mpkv verify: on a terminal, progress lines come on stderr during the levels (the clock and ticker the test\'s own); the level lines stay on stdout', async (t) => {
  const { out, err, io } = collector({ stderrTty: true });
  const env = fakeEnv(123);
  t.is(await verifyCommand([configPath('verify/two-leaders.toml'), '--max-depth', '12', '--no-liveness'], io, env), 0);
  t.true(env.ticks() > 0);
  const progress = err.filter((l) => l.startsWith('… depth'));
  t.true(progress.length > 0, err.join('\n'));
  for (const line of progress) t.regex(line, /^… depth \d+ \(\d+% of [\d,]+ expanded\): [\d,]+ distinct states, [\d,]+ states\/s, next level [\d,]+ so far, 123 MB in use, (ETA ~\S+ \(levels (growing|shrinking) ×[\d.]+ a level, until .+\)|ETA: not yet known)$/);
  t.deepEqual(err.filter((l) => !l.startsWith('… depth')), [], 'nothing else on stderr');
  t.true(out.some((l) => /^depth {2}12: /.test(l)));
  t.false(out.some((l) => l.startsWith('…')), 'no progress line on stdout');
});

test.serial('mpkv verify: piped (stderr not a terminal), it prints no progress unless --progress asks', async (t) => {
  const quiet = collector();
  const env = fakeEnv();
  t.is(await verifyCommand([configPath('verify/two-leaders.toml'), '--max-depth', '12', '--no-liveness'], quiet.io, env), 0);
  t.true(env.ticks() > 0, 'the ticker ticked: it was the printing that stayed quiet');
  t.deepEqual(quiet.err, []);
  const asked = collector();
  t.is(await verifyCommand([configPath('verify/two-leaders.toml'), '--max-depth', '12', '--progress', '--no-liveness'], asked.io, fakeEnv()), 0);
  t.true(asked.err.some((l) => /^… depth \d+ /.test(l)), asked.err.join('\n'));
});

// ---- memory --------------------------------------------------------------------------------

test('mpkv verify --max-memory: a search that needs more ends with exit 3, "stopped at depth N of M: memory", its counts so far', async (t) => {
  const cwd = testDir(t, 'mpkv-verify-memory-');
  // Any process uses more than 1 MB: the search stops at its first look at the memory.
  const r = await mpkv(['verify', configPath('verify/two-leaders.toml'), '--max-memory', '1'], cwd);
  t.is(r.status, 3, r.stdout + r.stderr);
  t.is(r.stderr, '');
  t.regex(r.stdout, /^unknown: no violation among [\d,]+ transitions, [\d,]+ distinct states explored, but the search stopped at depth \d+ of \d+: memory \(the process used more than --max-memory 1 MB\)$/m);
});

test('mpkv verify --max-memory: the default is half the machine\'s memory, and --help says so', async (t) => {
  t.is(defaultMaxMemoryMb(16 * 2 ** 30), 8192);
  const { out, io } = collector();
  t.is(await main(['verify', '--help'], io), 0);
  const help = out.join('\n').replace(/\s+/g, ' ');
  t.true(help.includes(`half of this machine's memory, ${defaultMaxMemoryMb(totalmem()).toLocaleString('en-US')} MB`), help);
  const bad = collector();
  t.is(await main(['verify', configPath('verify/two-leaders.toml'), '--max-memory', 'lots'], bad.io), 2);
  t.deepEqual(bad.err, ['mpkv verify: --max-memory: expected an integer in [1, 1073741824], got "lots"']);
});

// ---- defaults and scope --------------------------------------------------------------------

test('mpkv verify on a config with no [verify] table (configs/default.toml) says each default it applies, and warns that the scope is too big to exhaust', async (t) => {
  const { out, io } = collector();
  t.is(await verifyCommand([configPath('default.toml'), '--max-states', '3000', '--max-memory', '4096', '--no-liveness'], io, fakeEnv()), 3);
  const at = out.findIndex((l) => l.endsWith('has no [verify] table: mpkv verify applies its defaults (set them in [verify] to choose a bound):'));
  t.true(at > 0, out.join('\n'));
  // One line per default, less max_states (given by its flag).
  t.deepEqual(out.slice(at + 1, at + 7), [
    '  max_depth = 30: paths of at most 30 events',
    '  drops = 0: 0 message drop(s) per path',
    '  duplicates = 0: 0 duplicate delivery(ies) per path',
    '  crashes = 0: 0 crash-recovery(ies) per path',
    '  timeouts = 2: 2 timer firing(s) per path',
    '  timers = []: every timer may fire',
  ]);
  const warning = out.find((l) => l.startsWith('warning: '));
  t.is(
    warning,
    'warning: this scope is too big to exhaust: one run of it delivers 156 messages (3 client(s) x 5 request(s), 9 nodes (3 acceptors, 1 leader, 2 replicas, 3 clients)), more than a path of max_depth 30 events holds;',
  );
  t.true(out.includes('  the search will be cut at depth 30, at max_states (3,000) or at --max-memory (4,096 MB), whichever comes first.'));
  t.true(out.some((l) => /^unknown: .* max_states \(3,000\) reached$/.test(l)));
});

test('mpkv verify: a small scope with no [verify] table gets the defaults but no warning (its run fits in max_depth); a config that sets its bound gets neither', async (t) => {
  const dir = testDir(t, 'mpkv-verify-scope-');
  const small = join(dir, 'one-request.toml');
  // configs/verify/duplicates.toml without its [verify] table: one client, one request.
  writeFileSync(small, readFileSync(configPath('verify/duplicates.toml'), 'utf8').replace(/\[verify\][^[]*/s, ''));
  const a = collector();
  t.is(await verifyCommand([small, '--no-liveness'], a.io, fakeEnv()), 0);
  t.true(a.out.some((l) => l.endsWith('has no [verify] table: mpkv verify applies its defaults (set them in [verify] to choose a bound):')));
  t.false(a.out.some((l) => l.startsWith('warning')), a.out.join('\n'));
  t.true(a.out.some((l) => /^ok: no violation within depth \d+: .*the whole space within the budget was explored/.test(l)), a.out.join('\n'));
  const b = collector();
  t.is(await verifyCommand([configPath('verify/two-leaders.toml'), '--max-depth', '4', '--no-liveness'], b.io, fakeEnv()), 0);
  t.false(b.out.some((l) => /no \[verify\] table|^warning/.test(l)), b.out.join('\n'));
  // The same small scope with max_depth below its run's 14 messages: warned.
  const c = collector();
  writeFileSync(small, `${readFileSync(small, 'utf8')}\n[verify]\nmax_states = 500\n`);
  t.is(await verifyCommand([small, '--max-states', '20', '--no-liveness'], c.io, fakeEnv()), 3);
  t.false(c.out.some((l) => /no \[verify\] table/.test(l)));
  t.false(c.out.some((l) => l.startsWith('warning')), 'max_depth 30 holds the run');
});

// ---- counterexamples -----------------------------------------------------------------------

/** Two leaders, each with a client reading "a": a counterexample with two GET "a" requests. */
function twoGets() {
  const base = loadConfig(configPath('verify/two-leaders.toml'));
  const config: Config = { ...base, mutants: { enable: ['leader-skips-value-adoption'] } };
  const violation = search(multipaxos, config).violation!;
  return { config, violation };
}

test('counterexample report: two requests of the same words (GET "a" from two clients) are told apart by client and request ids', (t) => {
  const { violation } = twoGets();
  const lines = describeSteps(multipaxos, violation.steps);
  const requests = lines.filter((l) => /deliver client \d -> leader \d: /.test(l));
  t.is(requests.length, 2);
  t.regex(requests[0]!, /: request 1 of client 1: GET "a"$/);
  t.regex(requests[1]!, /: request 1 of client 2: GET "a"$/);
  const accepts = lines.filter((l) => / accept slot 0 /.test(l));
  t.true(accepts.some((l) => l.endsWith('GET "a" (client 1 request 1)')), lines.join('\n'));
  t.true(accepts.some((l) => l.endsWith('GET "a" (client 2 request 1)')), lines.join('\n'));
  t.is(new Set(accepts.map((l) => l.replace(/^ *\d+\. /, '').replace(/ballot \S+/, ''))).size > 1, true, 'the accepts of the two requests read differently');
});

test('counterexample diagram: its arrows name the request (c1#1, c2#1), and its axis says step; a run\'s says t (ms)', async (t) => {
  const { config, violation } = twoGets();
  const result = finishRun(startRun(multipaxos, config, { router: new StepRouter(multipaxos, config, violation.steps), keepTrace: true }));
  const model = runDiagram(multipaxos, result.trace!, { timeUnit: 'step' });
  const labels = model.messages.map((m) => m.label);
  t.true(labels.includes('request c1#1 GET a') && labels.includes('request c2#1 GET a'), labels.join('\n'));
  t.true(labels.includes('accept s0 b1.1 c1#1 GET a') && labels.includes('accept s0 b1.2 c2#1 GET a'), labels.join('\n'));
  const dir = testDir(t, 'mpkv-verify-diagram-');
  const replay = join(dir, 'r.json');
  t.is((await mpkv(['verify', configPath('verify/two-leaders.toml'), '--mutant', 'leader-skips-value-adoption', '--out', replay])).status, 1);
  const html = join(dir, 'path.html');
  const jsonl = join(dir, 'path.jsonl');
  const played = await mpkv(['run', configPath('verify/two-leaders.toml'), '--replay', replay, '--plain', '--html', html, '--trace-json', jsonl]);
  t.is(played.status, 1, played.stderr);
  t.true(readFileSync(html, 'utf8').includes('text-anchor="end">step</text>'));
  t.false(readFileSync(html, 'utf8').includes('text-anchor="end">t (ms)</text>'));
  t.regex(readFileSync(jsonl, 'utf8').split('\n')[0]!, /"time_unit":"step"/);
  const viewed = await mpkv(['view', jsonl, '-o', join(dir, 'viewed.html')]);
  t.regex(viewed.stdout, /^wrote \S+viewed\.html: \d+ messages, steps 0\.\.13$/m);
  t.true(readFileSync(join(dir, 'viewed.html'), 'utf8').includes('text-anchor="end">step</text>'));
  // With the replay file it came from: the page says which path it is (a trace of another run is refused).
  const withReplay = await mpkv(['view', jsonl, '--replay', replay, '-o', join(dir, 'with-replay.html')]);
  t.is(withReplay.status, 0, withReplay.stderr);
  t.regex(withReplay.stdout, /: \d+ messages, steps 0\.\.13$/m);
  t.true(readFileSync(join(dir, 'with-replay.html'), 'utf8').includes('mutant leader-skips-value-adoption: a path of 13 event(s) found by mpkv verify'));
  const otherRun = join(dir, 'other.jsonl');
  t.is((await mpkv(['run', configPath('verify/two-leaders.toml'), '--plain', '--trace-json', otherRun])).status, 0);
  const refused = await mpkv(['view', otherRun, '--replay', replay, '-o', join(dir, 'refused.html')]);
  t.is(refused.status, 2);
  t.regex(refused.stderr, /expect\.trace_sha256: the trace is not the run of this replay/);
  const run = join(dir, 'run.html');
  t.is((await mpkv(['run', configPath('verify/two-leaders.toml'), '--plain', '--html', run])).status, 0);
  t.true(readFileSync(run, 'utf8').includes('text-anchor="end">t (ms)</text>'));
});

// ---- fingerprint collisions ----------------------------------------------------------------

test('the report gives the fingerprint collision probability, TLC\'s n^2 / 2^(b+1), for the distinct states it counted', async (t) => {
  const { out, io } = collector();
  t.is(await verifyCommand([configPath('verify/two-leaders.toml'), '--max-depth', '8', '--no-liveness'], io, fakeEnv()), 0);
  const n = Number(/^ok: .*, ([\d,]+) distinct states;/m.exec(out.join('\n'))![1]!.replace(/,/g, ''));
  const line = out.find((l) => l.includes('fingerprint collision probability'));
  t.is(line, collisionLine(n));
  t.is(line, `  fingerprint collision probability: about ${((n * (n - 1)) / 2 ** 64).toExponential(1)} (n^2 / 2^64 for n = ${n.toLocaleString('en-US')} distinct states, 63-bit fingerprints)`);
  t.regex(collisionLine(343_796), /about 6\.4e-9 /, 'TLC\'s MultiPaxos-SMR small, at 63 bits');
});

test('scope estimate: it tells the configs/verify/ configs the README says are exhausted from those cut at their depth', (t) => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  // The table of configs/verify/ (the liveness table's rows say ok / FAIL / unknown instead).
  const rows = [...readme.matchAll(/^\| `([\w-]+\.toml)` \|[^|]+\|([^|]+)\|/gm)].filter(([, file, outcome]) => existsSync(configPath(`verify/${file}`)) && /exhausted|no violation/.test(outcome!));
  t.true(rows.length >= 7, 'the README\'s table of configs/verify/');
  for (const [, file, outcome] of rows) {
    const config = loadConfig(configPath(`verify/${file!}`));
    const scope = scopeOf(emulationOf(config), config);
    const fits = scope.delivered <= config.verify.max_depth;
    t.is(fits, outcome!.includes('**exhausted**'), `${file}: one run delivers ${scope.delivered} messages, max_depth ${config.verify.max_depth}; the README: ${outcome!.trim()}`);
    t.is(scopeWarning(scope, config, 1000).length > 0, !fits);
  }
});

test('scope warning: another emulation\'s scope in its own sizes (max_sync: clients, numbers per client, servers)', (t) => {
  const config = loadConfig(configPath('max-sync.toml'));
  const [warning] = scopeWarning(scopeOf(emulationOf(config), config), config, 1000);
  t.regex(warning!, /^warning: this scope is too big to exhaust: one run of it delivers [\d,]+ messages \(10 client\(s\) x 100 request\(s\), 15 nodes \(5 servers, 10 clients\)\), more than a path of max_depth 30 events holds;$/);
});

// ---- the command's limits, by the command's own clocks --------------------------------------

test.serial('mpkv verify --timeout-s: the command\'s clock (the test\'s here) says when time is up; the search stops with its counts so far, exit 3', async (t) => {
  const { out, io } = collector();
  // The test's clock moves 2 s at every tick: the first look after the start is past 1 s.
  t.is(await verifyCommand([configPath('verify/two-leaders.toml'), '--timeout-s', '1', '--no-liveness'], io, fakeEnv()), 3);
  t.true(out.some((l) => /^unknown: no violation among [\d,]+ transitions, [\d,]+ distinct states explored, but the search stopped at depth \d+ of \d+: --timeout-s 1 reached$/.test(l)), out.join('\n'));
});

test.serial('mpkv verify --max-memory: the command reads the process\'s memory (the test\'s figure here) and stops the search above the limit, exit 3', async (t) => {
  const { out, io } = collector();
  t.is(await verifyCommand([configPath('verify/two-leaders.toml'), '--max-memory', '400', '--no-liveness'], io, fakeEnv(500)), 3);
  t.true(out.some((l) => /but the search stopped at depth \d+ of \d+: memory \(the process used more than --max-memory 400 MB\)$/.test(l)), out.join('\n'));
  const under = collector();
  t.is(await verifyCommand([configPath('verify/two-leaders.toml'), '--max-depth', '6', '--max-memory', '400', '--no-liveness'], under.io, fakeEnv(300)), 0, 'under the limit: no stop');
});
