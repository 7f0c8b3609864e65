/**
 * Leader: proposer, learner and state machine in one (the seed's plan; "Paxos Made Moderately
 * Complex" splits the proposer into scouts and commanders — here they are the `preparing` and
 * `leading` states).
 *
 *   preparing  Phase 1 for every slot from the first one not yet applied: send
 *              prepare(ballot, from_slot) to all acceptors; on a quorum of promises ->
 *   leading    adopt, per slot, the value accepted under the highest ballot (a value that may
 *              have been chosen must be proposed again, unchanged), fill holes with no-ops,
 *              re-propose them all; then Phase 2 for client requests, up to `window` slots in
 *              flight, each slot holding up to `batch` queued requests (one accept round for
 *              the whole batch). A quorum of `accepted` decides a slot: apply in slot order,
 *              answer the clients after the apply, and tell the replicas and the other leaders.
 *   preempted  a nack carrying a higher ballot: stop proposing, put unfinished requests back in
 *              the queue, wait a random, growing backoff; then, if there is work, prepare again
 *              with a higher round — otherwise stand by until a request arrives.
 *
 * Reads go through the log like writes, so they are linearizable. Only the round is durable;
 * everything else a restarted leader recovers through Phase 1 from slot 0.
 */
import { and, setup, type MachineContext } from 'xstate';
import { apply, describeCommand, describeResult } from '../../kv/kv.js';
import { cachedResult } from '../../kv/rsm.js';
import { step } from '../../sim/outbox.js';
import { rngFromEntropy } from '../../sim/rng.js';
import {
  answerCatchUp,
  armCatchUp,
  CATCH_UP,
  catchUpTick,
  initialLearner,
  learn,
  learnBatch,
  type AppliedRequest,
  type LearnerState,
} from './learner.js';
import {
  ballotText,
  compareBallots,
  describeLogCommand,
  requestsIn,
  type Ballot,
  type Effect,
  type Fact,
  type Message,
  type LogCommand,
  type NodeEvent,
  type NodeId,
  type Outbox,
  type PValue,
  type RequestCommand,
} from './messages.js';
import { RequestQueue, type Queued } from './request-queue.js';
import type { Rules } from './rules.js';

export interface PaxosTiming {
  readonly window: number;
  /** Client requests a leader packs into one slot, at most. */
  readonly batch: number;
  readonly retry_ms: number;
  readonly backoff_min_ms: number;
  readonly backoff_max_ms: number;
  readonly catch_up_ms: number;
}

export interface LeaderInput {
  readonly id: number;
  readonly acceptors: readonly NodeId[];
  readonly replicas: readonly NodeId[];
  /** The other leaders. */
  readonly leaders: readonly NodeId[];
  readonly paxos: PaxosTiming;
  readonly rules: Rules;
  readonly disk?: LeaderDisk;
}

export interface LeaderDisk {
  /** The highest round this leader has used: a restart starts above it. */
  readonly round: number;
}

/** A slot in Phase 2 under the current ballot, and the acceptors that accepted it. */
interface Proposal {
  readonly command: LogCommand;
  /** One entry per acknowledgement counted. */
  readonly acks: readonly NodeId[];
  /** Retry ticks it has waited through: only proposals a whole tick old are re-sent. */
  readonly ticks: number;
}

/** The leader's state: its fixed setting (the input less its disk), what it has learned, and
 *  its proposer's state for the current ballot. */
export interface LeaderState extends LearnerState, MachineContext, Omit<LeaderInput, 'disk'> {
  readonly ballot: Ballot;
  /** The highest round seen anywhere: the next ballot goes above it. */
  readonly highestRound: number;
  /** Phase 1: the slot it started from, and the promises for `ballot` so far. */
  readonly fromSlot: number;
  readonly promises: ReadonlyMap<NodeId, readonly PValue[]>;
  /** Phase 2: slots in flight under `ballot`. */
  readonly proposals: ReadonlyMap<number, Proposal>;
  readonly nextSlot: number;
  /** Requests waiting for a slot. Changed in place (./request-queue.ts). */
  readonly queue: RequestQueue;
  /** Where to send each client's replies (the address its requests came from). */
  readonly clients: ReadonlyMap<number, NodeId>;
  /** The current backoff bound: doubles on each preemption, back to the minimum on progress. */
  readonly backoff_ms: number;
}

const RETRY = 'retry';
const BACKOFF = 'backoff';

// ---- Phase 1 ---------------------------------------------------------------------------------

