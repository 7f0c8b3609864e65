/**
 * The follower's side of Raft's two RPCs (Figure 2, "RequestVote RPC" and "AppendEntries RPC",
 * receiver implementation), which any server runs when one reaches it, and what a follower does
 * with a client's request.
 *
 *   request-vote    take up a higher term; grant the vote if the candidate's term is current,
 *                   this server has not voted for another in it, and the candidate's log is at
 *                   least as up-to-date as its own (§5.4.1); a granted vote resets the
 *                   election timer.
 *   append-entries  a stale term is refused. Otherwise the sender leads this term: reset the
 *                   election timer; refuse if the log has no entry (prev_index, prev_term);
 *                   else write the entries, deleting a conflicting entry and all that follow it
 *                   (§5.3), and raise the commit index to min(leader's commit, last new entry).
 *   request         answered from the client table if applied already; otherwise forwarded to
 *                   the leader this server knows (none known: dropped, the client's retry will
 *                   come back). The server answers its client once it has applied the entry.
 */
import { raiseCommit, receiveRequest } from './apply.js';
import type { Outbox, Received } from './messages.js';
import { adoptTerm, armElectionTimer, persist, type ServerState } from './state.js';

// ---- RequestVote ---------------------------------------------------------------------------------

export function answerVote(state: ServerState, event: Received<'request-vote'>, out: Outbox): ServerState {
  const s = adoptTerm(state, event.term, state.role, out);
  const candidate = { index: event.last_index, term: event.last_term };
  const own = { index: s.log.lastIndex, term: s.log.lastTerm };
  const why =
    event.term < s.term
      ? `its term ${event.term} is stale (mine is ${s.term})`
      : !s.rules.mayVoteFor(s.votedFor, event.from)
        ? `I voted for ${s.votedFor} in term ${s.term}`
        : !s.rules.upToDate(candidate, own)
          ? `its log (last index ${candidate.index}, term ${candidate.term}) is behind mine (${own.index}, term ${own.term})`
          : undefined;
  out.send(event.from, { type: 'vote', term: s.term, granted: why === undefined });
  if (why !== undefined) {
    out.note(() => `VOTE refused to ${event.from} for term ${event.term}: ${why}`);
    return s;
  }
  const voted = { ...s, votedFor: event.from };
  persist(voted, out);
  if (s.role !== 'leader') armElectionTimer(s, event.entropy, out);
  out.note(() => `VOTE for ${event.from} in term ${s.term}`, { kind: 'vote', term: s.term, candidate: event.from });
  return voted;
}

// ---- AppendEntries -------------------------------------------------------------------------------

export function acceptEntries(state: ServerState, event: Received<'append-entries'>, out: Outbox): ServerState {
  let s = adoptTerm(state, event.term, state.role, out);
  const refuse = (why: () => string): ServerState => {
    out.note(() => `REFUSE append from ${event.from} (term ${event.term}, after index ${event.prev_index}): ${why()}`);
    out.send(event.from, { type: 'append-result', term: s.term, success: false, prev_index: event.prev_index, match: 0, last_index: s.log.lastIndex });
    return s;
  };
  if (event.term < s.term) return refuse(() => `its term is stale (mine is ${s.term})`);
  if (s.leader !== event.from) s = { ...s, leader: event.from };
  if (s.role !== 'leader') armElectionTimer(s, event.entropy, out);
  const prevTerm = s.log.termAt(event.prev_index);
  if (prevTerm !== event.prev_term) {
    const have = prevTerm === undefined ? `my log ends at index ${s.log.lastIndex}` : `my entry there has term ${prevTerm}`;
    return refuse(() => `no entry (index ${event.prev_index}, term ${event.prev_term}): ${have}`);
  }
  s = writeEntries(s, event, out);
  const last = event.prev_index + event.entries.length;
  if (s.rules.learnsCommit) s = raiseCommit(s, Math.min(event.commit, last), out);
  out.send(event.from, { type: 'append-result', term: s.term, success: true, prev_index: event.prev_index, match: last, last_index: s.log.lastIndex });
  return s;
}

/** Writes the entries the log does not hold yet: from the first one missing or in conflict. */
function writeEntries(state: ServerState, event: Received<'append-entries'>, out: Outbox): ServerState {
  const { prev_index, entries } = event;
  let k = 0;
  while (k < entries.length && state.log.termAt(prev_index + 1 + k) === entries[k]!.term) k++;
  if (k === entries.length) return state;
  const from = prev_index + 1 + k;
  const fresh = entries.slice(k);
  const conflict = state.log.lastIndex >= from;
  const removed = conflict && state.rules.truncatesConflicts ? state.log.lastIndex - from + 1 : 0;
  const log = conflict && !state.rules.truncatesConflicts ? state.log.overwrite(from, fresh) : state.log.truncate(from - 1).append(fresh);
  const next = { ...state, log };
  persist(next, out);
  const to = from + fresh.length - 1;
  const cut = removed > 0 ? `, after deleting ${removed} conflicting entr${removed === 1 ? 'y' : 'ies'} from index ${from}` : '';
  out.note(() => `APPEND index ${from === to ? from : `${from}-${to}`} from ${event.from} (term ${event.term})${cut}`, {
    kind: 'accept',
    term: state.term,
    index: from,
    prev_term: state.log.termAt(from - 1)!,
    entries: fresh,
    removed,
  });
  return next;
}

// ---- clients -------------------------------------------------------------------------------------

/** A follower's (or candidate's) client request: answer it from the table, or forward it. */
export function forwardRequest(state: ServerState, event: Received<'request'>, out: Outbox): ServerState {
  const [s, needsLog] = receiveRequest(state, event, out);
  if (!needsLog) return s;
  const { client, request_id, command } = event;
  if (s.leader === undefined || s.leader === s.self) {
    out.note(() => `request ${request_id} of client ${client} dropped: no leader known in term ${s.term} (the client will retry)`);
    return s;
  }
  out.note(() => `FORWARD request ${request_id} of client ${client} -> ${s.leader} (the leader of term ${s.term})`);
  out.send(s.leader, { type: 'forward', client, request_id, command });
  return s;
}

/** A forwarded request reached a server that does not lead: it is dropped (the asking server
 *  will forward the client's retry to the leader it knows by then). */
export function dropForward(state: ServerState, event: Received<'forward'>, out: Outbox): ServerState {
  out.note(() => `forwarded request ${event.request_id} of client ${event.client} from ${event.from} dropped: not the leader (${state.role}, term ${state.term})`);
  return state;
}
