/**
 * Raft's own invariants (src/emulations/raft/invariants.ts, the paper's Figure 3), against
 * hand-made histories of elections, proposals, accepted entries, commits and applies: each
 * fails at the first bad fact, naming terms, indexes and servers and the step it failed at, and
 * passes the correct history. Then what the check remembers, and what a copy of it costs.
 */
import test from 'ava';
import { factsOf } from '../src/emulations/kv/log-checks.js';
import { RaftInvariants } from '../src/emulations/raft/invariants.js';
import type { Entry, Fact, LogCommand } from '../src/emulations/raft/messages.js';
import type { TraceEvent } from '../src/sim/trace.js';
import type { Verdict } from '../specs/verdict.js';
import { metered } from './work-meter.js';

type Event = TraceEvent<never, Fact>;
const s = (n: number): string => `server ${n}`;
const note = (t: number, server: number, fact: Fact): Event => ({ t, kind: 'note', node: s(server), text: '', fact });
const noop: LogCommand = { kind: 'noop' };
const put = (client: number, value: string): LogCommand => ({ kind: 'request', client, request_id: 1, command: { op: 'put', key: 'a', value } });
const entry = (term: number, command: LogCommand = noop): Entry => ({ term, command });

const elected = (t: number, server: number, term: number, voters: number[], last: [number, number] = [0, 0]): Event =>
  note(t, server, { kind: 'elected', term, voters: voters.map(s), last_index: last[0], last_term: last[1] });
const propose = (t: number, server: number, term: number, index: number, prev_term: number, command: LogCommand = noop): Event =>
  note(t, server, { kind: 'propose', term, index, prev_term, command });
const accept = (t: number, server: number, term: number, index: number, prev_term: number, entries: Entry[], removed = 0): Event =>
  note(t, server, { kind: 'accept', term, index, prev_term, entries, removed });
const commit = (t: number, server: number, index: number, entry_term: number, in_term: number, quorum?: number[]): Event =>
  note(t, server, { kind: 'commit', index, entry_term, in_term, ...(quorum ? { quorum: quorum.map(s) } : {}) });
const apply = (t: number, server: number, index: number, command: LogCommand = noop): Event =>
  note(t, server, { kind: 'apply', slot: index - 1, command, fresh: true });
const tookUp = (t: number, server: number, term: number): Event => note(t, server, { kind: 'term', term, role: 'leader' });

function checked(trace: readonly Event[]): RaftInvariants {
  const check = new RaftInvariants();
  for (const noted of factsOf(trace)) check.observe(noted);
  return check;
}
const judge = (trace: readonly Event[]): Record<string, Verdict> => Object.fromEntries(checked(trace).verdicts().map((v) => [v.name, v]));
const failed = (trace: readonly Event[]): string[] =>
  Object.values(judge(trace))
    .filter((v) => v.status === 'fail')
    .map((v) => v.name);

/** Server 1 leads term 1 and commits index 1 on server 2; server 2 leads term 2 and commits
 *  index 2 after it on server 3; everybody applies both. */
const correct: Event[] = [
  elected(1, 1, 1, [1, 2]),
  propose(2, 1, 1, 1, 0),
  accept(3, 2, 1, 1, 0, [entry(1)]),
  commit(4, 1, 1, 1, 1, [1, 2]),
  apply(4, 1, 1),
  elected(10, 2, 2, [2, 3], [1, 1]),
  propose(11, 2, 2, 2, 1, put(1, 'x')),
  accept(12, 3, 2, 1, 0, [entry(1), entry(2, put(1, 'x'))]),
  commit(13, 2, 2, 2, 2, [2, 3]),
  apply(13, 2, 1),
  apply(13, 2, 2, put(1, 'x')),
  accept(14, 1, 2, 2, 1, [entry(2, put(1, 'x'))]),
  apply(15, 1, 2, put(1, 'x')),
];

test('Raft invariants: a correct history of two terms keeps all five', (t) => {
  t.deepEqual(failed(correct), []);
  t.is(judge(correct)['election-safety']!.detail, '2 election(s), at most one leader a term');
});