/** Takes a ballot above every round seen and asks all acceptors for promises. */
function startPhase1(state: LeaderState, _event: NodeEvent, out: Outbox): LeaderState {
  const ballot = { round: state.highestRound + 1, leader: state.id };
  if (state.rules.durableLeaderRound) out.persist({ round: ballot.round } satisfies LeaderDisk);
  out.note(() => `PREPARE ballot ${ballotText(ballot)} from slot ${state.applied} -> ${listOf(state.acceptors)}`);
  out.broadcast(state.acceptors, { type: 'prepare', ballot, from_slot: state.applied });
  out.setTimer(RETRY, state.paxos.retry_ms);
  return { ...state, ballot, highestRound: ballot.round, fromSlot: state.applied, promises: new Map(), proposals: new Map() };
}

function recordPromise(state: LeaderState, event: NodeEvent, out: Outbox): LeaderState {
  if (event.type !== 'promise' || !state.rules.countsPromise(event.ballot, state.ballot) || state.promises.has(event.from)) return state;
  const promises = new Map(state.promises).set(event.from, event.accepted);
  out.note(() => `PROMISE from ${event.from} for ballot ${ballotText(state.ballot)} (${promises.size}/${quorumOf(state)})`);
  return { ...state, promises };
}

/**
 * Phase 1 done: for each slot from `fromSlot`, the value accepted under the highest ballot
 * among the promises must be proposed again (it may have been chosen); holes below the highest
 * such slot get no-ops, so the log has no gap that nobody will ever fill.
 */
function adoptAndPropose(state: LeaderState, _event: NodeEvent, out: Outbox): LeaderState {
  const adopted = state.rules.adoptsAcceptedValues ? highestBallotValues(state) : new Map<number, PValue>();
  let lastSlot = Math.max(state.fromSlot - 1, state.lastDecided);
  for (const slot of adopted.keys()) lastSlot = Math.max(lastSlot, slot);
  let proposals = new Map<number, Proposal>();
  let noops = 0;
  for (let slot = state.fromSlot; slot <= lastSlot; slot++) {
    if (state.decided.has(slot)) continue;
    const command: LogCommand = adopted.get(slot)?.command ?? { kind: 'noop' };
    if (command.kind === 'noop' && !adopted.has(slot)) noops++;
    proposals = proposals.set(slot, { command, acks: [], ticks: 0 });
  }
  out.note(
    () =>
      `LEADING with ballot ${ballotText(state.ballot)}: ${adopted.size} value(s) adopted, ${noops} hole(s) filled with no-ops, from slot ${state.fromSlot}`,
    { kind: 'lead', ballot: state.ballot, quorum: [...state.promises.keys()] },
  );
  for (const [slot, proposal] of proposals) sendAccept(state, slot, proposal.command, out);
  const nextSlot = state.rules.adoptsAcceptedValues ? lastSlot + 1 : state.fromSlot;
  return proposeQueued({ ...state, proposals, nextSlot }, out);
}

function highestBallotValues(state: LeaderState): Map<number, PValue> {
  const best = new Map<number, PValue>();
  for (const accepted of state.promises.values()) {
    for (const pv of accepted) {
      const current = best.get(pv.slot);
      if (pv.slot >= state.fromSlot && (!current || compareBallots(pv.ballot, current.ballot) > 0)) best.set(pv.slot, pv);
    }
  }
  return best;
}

// ---- Phase 2 ---------------------------------------------------------------------------------

/** Gives queued requests the next free slots, up to `batch` requests a slot, while fewer than
 *  `window` slots are in flight. A slot with one request holds the request itself. */
function proposeQueued(state: LeaderState, out: Outbox): LeaderState {
  if (state.queue.length === 0 || state.proposals.size >= state.paxos.window) return state;
  let { nextSlot } = state;
  const proposals = new Map(state.proposals);
  while (state.queue.length > 0 && proposals.size < state.paxos.window) {
    const requests = takeBatch(state);
    if (requests.length === 0) break;
    while (state.decided.has(nextSlot) || proposals.has(nextSlot)) nextSlot++;
    const command: LogCommand = requests.length === 1 ? requests[0]! : { kind: 'batch', requests };
    proposals.set(nextSlot, { command, acks: [], ticks: 0 });
    sendAccept(state, nextSlot, command, out);
    nextSlot++;
  }
  return { ...state, nextSlot, proposals };
}

