/**
 * The Raft emulation against the paper (Ongaro & Ousterhout, "In Search of an Understandable
 * Consensus Algorithm"), section by section, as etcd's raft_paper_test.go does: each test is one
 * rule of §5 (and the client interaction of §8) played on servers driven by hand, then on whole
 * runs. A server's statechart is the very machine `mpkv run` drives (src/emulations/raft/).
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Cluster, logOf, names, Server } from './raft-driver.js';
import { config, configFrom, notOk, repoRoot, run } from './harness.js';
import { loadConfig } from '../src/emulations/index.js';
import { raft } from '../src/emulations/raft/index.js';
import { ELECTION, HEARTBEAT } from '../src/emulations/raft/state.js';
import { explore, failureReport } from '../src/explore/explore.js';
import type { Message } from '../src/emulations/raft/messages.js';
import { rulesFor } from '../src/emulations/raft/mutants.js';
import type { Rules } from '../src/emulations/raft/rules.js';
import type { ServerState } from '../src/emulations/raft/state.js';

const three = names(3);
const put = (client: number, request_id: number) => ({ type: 'request', client, request_id, command: { op: 'put', key: 'a', value: `v${request_id}` } }) as const;

/** A three-server cluster where server 1 has won term 1 and its no-op is committed everywhere. */
function ledByServer1(): Cluster {
  const cluster = new Cluster(3);
  cluster.get('server 1').timeout(ELECTION);
  cluster.collect().deliverAll();
  cluster.get('server 1').timeout(HEARTBEAT);
  return cluster.collect().deliverAll();
}

// ---- §5.1 Raft basics: terms --------------------------------------------------------------------

test('§5.1 a follower takes up the higher term of any message it receives', (t) => {
  const follower = new Server('server 2', three).start();
  follower.deliver('server 3', { type: 'append-entries', term: 4, prev_index: 0, prev_term: 0, entries: [], commit: 0 });
  t.is(follower.context.term, 4);
  t.is(follower.context.leader, 'server 3');
  t.deepEqual(follower.lastDisk()?.term, 4, 'the new term is on disk before the answer goes out');
});

test('§5.1 a candidate or a leader that hears of a higher term steps down to follower', (t) => {
  const candidate = new Server('server 1', three).start().timeout(ELECTION);
  t.is(candidate.role, 'candidate');
  candidate.deliver('server 2', { type: 'vote', term: 5, granted: false });
  t.is(candidate.role, 'follower');
  t.is(candidate.context.term, 5);
  const cluster = ledByServer1();
  const leader = cluster.get('server 1');
  leader.deliver('server 3', { type: 'request-vote', term: 7, last_index: 1, last_term: 1 });
  t.is(leader.role, 'follower');
  t.is(leader.context.term, 7);
});

test('§5.1 a server refuses a request with a stale term, and says its own', (t) => {
  const follower = new Server('server 2', three, { disk: { term: 3, votedFor: undefined, log: logOf() } }).start();
  follower.take();
  follower.deliver('server 1', { type: 'append-entries', term: 2, prev_index: 0, prev_term: 0, entries: [], commit: 0 });
  follower.deliver('server 3', { type: 'request-vote', term: 2, last_index: 0, last_term: 0 });
  const [append, vote] = follower.take().map((s) => s.msg);
  t.like(append, { type: 'append-result', term: 3, success: false });
  t.like(vote, { type: 'vote', term: 3, granted: false });
  t.is(follower.context.leader, undefined, 'a stale leader is not taken for the leader');
});

// ---- §5.2 Leader election -----------------------------------------------------------------------

test('§5.2 servers start as followers, their election timer armed', (t) => {
  const server = new Server('server 1', three).start();
  t.is(server.role, 'follower');
  t.is(server.context.term, 0);
  t.deepEqual(server.timers().map((x) => x.timer), [ELECTION]);
});

test('§5.2 election timeouts are random, drawn from the router-given entropy, within [election_min_ms, election_max_ms]', (t) => {
  const timeouts = new Set<number>();
  for (let entropy = 1; entropy <= 50; entropy++) {
    const [armed] = new Server('server 1', three).start(entropy).timers();
    t.true(armed!.after_ms >= 150 && armed!.after_ms <= 300);
    timeouts.add(armed!.after_ms);
  }
  t.true(timeouts.size > 20, 'different entropy, different timeouts');
  t.is(new Server('server 1', three).start(7).timers()[0]!.after_ms, new Server('server 1', three).start(7).timers()[0]!.after_ms, 'same entropy, same timeout');
});

