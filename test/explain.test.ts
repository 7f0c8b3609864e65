/**
 * "See what happened": a violation explained in the protocol's words in the plain output.
 * The checks say when they first failed (Verdict.at); `mpkv explore --mutant quorum-too-small`
 * names the first bad step (the protocol invariant: a leader led on too few promises); a run
 * that goes on to two decisions prints both quorums of the agreement violation and that they
 * do not intersect; the report says which faults of the shrunk schedule the violation needs; a
 * leader's DECIDED line names the acceptors whose `accepted` it counted.
 */
import test from 'ava';
import fc from 'fast-check';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { loadConfig, parseConfig } from '../src/emulations/index.js';
import { linearizabilityJudgeWith } from '../src/emulations/kv/linearizability.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { emulate } from '../src/emulations/run.js';
import { analyseFaults, explore, failureReport, runSchedule, type Failure } from '../src/explore/explore.js';
import { replayFileFor, writeReplayFile } from '../src/explore/replay.js';
import { scheduleArbitrary, type Schedule } from '../src/explore/schedule.js';
import { invokeEvent, okEvent } from '../specs/formats/mpkv.js';
import { testDir } from './harness.js';

const collector = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), tty: false }, out, err };
};

const twoLeaders = loadConfig('configs/mutants/two-leaders.toml');
const quorumTooSmall = { ...twoLeaders, mutants: { enable: ['quorum-too-small'] } };

/** The first counterexample exploration finds for quorum-too-small (seed 1: a few schedules). */
let found: Failure | undefined;
const failure = (): Failure => {
  found ??= explore(multipaxos, quorumTooSmall, { runs: 50, seed: 1 }).failure;
  if (!found) throw new Error('exploration did not catch quorum-too-small');
  return found;
};

/**
 * A schedule of quorum-too-small whose run goes on to two different decisions (the invariants
 * stop exploration's shrinking at the first bad step, before any decision): fast-check over the
 * same schedules, with the property "agreement holds", shrunk toward it.
 */
let disagreeing: Schedule | undefined;
const agreementBroken = (): Schedule => {
  if (disagreeing) return disagreeing;
  const property = fc.property(scheduleArbitrary(multipaxos, quorumTooSmall), (schedule) =>
    runSchedule(multipaxos, quorumTooSmall, schedule).result.verdicts.every((v) => v.name !== 'agreement' || v.status !== 'fail'),
  );
  const details = fc.check(property, { seed: 1, numRuns: 200 });
  if (!details.failed || !details.counterexample) throw new Error('no schedule of quorum-too-small broke agreement in 200 runs');
  return (disagreeing = details.counterexample[0]);
};

test('explore: the report of quorum-too-small names its first bad step, the leader that led on one promise', async (t) => {
  const dir = testDir(t, 'mpkv-explain-');
  const cli = collector();
  const code = await main(['explore', 'configs/mutants/two-leaders.toml', '--mutant', 'quorum-too-small', '--seed', '1', '--runs', '50', '--out', join(dir, 'qts.replay.json')], cli.io);
  t.is(code, 1);
  const report = cli.out.join('\n');
  t.regex(report, /quorum-backed: leader \d started Phase 2 under ballot [\d.]+ at t=\d+ on 1 promise\(s\) \(acceptor \d\); a quorum of 3 acceptors is 2 \[first failed at t=\d+\]/);
  t.regex(report, /minimal schedule \(run seed \d+\); the violation happened at t=\d+ \(quorum-backed\):/);
});

test('run: an agreement violation of quorum-too-small names the two quorums, and that they do not intersect', async (t) => {
  const schedule = agreementBroken();
  const dir = testDir(t, 'mpkv-explain-');
  const out = join(dir, 'agreement.replay.json');
  const { result } = runSchedule(multipaxos, quorumTooSmall, schedule, { digest: true });
  const search = { seed: 1, runsToFind: 1, shrinks: 0, path: '' };
  const shrunk: Failure = { strategy: 'random', schedule, verdicts: [], injected: [], steps: result.summary.steps, time_ms: result.summary.time_ms, ...search };
  writeReplayFile(out, replayFileFor('configs/mutants/two-leaders.toml', quorumTooSmall, shrunk, result));

  const run = collector();
  t.is(await main(['run', 'configs/mutants/two-leaders.toml', '--replay', out, '--plain'], run.io), 1);
  const plain = run.out.join('\n');
  t.regex(plain, /^ {2}agreement +FAIL +slot \d+: leader \d decided .* under ballot [\d.]+ \(quorum acceptor \d\) at t=\d+, but leader \d decided .* under ballot [\d.]+ \(quorum acceptor \d\) at t=\d+ \[first failed at t=\d+\]$/m);
  t.regex(plain, /^why:$/m);
  t.regex(plain, /^ {2}AGREEMENT VIOLATED in slot \d+/m);
  const quorumA = /quorum A: leader \d decided .* under ballot [\d.]+ at t=\d+ once \{(acceptor \d)\} accepted it \(1 of 3 acceptors\)/.exec(plain);
  const quorumB = /quorum B: leader \d decided .* under the higher ballot [\d.]+ at t=\d+ once \{(acceptor \d)\} accepted it; before proposing, it had counted the promises of \{(acceptor \d)\}/.exec(plain);
  t.truthy(quorumA, plain);
  t.truthy(quorumB, plain);
  t.not(quorumA![1], quorumB![2], 'the Phase 1 quorum of the higher ballot misses quorum A');
  t.regex(plain, /^ {2}quorum A: .*\n {2}quorum B: .*\n {2}These quorums do not intersect: .* A quorum must be a majority \(2 of 3 acceptors\)/m);
  // The DECIDED lines name their quorum: the two conflicting ones, a single acceptor each.
  t.regex(plain, /\] slot \d+ DECIDED .* \(ballot [\d.]+, quorum acceptor \d\)$/m);
});