/** Up to `batch` requests off the queue, skipping those applied already (answered retries). */
function takeBatch(state: LeaderState): RequestCommand[] {
  const requests: RequestCommand[] = [];
  while (requests.length < state.paxos.batch && state.queue.length > 0) {
    const request = state.queue.shift()!;
    if (state.rules.dedupRetries && alreadyApplied(state, request)) continue;
    requests.push({ kind: 'request', ...request });
  }
  return requests;
}

function sendAccept(state: LeaderState, slot: number, command: LogCommand, out: Outbox, to = state.acceptors): void {
  out.note(() => `PROPOSE slot ${slot} ballot ${ballotText(state.ballot)} ${describeLogCommand(command)} -> ${listOf(to)}`);
  out.broadcast(to, { type: 'accept', ballot: state.ballot, slot, command });
}

/** An acceptor accepted: on a quorum the slot is decided. */
function recordAccepted(state: LeaderState, event: NodeEvent, out: Outbox): LeaderState {
  if (event.type !== 'accepted' || !state.rules.countsAck(event.ballot, state.ballot)) return state;
  const proposal = state.proposals.get(event.slot);
  if (!proposal || (state.rules.distinctAcks && proposal.acks.includes(event.from))) return state;
  const acks = [...proposal.acks, event.from];
  if (acks.length < quorumOf(state)) {
    return { ...state, proposals: new Map(state.proposals).set(event.slot, { ...proposal, acks }) };
  }
  return decide(state, event.slot, proposal.command, acks, out);
}

/** `quorum`: the acceptors whose acknowledgements were counted (the fact names them, so the
 *  checks can see that they really accepted this command under this ballot). */
function decide(state: LeaderState, slot: number, command: LogCommand, quorum: Iterable<NodeId>, out: Outbox): LeaderState {
  const proposals = new Map(state.proposals);
  proposals.delete(slot);
  const counted = [...quorum];
  // The note names the quorum too: a reader of the trace sees which acceptors chose the value.
  out.note(() => `slot ${slot} DECIDED ${describeLogCommand(command)} (ballot ${ballotText(state.ballot)}, quorum ${counted.join(', ')})`, {
    kind: 'decide',
    slot,
    command,
    ballot: state.ballot,
    quorum: counted,
  });
  out.broadcast([...state.replicas, ...state.leaders], { type: 'decision', slot, command });
  const [learned, applied] = learn({ ...state, proposals, backoff_ms: state.paxos.backoff_min_ms }, slot, command, state.rules, out);
  replyToClients(learned, applied, out);
  return proposeQueued(learned, out);
}

/** The retry timer: re-send what has not been answered (messages may have been lost). */
function resend(state: LeaderState, _event: NodeEvent, out: Outbox, phase: 'prepare' | 'accept'): LeaderState {
  out.setTimer(RETRY, state.paxos.retry_ms);
  if (phase === 'prepare') {
    const silent = state.acceptors.filter((a) => !state.promises.has(a));
    out.note(() => `RETRY prepare ballot ${ballotText(state.ballot)} -> ${listOf(silent)}`);
    out.broadcast(silent, { type: 'prepare', ballot: state.ballot, from_slot: state.fromSlot });
    return state;
  }
  const proposals = new Map<number, Proposal>();
  for (const [slot, proposal] of state.proposals) {
    if (proposal.ticks >= 1) sendAccept(state, slot, proposal.command, out, state.acceptors.filter((a) => !proposal.acks.includes(a)));
    proposals.set(slot, { ...proposal, ticks: proposal.ticks + 1 });
  }
  return { ...state, proposals };
}

// ---- Preemption ------------------------------------------------------------------------------

/** A higher ballot exists: give up this one, queue unfinished requests again, back off. */
function backOff(state: LeaderState, event: NodeEvent, out: Outbox): LeaderState {
  const promised = event.type === 'nack' ? event.promised : state.ballot;
  const requeued = [...state.proposals.values()].flatMap((p) => requestsIn(p.command).map(queued));
  const delay = rngFromEntropy(event.entropy).int(state.paxos.backoff_min_ms, state.backoff_ms);
  out.cancelTimer(RETRY);
  out.setTimer(BACKOFF, delay);
  out.note(() => `PREEMPTED by ballot ${ballotText(promised)}: ${requeued.length} request(s) back in the queue, backing off ${delay}ms`);
  state.queue.putFirst(requeued);
  return {
    ...state,
    highestRound: Math.max(state.highestRound, promised.round),
    proposals: new Map(),
    promises: new Map(),
    backoff_ms: state.rules.backoffDoubles ? Math.min(state.paxos.backoff_max_ms, state.backoff_ms * 2) : state.backoff_ms,
  };
}

