/**
 * Run invariants: judges that read a run's trace (its facts) and the nodes' final states.
 *
 *  - agreement:   no two nodes decide or apply different commands for one slot;
 *  - validity:    every decided command was sent by a client, or is a no-op;
 *  - integrity:   no node applies one client request twice;
 *  - order:       every node applies the log in slot order, without skipping a slot;
 *  - convergence: at the end, every live learner has applied the same prefix and holds an
 *                 equal store;
 *  - liveness:    every client that is up at the end completed all its requests (per client).
 *
 * Each returns a `Verdict` (./verdict.ts); a failing one says where and why, in words.
 */
import { describeCommand, storeToObject, type KvCommand, type KvStore } from '../src/kv/kv.js';
import { ballotText, type Ballot, type LogCommand } from '../src/roles/messages.js';
import type { Fact, TraceEvent } from '../src/sim/trace.js';
import { fail, ok as pass, type Verdict } from './verdict.js';

export type { Verdict } from './verdict.js';

/** What the convergence check needs of a learner at the end of a run. */
export interface LearnerEnd {
  readonly node: string;
  readonly up: boolean;
  readonly applied: number;
  readonly store: KvStore;
}

/** A fact, where and when it was noted. `life` counts the node's restarts: a restarted node
 *  has lost its volatile state, so per-node checks (integrity, order) start afresh. */
export type Noted = { readonly t: number; readonly node: string; readonly life: number; readonly fact: Fact };

export function factsOf(trace: readonly TraceEvent[]): Noted[] {
  const out: Noted[] = [];
  const lives = new Map<string, number>();
  for (const e of trace) {
    if (e.kind === 'restart') lives.set(e.node, (lives.get(e.node) ?? 0) + 1);
    if (e.kind === 'note' && e.fact) out.push({ t: e.t, node: e.node, life: lives.get(e.node) ?? 0, fact: e.fact });
  }
  return out;
}

/** `leader 1`, or `leader 1 (after restart 2)`: a node's identity for per-node checks. */
const incarnation = (n: Noted): string => (n.life === 0 ? n.node : `${n.node} (after restart ${n.life})`);

export function describeLog(command: LogCommand): string {
  return command.kind === 'noop' ? 'NO-OP' : `${describeCommand(command.command)} (client ${command.client} request ${command.request_id})`;
}

export function sameCommand(a: LogCommand, b: LogCommand): boolean {
  if (a.kind === 'noop' || b.kind === 'noop') return a.kind === b.kind;
  return a.client === b.client && a.request_id === b.request_id && JSON.stringify(a.command) === JSON.stringify(b.command);
}


export function agreement(facts: readonly Noted[]): Verdict {
  const first = new Map<number, { node: string; t: number; command: LogCommand; ballot?: Ballot; verb: string }>();
  for (const { t, node, fact } of facts) {
    if ((fact.kind !== 'decide' && fact.kind !== 'apply') || fact.slot < 0) continue;
    const verb = fact.kind === 'decide' ? 'decided' : 'applied';
    const ballot = fact.kind === 'decide' ? fact.ballot : undefined;
    const seen = first.get(fact.slot);
    if (!seen) {
      first.set(fact.slot, { node, t, command: fact.command, verb, ...(ballot ? { ballot } : {}) });
    } else if (!sameCommand(seen.command, fact.command)) {
      const b = (x?: Ballot): string => (x ? ` under ballot ${ballotText(x)}` : '');
      return fail(
        'agreement',
        `slot ${fact.slot}: ${seen.node} ${seen.verb} ${describeLog(seen.command)}${b(seen.ballot)} at t=${seen.t}, ` +
          `but ${node} ${verb} ${describeLog(fact.command)}${b(ballot)} at t=${t}`,
      );
    }
  }
  return pass('agreement', `${first.size} slot(s), one command each`);
}