test('§5.2 a follower that hears from no leader starts an election: a new term, a vote for itself, a request to every server', (t) => {
  const server = new Server('server 1', three).start();
  server.take();
  server.timeout(ELECTION);
  t.is(server.role, 'candidate');
  t.is(server.context.term, 1);
  t.is(server.context.votedFor, 'server 1');
  t.like(server.lastDisk(), { term: 1, votedFor: 'server 1' });
  const sent = server.take();
  t.deepEqual(sent.map((s) => s.to), ['server 2', 'server 3']);
  t.true(sent.every((s) => s.msg.type === 'request-vote' && s.msg.term === 1));
  server.timeout(ELECTION);
  t.is(server.context.term, 2, 'timing out again as a candidate starts a new election');
});

test('§5.2 a candidate with the votes of a majority becomes leader and sends heartbeats; one vote short it does not', (t) => {
  const five = names(5);
  const candidate = new Server('server 1', five).start().timeout(ELECTION);
  candidate.deliver('server 2', { type: 'vote', term: 1, granted: true });
  candidate.deliver('server 2', { type: 'vote', term: 1, granted: true });
  candidate.deliver('server 3', { type: 'vote', term: 1, granted: false });
  t.is(candidate.role, 'candidate', 'a vote counted twice, or a refusal, is no majority');
  candidate.take();
  candidate.deliver('server 4', { type: 'vote', term: 1, granted: true });
  t.is(candidate.role, 'leader');
  const sent = candidate.take();
  t.deepEqual(sent.map((s) => s.to), ['server 2', 'server 3', 'server 4', 'server 5']);
  t.true(sent.every((s) => s.msg.type === 'append-entries' && s.msg.term === 1));
  candidate.timeout(HEARTBEAT);
  t.true(candidate.take().length > 0, 'every heartbeat tick asserts its leadership');
});

test('§5.2 a follower votes for at most one candidate a term, first come first served', (t) => {
  const follower = new Server('server 2', three).start();
  follower.take();
  follower.deliver('server 1', { type: 'request-vote', term: 1, last_index: 0, last_term: 0 });
  follower.deliver('server 3', { type: 'request-vote', term: 1, last_index: 0, last_term: 0 });
  follower.deliver('server 1', { type: 'request-vote', term: 1, last_index: 0, last_term: 0 });
  t.deepEqual(
    follower.take().map((s) => [s.to, (s.msg as { granted: boolean }).granted]),
    [
      ['server 1', true],
      ['server 3', false],
      ['server 1', true],
    ],
  );
  t.like(follower.lastDisk(), { term: 1, votedFor: 'server 1' });
});

test('§5.2 a candidate that hears from a leader of its term becomes its follower', (t) => {
  const candidate = new Server('server 1', three).start().timeout(ELECTION);
  candidate.deliver('server 2', { type: 'append-entries', term: 1, prev_index: 0, prev_term: 0, entries: [], commit: 0 });
  t.is(candidate.role, 'follower');
  t.is(candidate.context.leader, 'server 2');
});

test('§5.2 a whole election: the first to time out wins, the others follow it', (t) => {
  const cluster = ledByServer1();
  t.is(cluster.get('server 1').role, 'leader');
  t.deepEqual([...cluster.servers.values()].map((s) => [s.context.term, s.context.commit]), [
    [1, 1],
    [1, 1],
    [1, 1],
  ]);
  t.deepEqual(
    cluster.noted.filter((n) => n.fact.kind === 'elected').map((n) => n.node),
    ['server 1'],
  );
});

// ---- §5.3 Log replication -----------------------------------------------------------------------

