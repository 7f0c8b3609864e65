/**
 * Max-sync's part of the message-sequence diagram: writes and acks as client traffic, the
 * periodic sync as background gossip the page may fold, a badge whenever a server's number
 * grows, and each client write as an operation from its first send to its ack.
 */
import type { DiagramSpec, OperationSpan } from '../api/diagram.js';
import type { Fact, Message } from './messages.js';

export const diagram: DiagramSpec<Message, Fact> = {
  view: {
    label: (msg) => (msg.type === 'write' ? `write ${msg.value}` : msg.type === 'ack' ? `ack (holds ${msg.held})` : `sync ${msg.value}`),
    category: (msg) => (msg.type === 'sync' ? 'gossip' : 'client'),
    fields: (msg) => (msg.type === 'write' ? { value: msg.value } : msg.type === 'ack' ? { value: msg.held } : { value: msg.value }),
    background: (msg) => msg.type === 'sync',
    mark: (note) => (note.fact?.kind === 'held' && note.fact.cause !== 'start' ? { text: `holds ${note.fact.value}`, fields: { value: note.fact.value } } : undefined),
  },
  laneOrder: ['client', 'server'],
  messageTypes: ['write', 'ack', 'sync'],
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
