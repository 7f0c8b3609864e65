/**
 * The judge of a kv emulation's run (kv_store, MultiPaxos): it reads the facts as they stream
 * and gives, in order, linearizability of the client history, the replicated-log checks
 * (./log-checks.ts), convergence of the learners' stores and per-client liveness, with the
 * reasons a stalled run stalled. An emulation may add checks of its own facts (MultiPaxos: its
 * protocol invariants). For a model checker the judge can be forked, says which safety checks
 * failed so far, and what it remembers (see `FactCheck`).
 */
import type { Rsm } from '../../kv/rsm.js';
import type { NodeView } from '../../sim/router.js';
import type { FactBase, TraceEvent } from '../../sim/trace.js';
import { at, forkOf, List, RequestTable } from '../../util/persistent.js';
import { formatMpkvHistory, invokeEvent, okEvent, type MpkvHistoryEvent } from '../../../specs/formats/mpkv.js';
import { liveness, type ClientEnd } from '../../../specs/liveness.js';
import { guarded, unknown, type Verdict, type VerdictAt } from '../../../specs/verdict.js';
import type { ClientHistory, JudgeOptions, RunEnd, RunJudge } from '../api/emulation.js';
import { linearizabilityJudgeWith } from './linearizability.js';
import { Agreement, atFact, convergence, FactReader, Integrity, Order, Validity, type FactCheck, type LearnerEnd } from './log-checks.js';
import type { KvFact } from './messages.js';

/** What a run's facts add up to, for the summary and for explaining a stall. */
export interface KvTally {
  /** Distinct requests answered, per client node. */
  readonly completed: ReadonlyMap<string, number>;
  /** Requests re-sent after a timeout. */
  readonly retries: number;
  /** Slots decided by the node that counted the quorum (facts with a ballot). */
  readonly decided: number;
}

export interface KvJudgeSpec<F extends FactBase = KvFact> {
  /** Requests each client makes. */
  readonly requests: number;
  /** The nodes whose stores must converge (leaders and replicas; the kv server). */
  isLearner(view: NodeView): boolean;
  /** Why a run whose clients did not finish stalled, beyond what the core knows. */
  stallReasons(end: RunEnd, tally: KvTally): readonly string[];
  /** The emulation's own checks of its facts (a protocol's invariants), after the log checks. */
  protocolChecks?(): readonly FactCheck<F>[];
}

export function kvJudge<F extends FactBase = KvFact>(spec: KvJudgeSpec<F>, options: JudgeOptions): RunJudge<never, F> {
  return new KvJudge<F>(Object.freeze({ ...spec }) as Readonly<KvJudgeSpec<F>>, Object.freeze({ ...options }));
}

/**
 * The judge. Everything it keeps is a number, a frozen record or a persistent collection
 * (../../util/persistent.ts), and so is everything its checks keep: a fact costs O(log n)
 * however long the run, and a model checker, which forks the judge at every step of every path,
 * forks it in O(1) (its fields and each check's fields copied, the collections shared). The spec
 * and options are frozen, shared.
 */
class KvJudge<F extends FactBase> implements RunJudge<never, F> {
  private reader = new FactReader<F>();
  /** The log checks (they read the kv facts), then the emulation's own. */
  private checks: readonly FactCheck<F>[];
  /** Per fact kind, the checks that read it. */
  private readonly readers: ReadonlyMap<string, readonly number[]>;
  /** The client history, each event with where it was noted (for the step at which
   *  linearizability broke). */
  private history_ = List<HistoryEntry>();
  /** The requests answered, by (client, request id), and per client its node and how many. */
  private answered = RequestTable.empty<true>();
  private completedBy = List<readonly [node: string, count: number] | undefined>();
  private retries = 0;
  private decided = 0;
  /** The linearizability verdict of the history as it was after its last completion. */
  private linearizable: Verdict | undefined;
  /** The last completion, and whether the history has been judged since it. */
  private lastCompletion: VerdictAt | undefined;
  private judgedSinceCompletion = true;
  /** The history as `memory` gives it (frozen, until the history grows). */
  private untimed: unknown;

  constructor(
    private readonly spec: Readonly<KvJudgeSpec<F>>,
    private readonly options: Readonly<JudgeOptions>,
  ) {
    // The agreement check first: its log is linearizability's witness (`agreement()`).
    const log: FactCheck[] = [new Agreement(), new Validity(), new Integrity(), new Order()];
    this.checks = [...(log as FactCheck<FactBase>[] as FactCheck<F>[]), ...(spec.protocolChecks?.() ?? [])];
    const readers = new Map<string, number[]>();
    this.checks.forEach((check, i) => check.kinds.forEach((kind) => readers.set(kind, [...(readers.get(kind) ?? []), i])));
    this.readers = readers;
  }

