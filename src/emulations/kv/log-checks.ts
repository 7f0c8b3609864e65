/**
 * The checks of a replicated kv log, read from the facts of a run as they stream:
 *
 *  - agreement:   no two nodes decide or apply different commands for one slot;
 *  - validity:    every decided command was sent by a client, or is a no-op;
 *  - integrity:   no node applies one client request twice;
 *  - order:       every node applies the log in slot order, without skipping a slot;
 *  - convergence: at the end, every live learner has applied the same prefix and holds an
 *                 equal store.
 *
 * A slot may hold a batch of client requests (decided together, applied in order): agreement
 * and order are per slot; validity and integrity look at every request of a batch.
 *
 * Each check keeps only what it needs and gives a `Verdict`; a failing one says where and
 * why, in words. The functions at the bottom run a check over a list of facts (for tests).
 */
import { storeToObject, type KvCommand, type KvStore } from '../../kv/kv.js';
import type { Envelope, FactBase, TraceEvent } from '../../sim/trace.js';
import { fail, ok as pass, type Verdict, type VerdictAt } from '../../../specs/verdict.js';
import { at, forkOf, List, PMap, RequestTable } from '../../util/persistent.js';
import { ballotText, describeLogCommand, requestsIn, sameKvCommand, sameLogCommand, type Ballot, type KvFact, type LogCommand } from './messages.js';

/** A fact, where and when it was noted. `life` counts the node's restarts: a restarted node
 *  has lost its volatile state, so per-node checks (integrity, order) start afresh. `event` is
 *  the note's index in the run's trace (from 0), so a failure can name its first bad step. */
export type Noted<F extends FactBase = KvFact> = {
  readonly t: number;
  readonly node: string;
  readonly life: number;
  readonly event: number;
  readonly fact: F;
};

/** Turns trace events into noted facts, one at a time, counting each node's restarts. An event's
 *  index in the run is given by the router (which counts the events nobody reads too); without
 *  it, the reader counts the events it is given (then it must be given every one). */
export class FactReader<F extends FactBase = KvFact> {
  /** The kinds of event it reads. */
  static readonly reads = ['note', 'restart'] as const;
  /** Replaced, never changed, and frozen: a copy of the reader shares it. */
  private lives: ReadonlyMap<string, number> = Object.freeze(new Map<string, number>());
  private events = 0;

  read(e: TraceEvent<Envelope, F>, index?: number): Noted<F> | undefined {
    const event = index ?? this.events;
    this.events = event + 1;
    if (e.kind === 'restart') this.lives = Object.freeze(new Map(this.lives).set(e.node, (this.lives.get(e.node) ?? 0) + 1));
    if (e.kind === 'note' && e.fact) return { t: e.t, node: e.node, life: this.lives.get(e.node) ?? 0, event, fact: e.fact };
    return undefined;
  }

  /** What later facts depend on: each node's restarts (a model checker merges equal memories). */
  memory(): unknown {
    return this.lives;
  }

  /** An independent copy (its record of restarts is frozen, shared). */
  fork(): FactReader<F> {
    return forkOf(this);
  }
}

/** The facts of a whole trace. */
export function factsOf<F extends FactBase = KvFact>(trace: readonly TraceEvent<Envelope, F>[]): Noted<F>[] {
  const reader = new FactReader<F>();
  return trace.flatMap((e) => reader.read(e) ?? []);
}

/** Where a fact was noted, for a failing verdict. */
export const atFact = (n: Noted<FactBase>): VerdictAt => ({ t: n.t, event: n.event });

/**
 * A check that reads facts one at a time (facts of kinds it does not know pass it by). Besides
 * its verdicts, it tells a model checker, after every step, whether it has failed yet, and what
 * it remembers: two runs whose nodes are in equal states and whose checks remember the same are
 * judged alike from there on. `memory` holds no times and names nodes only as whole strings
 * (so that interchangeable nodes can be renamed); Maps and Sets are compared as unordered.
 * A model checker forks a check at every step: its collections are persistent and its records
 * frozen (../../util/persistent.ts), so a fork shares them all and an update costs O(log n).
 */
export interface FactCheck<F extends FactBase = KvFact> {
  /** The names of its verdicts, in order. */
  readonly names: readonly string[];
  /** The kinds of facts it reads (it is given only those). */
  readonly kinds: readonly string[];
  observe(noted: Noted<F>): void;
  verdicts(): Verdict[];
  /** Its failures so far (none: it has not failed yet). */
  failures(): Verdict[];
  memory(): unknown;
  /** An independent copy, in O(1): what it observes from now on does not touch this one. */
  fork(): FactCheck<F>;
}

/** A check with one verdict. Its memory is frozen, and handed out again until the check
 *  changes (`changed`), so that a model checker writes it out once, not once per state. */
abstract class OneVerdict implements FactCheck {
  protected violation: { detail: string; at: VerdictAt } | undefined;
  private memo: unknown;
  abstract readonly names: readonly [string];
  abstract readonly kinds: readonly string[];
  abstract observe(noted: Noted): void;
  abstract verdict(): Verdict;
  protected abstract remember(): unknown;

