/**
 * Raft's own invariants, the paper's Figure 3, checked at every step from what the servers note
 * (./messages.ts `RaftFact`, and the kv `apply` facts): the outcome checks (agreement,
 * linearizability) see a broken rule only once it has turned into two different answers; these
 * fail at the first bad step, naming terms, indexes and servers.
 *
 *   election-safety       at most one leader is elected in a term, and only an elected
 *                         leader leads: no server takes up a term as leader without winning it,
 *                         and only the leader of a term creates entries of that term;
 *   leader-append-only    a leader never overwrites or deletes entries in its log, it only
 *                         appends (it never writes another server's entries, and proposes only
 *                         right after its last entry);
 *   log-matching          two logs holding an entry with the same index and term are identical
 *                         up through it. Checked by induction, one entry at a time: an
 *                         (index, term) is only ever one command after one previous term,
 *                         wherever and whenever it is written, and an entry is never left after
 *                         a different previous entry than it was written after;
 *   leader-completeness   an entry committed in a term is in the log of every leader of a later
 *                         term: a new leader of term T holds the highest index committed in a
 *                         term below T (and, by log matching, everything before it);
 *   state-machine-safety  no two servers apply different entries (term, command) at one index.
 *
 * Each server's log is followed from its facts (its own proposals, the entries it accepted and
 * the conflicting suffixes it deleted, what it restored after a restart). Every table is a
 * persistent collection (../../util/persistent.ts), so each fact costs O(log n) whatever the
 * run's length, and a fork of the check shares them all.
 */
import { fail, ok, type Verdict, type VerdictAt } from '../../../specs/verdict.js';
import { at, forkOf, List, PMap } from '../../util/persistent.js';
import { atFact, type FactCheck, type Noted } from '../kv/log-checks.js';
import { describeLogCommand, sameLogCommand } from '../kv/messages.js';
import type { Entry, Fact, LogCommand, RaftFact } from './messages.js';

export const INVARIANTS = Object.freeze(['election-safety', 'leader-append-only', 'log-matching', 'leader-completeness', 'state-machine-safety'] as const);
type Invariant = (typeof INVARIANTS)[number];

/** A server's log as its facts tell it (index i at position i - 1). */
type Mirror = List<Entry>;

/** Who led a term, in which life (restarts), and how: won its election, or took the term up. */
interface Leadership {
  readonly node: string;
  readonly life: number;
  readonly how: 'elected' | 'took up';
  readonly voters: readonly string[];
  readonly t: number;
  /** Where it was noted in the trace (a failure's evidence; not remembered). */
  readonly event: number;
}

/** An (index, term) as first written: its command, the term before it, and where. */
interface Written {
  readonly term: number;
  readonly command: LogCommand;
  readonly prevTerm: number;
  readonly node: string;
  readonly t: number;
  readonly event: number;
}

/** A leader's commit: the highest index of a term's commits, counted by a majority. */
interface Committed {
  readonly index: number;
  readonly entryTerm: number;
  readonly inTerm: number;
  readonly node: string;
  readonly quorum: readonly string[];
  readonly t: number;
  readonly event: number;
}

interface Applied {
  readonly term: number | undefined;
  readonly command: LogCommand;
  readonly node: string;
  readonly t: number;
  readonly event: number;
}

type Counts = Readonly<{ elections: number; entries: number; commits: number; applies: number }>;

const EMPTY_MIRROR: Mirror = List();
const NO_VIOLATIONS: ReadonlyMap<Invariant, { detail: string; at: VerdictAt }> = Object.freeze(new Map());

export class RaftInvariants implements FactCheck<Fact> {
  readonly names = INVARIANTS;
  readonly kinds = Object.freeze(['term', 'elected', 'propose', 'accept', 'commit', 'apply', 'restore']);
  private mirrors = PMap<string, Mirror>();
  /** By term. */
  private leaders = List<Leadership | undefined>();
  /** By index: every (term, command, previous term) written there. */
  private written = List<readonly Written[] | undefined>();
  /** By term: the commit with the highest index among the commits of that term and below,
   *  filled up to `topTerm`. */
  private committedUpTo = List<Committed | undefined>();
  private topTerm = -1;
  /** By index: the first entry applied there. */
  private applied = List<Applied | undefined>();
  private violations = NO_VIOLATIONS;
  private counted: Counts = Object.freeze({ elections: 0, entries: 0, commits: 0, applies: 0 });
  /** What `memory` hands out (frozen), until a fact changes the check. */
  private memo: unknown;