  /** Facts come in notes only: the router builds no other events for this judge. */
  readonly reads = FactReader.reads;

  /** `index`: the event's place in the trace (where a check first failed). */
  observe(event: TraceEvent<never, F>, index: number): void {
    const noted = this.reader.read(event, index);
    if (!noted) return;
    for (const i of this.readers.get(noted.fact.kind) ?? []) this.checks[i]!.observe(noted);
    const fact = noted.fact as FactBase as KvFact;
    if (fact.kind === 'invoke') {
      this.history_ = this.history_.push(
        Object.freeze({ event: Object.freeze(invokeEvent(fact.client, fact.command, noted.t)), at: atFact(noted) }),
      );
      this.untimed = undefined;
    } else if (fact.kind === 'complete') {
      this.lastCompletion = atFact(noted);
      this.history_ = this.history_.push(
        Object.freeze({
          event: Object.freeze(okEvent(fact.client, fact.command, fact.result, noted.t)),
          at: this.lastCompletion,
        }),
      );
      this.untimed = undefined;
      this.judgedSinceCompletion = false;
      this.countAnswer(noted.node, fact.client, fact.request_id);
    } else if (fact.kind === 'retry') this.retries++;
    else if (fact.kind === 'decide' && fact.ballot !== undefined) this.decided++;
  }

  finish(end: RunEnd) {
    const { spec, retries, decided } = this;
    const completed = new Map<string, number>();
    for (const entry of this.completedBy.toArray()) if (entry) completed.set(entry[0], entry[1]);
    const clients = clientEnds(end.views, spec.requests, completed);
    const stalled = clients.some((c) => !c.down && c.completed < c.requests);
    const why = (): string[] => [...end.stalled, ...spec.stallReasons(end, { completed, retries, decided })];
    const ended = (name: string, check: () => Verdict): Verdict =>
      end.cut ? unknown(name, `not judged: ${end.cut}`) : guarded(name, check);
    const verdicts: Verdict[] = [
      // A failure names the first completion after which the history was not linearizable.
      guarded('linearizability', () => this.linearizability(this.history_.toArray().map((h) => h.at))),
      ...this.checks.flatMap((check) => guardedAll(check)),
      ended('convergence', () => convergence(learnerEnds(end.views, spec))),
      ended('liveness', () => liveness(clients, `${end.summary.reason} at t=${end.summary.time_ms}`, stalled ? why() : [])),
    ];
    const down = clients.filter((c) => c.down).length;
    const counts = [
      `requests completed: ${sum(clients.map((c) => c.completed))}/${sum(clients.map((c) => c.requests))}`,
      ...(down > 0 ? [`clients down at the end: ${down}`] : []),
    ];
    return { verdicts, counts };
  }

  history(): ClientHistory {
    const events = this.historyEvents();
    return { model: 'kv', text: () => formatMpkvHistory(events) };
  }

  fork(): KvJudge<F> {
    const copy = forkOf(this);
    copy.reader = this.reader.fork();
    copy.checks = this.checks.map((check) => check.fork());
    return copy;
  }

  /** The safety checks failed so far; linearizability is judged again after each completion
   *  (a new invocation alone cannot make a history non-linearizable). */
  violations(): Verdict[] {
    const failed = this.checks.flatMap((check) => check.failures());
    if (!this.judgedSinceCompletion) {
      this.judgedSinceCompletion = true;
      const verdict = guarded('linearizability', () => this.linearizability());
      // Judged after every completion: the one that broke it is the first bad step.
      this.linearizable = verdict.status === 'fail' && this.lastCompletion ? { ...verdict, at: this.lastCompletion } : verdict;
    }
    return this.linearizable?.status === 'fail' ? [this.linearizable, ...failed] : failed;
  }

  /** The client history without times (its line order is its real-time order), each check's
   *  memory, and the nodes' restarts. */
  memory(): unknown {
    this.untimed ??= Object.freeze(this.history_.toArray().map(untimedOf));
    return [this.untimed, this.reader.memory(), ...this.checks.map((check) => check.memory())];
  }

  /** The history judged, with the log's order offered as a witness (unless told not to);
   *  `at`: where each event was noted, for the first bad completion of a failure. */
  private linearizability(at?: readonly VerdictAt[]): Verdict {
    const witness = this.options.witness === false ? undefined : this.agreement().requestsInLogOrder();
    return linearizabilityJudgeWith(this.options.check ?? {})(this.historyEvents(), witness, at);
  }

