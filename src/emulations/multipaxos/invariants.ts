/**
 * The protocol's own invariants, after Lamport's TLA+ specification of the voting behind Paxos
 * (tlaplus/Examples, specifications/Paxos/Voting.tla), checked at every step from the acceptors'
 * `promise` and `vote` facts and the leaders' `decide` facts. The outcome checks (agreement,
 * linearizability) see a broken acceptor only once a long chain of faults has turned it into
 * two different decisions; these fail at the first bad step:
 *
 *   one-value  no two votes in one (ballot, slot) are for different commands
 *                         (OneValuePerBallot: a ballot is one leader's, and it proposes one
 *                         command per slot);
 *   quorum-backed         a leader starts Phase 2 under ballot b only on the promises of a
 *                         quorum of distinct acceptors, each of which promised exactly b (the
 *                         guard of Phase2a in Paxos.tla), and decides (slot, command) under b only
 *                         on the acknowledgements of a quorum of distinct acceptors, each of which
 *                         voted exactly that command under b (ChosenAt);
 *   votes-safe            once a quorum has voted c in a slot under b (c is chosen), every vote in
 *                         that slot under a higher ballot, and every decision, is c (VotesSafe
 *                         and SafeAt, stated on the history of votes);
 *   promises-kept         an acceptor never promises, nor votes, below a ballot it has promised
 *                         or voted for before — across restarts too — and its promise reports, for
 *                         every slot it voted in, a vote at least that high (its maxBal only
 *                         grows; its votes are never forgotten).
 *
 * The votes are a history, as in the specification: an acceptor overwrites its accepted value,
 * the history keeps every vote. Quorums are majorities of the configured acceptors, whatever
 * rule the leaders use (a mutant's smaller quorum is exactly what must be caught).
 *
 * A failure names the step that broke the invariant (`Verdict.at.event`) and the earlier votes,
 * promises and decisions its detail names (`Verdict.at.evidence`: the other vote of the ballot,
 * the quorum that chose a command, the promises a leader counted), so a picture can point at
 * all of them.
 */
import { fail, ok, type Verdict, type VerdictAt } from '../../../specs/verdict.js';
import { at, forkOf, List, OrderedMap, PMap } from '../../util/persistent.js';
import { atFact, type FactCheck, type Noted } from '../kv/log-checks.js';
import { ballotText, compareBallots, describeLogCommand, sameLogCommand, type Ballot, type Fact, type LogCommand, type PValue } from './messages.js';
import { majority } from './rules.js';

interface Vote {
  readonly acceptor: string;
  readonly ballot: Ballot;
  readonly command: LogCommand;
  readonly t: number;
  readonly slot: number;
  /** The vote fact's index in the trace. */
  readonly event: number;
}

/** An acceptor's highest vote in a slot, and when it first voted there (the nth vote of the run). */
interface Highest {
  readonly vote: Vote;
  readonly first: number;
}

/** A command a quorum voted for in one slot under one ballot. */
interface Chosen {
  readonly ballot: Ballot;
  readonly command: LogCommand;
  readonly quorum: readonly string[];
  readonly t: number;
  /** The votes of the quorum (trace indices). */
  readonly events: readonly number[];
}

/** The highest ballot an acceptor has promised or voted for. */
interface MaxBal {
  readonly ballot: Ballot;
  readonly t: number;
  readonly how: 'promised' | 'accepted';
  /** The promise or vote that set it (trace index). */
  readonly event: number;
}

/** An acceptor's first promise of a ballot: (acceptor, ballot) as `memory` gives it, and where
 *  it is in the trace (not remembered: only a failure's evidence). */
interface Promised {
  readonly pair: readonly [string, Ballot];
  readonly event: number;
}

export const INVARIANTS = Object.freeze(['one-value', 'quorum-backed', 'votes-safe', 'promises-kept'] as const);
type Invariant = (typeof INVARIANTS)[number];