  observe(noted: Noted<Fact>): void {
    const fact = noted.fact;
    switch (fact.kind) {
      case 'term':
        if (fact.role === 'leader') this.onTakeUp(noted, fact.term);
        break;
      case 'elected':
        this.onElected(noted, fact);
        break;
      case 'propose':
        this.onPropose(noted, fact);
        break;
      case 'accept':
        this.onAccept(noted, fact);
        break;
      case 'commit':
        if (fact.quorum) this.onCommit(noted, fact, fact.quorum);
        break;
      case 'apply':
        if (fact.slot >= 0) this.onApply(noted, fact.slot + 1, fact.command);
        break;
      case 'restore':
        this.onRestore(noted, fact);
        break;
      default:
        return;
    }
    this.memo = undefined;
  }

  // ---- election safety ---------------------------------------------------------------------------

  private onElected(noted: Noted<Fact>, fact: Extract<RaftFact, { kind: 'elected' }>): void {
    this.count('elections');
    const { node, life, t } = noted;
    const before = at(this.leaders, fact.term);
    if (before && (before.node !== node || before.life !== life)) {
      const shared = fact.voters.filter((v) => before.voters.includes(v));
      this.violate('election-safety', noted,
        `two leaders in term ${fact.term}: ${leaderText(before)}, and ${node} won it at t=${t} on the votes of ${fact.voters.join(', ')}` +
          (shared.length > 0 ? ` (${shared.join(', ')} voted for both)` : ''), [before.event]);
    }
    if (!before) this.leaders = this.leaders.set(fact.term, Object.freeze({ node, life, how: 'elected' as const, voters: fact.voters, t, event: noted.event }));
    this.checkCompleteness(noted, fact.term);
  }

  /** A server took up a higher term as leader: it leads a term nobody elected it in. */
  private onTakeUp(noted: Noted<Fact>, term: number): void {
    const before = at(this.leaders, term);
    const other = before ? `, where ${leaderText(before)}` : '';
    this.violate('election-safety', noted, `${noted.node} took up term ${term} at t=${noted.t} and went on leading without winning its election${other}`, before ? [before.event] : []);
    if (!before) this.leaders = this.leaders.set(term, Object.freeze({ node: noted.node, life: noted.life, how: 'took up' as const, voters: [], t: noted.t, event: noted.event }));
  }

  // ---- the logs: leader append-only, log matching --------------------------------------------

  private onPropose(noted: Noted<Fact>, fact: Extract<RaftFact, { kind: 'propose' }>): void {
    const { node, life, t } = noted;
    const leader = at(this.leaders, fact.term);
    if (!leader || leader.node !== node || leader.life !== life) {
      const who = leader ? leaderText(leader) : 'nobody won that election';
      this.violate('election-safety', noted, `${node} created index ${fact.index} with term ${fact.term} at t=${t} as if it led term ${fact.term}, but ${who}`, leader ? [leader.event] : []);
    }
    const mirror = this.mirror(node);
    if (fact.index !== mirror.size + 1) {
      this.violate('leader-append-only', noted,
        `${node}, leader of term ${fact.term}, put a new entry at index ${fact.index} at t=${t}, but its log ended at index ${mirror.size}: a leader only appends`);
    }
    this.write(noted, fact.index, fact.prev_term, [Object.freeze({ term: fact.term, command: fact.command })], 0);
  }

  private onAccept(noted: Noted<Fact>, fact: Extract<RaftFact, { kind: 'accept' }>): void {
    const leader = at(this.leaders, fact.term);
    if (leader && leader.node === noted.node && leader.life === noted.life) {
      const cut = fact.removed > 0 ? `, deleting ${fact.removed} of its entries from index ${fact.index}` : '';
      this.violate('leader-append-only', noted,
        `${noted.node}, leader of term ${fact.term}, wrote ${fact.entries.length} entr${fact.entries.length === 1 ? 'y' : 'ies'} of another server into its log at index ${fact.index} at t=${noted.t}${cut}`, [leader.event]);
    }
    this.write(noted, fact.index, fact.prev_term, fact.entries, fact.removed);
  }