test('§5.3 the leader appends a client request to its log and sends it to every follower', (t) => {
  const cluster = ledByServer1();
  const leader = cluster.get('server 1');
  leader.deliver('client 1', put(1, 1));
  t.is(leader.context.log.lastIndex, 2);
  t.like(leader.context.log.at(2), { term: 1, command: { kind: 'request', client: 1, request_id: 1 } });
  const sent = leader.take();
  t.deepEqual(sent.map((s) => s.to), ['server 2', 'server 3']);
  t.true(sent.every((s) => s.msg.type === 'append-entries' && s.msg.prev_index === 1 && s.msg.prev_term === 1 && s.msg.entries.length === 1));
});

test('§5.3 the leader commits an entry once a majority stores it, applies it, answers its client and tells the followers', (t) => {
  const cluster = ledByServer1();
  const leader = cluster.get('server 1');
  leader.deliver('client 1', put(1, 1));
  cluster.collect();
  cluster.deliverAll((m) => m.to === 'server 2' && m.msg.type === 'append-entries');
  t.is(leader.context.commit, 1, 'stored on the leader alone: not committed');
  cluster.deliverAll((m) => m.from === 'server 2' && m.msg.type === 'append-result');
  t.is(leader.context.commit, 2, 'stored on a majority: committed');
  t.is(leader.context.applied, 2);
  t.true(cluster.inFlight.some((m) => m.to === 'client 1' && m.msg.type === 'reply'));
  cluster.deliverAll();
  t.deepEqual([...cluster.servers.values()].map((s) => s.context.applied), [2, 2, 2], 'the followers learn the commit and apply it');
});

test('§5.3 a follower refuses entries whose previous entry it does not hold', (t) => {
  const follower = new Server('server 2', three, { disk: { term: 2, votedFor: undefined, log: logOf(1, 1) } }).start();
  follower.take();
  follower.deliver('server 1', { type: 'append-entries', term: 2, prev_index: 2, prev_term: 2, entries: [], commit: 0 });
  follower.deliver('server 1', { type: 'append-entries', term: 2, prev_index: 4, prev_term: 2, entries: [], commit: 0 });
  t.like(follower.take().map((s) => s.msg), [
    { type: 'append-result', success: false, prev_index: 2, last_index: 2 },
    { type: 'append-result', success: false, prev_index: 4, last_index: 2 },
  ]);
});

test('§5.3 a follower deletes a conflicting entry and all that follow it, and keeps entries that match', (t) => {
  const follower = new Server('server 2', three, { disk: { term: 3, votedFor: undefined, log: logOf(1, 1, 2, 2) } }).start();
  const entry = Object.freeze({ term: 3, command: { kind: 'noop' } as const });
  follower.deliver('server 1', { type: 'append-entries', term: 3, prev_index: 2, prev_term: 1, entries: [entry], commit: 0 });
  t.deepEqual(follower.context.log.toJSON().map((e) => e.term), [1, 1, 3]);
  t.like(follower.facts().find((f) => f.kind === 'accept'), { kind: 'accept', index: 3, removed: 2 });
  follower.deliver('server 1', { type: 'append-entries', term: 3, prev_index: 0, prev_term: 0, entries: follower.context.log.slice(1, 2), commit: 0 });
  t.deepEqual(follower.context.log.toJSON().map((e) => e.term), [1, 1, 3], 'a late AppendEntries of entries it holds changes nothing');
});

test('§5.3 a follower commits up to the leader commit index, but never past what it knows matches the leader', (t) => {
  const follower = new Server('server 2', three, { disk: { term: 2, votedFor: undefined, log: logOf(1, 1, 1) } }).start();
  follower.deliver('server 1', { type: 'append-entries', term: 2, prev_index: 1, prev_term: 1, entries: [], commit: 3 });
  t.is(follower.context.commit, 1, 'only index 1 is known to match the leader');
  follower.deliver('server 1', { type: 'append-entries', term: 2, prev_index: 3, prev_term: 1, entries: [], commit: 3 });
  t.is(follower.context.commit, 3);
  t.is(follower.context.applied, 3);
});

test("§5.3 the leader brings every follower's log in line with its own (the paper's Figure 7, seven servers)", (t) => {
  const result = run(config('raft-figure7.toml'));
  t.deepEqual(notOk(result), []);
  const logs = result.trace
    .filter((e) => e.kind === 'note' && e.fact?.kind === 'accept' && (e.fact as unknown as { removed: number }).removed > 0)
    .map((e) => (e as { node: string }).node);
  t.true(logs.length >= 3, `conflicting entries were deleted on several followers (${logs.join(', ')})`);
  t.regex(result.verdicts.find((v) => v.name === 'convergence')!.detail, /^7 live learners applied/);
});

