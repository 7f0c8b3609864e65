/**
 * Dead messages (src/verify/model.ts `dead`, src/emulations/multipaxos/ignored.ts,
 * src/emulations/raft/ignored.ts): with the
 * reduction on, a message its addressee ignores for good is taken out of flight at once, so
 * that states differing only in it are one. What makes that sound is checked here: the leader's
 * word follows its rules (a mutant that counts stale promises keeps them alive), it stays true
 * of every state a leader steps to once it holds, and no state the search keeps holds a
 * message that is dead in it. (That every mutant is still caught at the same depth with the
 * reduction and without it: test/verify-counts.test.ts; the counts: test/verify-pins.ts.)
 */
import test from 'ava';
import { emulationOf, loadConfig } from '../src/emulations/index.js';
import type { Config } from '../src/emulations/api/emulation.js';
import type { AcceptorState } from '../src/emulations/multipaxos/acceptor.js';
import { acceptorIgnoresForGood, leaderIgnoresForGood } from '../src/emulations/multipaxos/ignored.js';
import type { LeaderState } from '../src/emulations/multipaxos/leader.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { serverIgnoresForGood } from '../src/emulations/raft/ignored.js';
import type { ServerState } from '../src/emulations/raft/state.js';
import { rulesFor, type MutantName } from '../src/emulations/multipaxos/mutants.js';
import type { LocalState } from '../src/verify/locals.js';
import { DELIVER, codeOf, type Model } from '../src/verify/model.js';
import { Search } from '../src/verify/search.js';

/** A leader preparing ballot 2.1, with no promise yet, under the rules of `mutants`. */
const preparing = (mutants: MutantName[] = []) => ({
  value: 'preparing',
  context: { rules: rulesFor(new Set(mutants)), ballot: { round: 2, leader: 1 }, promises: new Map(), proposals: new Map(), decided: new Map(), applied: 0, nextSlot: 0 } as unknown as LeaderState,
});
const promiseFor = (round: number) => ({ type: 'promise' as const, ballot: { round, leader: 1 }, accepted: [] });

test('dead messages: a promise for an older ballot is dead for a leader that only ever raises its ballot', (t) => {
  t.true(leaderIgnoresForGood(preparing(), promiseFor(1), 'acceptor 1', false));
  t.true(leaderIgnoresForGood(preparing(), promiseFor(1), 'acceptor 1', true), 'its round is on its disk: a restart does not lower it');
  t.false(leaderIgnoresForGood(preparing(), promiseFor(2), 'acceptor 1', false), 'the promise it is waiting for');
});

test('dead messages: a mutant leader that counts stale promises, or reuses its ballot after a restart, keeps them alive', (t) => {
  t.false(leaderIgnoresForGood(preparing(['leader-counts-stale-promises']), promiseFor(1), 'acceptor 1', false));
  t.false(leaderIgnoresForGood(preparing(['leader-reuses-ballot-after-restart']), promiseFor(1), 'acceptor 1', true));
  t.true(leaderIgnoresForGood(preparing(['leader-reuses-ballot-after-restart']), promiseFor(1), 'acceptor 1', false), 'unless it never restarts');
});

/** The local states `local` steps to that are up, through a crash and its restart too. */
function upAfter(model: Model, local: LocalState): LocalState[] {
  return [...local.steps.values()].flatMap((step) => {
    const next = model.locals.states[step.next]!;
    if (next.status === 'up') return [next];
    return [...next.steps.values()].map((restart) => model.locals.states[restart.next]!).filter((again) => again.status === 'up');
  });
}

/** The search of `file` to `depth`, with the reduction. */
function searched(file: string, depth: number, mutants: MutantName[] = []): Search {
  const base = loadConfig(file);
  const config: Config = { ...base, verify: { ...base.verify, max_depth: depth }, mutants: { enable: mutants } };
  const s = new Search(emulationOf(config), config);
  for (let d = 0; d < depth && s.levelEnd > s.levelStart; d++) {
    s.expand(d);
    s.advance();
  }
  return s;
}