  /** Writes entries into a server's log from `index` on (after deleting `removed` from there),
   *  checking each (index, term) against what was written there before, and the entry left
   *  after them against the last one written. */
  private write(noted: Noted<Fact>, index: number, prevTerm: number, entries: readonly Entry[], removed: number): void {
    const before = this.mirror(noted.node);
    let mirror: Mirror = removed > 0 ? before.setSize(Math.min(before.size, index - 1)) : before;
    let prev = prevTerm;
    entries.forEach((entry, k) => {
      this.count('entries');
      this.checkWritten(noted, index + k, entry, prev);
      mirror = mirror.set(index + k - 1, entry);
      prev = entry.term;
    });
    this.mirrors = this.mirrors.set(noted.node, mirror);
    const last = index + entries.length - 1;
    const after = at(mirror, last);
    const first = after && this.writtenAt(last + 1, after.term);
    if (after && first && first.prevTerm !== prev) {
      this.violate('log-matching', noted,
        `${noted.node} wrote index ${last} with term ${prev} at t=${noted.t} and kept its entry at index ${last + 1} (term ${after.term}), ` +
          `which ${first.node} had written after an entry of term ${first.prevTerm} at t=${first.t}: a conflicting suffix was not deleted`, [first.event]);
    }
  }

  private checkWritten(noted: Noted<Fact>, index: number, entry: Entry, prevTerm: number): void {
    const first = this.writtenAt(index, entry.term);
    if (!first) {
      const record: Written = Object.freeze({ term: entry.term, command: entry.command, prevTerm, node: noted.node, t: noted.t, event: noted.event });
      this.written = this.written.set(index, Object.freeze([...(at(this.written, index) ?? []), record]));
      return;
    }
    const here = `index ${index} term ${entry.term}`;
    if (!sameLogCommand(first.command, entry.command)) {
      this.violate('log-matching', noted,
        `${here}: ${first.node} held ${describeLogCommand(first.command)} at t=${first.t}, but ${noted.node} wrote ${describeLogCommand(entry.command)} at t=${noted.t}`, [first.event]);
    } else if (first.prevTerm !== prevTerm) {
      this.violate('log-matching', noted,
        `${here}: ${first.node} held it after an entry of term ${first.prevTerm} at t=${first.t}, but ${noted.node} wrote it after an entry of term ${prevTerm} at t=${noted.t}: the logs differ before it`, [first.event]);
    }
  }

  private writtenAt(index: number, term: number): Written | undefined {
    return at(this.written, index)?.find((w) => w.term === term);
  }

  /** A server (re)started: its log is what its disk held. A disk it wrote itself holds a prefix
   *  of what it wrote (only its length is said); a disk the config gave lists its entries. */
  private onRestore(noted: Noted<Fact>, fact: Extract<RaftFact, { kind: 'restore' }>): void {
    if (fact.entries) {
      this.write(noted, 1, 0, fact.entries, this.mirror(noted.node).size);
      return;
    }
    const mirror = this.mirror(noted.node);
    if (fact.last_index < mirror.size) this.mirrors = this.mirrors.set(noted.node, mirror.setSize(fact.last_index));
  }

  private mirror(node: string): Mirror {
    return this.mirrors.get(node) ?? EMPTY_MIRROR;
  }

  // ---- leader completeness -------------------------------------------------------------------

  /** A leader counted a majority for `index`: committed in its term. */
  private onCommit(noted: Noted<Fact>, fact: Extract<RaftFact, { kind: 'commit' }>, quorum: readonly string[]): void {
    this.count('commits');
    const record: Committed = Object.freeze({ index: fact.index, entryTerm: fact.entry_term, inTerm: fact.in_term, node: noted.node, quorum, t: noted.t, event: noted.event });
    const better = (held: Committed | undefined): Committed => (held && held.index >= record.index ? held : record);
    if (fact.in_term > this.topTerm) {
      const carried = at(this.committedUpTo, this.topTerm);
      for (let term = Math.max(this.topTerm + 1, 0); term < fact.in_term; term++) if (carried) this.committedUpTo = this.committedUpTo.set(term, carried);
      this.committedUpTo = this.committedUpTo.set(fact.in_term, better(carried));
      this.topTerm = fact.in_term;
      return;
    }
    // A commit in a term at or below the highest seen: it raises that term and those after it
    // (each holds the best of the terms up to it), until one already holds at least as much.
    for (let term = fact.in_term; term <= this.topTerm; term++) {
      const held = at(this.committedUpTo, term);
      if (held && held.index >= record.index) break;
      this.committedUpTo = this.committedUpTo.set(term, record);
    }
  }

  /** A new leader of `term` must hold what was committed in the terms before it. */
  private checkCompleteness(noted: Noted<Fact>, term: number): void {
    const committed = at(this.committedUpTo, Math.min(term - 1, this.topTerm));
    if (!committed) return;
    const mirror = this.mirror(noted.node);
    const held = at(mirror, committed.index - 1);
    if (held?.term === committed.entryTerm) return;
    const has = held ? `its entry there has term ${held.term}` : `its log ends at index ${mirror.size}`;
    this.violate('leader-completeness', noted,
      `${noted.node} became leader of term ${term} at t=${noted.t} without index ${committed.index} (term ${committed.entryTerm}), which ${committed.node} ` +
        `committed in term ${committed.inTerm} at t=${committed.t} (stored on ${committed.quorum.join(', ')}): ${has}`, [committed.event]);
  }

