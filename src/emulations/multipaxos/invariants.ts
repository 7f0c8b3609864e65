/**
 * The protocol's own invariants, after Lamport's TLA+ specification of the voting behind Paxos
 * (tlaplus/Examples, specifications/Paxos/Voting.tla), checked at every step from the acceptors'
 * `promise` and `vote` facts and the leaders' `decide` facts. The outcome checks (agreement,
 * linearizability) see a broken acceptor only once a long chain of faults has turned it into
 * two different decisions; these fail at the first bad step:
 *
 *   one-value-per-ballot  no two votes in one (ballot, slot) are for different commands
 *                         (OneValuePerBallot: a ballot is one leader's, and it proposes one
 *                         command per slot);
 *   quorum-backed         a leader decides (slot, command) under ballot b only on the
 *                         acknowledgements of a quorum of distinct acceptors, each of which voted
 *                         exactly that command under b (ChosenAt);
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
 */
import { fail, ok, type Verdict, type VerdictAt } from '../../../specs/verdict.js';
import { atFact, type FactCheck, type Noted } from '../kv/log-checks.js';
import { ballotText, compareBallots, describeLogCommand, sameLogCommand, type Ballot, type Fact, type LogCommand, type PValue } from './messages.js';
import { majority } from './rules.js';

interface Vote {
  readonly acceptor: string;
  readonly ballot: Ballot;
  readonly command: LogCommand;
  readonly t: number;
  /** What `memory` says of it: (slot, acceptor, ballot, command), frozen. */
  readonly remembered: readonly unknown[];
}

/** A command a quorum voted for in one slot under one ballot. */
interface Chosen {
  readonly ballot: Ballot;
  readonly command: LogCommand;
  readonly quorum: readonly string[];
  readonly t: number;
}

/** The highest ballot an acceptor has promised or voted for. */
interface MaxBal {
  readonly ballot: Ballot;
  readonly t: number;
  readonly how: 'promised' | 'accepted';
}

export const INVARIANTS = ['one-value-per-ballot', 'quorum-backed', 'votes-safe', 'promises-kept'] as const;
type Invariant = (typeof INVARIANTS)[number];

export class VotingInvariants implements FactCheck<Fact> {
  readonly names = INVARIANTS;
  readonly kinds = ['vote', 'promise', 'decide'];
  private readonly quorum: number;
  private readonly votes = new Map<number, Vote[]>();
  /** Per acceptor, per slot, its highest vote. */
  private readonly highest = new Map<string, Map<number, Vote>>();
  private readonly chosen = new Map<number, Chosen[]>();
  private readonly maxBal = new Map<string, MaxBal>();
  private readonly violations = new Map<Invariant, { detail: string; at: VerdictAt }>();
  private counted = { votes: 0, promises: 0, decisions: 0 };
  /** What `memory` hands out (frozen), until a vote, promise or violation changes it. */
  private memo: unknown;

  constructor(private readonly acceptors: number) {
    this.quorum = majority(acceptors);
  }

  observe(noted: Noted<Fact>): void {
    const fact = noted.fact;
    if (fact.kind === 'vote') this.onVote(noted, fact.slot, fact.ballot, fact.command);
    else if (fact.kind === 'promise') this.onPromise(noted, fact.ballot, fact.from_slot, fact.accepted);
    else if (fact.kind === 'decide') this.onDecide(noted, fact.slot, fact.command, fact.ballot, fact.quorum);
    else return;
    this.memo = undefined;
  }

  // ---- votes -----------------------------------------------------------------------------------