// ---- §5.4 Safety --------------------------------------------------------------------------------

test('§5.4.1 a vote request says where the candidate log ends, and a voter refuses a less up-to-date log', (t) => {
  const candidate = new Server('server 1', three, { disk: { term: 2, votedFor: undefined, log: logOf(1, 2) } }).start();
  candidate.take();
  candidate.timeout(ELECTION);
  t.like(candidate.take()[0]!.msg, { type: 'request-vote', term: 3, last_index: 2, last_term: 2 });
  const cases: [string, number[], number, number, boolean][] = [
    ['a later last term wins', [1, 1, 1], 2, 2, true],
    ['an earlier last term loses', [1, 3], 3, 2, false],
    ['same last term, shorter log loses', [1, 2, 2], 2, 2, false],
    ['same last term, as long wins', [1, 2], 2, 2, true],
  ];
  for (const [what, terms, lastIndex, lastTerm, granted] of cases) {
    const voter = new Server('server 2', three, { disk: { term: 3, votedFor: undefined, log: logOf(...terms) } }).start();
    voter.take();
    voter.deliver('server 1', { type: 'request-vote', term: 4, last_index: lastIndex, last_term: lastTerm });
    t.like(voter.take()[0]!.msg, { type: 'vote', term: 4, granted }, what);
  }
});

test('§5.4.2 a leader does not commit an entry of an earlier term by counting replicas, only with an entry of its own term after it (Figure 8)', (t) => {
  const disks = {
    'server 1': { term: 2, votedFor: undefined, log: logOf(1) },
    'server 2': { term: 2, votedFor: 'server 3', log: logOf() },
    'server 3': { term: 3, votedFor: 'server 3', log: logOf(2) },
  };
  const play = (rules?: Rules): { commits: number[]; server2: number[] } => {
    // One entry an AppendEntries: the term-1 entry can reach server 2 without the no-op.
    const cluster = new Cluster(3, { disks, raft: { batch: 1 }, ...(rules ? { rules } : {}) });
    const leader = cluster.get('server 1');
    leader.timeout(ELECTION);
    cluster.collect();
    cluster.deliverNext((m) => m.to === 'server 2' && m.msg.type === 'request-vote');
    cluster.deliverNext((m) => m.from === 'server 2' && m.msg.type === 'vote');
    t.is(leader.role, 'leader');
    const toServer2 = (m: { to: string; msg: Message }) => m.to === 'server 2' && m.msg.type === 'append-entries';
    const fromServer2 = (m: { from: string; msg: Message }) => m.from === 'server 2' && m.msg.type === 'append-result';
    cluster.deliverNext(toServer2).deliverNext(fromServer2); // refused: server 2 lacks index 1
    cluster.deliverNext(toServer2).deliverNext(fromServer2); // the term-1 entry alone, stored
    const commits = [leader.context.commit];
    const server2 = [cluster.get('server 2').context.log.lastIndex];
    cluster.deliverNext(toServer2).deliverNext(fromServer2); // the no-op of term 3, stored
    return { commits: [...commits, leader.context.commit], server2: [...server2, cluster.get('server 2').context.log.lastIndex] };
  };
  const correct = play();
  t.deepEqual(correct.server2, [1, 2], 'server 2 stores the term-1 entry, then the no-op');
  t.deepEqual(correct.commits, [0, 2], 'a majority storing the term-1 entry commits nothing; the no-op of term 3 commits both');
  t.deepEqual(play(rulesFor(['commits-earlier-term-by-counting'])).commits, [1, 2], 'the mutant commits the term-1 entry by counting');
});