export function validity(facts: readonly Noted[]): Verdict {
  const invoked = new Map<string, KvCommand>();
  for (const { fact } of facts) if (fact.kind === 'invoke') invoked.set(`${fact.client}/${fact.request_id}`, fact.command);
  let checked = 0;
  for (const { t, node, fact } of facts) {
    if (fact.kind !== 'decide' && fact.kind !== 'apply') continue;
    if (fact.command.kind === 'noop') continue;
    checked++;
    const { client, request_id, command } = fact.command;
    const sent = invoked.get(`${client}/${request_id}`);
    if (!sent || JSON.stringify(sent) !== JSON.stringify(command)) {
      return fail('validity', `${node} ${fact.kind === 'decide' ? 'decided' : 'applied'} ${describeLog(fact.command)} at t=${t}, which no client sent`);
    }
  }
  return pass('validity', `${checked} decided/applied command(s), all sent by clients or no-ops`);
}

export function integrity(facts: readonly Noted[]): Verdict {
  const applied = new Map<string, { t: number; slot: number }>();
  for (const noted of facts) {
    const { t, fact } = noted;
    const node = incarnation(noted);
    if (fact.kind !== 'apply' || !fact.fresh || fact.command.kind === 'noop') continue;
    const key = `${node}|${fact.command.client}/${fact.command.request_id}`;
    const before = applied.get(key);
    if (before) {
      return fail(
        'integrity',
        `${node} applied ${describeLog(fact.command)} twice: slot ${before.slot} at t=${before.t} and slot ${fact.slot} at t=${t}`,
      );
    }
    applied.set(key, { t, slot: fact.slot });
  }
  return pass('integrity', `${applied.size} request application(s), none repeated on a node`);
}

export function order(facts: readonly Noted[]): Verdict {
  const next = new Map<string, number>();
  for (const noted of facts) {
    const { t, fact } = noted;
    const node = incarnation(noted);
    if (fact.kind !== 'apply' || fact.slot < 0) continue;
    const expected = next.get(node) ?? 0;
    if (fact.slot !== expected) {
      return fail('order', `${node} applied slot ${fact.slot} at t=${t} before slot ${expected}`);
    }
    next.set(node, expected + 1);
  }
  return pass('order', `${next.size} node incarnation(s) applied their log in slot order`);
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

/** What the liveness check needs of a client at the end of a run. */
export interface ClientEnd {
  readonly node: string;
  /** Requests it was to make. */
  readonly requests: number;
  /** Distinct requests whose result it received. */
  readonly completed: number;
  /** Down at the end: crashed with no restart before the run ended. Its shortfall is not the
   *  system's fault, so it is reported but not counted. */
  readonly down: boolean;
}

/**
 * Liveness, per client: every client that is up at the end completed all its requests. A
 * client that is down at the end is listed apart; one client's completions never make up for
 * another's shortfall. `why` explains a failure (what the run knows about why it stalled).
 */
export function liveness(clients: readonly ClientEnd[], ended: string, why: readonly string[] = []): Verdict {
  const judged = clients.filter((c) => !c.down);
  const down = clients.filter((c) => c.down);
  const short = judged.filter((c) => c.completed < c.requests);
  const total = (cs: readonly ClientEnd[], f: (c: ClientEnd) => number): number => cs.reduce((n, c) => n + f(c), 0);
  const downNote = down.length === 0 ? '' : `; down at the end, not judged: ${down.map((c) => `${c.node} (${c.completed}/${c.requests})`).join(', ')}`;
  if (short.length === 0) {
    if (judged.length === 0) return pass('liveness', `no client was up at the end${downNote}`);
    return pass('liveness', `${judged.length} client(s) up at the end completed all ${total(judged, (c) => c.requests)} requests${downNote}`);
  }
  const listed = short.slice(0, 8).map((c) => `${c.node}: ${c.completed}/${c.requests}`);
  if (short.length > 8) listed.push(`and ${short.length - 8} more`);
  const because = why.length === 0 ? '' : `; ${why.join('; ')}`;
  return fail(
    'liveness',
    `${short.length} of ${judged.length} client(s) up at the end did not complete their requests (${listed.join(', ')}); ` +
      `${total(judged, (c) => c.completed)}/${total(judged, (c) => c.requests)} requests completed before the run ended (${ended})${because}${downNote}`,
  );
}
