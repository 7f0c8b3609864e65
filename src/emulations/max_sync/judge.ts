/**
 * The checks of a max-sync run, read from its facts as they stream:
 *
 *  - monotonicity: no server's number ever goes down, across crashes too (a restarted server
 *    starts from its disk, which must hold at least what it last held);
 *  - validity:     every number a server holds was sent by a client, or is the initial 0;
 *  - convergence:  at the end every live server holds the same number, at least the largest
 *                  number any server acknowledged (an acknowledged write is never lost);
 *  - liveness:     every client up at the end had all its writes acknowledged.
 *
 * And the figures Maelstrom's broadcast workload reports: how long after the last
 * acknowledged write the servers converged, and messages per client write.
 */
import type { NodeView } from '../../sim/router.js';
import type { TraceEvent } from '../../sim/trace.js';
import { liveness } from '../../../specs/liveness.js';
import { fail, guarded, ok, unknown, type Verdict, type VerdictAt } from '../../../specs/verdict.js';
import { forkOf, PMap, PSet } from '../../util/persistent.js';
import type { JudgeOptions, RunEnd, RunJudge } from '../api/emulation.js';
import type { MaxSyncConfig } from './config.js';
import type { Fact, Message } from './messages.js';

interface ServerCtx {
  readonly value?: number;
}

export function maxSyncJudge(config: MaxSyncConfig, _options: JudgeOptions): RunJudge<Message, Fact> {
  return new MaxSyncJudge(config.workload.messages);
}

/** The judge's memory is in its fields: numbers, frozen records and persistent collections
 *  (../../util/persistent.ts), so a fact costs O(log n) and a model checker forks it in O(1). */
class MaxSyncJudge implements RunJudge<Message, Fact> {
  private last = PMap<string, { readonly value: number; readonly t: number }>();
  private sent = PSet<number>([0]);
  private acked = PMap<string, PSet<number>>();
  /** `sent` as `memory` gives it (frozen, until a client writes again). */
  private sentMemo: ReadonlySet<number> | undefined;
  private maxAcked: { value: number; by: string; t: number } | undefined;
  private lastAckT = 0;
  private lastRaiseT = 0;
  private writes = 0;
  private decrease: { detail: string; at: VerdictAt } | undefined;
  private invalid: { detail: string; at: VerdictAt } | undefined;

  /** Facts come in notes only: the router builds no other events for this judge. */
  readonly reads = ['note'] as const;

  constructor(private readonly messages: number) {}

  /** `event`: the event's index in the trace (where a check first failed). */
  observe(e: TraceEvent<Message, Fact>, event: number): void {
    if (e.kind !== 'note' || !e.fact) return;
    const fact = e.fact;
    if (fact.kind === 'write') {
      if (!this.sent.has(fact.value)) {
        this.sent = this.sent.add(fact.value);
        this.sentMemo = undefined;
      }
      this.writes++;
    } else if (fact.kind === 'acked') {
      this.acked = this.acked.set(e.node, (this.acked.get(e.node) ?? PSet<number>()).add(fact.seq));
      this.lastAckT = e.t;
      if (!this.maxAcked || fact.value > this.maxAcked.value) this.maxAcked = Object.freeze({ value: fact.value, by: e.node, t: e.t });
    } else if (fact.kind === 'held') {
      const before = this.last.get(e.node);
      if (!this.decrease && before && fact.value < before.value) {
        const detail = `${e.node} held ${before.value} at t=${before.t}, then ${fact.value} at t=${e.t} (${fact.cause === 'start' ? 'after a restart' : `by a ${fact.cause}`})`;
        this.decrease = { detail, at: { t: e.t, event } };
      }
      if (!this.invalid && !this.sent.has(fact.value)) this.invalid = { detail: `${e.node} held ${fact.value} at t=${e.t}, which no client sent`, at: { t: e.t, event } };
      this.last = this.last.set(e.node, Object.freeze({ value: fact.value, t: e.t }));
      if (fact.cause !== 'start') this.lastRaiseT = e.t;
    }
  }

  finish(end: RunEnd) {
    const { last, sent, acked, maxAcked } = this;
    const servers = end.views.filter((v) => v.role === 'server');
    const clients = end.views
      .filter((v) => v.role === 'client')
      .map((v) => ({ node: v.id, requests: this.messages, completed: acked.get(v.id)?.size ?? 0, down: v.status === 'crashed' }));
    const stalled = clients.some((c) => !c.down && c.completed < c.requests);
    const cut = (name: string): Verdict => unknown(name, `not judged: ${end.cut}`);
    const verdicts: Verdict[] = [
      guarded('monotonicity', () => this.monotonicity() ?? ok('monotonicity', `${last.size} server(s), no number went down`)),
      guarded('validity', () => this.validity() ?? ok('validity', `every number held was sent by a client (${sent.size - 1} distinct), or is 0`)),
      end.cut ? cut('convergence') : guarded('convergence', () => convergence(servers, maxAcked)),
      end.cut
        ? cut('liveness')
        : guarded('liveness', () => liveness(clients, `${end.summary.reason} at t=${end.summary.time_ms}`, stalled ? [...end.stalled, ...serverReasons(servers)] : [], 'writes')),
    ];
    const done = clients.reduce((n, c) => n + c.completed, 0);
    const counts = [
      `writes acknowledged: ${done}/${clients.reduce((n, c) => n + c.requests, 0)}`,
      `converged ${Math.max(0, this.lastRaiseT - this.lastAckT)} ms after the last acknowledged write; ${this.writes === 0 ? 0 : (end.summary.sent / this.writes).toFixed(1)} messages per client write`,
    ];
    return { verdicts, counts };
  }

  fork(): MaxSyncJudge {
    return forkOf(this);
  }

  violations(): Verdict[] {
    return [this.monotonicity(), this.validity()].filter((v): v is Verdict => v !== undefined);
  }

  /** What later safety verdicts depend on: each server's last number, the numbers sent. */
  memory(): unknown {
    this.sentMemo ??= Object.freeze(new Set(this.sent));
    return [this.decrease !== undefined, this.invalid !== undefined, new Map([...this.last].map(([node, held]) => [node, held.value])), this.sentMemo];
  }

  private monotonicity(): Verdict | undefined {
    return this.decrease ? fail('monotonicity', this.decrease.detail, this.decrease.at) : undefined;
  }

  private validity(): Verdict | undefined {
    return this.invalid ? fail('validity', this.invalid.detail, this.invalid.at) : undefined;
  }
}

function convergence(servers: readonly NodeView[], maxAcked: { value: number; by: string; t: number } | undefined): Verdict {
  const live = servers.filter((s) => s.status === 'up');
  if (live.length === 0) return ok('convergence', 'no live server');
  const values = live.map((s) => ({ node: s.id, value: (s.context as ServerCtx | undefined)?.value ?? 0 }));
  const [first, ...rest] = values;
  const other = rest.find((v) => v.value !== first!.value);
  if (other) return fail('convergence', `${first!.node} holds ${first!.value} but ${other.node} holds ${other.value}`);
  if (maxAcked && first!.value < maxAcked.value) {
    return fail('convergence', `every live server holds ${first!.value}, but ${maxAcked.by}'s write of ${maxAcked.value} was acknowledged at t=${maxAcked.t}`);
  }
  return ok('convergence', `${live.length} live server(s) hold ${first!.value}${maxAcked ? ` (the largest acknowledged write: ${maxAcked.value})` : ''}`);
}

function serverReasons(servers: readonly NodeView[]): string[] {
  return servers.some((s) => s.status === 'up') ? [] : ['no server is up: no write can be acknowledged'];
}
