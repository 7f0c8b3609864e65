/**
 * The protocol's own invariants (src/emulations/multipaxos/invariants.ts), against hand-made
 * histories of promises, votes and decisions: each fails at the first bad fact, naming
 * ballots, slots and acceptors and the step it failed at, and passes the correct history. Then
 * on real runs: every config's correct runs keep them, and each new mutant breaks one of them
 * at a step before any outcome check notices.
 */
import test from 'ava';
import { factsOf } from '../src/emulations/kv/log-checks.js';
import { VotingInvariants } from '../src/emulations/multipaxos/invariants.js';
import type { Ballot, Fact, LogCommand, PValue } from '../src/emulations/multipaxos/messages.js';
import type { TraceEvent } from '../src/sim/trace.js';
import type { Verdict } from '../specs/verdict.js';

const b = (round: number, leader: number): Ballot => ({ round, leader });
const put = (client: number, value: string): LogCommand => ({ kind: 'request', client, request_id: 1, command: { op: 'put', key: 'a', value } });
const c1 = put(1, 'val_1');
const c2 = put(2, 'val_2');

type Event = TraceEvent<never, Fact>;
const note = (t: number, node: string, fact: Fact): Event => ({ t, kind: 'note', node, text: '', fact });
const vote = (t: number, acceptor: number, ballot: Ballot, slot: number, command: LogCommand): Event =>
  note(t, `acceptor ${acceptor}`, { kind: 'vote', ballot, slot, command });
const promise = (t: number, acceptor: number, ballot: Ballot, accepted: PValue[] = [], from_slot = 0): Event =>
  note(t, `acceptor ${acceptor}`, { kind: 'promise', ballot, from_slot, accepted });
const decide = (t: number, leader: number, ballot: Ballot, slot: number, command: LogCommand, quorum: string[]): Event =>
  note(t, `leader ${leader}`, { kind: 'decide', slot, command, ballot, quorum });
const lead = (t: number, leader: number, ballot: Ballot, quorum: string[]): Event => note(t, `leader ${leader}`, { kind: 'lead', ballot, quorum });

function judge(trace: readonly Event[]): Record<string, Verdict> {
  const check = new VotingInvariants(3);
  for (const noted of factsOf(trace)) check.observe(noted);
  return Object.fromEntries(check.verdicts().map((v) => [v.name, v]));
}

const failed = (trace: readonly Event[]): string[] =>
  Object.values(judge(trace))
    .filter((v) => v.status === 'fail')
    .map((v) => v.name);

/** A correct history: ballot 1.1 chosen c1 in slot 0, then ballot 2.2 adopts it. */
const correct: Event[] = [
  promise(1, 1, b(1, 1)),
  promise(2, 2, b(1, 1)),
  lead(3, 1, b(1, 1), ['acceptor 1', 'acceptor 2']),
  vote(4, 1, b(1, 1), 0, c1),
  vote(5, 2, b(1, 1), 0, c1),
  decide(6, 1, b(1, 1), 0, c1, ['acceptor 1', 'acceptor 2']),
  promise(7, 2, b(2, 2), [{ slot: 0, ballot: b(1, 1), command: c1 }]),
  promise(8, 3, b(2, 2)),
  lead(9, 2, b(2, 2), ['acceptor 2', 'acceptor 3']),
  vote(10, 3, b(2, 2), 0, c1),
  vote(11, 2, b(2, 2), 0, c1),
  decide(12, 2, b(2, 2), 0, c1, ['acceptor 2', 'acceptor 3']),
];

test('invariants: a correct history of two ballots keeps all four', (t) => {
  t.deepEqual(failed(correct), []);
  t.regex(judge(correct)['votes-safe']!.detail, /2 choice\(s\), no later vote departs/);
});

test('one-value: two commands accepted under one ballot in one slot fail, naming both acceptors', (t) => {
  const trace = [vote(4, 1, b(1, 1), 0, c1), vote(9, 2, b(1, 1), 0, c2)];
  const v = judge(trace)['one-value']!;
  t.is(v.status, 'fail');
  t.regex(v.detail, /slot 0 ballot 1\.1: acceptor 1 accepted PUT "a" = "val_1" .* at t=4, but acceptor 2 accepted PUT "a" = "val_2" .* at t=9/);
  t.deepEqual(v.at, { t: 9, event: 1, evidence: [0] }, 'the first bad step: the second vote; the first vote it names');
});

test('quorum-backed: a decision on one acknowledgement, on the same acceptor twice, or on an acceptor that voted otherwise fails', (t) => {
  const one = judge([vote(4, 1, b(1, 1), 0, c1), decide(5, 1, b(1, 1), 0, c1, ['acceptor 1'])])['quorum-backed']!;
  t.is(one.status, 'fail');
  t.regex(one.detail, /on 1 acknowledgement\(s\) \(acceptor 1\); a quorum of 3 acceptors is 2/);
  const twice = judge([vote(4, 1, b(1, 1), 0, c1), decide(5, 1, b(1, 1), 0, c1, ['acceptor 1', 'acceptor 1'])])['quorum-backed']!;
  t.regex(twice.detail, /counting acceptor 1 more than once/);
  const stale = judge([vote(4, 1, b(1, 1), 0, c1), vote(5, 2, b(2, 1), 0, c2), vote(6, 3, b(2, 1), 0, c2), decide(7, 1, b(2, 1), 0, c2, ['acceptor 1', 'acceptor 2'])]);
  t.regex(stale['quorum-backed']!.detail, /counting acceptor 1, which never accepted that command under that ballot \(its votes in slot 0: PUT "a" = "val_1" .* under 1\.1\)/);
  t.deepEqual(stale['quorum-backed']!.at, { t: 7, event: 3, evidence: [0, 1] }, 'the decision; the vote it could count, and acceptor 1\'s other vote');
  t.deepEqual(one.at, { t: 5, event: 1, evidence: [0] }, 'the one acknowledgement it had');
});