test('§5.5 a restarted server keeps its term, its vote and its log, and re-applies what it learns is committed', (t) => {
  const cluster = ledByServer1();
  const disk = cluster.get('server 2').lastDisk()!;
  t.like(disk, { term: 1, votedFor: 'server 1' });
  const restarted = new Server('server 2', three, { disk }).start();
  t.is(restarted.context.term, 1);
  t.is(restarted.context.votedFor, 'server 1');
  t.is(restarted.context.log.lastIndex, 1);
  t.is(restarted.context.applied, 0, 'the state machine is volatile');
  restarted.deliver('server 3', { type: 'request-vote', term: 1, last_index: 1, last_term: 1 });
  t.like(restarted.take().at(-1)!.msg, { type: 'vote', granted: false }, 'it does not vote twice in its term');
  restarted.deliver('server 1', { type: 'append-entries', term: 1, prev_index: 1, prev_term: 1, entries: [], commit: 1 });
  t.is(restarted.context.applied, 1);
});

// ---- §8 Client interaction ----------------------------------------------------------------------

test('§8 a follower forwards its client request to the leader, and answers its client once it has applied it', (t) => {
  const cluster = ledByServer1();
  cluster.get('server 2').deliver('client 2', put(2, 1));
  cluster.collect();
  t.like(cluster.inFlight, [{ from: 'server 2', to: 'server 1', msg: { type: 'forward', client: 2, request_id: 1 } }]);
  cluster.deliverAll((m) => !m.to.startsWith('client'));
  t.like(
    cluster.inFlight.filter((m) => m.to.startsWith('client')),
    [{ from: 'server 2', to: 'client 2', msg: { type: 'reply', request_id: 1, result: { ok: true } } }],
    'only the server the client asked answers it',
  );
  const server2 = cluster.get('server 2');
  t.is(server2.context.applied, 2);
  server2.take();
  server2.deliver('client 2', put(2, 1));
  t.like(server2.take(), [{ to: 'client 2', msg: { type: 'reply', request_id: 1, result: { ok: true } } }], 'a retry is answered from the client table');
});

test('§8 a server that knows no leader drops a client request (the client retries)', (t) => {
  const server = new Server('server 2', three).start();
  server.take();
  server.deliver('client 2', put(2, 1));
  t.deepEqual(server.take(), []);
});

test('§8 the leader appends a request once, however often it is retried or forwarded', (t) => {
  const cluster = ledByServer1();
  const leader = cluster.get('server 1');
  leader.deliver('client 1', put(1, 1));
  leader.deliver('client 1', put(1, 1));
  leader.deliver('server 2', { type: 'forward', client: 1, request_id: 1, command: { op: 'put', key: 'a', value: 'v1' } });
  t.is(leader.context.log.lastIndex, 2);
});

// ---- whole runs ---------------------------------------------------------------------------------

for (const file of ['raft.toml', 'raft-crash-leader.toml', 'raft-partition.toml']) {
  test(`runs: ${file} completes every request and keeps every check`, (t) => {
    const result = run(config(file));
    t.deepEqual(notOk(result), []);
    t.is(result.status, 'ok');
  });
}

test('runs: 5 and 7 servers elect one leader and commit every request', (t) => {
  for (const servers of [5, 7]) {
    const result = run(configFrom(`emulation = "raft"\n[topology]\nservers = ${servers}\nclients = 4\n[workload]\nrequests = 4\n`));
    t.deepEqual(notOk(result), [], `${servers} servers`);
    const leaders = new Set(result.trace.filter((e) => e.kind === 'note' && e.fact?.kind === 'elected').map((e) => (e as { node: string }).node));
    t.is(leaders.size, 1, `${servers} servers: one leader`);
  }
});

test('runs: a batch of entries travels in one AppendEntries (raft.batch)', (t) => {
  const sizes = (batch: number): number[] => {
    const result = run(configFrom(`emulation = "raft"\n[topology]\nclients = 20\n[workload]\nrequests = 3\n[raft]\nbatch = ${batch}\nwindow = 1\n`));
    t.deepEqual(notOk(result), []);
    return result.trace.flatMap((e) => (e.kind === 'send' && e.msg.type === 'append-entries' ? [(e.msg as unknown as { entries: unknown[] }).entries.length] : []));
  };
  t.is(Math.max(...sizes(1)), 1);
  t.true(Math.max(...sizes(8)) > 1);
  t.true(Math.max(...sizes(8)) <= 8);
});