  memory(): unknown {
    return (this.memo ??= Object.freeze(this.remember()));
  }

  protected changed(): void {
    this.memo = undefined;
  }

  fork(): this {
    return forkOf(this);
  }

  verdicts(): Verdict[] {
    return [this.verdict()];
  }

  failures(): Verdict[] {
    return this.violation ? [this.verdict()] : [];
  }

  protected failed(): Verdict {
    return fail(this.names[0], this.violation!.detail, this.violation!.at);
  }
}

/** `leader 1`, or `leader 1 (after restart 2)`: a node's identity for per-node checks. */
const incarnation = (n: Noted): string => (n.life === 0 ? n.node : `${n.node} (after restart ${n.life})`);

/** The first decision or application a node made of a slot. */
interface FirstDecided {
  readonly node: string;
  readonly t: number;
  readonly command: LogCommand;
  readonly ballot?: Ballot;
  readonly quorum?: readonly string[];
  readonly verb: string;
}

/** The requests one node incarnation applied: the slot and time of each. */
interface AppliedBy {
  readonly node: string;
  readonly life: number;
  readonly where: RequestTable<readonly [number, number]>;
}

export const describeLog = describeLogCommand;
export const sameCommand = sameLogCommand;

export class Agreement extends OneVerdict {
  readonly names = Object.freeze(['agreement'] as const);
  readonly kinds = Object.freeze(['decide', 'apply']);
  /** By slot, the first decision or application of it (frozen records, a persistent list). */
  private first = List<FirstDecided | undefined>();
  private slots = 0;

  observe(noted: Noted): void {
    const { t, node, fact } = noted;
    if (this.violation || (fact.kind !== 'decide' && fact.kind !== 'apply') || fact.slot < 0) return;
    const verb = fact.kind === 'decide' ? 'decided' : 'applied';
    const ballot = fact.kind === 'decide' ? fact.ballot : undefined;
    const quorum = fact.kind === 'decide' ? fact.quorum : undefined;
    const seen = at(this.first, fact.slot);
    if (!seen) {
      this.first = this.first.set(fact.slot, Object.freeze({ node, t, command: fact.command, verb, ...(ballot ? { ballot } : {}), ...(quorum ? { quorum } : {}) }));
      this.slots++;
      this.changed();
    } else if (!sameLogCommand(seen.command, fact.command)) {
      // Each decision with the ballot and the quorum that chose it, when the decider named them.
      const b = (x?: Ballot, q?: readonly string[]): string => (x ? ` under ballot ${ballotText(x)}${q ? ` (quorum ${q.join(', ')})` : ''}` : '');
      const detail =
        `slot ${fact.slot}: ${seen.node} ${seen.verb} ${describeLogCommand(seen.command)}${b(seen.ballot, seen.quorum)} at t=${seen.t}, ` +
        `but ${node} ${verb} ${describeLogCommand(fact.command)}${b(ballot, quorum)} at t=${t}`;
      this.violation = { detail, at: atFact(noted) };
      this.changed();
    }
  }

  verdict(): Verdict {
    return this.violation ? this.failed() : pass('agreement', `${this.slots} slot(s), one command each`);
  }