test('election-safety: two leaders elected in one term fail, naming both and the voter they shared', (t) => {
  const v = judge([elected(3, 1, 1, [1, 2]), elected(5, 3, 1, [3, 2])])['election-safety']!;
  t.is(v.status, 'fail');
  t.is(v.detail, 'two leaders in term 1: server 1 won it at t=3 on the votes of server 1, server 2, and server 3 won it at t=5 on the votes of server 3, server 2 (server 2 voted for both)');
  t.deepEqual(v.at, { t: 5, event: 1, evidence: [0] }, 'the first bad step, the second election; its evidence, the first');
});

test('election-safety: a leader that takes up a higher term and goes on leading fails, and so does an entry created by a server that does not lead its term', (t) => {
  const v = judge([elected(3, 1, 1, [1, 2]), tookUp(6, 1, 2)])['election-safety']!;
  t.is(v.detail, 'server 1 took up term 2 at t=6 and went on leading without winning its election');
  const stray = judge([elected(3, 1, 1, [1, 2]), propose(5, 2, 1, 1, 0)])['election-safety']!;
  t.regex(stray.detail, /^server 2 created index 1 with term 1 at t=5 as if it led term 1, but server 1 won it at t=3/);
});

test('leader-append-only: a leader that writes entries of another server into its log, or puts a new one anywhere but after its last, fails', (t) => {
  const overwrite = judge([elected(1, 1, 2, [1, 2]), propose(2, 1, 2, 1, 0), accept(4, 1, 2, 1, 0, [entry(1)], 1)])['leader-append-only']!;
  t.is(overwrite.detail, 'server 1, leader of term 2, wrote 1 entry of another server into its log at index 1 at t=4, deleting 1 of its entries from index 1');
  const gap = judge([elected(1, 1, 1, [1, 2]), propose(2, 1, 1, 3, 0)])['leader-append-only']!;
  t.is(gap.detail, 'server 1, leader of term 1, put a new entry at index 3 at t=2, but its log ended at index 0: a leader only appends');
  t.deepEqual(failed([elected(1, 1, 1, [1, 2]), accept(2, 1, 0, 1, 0, [entry(0)])]), [], 'before it leads, a server accepts what it is sent');
});

test('log-matching: one (index, term) with two commands, or after two different terms, fails; so does a conflicting suffix left in place', (t) => {
  const two = judge([accept(1, 1, 1, 1, 0, [entry(1, put(1, 'a'))]), accept(2, 2, 1, 1, 0, [entry(1, put(2, 'b'))])])['log-matching']!;
  t.regex(two.detail, /^index 1 term 1: server 1 held PUT "a" = "a" .* at t=1, but server 2 wrote PUT "a" = "b" .* at t=2$/);
  const prefix = judge([accept(1, 1, 2, 2, 1, [entry(2)]), accept(2, 2, 2, 2, 2, [entry(2)])])['log-matching']!;
  t.is(prefix.detail, 'index 2 term 2: server 1 held it after an entry of term 1 at t=1, but server 2 wrote it after an entry of term 2 at t=2: the logs differ before it');
  const suffix = judge([accept(1, 1, 1, 1, 0, [entry(1), entry(1)]), accept(5, 1, 2, 1, 0, [entry(2)], 0)])['log-matching']!;
  t.is(suffix.detail, 'server 1 wrote index 1 with term 2 at t=5 and kept its entry at index 2 (term 1), which server 1 had written after an entry of term 1 at t=1: a conflicting suffix was not deleted');
  t.deepEqual(failed([accept(1, 1, 1, 1, 0, [entry(1), entry(1)]), accept(5, 1, 2, 1, 0, [entry(2)], 2)]), [], 'deleting the suffix first is right');
});