  private onVote(noted: Noted<Fact>, slot: number, ballot: Ballot, command: LogCommand): void {
    this.counted.votes++;
    const acceptor = noted.node;
    const inSlot = this.votes.get(slot) ?? [];
    const b = ballotText(ballot);
    const other = inSlot.find((v) => compareBallots(v.ballot, ballot) === 0 && !sameLogCommand(v.command, command));
    if (other) {
      this.violate('one-value-per-ballot', noted,
        `slot ${slot} ballot ${b}: ${other.acceptor} accepted ${describeLogCommand(other.command)} at t=${other.t}, ` +
          `but ${acceptor} accepted ${describeLogCommand(command)} at t=${noted.t}: two values under one ballot`);
    }
    const max = this.maxBal.get(acceptor);
    if (max && compareBallots(ballot, max.ballot) < 0) {
      this.violate('promises-kept', noted,
        `${acceptor} accepted slot ${slot} under ballot ${b} at t=${noted.t}, below ballot ${ballotText(max.ballot)} it had ${max.how} at t=${max.t}`);
    }
    for (const c of this.chosen.get(slot) ?? []) {
      if (compareBallots(ballot, c.ballot) > 0 && !sameLogCommand(command, c.command)) {
        this.violate('votes-safe', noted,
          `slot ${slot}: ${acceptor} accepted ${describeLogCommand(command)} under ballot ${b} at t=${noted.t}, but ` +
            `${chosenText(c)}: a higher ballot may only carry the chosen command`);
      }
    }
    const vote: Vote = { acceptor, ballot, command, t: noted.t, remembered: Object.freeze([slot, acceptor, ballot, command]) };
    inSlot.push(vote);
    this.votes.set(slot, inSlot);
    const mine = this.highest.get(acceptor) ?? new Map<number, Vote>();
    const before = mine.get(slot);
    if (!before || compareBallots(ballot, before.ballot) > 0) mine.set(slot, vote);
    this.highest.set(acceptor, mine);
    if (!max || compareBallots(ballot, max.ballot) > 0) this.maxBal.set(acceptor, { ballot, t: noted.t, how: 'accepted' });
    this.noteIfChosen(noted, slot, vote, inSlot);
  }

  /** Did this vote complete a quorum for its (ballot, command)? Then that command is chosen. */
  private noteIfChosen(noted: Noted<Fact>, slot: number, vote: Vote, inSlot: readonly Vote[]): void {
    const same = inSlot.filter((v) => compareBallots(v.ballot, vote.ballot) === 0 && sameLogCommand(v.command, vote.command));
    const voters = [...new Set(same.map((v) => v.acceptor))].sort();
    const chosenHere = this.chosen.get(slot) ?? [];
    if (voters.length < this.quorum || chosenHere.some((c) => compareBallots(c.ballot, vote.ballot) === 0)) return;
    const chosen: Chosen = { ballot: vote.ballot, command: vote.command, quorum: voters, t: noted.t };
    for (const c of chosenHere) {
      if (!sameLogCommand(c.command, chosen.command)) {
        this.violate('votes-safe', noted, `slot ${slot}: ${chosenText(c)}, and ${chosenText(chosen)}: two commands chosen in one slot`);
      }
    }
    const higher = inSlot.find((v) => compareBallots(v.ballot, chosen.ballot) > 0 && !sameLogCommand(v.command, chosen.command));
    if (higher) {
      this.violate('votes-safe', noted,
        `slot ${slot}: ${chosenText(chosen)}, but ${higher.acceptor} had accepted ${describeLogCommand(higher.command)} under the higher ` +
          `ballot ${ballotText(higher.ballot)} at t=${higher.t}: that vote was not safe`);
    }
    chosenHere.push(chosen);
    this.chosen.set(slot, chosenHere);
  }

  // ---- promises --------------------------------------------------------------------------------

  private onPromise(noted: Noted<Fact>, ballot: Ballot, fromSlot: number, report: readonly PValue[]): void {
    this.counted.promises++;
    const acceptor = noted.node;
    const b = ballotText(ballot);
    const max = this.maxBal.get(acceptor);
    if (max && compareBallots(ballot, max.ballot) < 0) {
      this.violate('promises-kept', noted, `${acceptor} promised ballot ${b} at t=${noted.t}, below ballot ${ballotText(max.ballot)} it had ${max.how} at t=${max.t}`);
    }
    for (const [slot, vote] of this.highest.get(acceptor) ?? []) {
      if (slot < fromSlot) continue;
      const reported = report.find((pv) => pv.slot === slot);
      if (!reported || compareBallots(reported.ballot, vote.ballot) < 0) {
        const said = reported ? `${describeLogCommand(reported.command)} under ballot ${ballotText(reported.ballot)}` : 'nothing';
        this.violate('promises-kept', noted,
          `${acceptor}'s promise of ballot ${b} at t=${noted.t} reports ${said} for slot ${slot}, but it had accepted ` +
            `${describeLogCommand(vote.command)} there under ballot ${ballotText(vote.ballot)} at t=${vote.t}: a vote was forgotten`);
      }
    }
    if (!max || compareBallots(ballot, max.ballot) > 0) this.maxBal.set(acceptor, { ballot, t: noted.t, how: 'promised' });
  }

