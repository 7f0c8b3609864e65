/** Bad configs: each gives exit 2 and one clear line naming the file, line and key. */
import test from 'ava';
import { tempDir } from './harness.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../src/cli.js';
import { parseConfig } from '../src/emulations/index.js';
import type { PaxosConfig } from '../src/emulations/multipaxos/config.js';

const dir = tempDir('mpkv-config-');

async function runWith(toml: string, name: string): Promise<{ code: number; err: string[]; out: string[] }> {
  const file = path.join(dir, name);
  writeFileSync(file, toml);
  const err: string[] = [];
  const out: string[] = [];
  const code = await main(['run', file, '--plain'], { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, err, out };
}

const cases: Array<[string, string, RegExp]> = [
  ['syntax error', 'seed = 1\n[network\ndrop_rate = 0.1\n', /syntax\.toml:2: TOML syntax error/],
  ['unknown top-level key', 'seed = 1\nseeds = 2\n', /unknown-top\.toml:2: seeds: unknown key$/],
  ['unknown nested key', '[network]\ndrop_rat = 0.1\n', /unknown-nested\.toml:2: network\.drop_rat: unknown key$/],
  ['wrong type', '[topology]\nacceptors = "three"\n', /wrong-type\.toml:2: topology\.acceptors: expected an integer in \[1, 10000\], got "three"$/],
  ['negative count', '[topology]\nclients = -2\n', /negative\.toml:2: topology\.clients: expected an integer in \[1, 10000\], got -2$/],
  ['zero acceptors', '[topology]\nacceptors = 0\n', /zero-acceptors\.toml:2: topology\.acceptors: expected an integer in \[1, 10000\], got 0$/],
  ['zero servers', 'emulation = "kv_store"\n[topology]\nservers = 0\n', /zero-servers\.toml:3: topology\.servers: kv_store runs exactly 1 server, got 0$/],
  ['probability > 1', '[network]\ndrop_rate = 1.5\n', /probability\.toml:2: network\.drop_rate: expected a number in \[0, 1\], got 1\.5$/],
  ['fractional count', '[workload]\nrequests = 2.5\n', /fraction\.toml:2: workload\.requests: expected an integer in \[0, 1000000\], got 2\.5$/],
  ['unknown emulation', 'emulation = "zab"\n', /emulation\.toml:1: emulation: expected one of "multipaxos", "kv_store"(, "[a-z_]+")*, got "zab"$/],
  ['delay bounds reversed', '[network]\ndelay_min_ms = 20\ndelay_max_ms = 5\n', /bounds\.toml:3: network\.delay_max_ms: must be >= delay_min_ms \(20\), got 5$/],
  ['backoff bounds reversed', '[paxos]\nbackoff_min_ms = 1000\nbackoff_max_ms = 10\n', /backoff\.toml:3: paxos\.backoff_max_ms: must be >= backoff_min_ms \(1000\), got 10$/],
  ['crash of a node that does not exist', '[[crashes]]\nnode = "acceptor 9"\nat_ms = 10\n', /no-node\.toml:2: crashes\[0\]\.node: no node "acceptor 9" in this topology/],
  ['restart before crash', '[[crashes]]\nnode = "acceptor 1"\nat_ms = 10\nrestart_ms = 5\n', /restart\.toml:4: crashes\[0\]\.restart_ms: must be > at_ms \(10\), got 5$/],
  ['second array table entry', '[[crashes]]\nnode = "acceptor 1"\nat_ms = 10\n[[crashes]]\nnode = "leader 7"\nat_ms = 20\n', /second\.toml:5: crashes\[1\]\.node: no node "leader 7"/],
  ['partition names a node twice', '[[partitions]]\nstart_ms = 1\nend_ms = 9\ngroups = [["acceptor 1"], ["acceptor 1"]]\n', /twice\.toml:4: partitions\[0\]\.groups: acceptor 1 is in two groups$/],
  ['a float written as an integer (1e300)', '[workload]\nrequests = 1e300\n', /huge\.toml:2: workload\.requests: expected an integer in \[0, 1000000\], got 1e\+300$/],
  ['a hundred million clients', '[topology]\nclients = 100000000\n', /absurd\.toml:2: topology\.clients: expected an integer in \[1, 10000\], got 100000000$/],
  ['too many requests in all', '[topology]\nclients = 10000\n[workload]\nrequests = 10000\n', /total\.toml:4: workload\.requests: 10000 clients x 10000 requests is 100000000; at most 10000000 requests per run$/],
  ['all operation weights zero', '[workload]\nget_weight = 0\nput_weight = 0\ndelete_weight = 0\n', /weights\.toml:2: workload\.get_weight: get_weight, put_weight and delete_weight are all 0: at least one must be > 0$/],
  ['a time beyond a virtual day', 'time_limit_ms = 1e12\n', /day\.toml:1: time_limit_ms: expected an integer in \[1, 86400000\], got 1000000000000$/],
  ['unknown mutant', '[mutants]\nenable = ["paxos-is-easy"]\n', /mutant\.toml:2: mutants\.enable\[0\]: expected one of acceptor-accepts-lower-ballot/],
];

const fileOf: Record<string, string> = {
  'syntax error': 'syntax.toml',
  'unknown top-level key': 'unknown-top.toml',
  'unknown nested key': 'unknown-nested.toml',
  'wrong type': 'wrong-type.toml',
  'negative count': 'negative.toml',
  'zero acceptors': 'zero-acceptors.toml',
  'zero servers': 'zero-servers.toml',
  'probability > 1': 'probability.toml',
  'fractional count': 'fraction.toml',
  'unknown emulation': 'emulation.toml',
  'delay bounds reversed': 'bounds.toml',
  'backoff bounds reversed': 'backoff.toml',
  'crash of a node that does not exist': 'no-node.toml',
  'restart before crash': 'restart.toml',
  'second array table entry': 'second.toml',
  'partition names a node twice': 'twice.toml',
  'unknown mutant': 'mutant.toml',
  'a float written as an integer (1e300)': 'huge.toml',
  'a hundred million clients': 'absurd.toml',
  'too many requests in all': 'total.toml',
  'all operation weights zero': 'weights.toml',
  'a time beyond a virtual day': 'day.toml',
};

for (const [name, toml, expected] of cases) {
  test(`bad config: ${name} -> exit 2 and one line`, async (t) => {
    const { code, err, out } = await runWith(toml, fileOf[name]!);
    t.is(code, 2);
    t.is(err.length, 1, err.join('\n'));
    t.regex(err[0]!, expected);
    t.false(err[0]!.includes('    at '), 'no stack trace');
    t.deepEqual(out, [], 'nothing ran');
  });
}

test('bad config: a missing file is one line, exit 2', async (t) => {
  const err: string[] = [];
  const code = await main(['run', path.join(dir, 'nope.toml')], { stdout: () => {}, stderr: (l) => err.push(l) });
  t.is(code, 2);
  t.regex(err[0]!, /nope\.toml: cannot read the file \(ENOENT\)$/);
});

test('bad flags: --seed must be an integer', async (t) => {
  const err: string[] = [];
  const code = await main(['run', 'configs/default.toml', '--seed', 'x'], { stdout: () => {}, stderr: (l) => err.push(l) });
  t.is(code, 2);
  t.regex(err[0]!, /--seed: expected an integer in \[0, 4294967295\], got "x"/);
});

for (const [flags, expected] of [
  [['--seed', '-1'], /--seed: expected an integer in \[0, 4294967295\], got "-1"/],
  [['--seed', '4294967296'], /--seed: expected an integer in \[0, 4294967295\], got "4294967296"/],
  [['--clients', '100000000'], /--clients \(overrides topology\.clients\): expected an integer in \[1, 10000\], got 100000000/],
  [['--requests', '0.5'], /--requests: expected an integer >= 0, got "0\.5"/],
] as const) {
  test(`bad flags: ${flags.join(' ')} -> exit 2, one line naming the flag`, async (t) => {
    const err: string[] = [];
    const out: string[] = [];
    const code = await main(['run', 'configs/default.toml', ...flags], { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    t.is(code, 2);
    t.is(err.length, 1);
    t.regex(err[0]!, expected);
    t.deepEqual(out, [], 'nothing ran');
  });
}

test('config: a partition with no end_ms never heals', (t) => {
  const c = parseConfig('[[partitions]]\nstart_ms = 10\ngroups = [["leader 1"]]\n');
  t.is(c.partitions[0]!.end_ms, undefined);
});

test('config: an empty file is the default topology (3 acceptors, 1 leader, 2 replicas, 3 clients x 5)', (t) => {
  const c = parseConfig('') as unknown as PaxosConfig;
  t.deepEqual(c.topology, { acceptors: 3, leaders: 1, replicas: 2, clients: 3 });
  t.is(c.workload.requests, 5);
  t.is(c.emulation, 'multipaxos');
});

test('config: command-line overrides replace the file values', (t) => {
  const c = parseConfig('seed = 4\n[topology]\nclients = 2\n', 'x.toml', { seed: 9, clients: 5, requests: 1 }) as unknown as PaxosConfig;
  t.is(c.seed, 9);
  t.is(c.topology.clients, 5);
  t.is(c.workload.requests, 1);
});