// ---- Clients ---------------------------------------------------------------------------------

/** A client request: answer a retry from the client table, else queue it (once). */
function receiveRequest(state: LeaderState, event: NodeEvent, out: Outbox): LeaderState {
  if (event.type !== 'request') return state;
  const { client, request_id, command } = event;
  // A client always writes from the same address: copy the table only when it changes.
  const clients = state.clients.get(client) === event.from ? state.clients : new Map(state.clients).set(client, event.from);
  const known = cachedResult(state.rsm, client, request_id);
  if (state.rules.dedupRetries && known) {
    out.note(() => `${describeCommand(command)} (client ${client} request ${request_id}) already applied: answering from the client table`);
    out.send(event.from, { type: 'reply', request_id, result: known });
    return { ...state, clients };
  }
  if (!state.rules.readsThroughLog && command.op === 'get') {
    const [, result] = apply(state.rsm.store, command);
    out.note(() => `${describeCommand(command)} answered from the local store -> ${describeResult(result)}`);
    out.send(event.from, { type: 'reply', request_id, result });
    return { ...state, clients };
  }
  if (!inProgress(state, client, request_id)) state.queue.push({ client, request_id, command });
  return clients === state.clients ? state : { ...state, clients };
}

function replyToClients(state: LeaderState, applied: readonly AppliedRequest[], out: Outbox): void {
  for (const { client, request_id, result } of applied) {
    const address = state.clients.get(client);
    if (address && result) out.send(address, { type: 'reply', request_id, result });
  }
}

// ---- Learning from others --------------------------------------------------------------------

/** Another leader decided `slot`: learn it; if we had another command there, queue it again. */
function learnDecision(state: LeaderState, event: NodeEvent, out: Outbox): LeaderState {
  if (event.type !== 'decision') return state;
  const { slot, command } = event;
  if (state.decided.has(slot) || slot < state.applied) return state;
  out.observe({ kind: 'decide', slot, command });
  const mine = state.proposals.get(slot);
  const chosen = requestsIn(command);
  const displaced = mine ? requestsIn(mine.command).filter((r) => !chosen.some((c) => sameRequest(c, r))).map(queued) : [];
  state.queue.putFirst(displaced);
  const proposals = new Map(state.proposals);
  proposals.delete(slot);
  const [learned, applied] = learn({ ...state, proposals }, slot, command, state.rules, out);
  replyToClients(learned, applied, out);
  return { ...learned, nextSlot: Math.max(learned.nextSlot, slot + 1) };
}

function learnDecisions(state: LeaderState, event: NodeEvent, out: Outbox): LeaderState {
  if (event.type !== 'decisions') return state;
  const [learned, applied] = learnBatch(state, event.entries, state.rules, out);
  replyToClients(learned, applied, out);
  return learned;
}

// ---- Helpers ---------------------------------------------------------------------------------

const quorumOf = (state: LeaderState): number => state.rules.quorum(state.acceptors.length);
const sameBallot = (a: Ballot, b: Ballot): boolean => compareBallots(a, b) === 0;
const listOf = (nodes: readonly NodeId[]): string => (nodes.length === 0 ? 'nobody' : nodes.join(', '));
const queued = (c: RequestCommand): Queued => ({ client: c.client, request_id: c.request_id, command: c.command });

/** The same client request. */
const sameRequest = (a: Queued, b: Queued): boolean => a.client === b.client && a.request_id === b.request_id;

function alreadyApplied(state: LeaderState, r: Queued): boolean {
  const session = state.rsm.sessions.get(r.client);
  return session !== undefined && session.request_id >= r.request_id;
}

/** Is the request waiting in the queue, or in a slot in flight? */
function inProgress(state: LeaderState, client: number, request_id: number): boolean {
  if (state.queue.has(client, request_id)) return true;
  for (const p of state.proposals.values()) {
    for (const r of requestsIn(p.command)) if (r.client === client && r.request_id === request_id) return true;
  }
  return false;
}

const isTimer = (name: string) => ({ event }: { event: NodeEvent }) => event.type === 'timeout' && event.timer === name;

