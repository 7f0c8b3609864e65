/**
 * The learner half shared by leaders and replicas: a log of decided slots, applied strictly in
 * slot order to a replicated state machine (early decisions wait in the log for the gap before
 * them to fill), and gap repair: a learner that may have missed decisions asks another learner
 * (`catch-up`) and is answered with a `decisions` batch.
 *
 * When to ask: every `catch_up_ms`, if a gap is visible (a decision beyond the next slot to
 * apply) or if it heard no new decision in that time. A lost decision at the tail of the log
 * leaves no gap to see, so a quiet learner keeps asking (peers in turn, so a peer that is
 * behind too is not the only one asked); while decisions flow, nobody polls.
 *
 * The decided log only ever grows, and no transition needs its previous version, so it is
 * extended in place rather than copied: copying it on every decision made a long run
 * quadratic (see `npm run bench`). The state machine (store and client table) is changed in
 * place for the same reason. Everything else in the state is replaced, not mutated.
 */
import { describeCommand, describeResult } from '../../kv/kv.js';
import { applyRequestInPlace, newRsm, type MutableRsm } from '../../kv/rsm.js';
import { describeLogCommand, type Decided, type LogCommand, type NodeId, type Outbox, type RequestCommand, type RequestOutcome } from './messages.js';
import type { Rules } from './rules.js';

export interface LearnerState {
  /** Decided commands by slot (a slot is decided once, forever). Grows in place. */
  readonly decided: Map<number, LogCommand>;
  /** The highest decided slot (-1: none). */
  readonly lastDecided: number;
  /** Slots [0, applied) are applied to `rsm`. Changed in place. */
  readonly applied: number;
  readonly rsm: MutableRsm;
  /** Who to ask for missed decisions, in turn. */
  readonly peers: readonly NodeId[];
  readonly nextPeer: number;
  /** Heard a new decision since the last catch-up tick. */
  readonly heard: boolean;
  /** Slots applied out of order (only the `replica-applies-out-of-order` mutant uses it). */
  readonly appliedOutOfOrder: ReadonlySet<number>;
}

export const CATCH_UP = 'catch-up';
/** The most decisions one `decisions` batch carries. */
const BATCH = 64;

export function initialLearner(peers: readonly NodeId[]): LearnerState {
  return { decided: new Map(), lastDecided: -1, applied: 0, rsm: newRsm(), peers, nextPeer: 0, heard: false, appliedOutOfOrder: new Set() };
}

/** An applied request's result, for a leader to reply with. */
export interface AppliedRequest {
  readonly client: number;
  readonly request_id: number;
  readonly result: ReturnType<typeof applyRequestInPlace>['result'];
}

/**
 * Records that `command` is decided for `slot` and applies what became applicable.
 * Returns the new state and the requests applied (so a leader can answer its clients).
 */
export function learn<S extends LearnerState>(
  state: S,
  slot: number,
  command: LogCommand,
  rules: Rules,
  out: Outbox,
): [S, AppliedRequest[]] {
  if (state.decided.has(slot) || slot < state.applied) return [state, []];
  state.decided.set(slot, command);
  const learned = { lastDecided: Math.max(state.lastDecided, slot), heard: true };
  if (!rules.appliesInOrder) return applyAtOnce(state, learned, slot, rules, out);
  const [applied, done] = applyReady(state, rules, out);
  return [{ ...state, ...learned, applied }, done];
}

/** Applies decided slots in order from `applied` until the first gap; the new `applied`. */
function applyReady(state: LearnerState, rules: Rules, out: Outbox): [number, AppliedRequest[]] {
  let applied = state.applied;
  const done: AppliedRequest[] = [];
  for (let command = state.decided.get(applied); command; command = state.decided.get(applied)) {
    for (const request of applyOne(state.rsm, applied, command, rules, out)) done.push(request);
    applied++;
  }
  return [applied, done];
}

/** The out-of-order mutant: apply a decision the moment it arrives. */
function applyAtOnce<S extends LearnerState>(state: S, learned: Pick<LearnerState, 'lastDecided' | 'heard'>, slot: number, rules: Rules, out: Outbox): [S, AppliedRequest[]] {
  const requests = applyOne(state.rsm, slot, state.decided.get(slot)!, rules, out);
  const appliedOutOfOrder = new Set(state.appliedOutOfOrder).add(slot);
  let applied = state.applied;
  while (appliedOutOfOrder.has(applied)) applied++;
  return [{ ...state, ...learned, applied, appliedOutOfOrder }, requests];
}