test('explore: a fault the violation does not need is called incidental; one it needs, needed', (t) => {
  const base = failure();
  const check = base.verdicts[0]!.name;
  // The shrunk counterexample needs no fault; give it one more the violation can do without:
  // a duplicate of the first promise the first leader gets.
  const duplicate = { from: 'acceptor 1', to: 'leader 1', n: 0, choice: -3 };
  const schedule = { ...base.schedule, messages: [...base.schedule.messages, duplicate] };
  const injected = [{ from: 'acceptor 1', to: 'leader 1', n: 0, t: 1, type: 'promise', fault: { kind: 'duplicate' as const, second_delay_ms: 2 } }];
  const padded: Failure = { ...base, schedule, injected };
  const analysis = analyseFaults(multipaxos, quorumTooSmall, padded);
  t.deepEqual(analysis.messages.map((r) => r.needed), [false]);
  t.true(analysis.messages[0]!.stillFailing.includes(check));
  t.true(analysis.faultFreeFails, 'the counterexample needs no fault at all');
  const lines = failureReport(padded, { faults: analysis });
  t.true(lines.some((l) => new RegExp(`acceptor 1 -> leader 1 message #0 \\(promise\\): duplicated .* — incidental: .*without it ${check}(, [\\w-]+)* still fail`).test(l)), lines.join('\n'));
  t.true(lines.some((l) => /none of these faults is needed/.test(l)));

  // An acceptor that forgets everything on a restart needs its crash (and what follows it):
  // without any one of the shrunk schedule's faults, the run passes.
  const forgetful = { ...loadConfig('configs/mutants/forgetful-acceptors.toml'), mutants: { enable: ['acceptor-forgets-on-restart'] } };
  const other = explore(multipaxos, forgetful, { runs: 300, seed: 2 }).failure!;
  const roles = analyseFaults(multipaxos, forgetful, other);
  const all = [...roles.crashes, ...roles.partitions, ...roles.messages];
  t.true(all.length > 0 && all.every((r) => r.needed), JSON.stringify(roles));
  t.false(roles.faultFreeFails);
  const report = failureReport(other, { faults: roles });
  t.true(report.some((l) => / — NEEDED: without it no check fails$/.test(l)), report.join('\n'));
  t.true(report.some((l) => new RegExp(`${all.length} of ${all.length} fault\\(s\\) needed on their own`).test(l)), report.join('\n'));
});

test('Verdict.at: the log checks name the event at which they first failed', (t) => {
  const { result } = runSchedule(multipaxos, quorumTooSmall, agreementBroken(), { keepTrace: true });
  const agreement = result.verdicts.find((v) => v.name === 'agreement')!;
  t.is(agreement.status, 'fail');
  const event = result.trace![agreement.at!.event!]!;
  t.is(event.t, agreement.at!.t);
  t.like(event, { kind: 'note' });
  t.regex((event as { text: string }).text, /DECIDED|APPLY|LEARN|DECISION/, 'the step is the second, conflicting decision');
  t.true(result.verdicts.filter((v) => v.status === 'ok').every((v) => v.at === undefined));
  // The invariant that caught the broken quorum failed earlier, at the leader's LEADING step.
  const backed = result.verdicts.find((v) => v.name === 'quorum-backed')!;
  t.is(backed.status, 'fail');
  t.true(backed.at!.event! < agreement.at!.event!);
  t.regex((result.trace![backed.at!.event!] as { text: string }).text, /LEADING with ballot/);
});

test('Verdict.at: linearizability names the first completion after which the history is not linearizable', (t) => {
  const put = { op: 'put', key: 'a', value: 'v1' } as const;
  const get = { op: 'get', key: 'a' } as const;
  const history = [
    invokeEvent(1, put, 1),
    okEvent(1, put, { ok: true }, 2),
    invokeEvent(2, get, 3),
    okEvent(2, get, { ok: true, value: 'v1' }, 4),
    invokeEvent(2, get, 5),
    okEvent(2, get, { ok: false, error: 'key not found: a' }, 6), // stale: the put completed before
    invokeEvent(1, get, 7),
    okEvent(1, get, { ok: true, value: 'v1' }, 8),
  ];
  const at = history.map((e, i) => ({ t: e.time!, event: 100 + i }));
  const verdict = linearizabilityJudgeWith()(history, undefined, at);
  t.is(verdict.status, 'fail');
  t.deepEqual(verdict.at, { t: 6, event: 105 });
  t.is(linearizabilityJudgeWith()(history.slice(0, 4), undefined, at.slice(0, 4)).at, undefined, 'a linearizable history has no place of failure');
});

test('DECIDED: the note and the decide fact name the acceptors whose accepted formed the quorum', (t) => {
  const result = emulate(multipaxos, parseConfig('[topology]\nacceptors = 5\nclients = 1\n[workload]\nrequests = 2\n'), { keepTrace: true });
  const decided = result.trace!.filter((e) => e.kind === 'note' && e.node === 'leader 1' && / DECIDED /.test(e.text));
  t.true(decided.length >= 2);
  for (const e of decided) {
    if (e.kind !== 'note') continue;
    const quorum = (e.fact as { quorum?: string[] }).quorum!;
    t.is(quorum.length, 3, 'a majority of 5');
    t.true(e.text.endsWith(`(ballot 1.1, quorum ${quorum.join(', ')})`), e.text);
  }
});
