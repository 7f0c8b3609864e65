/** The kv_store's part of the message-sequence diagram: client traffic, its operations, and a
 *  linearizability violation pointed at. */
import type { DiagramSpec } from '../api/diagram.js';
import { explainLinearizability, kvOperations, shortCommand, shortResult } from '../kv/diagram.js';
import type { ClientMessage, KvFact } from '../kv/messages.js';

export const diagram: DiagramSpec<ClientMessage, KvFact> = {
  view: {
    label: (msg) => (msg.type === 'request' ? `request ${shortCommand(msg.command)}` : `reply ${shortResult(msg.result)}`),
    category: () => 'client',
    fields: (msg): Record<string, string> => (msg.type === 'request' ? { key: msg.command.key } : {}),
  },
  laneOrder: ['client', 'server'],
  messageTypes: ['request', 'reply'],
  operations: kvOperations,
  explain: (events) => explainLinearizability(events),
};