export const leaderMachine = setup({
  types: { context: {} as LeaderState, events: {} as NodeEvent, input: {} as LeaderInput, emitted: {} as Effect },
  guards: {
    completesPromiseQuorum: ({ context, event }) =>
      event.type === 'promise' &&
      context.rules.countsPromise(event.ballot, context.ballot) &&
      !context.promises.has(event.from) &&
      context.promises.size + 1 >= quorumOf(context),
    preemptsUs: ({ context, event }) =>
      event.type === 'nack' && sameBallot(event.ballot, context.ballot) && compareBallots(event.promised, context.ballot) > 0,
    hasWork: ({ context }) => context.queue.length > 0,
    preparesAgain: ({ context }) => context.rules.preparesAfterPreemption,
    isRetryTimer: isTimer(RETRY),
    isBackoffTimer: isTimer(BACKOFF),
    isCatchUpTimer: isTimer(CATCH_UP),
  },
  actions: {
    startPhase1: step(startPhase1),
    recordPromise: step(recordPromise),
    adoptAndPropose: step(adoptAndPropose),
    recordAccepted: step(recordAccepted),
    resendPrepare: step<LeaderState, NodeEvent, Message, Fact>((s, e, out) => resend(s, e, out, 'prepare')),
    resendAccepts: step<LeaderState, NodeEvent, Message, Fact>((s, e, out) => resend(s, e, out, 'accept')),
    backOff: step(backOff),
    receiveRequest: step(receiveRequest),
    /** Leading: a request goes into the queue, and straight into a slot if the window has room
     *  (one action, not two: each XState action costs a few kilobytes of garbage). */
    receiveAndPropose: step<LeaderState, NodeEvent, Message, Fact>((s, e, out) => proposeQueued(receiveRequest(s, e, out), out)),
    learnDecision: step(learnDecision),
    learnDecisions: step(learnDecisions),
    answerCatchUp: step<LeaderState, NodeEvent, Message, Fact>((s, e, out) => {
      if (e.type === 'catch-up') answerCatchUp(s, s.rules, e.from, e.from_slot, out);
      return s;
    }),
    armCatchUp: step<LeaderState, NodeEvent, Message, Fact>((s, _e, out) => armCatchUp(s, s.paxos.catch_up_ms, out)),
    catchUp: step<LeaderState, NodeEvent, Message, Fact>((s, _e, out) => catchUpTick(s, s.paxos.catch_up_ms, out)),
  },
}).createMachine({
  id: 'leader',
  context: ({ input }) => ({
    ...initialLearner([...input.leaders, ...input.replicas]),
    id: input.id,
    acceptors: input.acceptors,
    replicas: input.replicas,
    leaders: input.leaders,
    paxos: input.paxos,
    rules: input.rules,
    ballot: { round: input.disk?.round ?? 0, leader: input.id },
    highestRound: input.disk?.round ?? 0,
    fromSlot: 0,
    promises: new Map(),
    proposals: new Map(),
    nextSlot: 0,
    queue: new RequestQueue(),
    clients: new Map(),
    backoff_ms: input.paxos.backoff_min_ms,
  }),
  initial: 'starting',
  on: {
    decision: { actions: 'learnDecision' },
    decisions: { actions: 'learnDecisions' },
    'catch-up': { actions: 'answerCatchUp' },
    timeout: { guard: 'isCatchUpTimer', actions: 'catchUp' },
  },
  states: {
    starting: {
      on: { start: { target: 'preparing', actions: 'armCatchUp' } },
    },
    preparing: {
      entry: 'startPhase1',
      on: {
        promise: [{ guard: 'completesPromiseQuorum', target: 'leading', actions: 'recordPromise' }, { actions: 'recordPromise' }],
        nack: { guard: 'preemptsUs', target: 'preempted' },
        request: { actions: 'receiveRequest' },
        timeout: { guard: 'isRetryTimer', actions: 'resendPrepare' },
      },
    },
    leading: {
      entry: 'adoptAndPropose',
      on: {
        request: { actions: 'receiveAndPropose' },
        accepted: { actions: 'recordAccepted' },
        nack: { guard: 'preemptsUs', target: 'preempted' },
        timeout: { guard: 'isRetryTimer', actions: 'resendAccepts' },
      },
    },
    preempted: {
      entry: 'backOff',
      initial: 'backingOff',
      states: {
        backingOff: {
          on: {
            request: { actions: 'receiveRequest' },
            timeout: [
              { guard: and(['isBackoffTimer', 'hasWork', 'preparesAgain']), target: '#leader.preparing' },
              { guard: 'isBackoffTimer', target: 'standingBy' },
            ],
          },
        },
        standingBy: {
          always: { guard: and(['hasWork', 'preparesAgain']), target: '#leader.preparing' },
          on: { request: { actions: 'receiveRequest' } },
        },
      },
    },
  },
});
