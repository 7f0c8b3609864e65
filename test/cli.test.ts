/** The command line, as a person uses it: a real process, its output and exit status. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configPath, repoRoot, tempDir, testDir } from './harness.js';

const cli = path.join(repoRoot, 'dist/src/cli.js');
const dir = tempDir('mpkv-cli-');

function mpkv(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return mpkvIn(repoRoot, ...args);
}

/** mpkv run from the directory `cwd` (where default output files go). */
function mpkvIn(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('cli: mpkv run configs/default.toml prints the consensus trace, 15 completed requests, and exits 0', (t) => {
  const r = mpkv('run', configPath('default.toml'));
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /\[t=0 leader 1\] PREPARE ballot 1\.1 from slot 0 -> acceptor 1, acceptor 2, acceptor 3/);
  t.regex(r.stdout, /\[t=\d+ acceptor \d\] PROMISE ballot 1\.1/);
  t.regex(r.stdout, /\[t=\d+ leader 1\] slot 0 DECIDED /);
  t.regex(r.stdout, /\[t=\d+ replica 1\] APPLY slot 0 /);
  t.regex(r.stdout, /requests completed: 15\/15/);
  t.regex(r.stdout, /all checks passed/);
  t.false(r.stdout.includes('\u001b['), 'no escape codes when piped');
});

test('cli: mpkv run configs/kv_store.toml completes 30 requests with the server trace', (t) => {
  const r = mpkv('run', configPath('kv_store.toml'));
  t.is(r.status, 0);
  t.regex(r.stdout, /\[t=\d+ server\] (PUT|GET|DELETE) "[a-e]"/);
  t.regex(r.stdout, /requests completed: 30\/30/);
  t.regex(r.stdout, /messages: 60 sent, 60 delivered, 0 dropped, 0 duplicated/);
});

test('cli: the same seed twice gives identical output; --seed changes it', (t) => {
  const a = mpkv('run', configPath('lossy-network.toml'), '--seed', '5');
  const b = mpkv('run', configPath('lossy-network.toml'), '--seed', '5');
  const c = mpkv('run', configPath('lossy-network.toml'), '--seed', '6');
  t.is(a.stdout, b.stdout);
  t.not(a.stdout, c.stdout);
});

test('cli: a run whose checks fail exits 1 and names the failed check', (t) => {
  const file = path.join(dir, 'broken.toml');
  writeFileSync(file, `${readFileSync(configPath('two-leaders.toml'), 'utf8')}\n[mutants]\nenable = ["replica-applies-out-of-order"]\n`);
  const r = mpkv('run', file);
  t.is(r.status, 1);
  t.regex(r.stdout, /order\s+FAIL\s+\S+ \d+ applied slot \d+ at t=\d+ before slot \d+/);
  t.regex(r.stdout, /check\(s\) FAILED/);
});

test('cli: --history writes a history that mpkv check accepts; a corrupted one is explained', (t) => {
  const history = path.join(dir, 'h.jsonl');
  t.is(mpkv('run', configPath('two-leaders.toml'), '--history', history, '--clients', '4').status, 0);
  t.is(mpkv('check', history, '--model', 'kv').status, 0);
  const lines = readFileSync(history, 'utf8').trim().split('\n');
  const i = lines.findIndex((l) => l.includes('"type":"ok"') && l.includes('"f":"get"'));
  lines[i] = lines[i]!.replace(/"result":\{[^}]*\}/, '"result":{"ok":true,"value":"val_1000"}');
  writeFileSync(history, `${lines.join('\n')}\n`);
  const r = mpkv('check', history, '--model', 'kv');
  t.is(r.status, 1);
  t.regex(r.stdout, /NOT linearizable/);
  t.regex(r.stdout, /GET "[a-e]" -> OK "val_1000"/);
});

test('cli: --trace-json writes one JSON event per line, ending with the end event', (t) => {
  const file = path.join(dir, 'trace.jsonl');
  t.is(mpkv('run', configPath('default.toml'), '--trace-json', file).status, 0);
  const events = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string });
  t.true(events.some((e) => e.kind === 'send'));
  t.is(events.at(-1)!.kind, 'end');
});

