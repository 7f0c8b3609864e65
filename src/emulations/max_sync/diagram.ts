/**
 * Max-sync in the diagram's words: writes and acks as client traffic, the periodic sync as
 * gossip (background: ./views.ts), a badge whenever a server's number grows, and each client
 * write as an operation from its first send to its ack.
 */
import type { DiagramSpec, OperationSpan } from '../api/diagram.js';
import type { MessageWords } from '../api/emulation.js';
import type { Fact, Message } from './messages.js';
import { describeMessage } from './views.js';

export const messageWords: MessageWords<Message> = {
  describe: describeMessage,
  label: (msg) => (msg.type === 'write' ? `write ${msg.value}` : msg.type === 'ack' ? `ack (holds ${msg.held})` : `sync ${msg.value}`),
  category: (msg) => (msg.type === 'sync' ? 'gossip' : 'client'),
  fields: (msg) => (msg.type === 'write' ? { value: msg.value } : msg.type === 'ack' ? { value: msg.held } : { value: msg.value }),
};

export const diagram: DiagramSpec<Message, Fact> = {
  laneOrder: ['client', 'server'],
  messageTypes: ['write', 'ack', 'sync'],
  mark: (note) => (note.fact?.kind === 'held' && note.fact.cause !== 'start' ? { text: `holds ${note.fact.value}`, fields: { value: note.fact.value } } : undefined),
  operations(events) {
    const open = new Map<string, number>();
    const ops: OperationSpan[] = [];
    events.forEach((e, i) => {
      if (e.kind !== 'note' || !e.fact) return;
      if (e.fact.kind === 'write') {
        open.set(`${e.node}|${e.fact.seq}`, ops.length);
        ops.push({ lane: e.node, start: i, label: `write ${e.fact.value}` });
      } else if (e.fact.kind === 'acked') {
        const k = open.get(`${e.node}|${e.fact.seq}`);
        if (k !== undefined) ops[k] = { ...ops[k]!, end: i, result: 'acked' };
      }
    });
    return ops;
  },
};