  // ---- state machine safety ------------------------------------------------------------------

  private onApply(noted: Noted<Fact>, index: number, command: LogCommand): void {
    this.count('applies');
    const term = at(this.mirror(noted.node), index - 1)?.term;
    const first = at(this.applied, index);
    if (!first) {
      this.applied = this.applied.set(index, Object.freeze({ term, command, node: noted.node, t: noted.t, event: noted.event }));
      return;
    }
    if (first.term === term && sameLogCommand(first.command, command)) return;
    this.violate('state-machine-safety', noted,
      `index ${index}: ${first.node} applied ${describeLogCommand(first.command)} (term ${first.term ?? '?'}) at t=${first.t}, ` +
        `but ${noted.node} applied ${describeLogCommand(command)} (term ${term ?? '?'}) at t=${noted.t}`, [first.event]);
  }

  // ---- verdicts ------------------------------------------------------------------------------

  /** `evidence`: the earlier facts the failure names (where they are in the trace). */
  private violate(invariant: Invariant, noted: Noted<Fact>, detail: string, evidence: readonly number[] = []): void {
    if (this.violations.has(invariant)) return;
    const named = [...new Set(evidence)].filter((e) => e !== noted.event).sort((a, b) => a - b);
    const at: VerdictAt = named.length > 0 ? { ...atFact(noted), evidence: Object.freeze(named) } : atFact(noted);
    this.violations = Object.freeze(new Map(this.violations).set(invariant, Object.freeze({ detail, at })));
  }

  private count(what: keyof Counts): void {
    this.counted = Object.freeze({ ...this.counted, [what]: this.counted[what] + 1 });
  }

  verdicts(): Verdict[] {
    const { elections, entries, commits, applies } = this.counted;
    // One short line each when they pass (the dashboard's verdict panel fits 80 columns).
    const fine: Record<Invariant, string> = {
      'election-safety': `${elections} election(s), at most one leader a term`,
      'leader-append-only': `${entries} entr${entries === 1 ? 'y' : 'ies'} written, no leader overwrote its log`,
      'log-matching': `${entries} entr${entries === 1 ? 'y' : 'ies'} written, each (index, term) one prefix`,
      'leader-completeness': `${elections} leader(s) held every entry committed before`,
      'state-machine-safety': `${applies} appl${applies === 1 ? 'y' : 'ies'}, ${commits} commit(s), one entry an index`,
    };
    return INVARIANTS.map((name) => {
      const v = this.violations.get(name);
      return v ? fail(name, v.detail, v.at) : ok(name, fine[name]);
    });
  }

  failures(): Verdict[] {
    return this.violations.size === 0 ? [] : this.verdicts().filter((v) => v.status === 'fail');
  }

  /** A fork in O(1): its own fields, every collection shared. */
  fork(): RaftInvariants {
    return forkOf(this);
  }

  /** What later verdicts depend on, without times or first holders: the logs, the leaders of
   *  each term, what was written at each (index, term), the commits and the applies. */
  memory(): unknown {
    if (this.memo) return this.memo;
    const mirrors = new Map([...this.mirrors].map(([node, m]) => [node, m.toArray()]));
    const leaders = [...this.leaders.entries()].flatMap(([term, l]) => (l ? [[term, l.node, l.life, l.how]] : []));
    const written = [...this.written.entries()].flatMap(([index, ws]) => (ws ?? []).map((w) => [index, w.term, w.command, w.prevTerm]));
    const committed = [...this.committedUpTo.entries()].flatMap(([term, c]) => (c ? [[term, c.index, c.entryTerm]] : []));
    const applied = [...this.applied.entries()].flatMap(([index, a]) => (a ? [[index, a.term, a.command]] : []));
    return (this.memo = Object.freeze([[...this.violations.keys()].sort(), mirrors, leaders, written, committed, applied]));
  }
}

const leaderText = (l: Leadership): string =>
  l.how === 'elected'
    ? `${l.node}${l.life > 0 ? ` (after restart ${l.life})` : ''} won it at t=${l.t} on the votes of ${l.voters.join(', ')}`
    : `${l.node} took it up at t=${l.t} without an election`;