test('cli: --json prints the events as JSON Lines', (t) => {
  const r = mpkv('run', configPath('default.toml'), '--json');
  t.is(r.status, 0);
  const lines = r.stdout.trim().split('\n');
  t.notThrows(() => lines.forEach((l) => JSON.parse(l)));
});

test('cli: help, and usage errors exit 2 with one line', (t) => {
  const help = mpkv('--help');
  t.is(help.status, 0);
  t.regex(help.stdout, /mpkv run <config\.toml>/);
  t.regex(mpkv('run', '--help').stdout, /--trace-json FILE/);
  const unknown = mpkv('frobnicate');
  t.is(unknown.status, 2);
  t.is(unknown.stderr.trim().split('\n').length, 1);
  t.is(mpkv('run').status, 2);
});

test('cli: an unknown flag, a flag without its value, a value for a flag that takes none: mpkv\'s words, with the command\'s flags', (t) => {
  const cases: Array<[string[], string]> = [
    [['run', configPath('default.toml'), '--colour'], 'mpkv run: unknown flag --colour; mpkv run takes --seed, --mutant, --clients, --requests, --plain, --json, --verbose, --trace-json, --history, --html, --replay, --speed, --check-steps, --check-timeout-ms, --no-witness, -h/--help (see mpkv run --help)'],
    [['check', 'h.jsonl', '--modle', 'kv'], 'mpkv check: unknown flag --modle; mpkv check takes --model, --format, --check-steps, --timeout-ms, --html, -h/--help (see mpkv check --help)'],
    [['explore', configPath('default.toml'), '-x'], 'mpkv explore: unknown flag -x; mpkv explore takes --runs, --seed, --workers, --mutant, --out, --shard, --result, --merge, --check-steps, --strategy, --pct-depth, --pct-steps, --topologies, --list-mutants, --force, -h/--help (see mpkv explore --help)'],
    [['verify', configPath('verify/duplicates.toml'), '--depth', '3'], 'mpkv verify: unknown flag --depth; mpkv verify takes --max-depth, --max-states, --workers, --no-reduction, --mutant, --out, --timeout-s, --max-memory, --progress, --force, --no-liveness, --liveness-depth, --liveness-states, --liveness-timeouts, -h/--help (see mpkv verify --help)'],
    [['view', 'run.jsonl', '--output', 'x.html'], 'mpkv view: unknown flag --output; mpkv view takes -o/--out, --replay, --title, --emulation, -h/--help (see mpkv view --help)'],
    [['run', configPath('default.toml'), '--seed'], 'mpkv run: --seed needs a value (see mpkv run --help)'],
    [['run', configPath('default.toml'), '--history', '--plain'], 'mpkv run: --history needs a value, not the flag --plain (see mpkv run --help)'],
    [['run', configPath('default.toml'), '--plain=yes'], 'mpkv run: --plain takes no value (got --plain=yes)'],
  ];
  for (const [args, line] of cases) {
    const r = mpkv(...args);
    t.is(r.status, 2, args.join(' '));
    t.is(r.stderr, `${line}\n`);
    t.notRegex(r.stderr, /positional|Unknown option/, 'none of Node\'s words');
  }
});