  // ---- decisions -------------------------------------------------------------------------------

  private onDecide(noted: Noted<Fact>, slot: number, command: LogCommand, ballot?: Ballot, quorum?: readonly string[]): void {
    if (ballot && quorum) {
      this.counted.decisions++;
      this.checkQuorum(noted, slot, command, ballot, quorum);
    }
    for (const c of this.chosen.get(slot) ?? []) {
      if (!sameLogCommand(command, c.command)) {
        this.violate('votes-safe', noted, `slot ${slot}: ${noted.node} decided ${describeLogCommand(command)} at t=${noted.t}, but ${chosenText(c)}`);
      }
    }
  }

  private checkQuorum(noted: Noted<Fact>, slot: number, command: LogCommand, ballot: Ballot, quorum: readonly string[]): void {
    const decided = `${noted.node} decided slot ${slot} = ${describeLogCommand(command)} under ballot ${ballotText(ballot)} at t=${noted.t}`;
    const distinct = [...new Set(quorum)];
    if (distinct.length < quorum.length) {
      const twice = quorum.filter((a, i) => quorum.indexOf(a) !== i);
      return this.violate('quorum-backed', noted, `${decided}, counting ${[...new Set(twice)].join(', ')} more than once (acknowledgements from ${quorum.join(', ')})`);
    }
    if (distinct.length < this.quorum) {
      return this.violate('quorum-backed', noted,
        `${decided} on ${distinct.length} acknowledgement(s) (${distinct.join(', ') || 'none'}); a quorum of ${this.acceptors} acceptors is ${this.quorum}`);
    }
    const inSlot = this.votes.get(slot) ?? [];
    for (const acceptor of distinct) {
      const voted = inSlot.some((v) => v.acceptor === acceptor && compareBallots(v.ballot, ballot) === 0 && sameLogCommand(v.command, command));
      if (voted) continue;
      const own = inSlot.filter((v) => v.acceptor === acceptor).map((v) => `${describeLogCommand(v.command)} under ${ballotText(v.ballot)}`);
      return this.violate('quorum-backed', noted,
        `${decided}, counting ${acceptor}, which never accepted that command under that ballot (its votes in slot ${slot}: ${own.join('; ') || 'none'})`);
    }
  }

  // ---- verdicts --------------------------------------------------------------------------------

  private violate(invariant: Invariant, noted: Noted<Fact>, detail: string): void {
    if (!this.violations.has(invariant)) this.violations.set(invariant, { detail, at: atFact(noted) });
  }

  verdicts(): Verdict[] {
    const { votes, promises, decisions } = this.counted;
    const chosen = [...this.chosen.values()].reduce((n, cs) => n + cs.length, 0);
    const fine: Record<Invariant, string> = {
      'one-value-per-ballot': `${votes} vote(s), one command per (ballot, slot)`,
      'quorum-backed': `${decisions} leader decision(s), each on the acknowledgements of a quorum of distinct acceptors that voted for it`,
      'votes-safe': `${chosen} (ballot, slot) choice(s); no vote under a higher ballot nor decision departs from them`,
      'promises-kept': `${promises} promise(s) and ${votes} vote(s), none below an acceptor's earlier promise, no vote forgotten`,
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

  /** The vote history and each acceptor's highest ballot (what was chosen follows from them). */
  memory(): unknown {
    if (this.memo) return this.memo;
    const votes = new Set<unknown>();
    for (const inSlot of this.votes.values()) for (const v of inSlot) votes.add(v.remembered);
    const maxBal = new Map([...this.maxBal].map(([acceptor, m]) => [acceptor, m.ballot]));
    return (this.memo = Object.freeze([[...this.violations.keys()].sort(), votes, maxBal]));
  }
}

const chosenText = (c: Chosen): string =>
  `${describeLogCommand(c.command)} was chosen under ballot ${ballotText(c.ballot)} at t=${c.t} (accepted by ${c.quorum.join(', ')})`;