export class VotingInvariants implements FactCheck<Fact> {
  readonly names = INVARIANTS;
  readonly kinds = Object.freeze(['vote', 'promise', 'decide', 'lead']);
  private readonly quorum: number;
  // Every collection is persistent (../../util/persistent.ts) and every record frozen: an update
  // costs O(log n) whatever the run's length, and a fork shares them all.
  /** Every vote of the run, by slot. */
  private votes = List<readonly Vote[]>();
  /** Per acceptor, by slot, its highest vote. */
  private highest = PMap<string, List<Highest>>();
  private chosen = List<readonly Chosen[]>();
  private maxBal = PMap<string, MaxBal>();
  /** Per acceptor, every ballot it promised, in order, by the ballot's text. */
  private promised = PMap<string, OrderedMap<string, Promised>>();
  private violations = PMap<Invariant, { detail: string; at: VerdictAt }>();
  private votesCounted = 0;
  private promisesCounted = 0;
  private decisionsCounted = 0;
  private leadsCounted = 0;
  private chosenCounted = 0;
  /** What `memory` hands out (frozen), until a vote, promise or violation changes it. */
  private memo: unknown;

  constructor(private readonly acceptors: number) {
    this.quorum = majority(acceptors);
  }

  fork(): VotingInvariants {
    return forkOf(this);
  }

  observe(noted: Noted<Fact>): void {
    const fact = noted.fact;
    if (fact.kind === 'vote') this.onVote(noted, fact.slot, fact.ballot, fact.command);
    else if (fact.kind === 'promise') this.onPromise(noted, fact.ballot, fact.from_slot, fact.accepted);
    else if (fact.kind === 'decide') this.onDecide(noted, fact.slot, fact.command, fact.ballot, fact.quorum);
    else if (fact.kind === 'lead') this.onLead(noted, fact.ballot, fact.quorum);
    else return;
    this.memo = undefined;
  }

  // ---- votes -----------------------------------------------------------------------------------

  private onVote(noted: Noted<Fact>, slot: number, ballot: Ballot, command: LogCommand): void {
    const nth = this.votesCounted++;
    const acceptor = noted.node;
    const inSlot = at(this.votes, slot) ?? [];
    const b = ballotText(ballot);
    const other = inSlot.find((v) => compareBallots(v.ballot, ballot) === 0 && !sameLogCommand(v.command, command));
    if (other) {
      this.violate('one-value', noted,
        `slot ${slot} ballot ${b}: ${other.acceptor} accepted ${describeLogCommand(other.command)} at t=${other.t}, ` +
          `but ${acceptor} accepted ${describeLogCommand(command)} at t=${noted.t}: two values under one ballot`, [other.event]);
    }
    const max = this.maxBal.get(acceptor);
    if (max && compareBallots(ballot, max.ballot) < 0) {
      this.violate('promises-kept', noted,
        `${acceptor} accepted slot ${slot} under ballot ${b} at t=${noted.t}, below ballot ${ballotText(max.ballot)} it had ${max.how} at t=${max.t}`, [max.event]);
    }
    for (const c of at(this.chosen, slot) ?? []) {
      if (compareBallots(ballot, c.ballot) > 0 && !sameLogCommand(command, c.command)) {
        this.violate('votes-safe', noted,
          `slot ${slot}: ${acceptor} accepted ${describeLogCommand(command)} under ballot ${b} at t=${noted.t}, but ` +
            `${chosenText(c)}: a higher ballot may only carry the chosen command`, c.events);
      }
    }
    const vote: Vote = Object.freeze({ acceptor, ballot, command, t: noted.t, slot, event: noted.event });
    const votes = Object.freeze([...inSlot, vote]);
    this.votes = this.votes.set(slot, votes);
    const mine = this.highest.get(acceptor) ?? List<Highest>();
    const before = at(mine, slot);
    if (!before || compareBallots(ballot, before.vote.ballot) > 0) {
      this.highest = this.highest.set(acceptor, mine.set(slot, Object.freeze({ vote, first: before?.first ?? nth })));
    }
    if (!max || compareBallots(ballot, max.ballot) > 0) this.maxBal = this.maxBal.set(acceptor, Object.freeze({ ballot, t: noted.t, how: 'accepted' as const, event: noted.event }));
    this.noteIfChosen(noted, slot, vote, votes);
  }