/** An acceptor that promised ballot 3.1, under the rules of `mutants`. */
const acceptor = (mutants: MutantName[] = []) => ({ context: { rules: rulesFor(new Set(mutants)), promised: { round: 3, leader: 1 }, accepted: new Map() } as unknown as AcceptorState });
const prepareFor = (round: number) => ({ type: 'prepare' as const, ballot: { round, leader: 2 }, from_slot: 0 });

test('dead messages: a prepare below an acceptor\'s promise is dead once the leader ignores its nack, whatever promise it names', (t) => {
  const asked: unknown[] = [];
  t.true(acceptorIgnoresForGood(acceptor(), prepareFor(2), false, (nack) => (asked.push(nack), true)));
  t.like(asked[0], { type: 'nack', ballot: { round: 2, leader: 2 }, promised: { round: Number.MAX_SAFE_INTEGER } });
  t.false(acceptorIgnoresForGood(acceptor(), prepareFor(2), false, () => false), 'the leader may still be preempted by it');
  t.false(acceptorIgnoresForGood(acceptor(), prepareFor(3), false, () => true), 'a prepare at or above its promise is answered with a promise');
  t.false(acceptorIgnoresForGood(acceptor(['acceptor-promises-lower-ballot']), prepareFor(2), false, () => true), 'a mutant that promises lower ballots');
  t.false(acceptorIgnoresForGood(acceptor(['acceptor-forgets-promise-on-restart']), prepareFor(2), true, () => true), 'a promise a restart forgets');
});

/** Keys of `LocalState.dead` (src/verify/model.ts): a packet, or a packet and its sender's state. */
const SENDER = 2 ** 26;
const DEAD = 1;

/** A Raft server in `role` at `term`, having counted the votes of `votes`. */
const raftServer = (role: string, term: number, votes: string[] = []) => ({ context: { role, term, votes } as unknown as ServerState });
const vote = (term: number, granted = true) => ({ type: 'vote' as const, term, granted });
const appendResult = (term: number) => ({ type: 'append-result' as const, term, success: true, prev_index: 0, match: 1, last_index: 1 });

test('dead messages, raft: a vote is dead below the server\'s term, or of its term unless a candidate of that term would count it now; an AppendEntries answer only below its term', (t) => {
  const candidate = raftServer('candidate', 2, ['server 1']);
  t.false(serverIgnoresForGood(candidate, vote(2), 'server 2'), 'a new granted vote of its term: counted');
  t.true(serverIgnoresForGood(candidate, vote(2), 'server 1'), 'counted already');
  t.true(serverIgnoresForGood(candidate, vote(2, false), 'server 2'), 'a refusal is never counted');
  t.true(serverIgnoresForGood(candidate, vote(1), 'server 2'), 'a vote of an older term');
  t.false(serverIgnoresForGood(candidate, vote(3, false), 'server 2'), 'a higher term: taken up');
  t.true(serverIgnoresForGood(raftServer('leader', 2), vote(2), 'server 2'), 'a leader of the term never counts again');
  t.true(serverIgnoresForGood(raftServer('follower', 2), vote(2), 'server 2'), 'a follower of the term cannot stand in it');
  t.false(serverIgnoresForGood(raftServer('leader', 2), appendResult(2), 'server 2'), 'an answer of the leader\'s term: counted');
  t.false(serverIgnoresForGood(raftServer('follower', 2), appendResult(2), 'server 2'), 'of its term, to a follower: kept (it may have led the term)');
  t.true(serverIgnoresForGood(raftServer('leader', 3), appendResult(2), 'server 2'), 'an answer of an older term');
  t.false(serverIgnoresForGood(raftServer('follower', 2), { type: 'request-vote', term: 1, last_index: 0, last_term: 0 }, 'server 2'), 'a stale request is refused with news of the term: alive');
});