test('cli: mpkv --version, and mpkv help <command> is mpkv <command> --help', (t) => {
  const version = mpkv('--version');
  t.is(version.status, 0);
  t.is(version.stdout, `mpkv ${(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  for (const command of ['run', 'check', 'explore', 'verify', 'view']) {
    const help = mpkv('help', command);
    t.is(help.status, 0);
    t.is(help.stdout, mpkv(command, '--help').stdout);
    t.regex(help.stdout, new RegExp(`^Usage: mpkv ${command} `));
  }
  const unknown = mpkv('help', 'frobnicate');
  t.is(unknown.status, 2);
  t.regex(unknown.stderr, /^mpkv: unknown command "frobnicate"/);
});

test('cli: a usage error names its command once', (t) => {
  for (const [command, line] of [
    ['run', 'mpkv run: expected one config file, e.g. mpkv run configs/default.toml'],
    ['explore', 'mpkv explore: expected a config file, e.g. mpkv explore configs/default.toml'],
    ['verify', 'mpkv verify: expected one config file, e.g. mpkv verify configs/verify/duplicates.toml'],
  ] as const) {
    const r = mpkv(command);
    t.is(r.status, 2);
    t.is(r.stderr, `${line}\n`);
  }
});

test('cli: mpkv run --mutant NAME runs with that mutant alone; an unknown one, or one a replay contradicts, is bad input', (t) => {
  const r = mpkv('run', configPath('mutants/two-leaders.toml'), '--mutant', 'quorum-too-small');
  t.is(r.status, 1, r.stderr);
  t.regex(r.stdout, /^mpkv run \S+two-leaders\.toml: multipaxos, seed \d+, mutants: quorum-too-small$/m);
  t.regex(r.stdout, /^\s+quorum-backed\s+FAIL/m);
  t.is(mpkv('run', configPath('mutants/two-leaders.toml')).status, 0, 'without it the same config passes');
  const unknown = mpkv('run', configPath('default.toml'), '--mutant', 'quorum-too-big');
  t.is(unknown.status, 2);
  t.regex(unknown.stderr, /^mpkv run: --mutant: multipaxos has no mutant "quorum-too-big" \(expected one of acceptor-accepts-lower-ballot, .*quorum-too-small.*\)\n$/);
  const cwd = testDir(t, 'mpkv-run-mutant-');
  t.is(mpkvIn(cwd, 'verify', configPath('verify/max-sync.toml'), '--mutant', 'server-without-disk', '--out', 'r.json').status, 1);
  t.is(mpkvIn(cwd, 'run', configPath('verify/max-sync.toml'), '--replay', 'r.json', '--mutant', 'server-without-disk').status, 1, 'the replay\'s own mutant');
  const contradicted = mpkvIn(cwd, 'run', configPath('verify/max-sync.toml'), '--replay', 'r.json', '--mutant', 'takes-last-value');
  t.is(contradicted.status, 2);
  t.is(contradicted.stderr, 'mpkv run: --mutant takes-last-value: r.json replays a run with server-without-disk; leave --mutant out (the replay file says which)\n');
});

test('cli: --speed is judged the same on a terminal and piped', async (t) => {
  const { main } = await import('../src/cli.js');
  for (const tty of [true, false]) {
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (l: string) => err.push(l), tty };
    t.is(await main(['run', configPath('default.toml'), '--speed', '0'], io), 2, `tty ${tty}`);
    t.deepEqual(err, ['mpkv run: --speed: expected an integer >= 1, got "0"']);
  }
  const piped = mpkv('run', configPath('default.toml'), '--speed', '0');
  t.is(piped.status, 2);
  t.is(piped.stderr, 'mpkv run: --speed: expected an integer >= 1, got "0"\n');
  t.is(mpkv('run', configPath('default.toml'), '--speed', '50').status, 0, 'a good speed is accepted piped (and unused)');
});

test('cli: control characters in arguments and files are shown escaped, never written raw', (t) => {
  const binary = path.join(dir, 'binary.jsonl');
  writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x0a]));
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
  const cases: Array<[string[], RegExp]> = [
    [['run', 'bad\u001b[31mred\u0007.toml'], /^mpkv run: bad\\u001b\[31mred\\u0007\.toml: /],
    [['run', configPath('default.toml'), '--c\u001b[2Jolour'], /^mpkv run: unknown flag --c\\u001b\[2Jolour;/],
    [['check', binary, '--model', 'kv'], /^mpkv check: \S+binary\.jsonl:1: .*\\u007fELF/],
    [['view', binary], /^mpkv view: \S+binary\.jsonl:1: not JSON .*\\u007fELF/],
  ];
  for (const [args, line] of cases) {
    const r = mpkv(...args);
    t.is(r.status, 2, r.stderr);
    t.regex(r.stderr, line);
    t.notRegex(r.stderr, raw, JSON.stringify(r.stderr));
    t.notRegex(r.stdout, raw);
  }
  // A key holding a DEL: escaped on the plain trace, and still the same key in --json's JSON.
  const odd = path.join(dir, 'odd-key.toml');
  writeFileSync(odd, '[workload]\nkeys = ["a\\u007Fb"]\n');
  const plain = mpkv('run', odd);
  t.is(plain.status, 0, plain.stderr);
  t.notRegex(plain.stdout, raw);
  t.regex(plain.stdout, /"a\\u007fb"/);
  const json = mpkv('run', odd, '--json');
  t.notRegex(json.stdout, raw);
  const keys = json.stdout.trim().split('\n').flatMap((l) => [...JSON.stringify(JSON.parse(l)).matchAll(/"key":"([^"]*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string));
  t.true(keys.length > 0 && keys.every((k) => k === 'a\u007fb'), `keys read back: ${[...new Set(keys)].join(', ')}`);
});

test('cli: run --html and check --html say which file they wrote', (t) => {
  const page = path.join(dir, 'run-page.html');
  const history = path.join(dir, 'run-history.jsonl');
  const r = mpkv('run', configPath('default.toml'), '--html', page, '--history', history);
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`^wrote ${history}$`, 'm'));
  t.regex(r.stdout, new RegExp(`^wrote ${page}$`, 'm'));
  const checkPage = path.join(dir, 'check-page.html');
  const c = mpkv('check', history, '--model', 'kv', '--html', checkPage);
  t.is(c.status, 0, c.stderr);
  t.regex(c.stdout, new RegExp(`\nwrote ${checkPage}\n$`));
  const json = mpkv('run', configPath('default.toml'), '--json', '--html', page);
  t.notThrows(() => json.stdout.trim().split('\n').forEach((l) => JSON.parse(l)), '--json keeps stdout JSON Lines');
  t.is(json.stderr, `wrote ${page}\n`);
});

test('cli: --topologies naming the base topology explores it once', (t) => {
  const r = mpkv('explore', configPath('default.toml'), '--topologies', 'clients=2,3', '--runs', '2', '--seed', '1');
  t.is(r.status, 0, r.stderr);
  const headers = r.stdout.split('\n').filter((l) => l.startsWith('mpkv explore ')).map((l) => l.replace(/:.*/, '').replace(configPath('default.toml'), 'default.toml'));
  t.deepEqual(headers, ['mpkv explore default.toml', 'mpkv explore default.toml (clients2)']);
  t.regex(r.stdout, /^\S+default\.toml \(clients3\): the same config as \S+default\.toml, explored once$/m);
});

test('cli: an output file that cannot be written is refused before any work: exit 2, one line naming the flag and the file', (t) => {
  const missing = path.join(dir, 'no-such-dir');
  const refused: Array<[string[], RegExp]> = [
    [['run', configPath('default.toml'), '--history', `${missing}/h.jsonl`], /^mpkv run: --history \S+\/no-such-dir\/h\.jsonl: no such directory: \S+\/no-such-dir$/],
    [['run', configPath('default.toml'), '--html', `${missing}/r.html`], /^mpkv run: --html \S+: no such directory: /],
    [['run', configPath('default.toml'), '--trace-json', `${missing}/t.jsonl`], /^mpkv run: --trace-json \S+: no such directory: /],
    [['run', configPath('default.toml'), '--html', dir], /^mpkv run: --html \S+: is a directory$/],
    [['run', configPath('default.toml'), '--html', path.join(dir, 'same'), '--history', path.join(dir, 'same')], /^mpkv run: --html \S+same: also given to --history$/],
    [['run', configPath('default.toml'), '--trace-json', configPath('default.toml')], /^mpkv run: --trace-json \S+default\.toml: that is an input of this command: it would be overwritten$/],
    [['check', path.join(repoRoot, 'test/fixtures/porcupine/jepsen/etcd_002.log'), '--model', 'register', '--html', `${missing}/c.html`], /^mpkv check: --html \S+: no such directory: /],
    [['explore', configPath('default.toml'), '--out', `${missing}/r.json`], /^mpkv explore: --out \S+: no such directory: /],
    [['explore', configPath('default.toml'), '--result', `${configPath('default.toml')}/x.json`], /^mpkv explore: --result \S+: \S+default\.toml is not a directory$/],
    [['verify', configPath('verify/duplicates.toml'), '--out', `${missing}/r.json`], /^mpkv verify: --out \S+: no such directory: /],
    [['view', path.join(dir, 'trace.jsonl'), '-o', `${missing}/v.html`], /^mpkv view: -o \S+: no such directory: /],
  ];
  for (const [args, line] of refused) {
    const r = mpkv(...args);
    t.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr.trimEnd(), line);
    t.is(r.stderr.trim().split('\n').length, 1);
    t.is(r.stdout, '', `${args[0]} did no work: ${r.stdout.slice(0, 200)}`);
  }
  t.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f === 'same'), [], 'nothing half-written');
});

test('cli: explore and verify of two configs of one name write two replay files, and neither overwrites another run\'s replay without --force', (t) => {
  const cwd = testDir(t, 'mpkv-replays-');
  const mutant = 'server-without-disk';
  // configs/max-sync.toml and configs/verify/max-sync.toml: two configs, one name.
  const explored = mpkvIn(cwd, 'explore', configPath('max-sync.toml'), '--mutant', mutant, '--seed', '1');
  t.is(explored.status, 1, explored.stderr);
  const verified = mpkvIn(cwd, 'verify', configPath('verify/max-sync.toml'), '--mutant', mutant);
  t.is(verified.status, 1, verified.stderr);
  const exploreFile = `max-sync-${mutant}.explore.replay.json`;
  const verifyFile = `max-sync-${mutant}.verify.replay.json`;
  t.deepEqual(readdirSync(cwd).sort(), [exploreFile, verifyFile]);
  t.regex(explored.stdout, new RegExp(`^replay file: ${exploreFile.replace(/\./g, '\\.')}$`, 'm'));
  t.regex(verified.stdout, new RegExp(`^replay file: ${verifyFile.replace(/\./g, '\\.')}$`, 'm'));
  // Each replays its own run.
  t.is(mpkvIn(cwd, 'run', configPath('max-sync.toml'), '--replay', exploreFile).status, 1);
  t.is(mpkvIn(cwd, 'run', configPath('verify/max-sync.toml'), '--replay', verifyFile).status, 1);

  // Another run's replay is not overwritten: refused before the search, the file untouched.
  const before = readFileSync(path.join(cwd, exploreFile), 'utf8');
  const refused = mpkvIn(cwd, 'verify', configPath('verify/max-sync.toml'), '--mutant', mutant, '--out', exploreFile);
  t.is(refused.status, 2);
  t.is(
    refused.stderr.trim(),
    `mpkv verify: --out ${exploreFile}: holds the replay of another run (a schedule of ${configPath('max-sync.toml')} with ${mutant}): give another --out FILE, or --force to overwrite it`,
  );
  t.is(refused.stdout, '');
  t.is(readFileSync(path.join(cwd, exploreFile), 'utf8'), before);
  writeFileSync(path.join(cwd, 'notes.json'), '{"mine": true}\n');
  const notReplay = mpkvIn(cwd, 'explore', configPath('max-sync.toml'), '--mutant', mutant, '--seed', '1', '--out', 'notes.json');
  t.is(notReplay.status, 2);
  t.regex(notReplay.stderr, /^mpkv explore: --out notes\.json: exists and is not a replay file: give another --out FILE, or --force to overwrite it\n$/);
  // The same setup again replaces its own replay; --force overwrites another's.
  t.is(mpkvIn(cwd, 'explore', configPath('max-sync.toml'), '--mutant', mutant, '--seed', '2').status, 1);
  t.is(mpkvIn(cwd, 'verify', configPath('verify/max-sync.toml'), '--mutant', mutant, '--out', exploreFile, '--force').status, 1);
  t.is((JSON.parse(readFileSync(path.join(cwd, exploreFile), 'utf8')) as { kind?: string }).kind, 'steps');
});
