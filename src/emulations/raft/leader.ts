/**
 * The leader (§5.3, Figure 2 "Rules for Servers, Leaders"):
 *
 *   elected     nextIndex = its last index + 1 and matchIndex = 0 for every follower; it appends
 *               a no-op of its own term (committing it commits everything before it: §8) and
 *               starts replicating.
 *   replicate   to each follower, AppendEntries with the entries from its nextIndex (at most
 *               `raft.batch` per message, at most `raft.window` messages unanswered), the entry
 *               before them as (prev_index, prev_term), and its commit index. A follower with
 *               nothing new gets an empty AppendEntries when the commit index has risen (so it
 *               applies and answers its clients), and on every heartbeat tick.
 *   answers     success: matchIndex rises; a refusal: nextIndex goes back (to the follower's
 *               last index + 1 when that is shorter) and the entries are sent again from there
 *               (./progress.ts: the network loses and reorders messages). What a follower has
 *               not answered for a whole heartbeat tick is sent again.
 *   commit      the highest index N stored on a majority (matchIndex, and its own log) is
 *               committed if log[N].term is its current term (§5.4.2: an entry of an earlier
 *               term is committed only indirectly, by an entry of its own term after it; the
 *               paper's Figure 8 shows why counting replicas of an old entry is not enough).
 *   clients     a request (its own client's, or one a follower forwarded) is appended once:
 *               one already in the uncommitted part of the log is not appended again, and one
 *               applied already is answered from the client table.
 *
 * It never changes or deletes an entry of its own log (Leader Append-Only).
 */
import { describeLogCommand, requestsIn } from '../kv/messages.js';
import { raiseCommit, receiveRequest } from './apply.js';
import type { Entry, LogCommand, NodeEvent, NodeId, Outbox, Received } from './messages.js';
import { answered, sent, startProgress, ticked, windowOf, type Progress } from './progress.js';
import { adoptTerm, ELECTION, HEARTBEAT, persist, quorumOf, type ServerState } from './state.js';

// ---- becoming leader -----------------------------------------------------------------------------

export function becomeLeader(state: ServerState, _event: NodeEvent, out: Outbox): ServerState {
  const { log, term } = state;
  out.note(() => `LEADER of term ${term} on the votes of ${state.votes.join(', ')}; log ends at index ${log.lastIndex} (term ${log.lastTerm})`, {
    kind: 'elected',
    term,
    voters: state.votes,
    last_index: log.lastIndex,
    last_term: log.lastTerm,
  });
  out.cancelTimer(ELECTION);
  out.setTimer(HEARTBEAT, state.raft.heartbeat_ms);
  const progress = new Map(state.peers.map((peer) => [peer, startProgress(log.lastIndex)]));
  const leading = propose({ ...state, role: 'leader', leader: state.self, progress }, { kind: 'noop' }, out);
  return replicateAll(advanceCommit(leading, out), out);
}

/** The leader steps down: no more heartbeats, and what it knew of its followers is forgotten. */
export function stopLeading(state: ServerState, _event: NodeEvent, out: Outbox): ServerState {
  out.cancelTimer(HEARTBEAT);
  return { ...state, progress: new Map() };
}

/** Appends a new entry of the leader's term to its own log. */
function propose(state: ServerState, command: LogCommand, out: Outbox): ServerState {
  const index = state.log.lastIndex + 1;
  const entry: Entry = Object.freeze({ term: state.term, command });
  const next = { ...state, log: state.log.append([entry]) };
  persist(next, out);
  out.note(() => `PROPOSE index ${index} (term ${state.term}) ${describeLogCommand(command)}`, {
    kind: 'propose',
    term: state.term,
    index,
    prev_term: state.log.lastTerm,
    command,
  });
  return next;
}

// ---- replication ---------------------------------------------------------------------------------

/** Sends `peer` what it lacks, within the window; an empty AppendEntries when only the commit
 *  index is news to it, or when `heartbeat` asks for one. */
function replicateTo(state: ServerState, peer: NodeId, out: Outbox, heartbeat = false): ServerState {
  const { raft, log } = state;
  let p = state.progress.get(peer);
  if (!p) return state;
  const before = p;
  while (p.pending.length < windowOf(p, raft.window) && p.next <= log.lastIndex) p = sendAppend(state, peer, p, Math.min(log.lastIndex, p.next + raft.batch - 1), out);
  if (p === before && p.pending.length === 0 && (heartbeat || p.commitSent < state.commit)) p = sendAppend(state, peer, p, p.next - 1, out);
  return p === before ? state : { ...state, progress: new Map(state.progress).set(peer, p) };
}