  private historyEvents(): MpkvHistoryEvent[] {
    return this.history_.toArray().map((h) => h.event);
  }

  /** A client's answer to (client, request id): counted once, however often it comes. */
  private countAnswer(node: string, client: number, request_id: number): void {
    if (this.answered.get(client, request_id)) return;
    this.answered = this.answered.set(client, request_id, true);
    this.completedBy = this.completedBy.set(client, [node, (at(this.completedBy, client)?.[1] ?? 0) + 1]);
  }

  /** The agreement check (its log is the witness), as this judge holds it now. */
  private agreement(): Agreement {
    return this.checks[0] as unknown as Agreement;
  }
}

/** A check's verdicts; if the check itself throws, one `unknown` verdict says so. */
function guardedAll<F extends FactBase>(check: FactCheck<F>): Verdict[] {
  try {
    return check.verdicts();
  } catch (error) {
    return check.names.map((name) => guarded(name, () => {
      throw error;
    }));
  }
}

/** A client history event, and where it was noted. */
interface HistoryEntry {
  readonly event: MpkvHistoryEvent;
  readonly at: VerdictAt;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

function clientEnds(views: readonly NodeView[], requests: number, completed: ReadonlyMap<string, number>): ClientEnd[] {
  return views
    .filter((v) => v.role === 'client')
    .map((v) => ({ node: v.id, requests, completed: completed.get(v.id) ?? 0, down: v.status === 'crashed' }));
}

function learnerEnds(views: readonly NodeView[], spec: Pick<KvJudgeSpec<FactBase>, 'isLearner'>): LearnerEnd[] {
  return views.filter(spec.isLearner).map((v) => {
    const context = v.context as { applied?: number; rsm?: Rsm } | undefined;
    return { node: v.id, up: v.status === 'up', applied: context?.applied ?? 0, store: context?.rsm?.store ?? new Map() };
  });
}

/** Was a node down, or a partition in force, at the end (the core's `stalled` says which)? */
export const downOrCutOff = (end: RunEnd): boolean => end.partitions.length > 0 || end.views.some((v) => v.status === 'crashed');

/**
 * Nothing was down or cut off, yet the clients did not finish: the requests were too slow.
 * What was done against what was needed, and the keys that change it (kv emulations share it).
 * Messages the network lost are said by the core (`RunEnd.stalled`); when it lost every one,
 * that is the whole story, and nothing is added.
 */
export function slowRunReasons(
  end: RunEnd,
  tally: KvTally,
  cfg: { clients: number; requests: number; time_limit_ms: number; timeout_ms: number },
  /** The protocol's own figures and knobs (decided slots per second, its window). */
  protocol: readonly string[] = [],
): string[] {
  const { lost, sent } = end.summary;
  if (lost > 0 && lost === sent) return [];
  const seconds = Math.max(end.summary.time_ms, 1) / 1000;
  const needed = cfg.clients * cfg.requests;
  const completed = sum([...tally.completed.values()]);
  const per = (n: number): string => `${(n / seconds).toFixed(1)}/s`;
  const slow = lost > 0 ? 'nothing was down or cut off, but lost messages cost retries: the requests were too slow' : 'nothing was down or cut off: the requests were too slow';
  const lines = [
    `${slow}. ${completed}/${needed} requests completed in ${end.summary.time_ms} ms (${per(completed)}); ` +
      `finishing in time_limit_ms needs ${(needed / (cfg.time_limit_ms / 1000)).toFixed(1)}/s`,
    ...protocol,
  ];
  if (tally.retries > 0) {
    lines.push(
      `clients re-sent requests ${tally.retries} time(s) after workload.timeout_ms = ${cfg.timeout_ms} ms without a reply: ` +
        `retries add load; raise workload.timeout_ms when replies are merely slow`,
    );
  }
  lines.push(`or give the run longer: time_limit_ms = ${cfg.time_limit_ms}`);
  return lines;
}

/**
 * Each history entry's event without its time, as `memory` gives it: made and frozen the first
 * time a model checker asks, then the same object for every judge that shares the entry (so the
 * checker fingerprints it once). A cache keyed by the frozen entry, not state: it gives what
 * it would compute. Made lazily so that `mpkv run`, which never asks, keeps no second copy of
 * its history.
 */
const untimedEvents = new WeakMap<HistoryEntry, MpkvHistoryEvent>();
function untimedOf(entry: HistoryEntry): MpkvHistoryEvent {
  let untimed = untimedEvents.get(entry);
  if (!untimed) {
    const { time: _time, ...event } = entry.event;
    untimedEvents.set(entry, (untimed = Object.freeze(event) as MpkvHistoryEvent));
  }
  return untimed;
}