/** Applies one slot's command to `rsm` (in place); returns the requests it answers. */
function applyOne(rsm: MutableRsm, slot: number, command: LogCommand, rules: Rules, out: Outbox): AppliedRequest[] {
  switch (command.kind) {
    case 'noop':
      out.note(() => `APPLY slot ${slot} NO-OP`, { kind: 'apply', slot, command, fresh: true });
      return [];
    case 'request': {
      const done = applyRequestInPlace(rsm, command.client, command.request_id, command.command, rules.dedupRetries);
      out.note(() => `APPLY slot ${slot} ${describeCommand(command.command)} -> ${outcomeText(command, done)}`, {
        kind: 'apply',
        slot,
        command,
        ...(done.result ? { result: done.result } : {}),
        fresh: done.fresh,
      });
      return [{ client: command.client, request_id: command.request_id, result: done.result }];
    }
    case 'batch':
      return applyBatch(rsm, slot, command, rules, out);
  }
}

/** A batch: its requests in order, each through the client table; one apply fact for the slot. */
function applyBatch(rsm: MutableRsm, slot: number, batch: Extract<LogCommand, { kind: 'batch' }>, rules: Rules, out: Outbox): AppliedRequest[] {
  const outcomes: RequestOutcome[] = batch.requests.map((r) => {
    const done = applyRequestInPlace(rsm, r.client, r.request_id, r.command, rules.dedupRetries);
    return done.result ? { result: done.result, fresh: done.fresh } : { fresh: done.fresh };
  });
  const text = (): string =>
    `APPLY slot ${slot} BATCH of ${batch.requests.length}: ` +
    batch.requests.map((r, i) => `${describeCommand(r.command)} -> ${outcomeText(r, outcomes[i]!)}`).join('; ');
  out.note(text, { kind: 'apply', slot, command: batch, fresh: outcomes.some((o) => o.fresh), outcomes });
  return batch.requests.map((r, i) => ({ client: r.client, request_id: r.request_id, result: outcomes[i]!.result }));
}

/** `OK "val_3"`, or why the request was skipped. */
const outcomeText = (r: RequestCommand, done: RequestOutcome): string =>
  done.fresh ? describeResult(done.result!) : `already applied (client ${r.client} request ${r.request_id}): skipped`;

/** Is there a decided slot beyond the next one to apply? (Slots below `applied` are all
 *  decided and the slot at `applied` is not, so any decided slot from there on is past a gap.) */
export const hasGap = (state: LearnerState): boolean => state.lastDecided >= state.applied;

/** Arms the catch-up timer (on start: a restarted learner asks at its first quiet tick). */
export function armCatchUp<S extends LearnerState>(state: S, interval_ms: number, out: Outbox): S {
  out.setTimer(CATCH_UP, interval_ms);
  return state;
}

/** Why a learner without a gap asks anyway (its note ends with it; views.ts folds such polls). */
export const QUIET_POLL = 'quiet: any decisions missed?';

/** The catch-up timer: ask a peer when a gap shows, or when no decision came for a while. */
export function catchUpTick<S extends LearnerState>(state: S, interval_ms: number, out: Outbox): S {
  out.setTimer(CATCH_UP, interval_ms);
  if (state.peers.length === 0 || (!hasGap(state) && state.heard)) return { ...state, heard: false };
  const peer = state.peers[state.nextPeer % state.peers.length]!;
  const from = state.applied;
  const why = hasGap(state) ? 'gap' : QUIET_POLL;
  out.note(() => `CATCH-UP from slot ${from} -> ${peer} (${why})`);
  out.send(peer, { type: 'catch-up', from_slot: state.applied });
  return { ...state, heard: false, nextPeer: state.nextPeer + 1 };
}

/** Answers a `catch-up` with the decisions this learner knows from `from_slot` on (unless the
 *  rules say it never answers: a mutant). */
export function answerCatchUp(state: LearnerState, rules: Rules, from: NodeId, from_slot: number, out: Outbox): void {
  if (!rules.answersCatchUp) return;
  const entries: Decided[] = [];
  for (let slot = from_slot; slot <= state.lastDecided && entries.length < BATCH; slot++) {
    const command = state.decided.get(slot);
    if (command) entries.push({ slot, command });
  }
  out.send(from, { type: 'decisions', from_slot, entries });
}

/** Learns a `decisions` batch. */
export function learnBatch<S extends LearnerState>(
  state: S,
  entries: readonly Decided[],
  rules: Rules,
  out: Outbox,
): [S, AppliedRequest[]] {
  let next = state;
  const done: AppliedRequest[] = [];
  for (const { slot, command } of entries) {
    if (!next.decided.has(slot) && slot >= next.applied) {
      out.note(() => `LEARN slot ${slot} ${describeLogCommand(command)} (caught up)`, { kind: 'decide', slot, command });
    }
    const [learned, applied] = learn(next, slot, command, rules, out);
    next = learned;
    done.push(...applied);
  }
  return [next, done];
}