  /** Did this vote complete a quorum for its (ballot, command)? Then that command is chosen. */
  private noteIfChosen(noted: Noted<Fact>, slot: number, vote: Vote, inSlot: readonly Vote[]): void {
    const chosenHere = at(this.chosen, slot) ?? [];
    // Most votes come after their slot's choice under their ballot: nothing to build then.
    for (const c of chosenHere) if (compareBallots(c.ballot, vote.ballot) === 0) return;
    if (inSlot.length < this.quorum) return;
    const same = inSlot.filter((v) => compareBallots(v.ballot, vote.ballot) === 0 && sameLogCommand(v.command, vote.command));
    const voters = [...new Set(same.map((v) => v.acceptor))].sort();
    if (voters.length < this.quorum) return;
    const events = Object.freeze(voters.map((a) => same.find((v) => v.acceptor === a)!.event));
    const chosen: Chosen = Object.freeze({ ballot: vote.ballot, command: vote.command, quorum: voters, t: noted.t, events });
    for (const c of chosenHere) {
      if (!sameLogCommand(c.command, chosen.command)) {
        this.violate('votes-safe', noted, `slot ${slot}: ${chosenText(c)}, and ${chosenText(chosen)}: two commands chosen in one slot`, [...c.events, ...events]);
      }
    }
    const higher = inSlot.find((v) => compareBallots(v.ballot, chosen.ballot) > 0 && !sameLogCommand(v.command, chosen.command));
    if (higher) {
      this.violate('votes-safe', noted,
        `slot ${slot}: ${chosenText(chosen)}, but ${higher.acceptor} had accepted ${describeLogCommand(higher.command)} under the higher ` +
          `ballot ${ballotText(higher.ballot)} at t=${higher.t}: that vote was not safe`, [higher.event, ...events]);
    }
    this.chosen = this.chosen.set(slot, Object.freeze([...chosenHere, chosen]));
    this.chosenCounted++;
  }

  // ---- promises --------------------------------------------------------------------------------

  private onPromise(noted: Noted<Fact>, ballot: Ballot, fromSlot: number, report: readonly PValue[]): void {
    this.promisesCounted++;
    const acceptor = noted.node;
    const b = ballotText(ballot);
    const max = this.maxBal.get(acceptor);
    if (max && compareBallots(ballot, max.ballot) < 0) {
      this.violate('promises-kept', noted, `${acceptor} promised ballot ${b} at t=${noted.t}, below ballot ${ballotText(max.ballot)} it had ${max.how} at t=${max.t}`, [max.event]);
    }
    this.checkReport(noted, ballot, fromSlot, report);
    if (!max || compareBallots(ballot, max.ballot) > 0) this.maxBal = this.maxBal.set(acceptor, Object.freeze({ ballot, t: noted.t, how: 'promised' as const, event: noted.event }));
    const mine = this.promised.get(acceptor) ?? OrderedMap<string, Promised>();
    if (!mine.has(b)) this.promised = this.promised.set(acceptor, mine.set(b, Object.freeze({ pair: Object.freeze([acceptor, ballot] as const), event: noted.event })));
  }

  /** Where `acceptors` promised `ballot` (each acceptor's first such promise), or every promise
   *  of theirs when `ballot` is not given. */
  private promiseEvents(acceptors: readonly string[], ballot?: Ballot): number[] {
    return acceptors.flatMap((a) => {
      const mine = this.promised.get(a);
      if (!mine) return [];
      if (!ballot) return [...mine.values()].map((p) => p.event);
      const p = mine.get(ballotText(ballot));
      return p ? [p.event] : [];
    });
  }