test('quorum-backed: Phase 2 started on a promise for another ballot fails', (t) => {
  const v = judge([promise(1, 1, b(1, 1)), promise(2, 2, b(2, 1)), lead(3, 1, b(2, 1), ['acceptor 1', 'acceptor 2'])])['quorum-backed']!;
  t.is(v.status, 'fail');
  t.regex(v.detail, /leader 1 started Phase 2 under ballot 2\.1 at t=3, counting acceptor 1, which never promised that ballot \(its promises: 1\.1\)/);
  t.deepEqual(v.at, { t: 3, event: 2, evidence: [0, 1] }, 'the promise of 2.1 it had, and what acceptor 1 promised instead');
});

test('votes-safe: a higher ballot voting another command in a chosen slot fails, and so does a decision of another command', (t) => {
  const chosen = [vote(4, 1, b(1, 1), 0, c1), vote(5, 2, b(1, 1), 0, c1)];
  const higher = judge([...chosen, vote(9, 3, b(2, 2), 0, c2)])['votes-safe']!;
  t.is(higher.status, 'fail');
  t.regex(higher.detail, /slot 0: acceptor 3 accepted PUT "a" = "val_2" .* under ballot 2\.2 at t=9, but PUT "a" = "val_1" .* was chosen under ballot 1\.1 at t=5 \(accepted by acceptor 1, acceptor 2\)/);
  t.deepEqual(higher.at, { t: 9, event: 2, evidence: [0, 1] }, 'the quorum that chose the command');
  const earlier = judge([vote(3, 3, b(2, 2), 0, c2), ...chosen])['votes-safe']!;
  t.regex(earlier.detail, /had accepted PUT "a" = "val_2" .* under the higher ballot 2\.2 at t=3: that vote was not safe/, 'the unsafe vote came first');
  const decided = judge([...chosen, note(9, 'replica 1', { kind: 'decide', slot: 0, command: c2 })])['votes-safe']!;
  t.regex(decided.detail, /replica 1 decided PUT "a" = "val_2" .* at t=9, but PUT "a" = "val_1" .* was chosen/);
  t.deepEqual(decided.at?.evidence, [0, 1]);
  t.deepEqual(earlier.at, { t: 5, event: 2, evidence: [0, 1] }, 'the unsafe vote and the first vote of the quorum');
  t.deepEqual(failed([...chosen, vote(9, 3, b(2, 2), 0, c1)]), [], 'a higher ballot carrying the chosen command is fine');
});

test('promises-kept: promising or voting below an earlier promise fails, and so does a promise hiding a vote', (t) => {
  const lower = judge([promise(1, 1, b(2, 2)), promise(4, 1, b(1, 1))])['promises-kept']!;
  t.regex(lower.detail, /acceptor 1 promised ballot 1\.1 at t=4, below ballot 2\.2 it had promised at t=1/);
  const accepted = judge([promise(1, 1, b(2, 2)), vote(4, 1, b(1, 1), 0, c1)])['promises-kept']!;
  t.regex(accepted.detail, /acceptor 1 accepted slot 0 under ballot 1\.1 at t=4, below ballot 2\.2 it had promised at t=1/);
  const backwards = judge([vote(2, 1, b(2, 2), 0, c1), promise(4, 1, b(2, 1))])['promises-kept']!;
  t.regex(backwards.detail, /below ballot 2\.2 it had accepted at t=2/, 'a vote raises what an acceptor may promise');
  const forgot = judge([vote(2, 1, b(1, 1), 3, c1), promise(4, 1, b(2, 2), [], 0)])['promises-kept']!;
  t.regex(forgot.detail, /acceptor 1's promise of ballot 2\.2 at t=4 reports nothing for slot 3, but it had accepted PUT "a" = "val_1" .* there under ballot 1\.1 at t=2: a vote was forgotten/);
  t.deepEqual(forgot.at, { t: 4, event: 1, evidence: [0] }, 'the forgotten vote');
  t.deepEqual(lower.at?.evidence, [0], 'the higher promise');
  t.deepEqual(failed([vote(2, 1, b(1, 1), 3, c1), promise(4, 1, b(2, 2), [], 4)]), [], 'slots below the prepare are not reported');
  t.deepEqual(failed([promise(1, 1, b(1, 1)), promise(2, 1, b(1, 1))]), [], 'promising the same ballot again (a retried prepare) is fine');
});

test('invariants: what the checks remember is the same for the same history, whatever the times', (t) => {
  const check = (trace: readonly Event[]): VotingInvariants => {
    const c = new VotingInvariants(3);
    for (const noted of factsOf(trace)) c.observe(noted);
    return c;
  };
  const later = correct.map((e) => ({ ...e, t: e.t + 100 }));
  t.deepEqual(check(correct).memory(), check(later).memory());
  t.notDeepEqual(check(correct).memory(), check(correct.slice(0, -2)).memory(), 'one vote less is another memory');
  t.deepEqual(check(correct).memory(), check(correct.slice(0, -1)).memory(), 'a decision that breaks nothing leaves nothing to remember');
});