  /** The client requests of the log, in slot order, each once (its first slot): the order they
   *  took effect in, if the protocol is right. */
  requestsInLogOrder(): { client: number; request_id: number }[] {
    const seen = new Set<string>();
    const order: { client: number; request_id: number }[] = [];
    for (const decided of this.first) {
      if (!decided) continue;
      for (const { client, request_id } of requestsIn(decided.command)) {
        const key = `${client}/${request_id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        order.push({ client, request_id });
      }
    }
    return order;
  }

  protected remember(): unknown {
    const commands = new Map<number, LogCommand>();
    this.first.forEach((seen, slot) => void (seen && commands.set(slot, seen.command)));
    return [this.violation !== undefined, commands];
  }
}

export class Validity extends OneVerdict {
  readonly names = Object.freeze(['validity'] as const);
  readonly kinds = Object.freeze(['invoke', 'decide', 'apply']);
  private invoked = RequestTable.empty<KvCommand>();
  private checked = 0;

  observe(noted: Noted): void {
    const { t, node, fact } = noted;
    if (this.violation) return;
    if (fact.kind === 'invoke') {
      this.invoked = this.invoked.set(fact.client, fact.request_id, fact.command);
      this.changed();
    }
    if (fact.kind !== 'decide' && fact.kind !== 'apply') return;
    for (const request of requestsIn(fact.command)) {
      this.checked++;
      const { client, request_id, command } = request;
      const sent = this.invoked.get(client, request_id);
      if (!sent || !sameKvCommand(sent, command)) {
        const within = fact.command.kind === 'batch' ? ` (in a batch of ${fact.command.requests.length} in slot ${fact.slot})` : '';
        this.violation = { detail: `${node} ${fact.kind === 'decide' ? 'decided' : 'applied'} ${describeLogCommand(request)}${within} at t=${t}, which no client sent`, at: atFact(noted) };
        this.changed();
        return;
      }
    }
  }

  verdict(): Verdict {
    return this.violation ? this.failed() : pass('validity', `${this.checked} decided/applied command(s), all sent by clients or no-ops`);
  }

  protected remember(): unknown {
    return [this.violation !== undefined, new Map(this.invoked.entries())];
  }
}

export class Integrity extends OneVerdict {
  readonly names = Object.freeze(['integrity'] as const);
  readonly kinds = Object.freeze(['apply']);
  /** Per node incarnation: who it is, and the slot each request was applied in, and when. */
  private applied = PMap<string, AppliedBy>();
  private count = 0;

  observe(noted: Noted): void {
    const { t, fact } = noted;
    if (this.violation || fact.kind !== 'apply' || !fact.fresh) return;
    const node = incarnation(noted);
    const applied = this.applied.get(node) ?? { node: noted.node, life: noted.life, where: RequestTable.empty<readonly [number, number]>() };
    let where = applied.where;
    this.changed();
    const requests = requestsIn(fact.command);
    for (let i = 0; i < requests.length; i++) {
      if (!(fact.outcomes?.[i]?.fresh ?? fact.fresh)) continue;
      const request = requests[i]!;
      const { client, request_id } = request;
      const before = where.get(client, request_id);
      if (before !== undefined) {
        const detail = `${node} applied ${describeLogCommand(request)} twice: slot ${before[0]} at t=${before[1]} and slot ${fact.slot} at t=${t}`;
        this.violation = { detail, at: atFact(noted) };
        break;
      }
      where = where.set(client, request_id, Object.freeze([fact.slot, t] as const));
      this.count++;
    }
    this.applied = this.applied.set(node, Object.freeze({ node: applied.node, life: applied.life, where }));
  }

  verdict(): Verdict {
    return this.violation ? this.failed() : pass('integrity', `${this.count} request application(s), none repeated on a node`);
  }

  /** The requests each node incarnation applied (not where or when: that changes no verdict). */
  protected remember(): unknown {
    return [this.violation !== undefined, new Set([...this.applied.values()].flatMap((a) => [...a.where.entries()].map(([request]) => [a.node, a.life, request])))];
  }
}

export class Order extends OneVerdict {
  readonly names = Object.freeze(['order'] as const);
  readonly kinds = Object.freeze(['apply']);
  /** Per node incarnation, the next slot it must apply (records replaced, never changed). */
  private next = PMap<string, { readonly node: string; readonly life: number; readonly slot: number }>();

  observe(noted: Noted): void {
    const { t, fact } = noted;
    if (this.violation || fact.kind !== 'apply' || fact.slot < 0) return;
    const node = incarnation(noted);
    const expected = this.next.get(node)?.slot ?? 0;
    this.changed();
    if (fact.slot !== expected) {
      this.violation = { detail: `${node} applied slot ${fact.slot} at t=${t} before slot ${expected}`, at: atFact(noted) };
      return;
    }
    this.next = this.next.set(node, Object.freeze({ node: noted.node, life: noted.life, slot: expected + 1 }));
  }

  verdict(): Verdict {
    return this.violation ? this.failed() : pass('order', `${this.next.size} node incarnation(s) applied their log in slot order`);
  }

  protected remember(): unknown {
    return [this.violation !== undefined, new Set([...this.next.values()].map((n) => [n.node, n.life, n.slot]))];
  }
}

/** What the convergence check needs of a learner at the end of a run. */
export interface LearnerEnd {
  readonly node: string;
  readonly up: boolean;
  readonly applied: number;
  readonly store: KvStore;
}

export function convergence(learners: readonly LearnerEnd[]): Verdict {
  const live = learners.filter((l) => l.up);
  if (live.length <= 1) return pass('convergence', `${live.length} live learner(s)`);
  const [reference, ...others] = live;
  const show = (s: KvStore): string => JSON.stringify(storeToObject(s));
  for (const other of others) {
    if (other.applied !== reference!.applied) {
      return fail('convergence', `${reference!.node} applied ${reference!.applied} slot(s) but ${other.node} applied ${other.applied}`);
    }
    if (show(other.store) !== show(reference!.store)) {
      return fail('convergence', `${reference!.node} holds ${show(reference!.store)} but ${other.node} holds ${show(other.store)}`);
    }
  }
  return pass('convergence', `${live.length} live learners applied ${reference!.applied} slot(s), store ${show(reference!.store)}`);
}

// ---- over a list of facts -------------------------------------------------------------------

/** Facts of other kinds than the kv family's pass the kv checks by. */
function over(check: OneVerdict, facts: readonly Noted<FactBase>[]): Verdict {
  for (const noted of facts) check.observe(noted as Noted<FactBase> as Noted);
  return check.verdict();
}

export const agreement = (facts: readonly Noted<FactBase>[]): Verdict => over(new Agreement(), facts);
export const validity = (facts: readonly Noted<FactBase>[]): Verdict => over(new Validity(), facts);
export const integrity = (facts: readonly Noted<FactBase>[]): Verdict => over(new Integrity(), facts);
export const order = (facts: readonly Noted<FactBase>[]): Verdict => over(new Order(), facts);