test('leader-completeness: a leader elected without an entry committed in an earlier term fails; a stale leader of an earlier term does not', (t) => {
  const committed = [elected(1, 1, 3, [1, 2]), accept(2, 2, 3, 1, 0, [entry(1)]), propose(2, 1, 3, 1, 0), commit(3, 1, 1, 1, 3, [1, 2])];
  const v = judge([...committed, elected(9, 3, 4, [3, 2])])['leader-completeness']!;
  t.is(v.detail, 'server 3 became leader of term 4 at t=9 without index 1 (term 1), which server 1 committed in term 3 at t=3 (stored on server 1, server 2): its log ends at index 0');
  t.deepEqual(v.at, { t: 9, event: 4, evidence: [3] }, 'the election that broke it, and the commit it names');
  t.false(failed([...committed, elected(9, 3, 2, [3, 2])]).includes('leader-completeness'), 'a leader of term 2 owes nothing to term 3');
  t.deepEqual(failed([...committed, accept(8, 3, 3, 1, 0, [entry(1)]), elected(9, 3, 4, [3, 2])]), [], 'holding it, it may lead');
});

test('state-machine-safety: two servers applying different entries at one index fail', (t) => {
  const v = judge([accept(1, 1, 1, 1, 0, [entry(1)]), apply(2, 1, 1), accept(3, 2, 2, 1, 0, [entry(2)]), apply(4, 2, 1)])['state-machine-safety']!;
  t.is(v.detail, 'index 1: server 1 applied NO-OP (term 1) at t=2, but server 2 applied NO-OP (term 2) at t=4');
});

test('Raft invariants: what the check remembers is the same for the same history, whatever the times', (t) => {
  const later = correct.map((e) => ({ ...e, t: e.t + 100 }));
  t.deepEqual(checked(correct).memory(), checked(later).memory());
  t.notDeepEqual(checked(correct).memory(), checked(correct.slice(0, -2)).memory(), 'an entry written less is another memory');
  t.deepEqual(checked(correct).memory(), checked(correct.slice(0, -1)).memory(), 'applying an entry another server applied already leaves nothing to remember');
});

/** A long correct history: one leader appending and committing `n` entries on two followers. */
function longHistory(n: number): Event[] {
  const events: Event[] = [elected(0, 1, 1, [1, 2])];
  for (let i = 1; i <= n; i++) {
    events.push(propose(i, 1, 1, i, i === 1 ? 0 : 1), accept(i, 2, 1, i, i === 1 ? 0 : 1, [entry(1)]), accept(i, 3, 1, i, i === 1 ? 0 : 1, [entry(1)]));
    events.push(commit(i, 1, i, 1, 1, [1, 2]), apply(i, 1, i), apply(i, 2, i), apply(i, 3, i));
  }
  return events;
}

test('Raft invariants: the work per fact does not grow with the run (persistent collections: O(log n) a fact)', (t) => {
  const perFact = (n: number): number => {
    const facts = factsOf(longHistory(n));
    const check = new RaftInvariants();
    const { work } = metered(() => facts.forEach((noted) => check.observe(noted)));
    t.deepEqual(check.failures(), []);
    return work / facts.length;
  };
  const short = perFact(1_000);
  const long = perFact(10_000);
  t.log(`work per fact: ${short.toFixed(1)} at 1,000 entries, ${long.toFixed(1)} at 10,000`);
  t.true(long <= short * 1.5, `10x the entries, ${(long / short).toFixed(2)}x the work per fact`);
});

test('Raft invariants: a fork (a model checker forks the check at every step) shares every table, and costs the same however long the run', (t) => {
  const check = checked(longHistory(2_000));
  const copy = check.fork();
  const fields = Object.entries(check as unknown as Record<string, unknown>).filter(([, value]) => typeof value === 'object' && value !== null);
  t.true(fields.length >= 5);
  for (const [name, value] of fields) t.is((copy as unknown as Record<string, unknown>)[name], value, `${name} is shared, not copied`);
  copy.observe(factsOf([apply(1, 2, 1, put(9, 'z'))])[0]!);
  t.is(check.failures().length, 0, 'what the fork observes leaves the original as it was');
  t.is(copy.failures()[0]?.name, 'state-machine-safety');
  const [small, large] = [200, 2_000].map((n) => {
    const built = checked(longHistory(n));
    return metered(() => built.fork()).work;
  });
  t.true(large! <= small! * 1.5, `a fork cost ${small}, then ${large} after a run ten times longer`);
});