test('runs: the crashed leader comes back from its disk and a new leader holds everything committed', (t) => {
  const result = run(config('raft-crash-leader.toml'));
  const notes = result.trace.filter((e) => e.kind === 'note').map((e) => `${(e as { node: string }).node}: ${(e as { text: string }).text}`);
  t.true(notes.some((l) => /^server 2: RESTORED from disk: term 1, voted for server 2/.test(l)), notes.join('\n'));
  t.true(notes.some((l) => /LEADER of term 2/.test(l)));
  t.regex(result.verdicts.find((v) => v.name === 'leader-completeness')!.detail, /2 leader\(s\) held every entry committed before/);
});

test('views: the dashboard rows say role, term, commit index and log length; the summary who leads', async (t) => {
  const { serverRole } = await import('../src/emulations/raft/views.js');
  const cluster = ledByServer1();
  const view = (id: string, state: string) => ({ id, role: 'server', status: 'up' as const, restartPending: false, state, context: cluster.get(id).context as ServerState });
  const leader = serverRole.row(view('server 1', 'leader'));
  t.is(leader.state, 'leader');
  t.is(leader.tone, 'good');
  t.is(leader.detail, 'term 1  commit 1  log 1 (t1)  applied 1  followers up to date 2/2');
  t.is(serverRole.row(view('server 2', 'follower')).detail, 'term 1  commit 1  log 1 (t1)  applied 1  leader server 1');
  t.true(serverRole.row(view('server 2', 'follower'), 24).detail.length <= 24);
  t.is(serverRole.summary([view('server 1', 'leader'), view('server 2', 'follower')]), 'leader server 1 (term 1), commit 1');
});

test('views: the diagram labels messages with terms and indexes, marks elections, votes and commits, and folds heartbeats', async (t) => {
  const { background, diagram, messageWords } = await import('../src/emulations/raft/diagram.js');
  const entry = Object.freeze({ term: 2, command: { kind: 'noop' } as const });
  t.is(messageWords.label!({ type: 'append-entries', term: 2, prev_index: 4, prev_term: 1, entries: [entry, entry], commit: 3 }), 'append t2 i5-6 c3');
  t.is(messageWords.label!({ type: 'append-entries', term: 2, prev_index: 6, prev_term: 2, entries: [], commit: 6 }), 'heartbeat t2 c6');
  t.is(messageWords.label!({ type: 'request-vote', term: 3, last_index: 6, last_term: 2 }), 'request-vote t3 (i6 t2)');
  t.is(messageWords.label!({ type: 'vote', term: 3, granted: false }), 'vote t3 no');
  t.is(diagram.mark!({ t: 1, kind: 'note', node: 'server 1', text: 'LEADER ...', fact: { kind: 'elected', term: 3, voters: [], last_index: 6, last_term: 2 } })?.text, 'LEADER t3');
  t.is(diagram.mark!({ t: 1, kind: 'note', node: 'server 2', text: 'VOTE ...', fact: { kind: 'vote', term: 3, candidate: 'server 1' } })?.text, 'VOTE server 1 t3');
  t.is(diagram.mark!({ t: 1, kind: 'note', node: 'server 1', text: 'COMMIT ...', fact: { kind: 'commit', index: 7, entry_term: 3, in_term: 3, quorum: [] } })?.text, 'COMMIT i7');
  const sent = (msg: Message) => ({ t: 1, kind: 'send' as const, id: 1, from: 'server 1', to: 'server 2', msg });
  t.is(background(sent({ type: 'append-entries', term: 2, prev_index: 6, prev_term: 2, entries: [], commit: 6 })), 'heartbeats');
  t.is(background(sent({ type: 'append-entries', term: 2, prev_index: 6, prev_term: 2, entries: [entry], commit: 6 })), undefined);
  t.is(background({ t: 1, kind: 'note', node: 'server 1', text: 'COMMIT up to index 7' }), undefined);
});

// ---- configs ------------------------------------------------------------------------------------

