/**
 * Raft in words: each message in a few words for traces, and for the diagram short labels with
 * terms and indexes (`append t3 i5-6 c4`, `vote t3 yes`), categories (client, election,
 * replication) and the fields a reader filters by (term, index); heartbeats as background
 * traffic; badges for the steps that matter (TERM, VOTE, LEADER, COMMIT); the client
 * operations, and a linearizability violation explained by the kv family's explanation.
 */
import { describeCommand } from '../../kv/kv.js';
import type { TraceEvent } from '../../sim/trace.js';
import type { DiagramSpec, Mark, NoteEvent } from '../api/diagram.js';
import type { MessageWords } from '../api/emulation.js';
import { explainLinearizability, kvOperations, shortCommand, shortLog, shortResult } from '../kv/diagram.js';
import { describeLogCommand } from '../kv/messages.js';
import type { Fact, Message } from './messages.js';
import { describeMessage, entryRange } from './views.js';

export const messageWords: MessageWords<Message> = {
  describe: describeMessage,
  label(msg) {
    switch (msg.type) {
      case 'request':
        return `request ${shortCommand(msg.command)}`;
      case 'reply':
        return `reply ${shortResult(msg.result)}`;
      case 'forward':
        return `forward ${shortCommand(msg.command)}`;
      case 'request-vote':
        return `request-vote t${msg.term} (i${msg.last_index} t${msg.last_term})`;
      case 'vote':
        return `vote t${msg.term} ${msg.granted ? 'yes' : 'no'}`;
      case 'append-entries':
        return msg.entries.length === 0
          ? `heartbeat t${msg.term} c${msg.commit}`
          : `append t${msg.term} i${entryRange(msg.prev_index, msg.entries.length)} c${msg.commit}${msg.entries.length === 1 ? ` ${shortLog(msg.entries[0]!.command)}` : ''}`;
      case 'append-result':
        return msg.success ? `ok t${msg.term} i${msg.match}` : `refused t${msg.term} after i${msg.prev_index}`;
    }
  },
  detail(msg) {
    const text = describeMessage(msg);
    if (msg.type === 'append-entries' && msg.entries.length > 0) {
      return `${text}: ${msg.entries.map((e, k) => `index ${msg.prev_index + 1 + k} term ${e.term} ${describeLogCommand(e.command)}`).join('; ')}`;
    }
    if (msg.type === 'request' || msg.type === 'forward') return `${text}: ${describeCommand(msg.command)}`;
    return text;
  },
  category(msg) {
    switch (msg.type) {
      case 'request':
      case 'reply':
      case 'forward':
        return 'client';
      case 'request-vote':
      case 'vote':
        return 'election';
      default:
        return 'replication';
    }
  },
  fields(msg) {
    const fields: Record<string, string | number> = {};
    if ('term' in msg) fields.term = msg.term;
    if (msg.type === 'append-entries' && msg.entries.length > 0) fields.index = msg.prev_index + 1;
    if (msg.type === 'append-result' && msg.success) fields.index = msg.match;
    return fields;
  },
};

/** Heartbeats (an AppendEntries with no entry) and their answers: steady-state traffic. */
export function background(event: TraceEvent<Message, Fact>): string | undefined {
  if (!('msg' in event)) return undefined;
  const msg = event.msg;
  const quiet = (msg.type === 'append-entries' && msg.entries.length === 0) || (msg.type === 'append-result' && msg.success && msg.match === msg.prev_index);
  return quiet ? 'heartbeats' : undefined;
}

/** The badge of a note that matters: a term taken up, a vote, an election, a commit. */
function mark(note: NoteEvent<Fact>): Mark | undefined {
  const fact = note.fact;
  switch (fact?.kind) {
    case 'term':
      return { text: `${fact.role === 'candidate' ? 'CANDIDATE' : 'TERM'} t${fact.term}`, fields: { term: fact.term } };
    case 'vote':
      return note.text === '' ? undefined : { text: `VOTE ${fact.candidate} t${fact.term}`, fields: { term: fact.term } };
    case 'elected':
      return { text: `LEADER t${fact.term}`, fields: { term: fact.term }, strong: true };
    case 'commit':
      return { text: `COMMIT i${fact.index}`, fields: { index: fact.index, term: fact.in_term }, strong: fact.quorum !== undefined };
    case 'restore':
      return { text: `RESTORED t${fact.term} i${fact.last_index}`, fields: { term: fact.term } };
    default:
      return undefined;
  }
}

/** Raft's part of the diagram. */
export const diagram: DiagramSpec<Message, Fact> = {
  laneOrder: ['client', 'server'],
  messageTypes: ['request', 'reply', 'forward', 'request-vote', 'vote', 'append-entries', 'append-result'],
  mark,
  operations: kvOperations,
  explain: (events) => explainLinearizability(events),
};