/** Where: MultiPaxos's answers may be dead too (a nack the leader ignores); Raft's dead
 *  messages are answers themselves (stale votes and AppendEntries results: raft/ignored.ts),
 *  met on a crash-recovery too. */
const GROUNDS = [
  { file: 'configs/verify/two-leaders.toml', depth: 16, answers: true },
  { file: 'configs/verify/leader-restart.toml', depth: 12, answers: true },
  { file: 'configs/verify/raft-election.toml', depth: 9, answers: false },
  { file: 'configs/verify/raft-restart.toml', depth: 10, answers: false },
] as const;

for (const { file, depth, answers } of GROUNDS) {
  test(`dead messages: ${file}: a dead message stays dead in every state its addressee and its sender step to, and no state kept holds one`, (t) => {
    const s = searched(file, depth);
    const model = s.model;
    let dead = 0;
    let answered = 0;
    const states = model.locals.states;
    const deadWith = (addressee: LocalState, sender: LocalState | undefined, pid: number): boolean => {
      const words = model.root.slice();
      words[addressee.node] = addressee.id;
      if (sender) words[sender.node] = sender.id;
      return model.dead(words, pid);
    };
    for (const local of states) {
      if (local.status !== 'up') continue;
      for (const [key, known] of local.dead) {
        if (known !== DEAD) continue;
        dead++;
        const pid = key % SENDER;
        const sender = key >= SENDER ? states[Math.floor(key / SENDER) - 1]! : undefined;
        if (sender) answered++;
        const key_ = model.packets.list[pid]!.key;
        t.true(deadWith(local, sender, pid), `${key_}: dead where it was found`);
        for (const next of upAfter(model, local)) if (!deadWith(next, sender, pid)) return t.fail(`${key_}: dead in local state ${local.id}, alive in ${next.id}`);
        for (const next of sender ? upAfter(model, sender) : []) if (!deadWith(local, next, pid)) return t.fail(`${key_}: dead with its sender in ${sender!.id}, alive with it in ${next.id}`);
      }
    }
    t.true(dead > 0, 'the search met dead messages');
    t.is(answered > 0, answers, 'dead messages whose answer is dead');
    for (let id = 0; id < s.store.size; id++) {
      const words = s.state(id);
      for (let p = model.countAt + 1; p < model.sizeOf(words); p++) if (model.dead(words, words[p]!)) return t.fail(`state ${id} holds a dead message`);
    }
  });
}

test('dead messages: only with the reduction; a dead message is one whose delivery now changes nothing, notes no fact and answers only its sender', (t) => {
  const s = searched('configs/verify/two-leaders.toml', 12);
  const model = s.model;
  let dead = 0;
  for (const local of model.locals.states) {
    for (const [key, known] of local.dead) {
      if (known !== DEAD) continue;
      dead++;
      const pid = key % SENDER;
      const step = local.steps.get(codeOf(DELIVER, pid));
      t.truthy(step, 'its delivery was worked out');
      t.is(step!.next, local.id);
      const from = model.packets.list[pid]!.from;
      t.true(step!.sends.every((q) => model.packets.to[q] === from), 'it answers its sender, if anyone');
      t.true(step!.judged === -1 || model.judges.lists[step!.judged]!.every((e) => e.kind === 'note' && e.fact === undefined), 'it notes no fact');
    }
  }
  t.true(dead > 0);
  const full = new Search(multipaxos, { ...loadConfig('configs/verify/two-leaders.toml'), verify: { ...loadConfig('configs/verify/two-leaders.toml').verify, max_depth: 4 } }, { reduction: false });
  for (let d = 0; d < 4; d++) {
    full.expand(d);
    full.advance();
  }
  t.true(full.model.locals.states.every((local) => local.dead.size === 0), 'the full search asks about none');
});