/** One AppendEntries to `peer` with the entries from its nextIndex through `to`. */
function sendAppend(state: ServerState, peer: NodeId, p: Progress, to: number, out: Outbox): Progress {
  const prev_index = p.next - 1;
  const entries = state.log.slice(p.next, to);
  out.send(peer, { type: 'append-entries', term: state.term, prev_index, prev_term: state.log.termAt(prev_index)!, entries, commit: state.commit });
  return sent(p, prev_index, entries.length, state.commit);
}

function replicateAll(state: ServerState, out: Outbox, heartbeat = false): ServerState {
  let s = state;
  for (const peer of s.peers) s = replicateTo(s, peer, out, heartbeat);
  return s;
}

/** A follower's answer to an AppendEntries of this term (./progress.ts reads it). */
export function onAppendResult(state: ServerState, event: Received<'append-result'>, out: Outbox): ServerState {
  const s = adoptTerm(state, event.term, state.role, out);
  const p = s.progress.get(event.from);
  if (event.term < s.term || !p) return s;
  const { progress, back } = answered(p, event);
  if (back !== undefined) out.note(() => `${event.from} refused entries after index ${event.prev_index} (its log ends at ${event.last_index}): sending again from index ${back}`);
  const updated = { ...s, progress: new Map(s.progress).set(event.from, progress) };
  return event.success ? replicateAll(advanceCommit(updated, out), out) : replicateTo(updated, event.from, out);
}

/** Commits the highest index a majority stores, if the rules allow counting its entry. */
function advanceCommit(state: ServerState, out: Outbox): ServerState {
  const stored = [state.log.lastIndex, ...[...state.progress.values()].map((p) => p.match)].sort((a, b) => b - a);
  const n = stored[quorumOf(state) - 1] ?? 0;
  if (n <= state.commit || !state.rules.commitsByCounting(state.log.termAt(n)!, state.term)) return state;
  const quorum = [state.self, ...state.peers.filter((peer) => state.progress.get(peer)!.match >= n)];
  return raiseCommit(state, n, out, quorum);
}

/** The heartbeat tick: re-send what a follower has not answered for a whole tick, and send an
 *  AppendEntries (empty if it has nothing new) to every follower with nothing on its way. */
export function heartbeat(state: ServerState, _event: NodeEvent, out: Outbox): ServerState {
  out.setTimer(HEARTBEAT, state.raft.heartbeat_ms);
  const progress = new Map<NodeId, Progress>();
  for (const [peer, p] of state.progress) progress.set(peer, ticked(p));
  return replicateAll({ ...state, progress }, out, true);
}

// ---- clients -------------------------------------------------------------------------------------

/** A client's request at the leader: answered from the table, or appended (once). */
export function leaderRequest(state: ServerState, event: Received<'request'>, out: Outbox): ServerState {
  const [s, needsLog] = receiveRequest(state, event, out);
  return needsLog ? appendRequest(s, event.client, event.request_id, event, out) : s;
}

/** A request a follower forwarded: appended (once), unless applied already (the follower will
 *  answer it from its own table once it has applied it too). */
export function leaderForward(state: ServerState, event: Received<'forward'>, out: Outbox): ServerState {
  const session = state.rsm.sessions.get(event.client);
  if (session !== undefined && session.request_id >= event.request_id) return state;
  return appendRequest(state, event.client, event.request_id, event, out);
}

function appendRequest(state: ServerState, client: number, request_id: number, event: Pick<Received<'forward'>, 'command'>, out: Outbox): ServerState {
  const waiting = indexOfRequest(state, client, request_id);
  if (waiting !== undefined) {
    out.note(() => `request ${request_id} of client ${client} is in the log already (index ${waiting}): waiting for it to commit`);
    return state;
  }
  return replicateAll(propose(state, { kind: 'request', client, request_id, command: event.command }, out), out);
}

/** Where the request waits in the part of the log not applied yet (undefined: it does not). */
function indexOfRequest(state: ServerState, client: number, request_id: number): number | undefined {
  for (let index = state.applied + 1; index <= state.log.lastIndex; index++) {
    if (requestsIn(state.log.at(index)!.command).some((r) => r.client === client && r.request_id === request_id)) return index;
  }
  return undefined;
}