test('configs: a bad [raft] section is one line naming the file, the line and the key', (t) => {
  const error = (toml: string): string => t.throws(() => configFrom(`emulation = "raft"\n${toml}`))!.message;
  t.is(error('[raft]\nelection_min_ms = 300\nelection_max_ms = 100\n'), 'inline.toml:4: raft.election_max_ms: must be >= election_min_ms (300), got 100');
  t.is(error('[raft]\nheartbeats = 5\n'), 'inline.toml:3: raft.heartbeats: unknown key');
  t.is(error('[[disks]]\nserver = "server 9"\n'), 'inline.toml:3: disks[0].server: no server "server 9" in this topology (servers: server 1, server 2, server 3)');
  t.is(
    error('[[disks]]\nserver = "server 1"\nterm = 3\nlog = [1, 2, 1]\n'),
    "inline.toml:5: disks[0].log: entry 3 has term 1: a log's terms never decrease and never pass the server's term (3)",
  );
  t.regex(error('[[disks]]\nserver = "server 1"\nlog = [1]\n'), /entry 1 has term 1: .* never pass the server's term \(0\)/);
  t.is(error('[[disks]]\nserver = "server 1"\n[[disks]]\nserver = "server 1"\n'), 'inline.toml:5: disks[1].server: server 1 has two disks');
});

test('configs: a server started from a [[disks]] disk says what it restored, and the checks follow its log from there', (t) => {
  const result = run(configFrom('emulation = "raft"\n[[disks]]\nserver = "server 2"\nterm = 4\nvoted_for = "server 3"\nlog = [1, 4]\n'));
  const restored = result.trace.find((e) => e.kind === 'note' && e.fact?.kind === 'restore');
  t.like(restored, { node: 'server 2', text: 'RESTORED from disk: term 4, voted for server 3, log ends at index 2 (term 4)' });
  t.deepEqual(notOk(result), []);
});

test('README: the Raft trace excerpt is what mpkv run configs/raft.toml --plain prints', async (t) => {
  const { main } = await import('../src/cli.js');
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const from = readme.indexOf('## The Raft emulation');
  const section = readme.slice(from, readme.indexOf('\n## ', from + 1));
  const excerpt = section.split('\n').filter((l) => l.startsWith('[t=')).slice(0, 10);
  t.true(excerpt.length >= 5);
  const lines: string[] = [];
  t.is(await main(['run', 'configs/raft.toml', '--plain'], { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) }), 0);
  for (const line of excerpt) t.true(lines.includes(line), `not printed: ${line}`);
});

test('stalls: a run whose clients cannot finish says why: too few servers up, or no majority that can reach each other', (t) => {
  const down = run(configFrom('emulation = "raft"\ntime_limit_ms = 3000\n[[crashes]]\nnode = "server 1"\nat_ms = 0\n[[crashes]]\nnode = "server 2"\nat_ms = 0\n'));
  const liveness = (result: ReturnType<typeof run>): string => result.verdicts.find((v) => v.name === 'liveness')!.detail;
  t.is(down.verdicts.find((v) => v.name === 'liveness')!.status, 'fail');
  t.regex(liveness(down), /only 1 of 3 servers up \(server 3\): 2 are needed to elect a leader and commit/);
  const split = run(configFrom('emulation = "raft"\ntime_limit_ms = 3000\n[[partitions]]\nstart_ms = 0\ngroups = [["server 1", "client 1"], ["server 2", "client 2"], ["server 3", "client 3"]]\n'));
  t.regex(liveness(split), /no 2 of the servers up can reach each other: nothing can be elected or committed/);
});

// ---- exploration --------------------------------------------------------------------------------

/** Schedules per Raft config here (300 on every config in `npm run test:long`, 10,000 with
 *  MPKV_EXPLORE_RUNS there). */
const RUNS = 30;
const raftConfigs = ['configs', 'configs/mutants'].flatMap((dir) =>
  readdirSync(path.join(repoRoot, dir))
    .filter((f) => f.startsWith('raft') && f.endsWith('.toml'))
    .map((f) => `${dir}/${f}`),
);

for (const file of raftConfigs) {
  test(`explore: the correct Raft passes ${RUNS} random schedules on ${file}`, (t) => {
    const cfg = loadConfig(path.join(repoRoot, file));
    const outcome = explore(raft, cfg, { runs: RUNS, seed: 20240601 });
    if (outcome.failure) t.fail([`violation on ${file}:`, ...failureReport(outcome.failure)].join('\n'));
    else t.is(outcome.runs, RUNS);
    t.true(outcome.faults > RUNS, `schedules inject faults (${outcome.faults} in ${RUNS} runs)`);
  });
}