  /** Does the promise report, for every slot from `fromSlot` on where the acceptor voted, a
   *  vote at least as high as its own? Work in proportion to the report and those slots. */
  private checkReport(noted: Noted<Fact>, ballot: Ballot, fromSlot: number, report: readonly PValue[]): void {
    const acceptor = noted.node;
    const reported = new Map<number, PValue>();
    for (const pv of report) if (!reported.has(pv.slot)) reported.set(pv.slot, pv);
    // Of the slots it misreports, the one it first voted in (as the history of votes tells it).
    let worst: { slot: number; highest: Highest } | undefined;
    const mine = this.highest.get(acceptor) ?? List<Highest>();
    for (let slot = Math.max(0, fromSlot); slot < mine.size; slot++) {
      const highest = mine.get(slot);
      if (!highest || (worst && worst.highest.first < highest.first)) continue;
      const pv = reported.get(slot);
      if (!pv || compareBallots(pv.ballot, highest.vote.ballot) < 0) worst = { slot, highest };
    }
    if (!worst) return;
    const { slot, highest: { vote } } = worst;
    const pv = reported.get(slot);
    const said = pv ? `${describeLogCommand(pv.command)} under ballot ${ballotText(pv.ballot)}` : 'nothing';
    this.violate('promises-kept', noted,
      `${acceptor}'s promise of ballot ${ballotText(ballot)} at t=${noted.t} reports ${said} for slot ${slot}, but it had accepted ` +
        `${describeLogCommand(vote.command)} there under ballot ${ballotText(vote.ballot)} at t=${vote.t}: a vote was forgotten`, [vote.event]);
  }

  // ---- Phase 2 starts --------------------------------------------------------------------------

  private onLead(noted: Noted<Fact>, ballot: Ballot, quorum: readonly string[]): void {
    this.leadsCounted++;
    const leads = `${noted.node} started Phase 2 under ballot ${ballotText(ballot)} at t=${noted.t}`;
    const distinct = [...new Set(quorum)];
    const counted = this.promiseEvents(distinct, ballot);
    if (distinct.length < quorum.length) return this.violate('quorum-backed', noted, `${leads}, counting a promise more than once (${quorum.join(', ')})`, counted);
    if (distinct.length < this.quorum) {
      return this.violate('quorum-backed', noted,
        `${leads} on ${distinct.length} promise(s) (${distinct.join(', ') || 'none'}); a quorum of ${this.acceptors} acceptors is ${this.quorum}`, counted);
    }
    for (const acceptor of distinct) {
      const mine = this.promised.get(acceptor) ?? OrderedMap<string, Promised>();
      if (mine.has(ballotText(ballot))) continue;
      return this.violate('quorum-backed', noted,
        `${leads}, counting ${acceptor}, which never promised that ballot (its promises: ${[...mine.keys()].join(', ') || 'none'})`,
        [...counted, ...this.promiseEvents([acceptor])]);
    }
  }

  // ---- decisions -------------------------------------------------------------------------------

  private onDecide(noted: Noted<Fact>, slot: number, command: LogCommand, ballot?: Ballot, quorum?: readonly string[]): void {
    if (ballot && quorum) {
      this.decisionsCounted++;
      this.checkQuorum(noted, slot, command, ballot, quorum);
    }
    for (const c of at(this.chosen, slot) ?? []) {
      if (!sameLogCommand(command, c.command)) {
        this.violate('votes-safe', noted, `slot ${slot}: ${noted.node} decided ${describeLogCommand(command)} at t=${noted.t}, but ${chosenText(c)}`, c.events);
      }
    }
  }

  private checkQuorum(noted: Noted<Fact>, slot: number, command: LogCommand, ballot: Ballot, quorum: readonly string[]): void {
    const decided = `${noted.node} decided slot ${slot} = ${describeLogCommand(command)} under ballot ${ballotText(ballot)} at t=${noted.t}`;
    const distinct = [...new Set(quorum)];
    const inSlot = at(this.votes, slot) ?? [];
    const matches = (v: Vote): boolean => compareBallots(v.ballot, ballot) === 0 && sameLogCommand(v.command, command);
    // The votes the leader could rightly count: each named acceptor's vote for this command.
    const counted = distinct.flatMap((a) => inSlot.find((v) => v.acceptor === a && matches(v))?.event ?? []);
    if (distinct.length < quorum.length) {
      const twice = quorum.filter((a, i) => quorum.indexOf(a) !== i);
      return this.violate('quorum-backed', noted, `${decided}, counting ${[...new Set(twice)].join(', ')} more than once (acknowledgements from ${quorum.join(', ')})`, counted);
    }
    if (distinct.length < this.quorum) {
      return this.violate('quorum-backed', noted,
        `${decided} on ${distinct.length} acknowledgement(s) (${distinct.join(', ') || 'none'}); a quorum of ${this.acceptors} acceptors is ${this.quorum}`, counted);
    }
    for (const acceptor of distinct) {
      if (inSlot.some((v) => v.acceptor === acceptor && matches(v))) continue;
      const own = inSlot.filter((v) => v.acceptor === acceptor);
      return this.violate('quorum-backed', noted,
        `${decided}, counting ${acceptor}, which never accepted that command under that ballot (its votes in slot ${slot}: ` +
          `${own.map((v) => `${describeLogCommand(v.command)} under ${ballotText(v.ballot)}`).join('; ') || 'none'})`,
        [...counted, ...own.map((v) => v.event)]);
    }
  }

  // ---- verdicts --------------------------------------------------------------------------------

  /** The first failure of `invariant`: where, and the earlier events its detail names. */
  private violate(invariant: Invariant, noted: Noted<Fact>, detail: string, evidence: readonly number[] = []): void {
    if (this.violations.has(invariant)) return;
    const named = [...new Set(evidence)].filter((e) => e !== noted.event).sort((a, b) => a - b);
    const at: VerdictAt = named.length > 0 ? { ...atFact(noted), evidence: Object.freeze(named) } : atFact(noted);
    this.violations = this.violations.set(invariant, Object.freeze({ detail, at }));
  }

  verdicts(): Verdict[] {
    const [votes, promises, decisions, leads, chosen] = [this.votesCounted, this.promisesCounted, this.decisionsCounted, this.leadsCounted, this.chosenCounted];
    // One short line each when they pass (the dashboard's verdict panel fits 80 columns).
    const fine: Record<Invariant, string> = {
      'one-value': `${votes} vote(s), one command per (ballot, slot)`,
      'quorum-backed': `${leads} lead(s), ${decisions} decision(s), on real quorums`,
      'votes-safe': `${chosen} choice(s), no later vote departs`,
      'promises-kept': `${promises} promise(s), ${votes} vote(s), none backwards`,
    };
    return INVARIANTS.map((name) => {
      const v = this.violations.get(name);
      return v ? fail(name, v.detail, v.at) : ok(name, fine[name]);
    });
  }

  failures(): Verdict[] {
    if (this.violations.size === 0) return [];
    return this.verdicts().filter((v) => v.status === 'fail');
  }

  /** The vote and promise history and each acceptor's highest ballot (what was chosen follows). */
  memory(): unknown {
    if (this.memo) return this.memo;
    const votes = new Set<unknown>();
    for (const inSlot of this.votes) for (const v of inSlot ?? []) votes.add(rememberedOf(v));
    const maxBal = new Map([...this.maxBal].map(([acceptor, m]) => [acceptor, m.ballot]));
    const promised = new Set([...this.promised.values()].flatMap((ballots) => [...ballots.values()].map((p) => p.pair)));
    return (this.memo = Object.freeze([[...this.violations.keys()].sort(), votes, maxBal, promised]));
  }
}

const chosenText = (c: Chosen): string =>
  `${describeLogCommand(c.command)} was chosen under ballot ${ballotText(c.ballot)} at t=${c.t} (accepted by ${c.quorum.join(', ')})`;

/**
 * A vote as `memory` gives it: made and frozen the first time a model checker asks, then the
 * same object for every judge that shares the vote (so the checker fingerprints it once). A
 * cache keyed by the frozen vote, not state; lazy, so that `mpkv run` keeps no second copy.
 */
const rememberedVotes = new WeakMap<Vote, readonly unknown[]>();
function rememberedOf(vote: Vote): readonly unknown[] {
  let remembered = rememberedVotes.get(vote);
  if (!remembered) rememberedVotes.set(vote, (remembered = Object.freeze([vote.slot, vote.acceptor, vote.ballot, vote.command])));
  return remembered;
}
