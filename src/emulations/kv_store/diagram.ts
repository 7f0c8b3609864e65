/** The kv_store's words for its messages and its part of the message-sequence diagram: client
 *  traffic, its operations, and a linearizability violation pointed at. */
import type { DiagramSpec } from '../api/diagram.js';
import type { MessageWords } from '../api/emulation.js';
import { explainLinearizability, kvOperations, requestTag, shortCommand, shortResult } from '../kv/diagram.js';
import type { ClientMessage, KvFact } from '../kv/messages.js';

export const messageWords: MessageWords<ClientMessage> = {
  describe: (msg) => (msg.type === 'request' ? `request ${msg.request_id} of client ${msg.client}` : `reply to request ${msg.request_id}`),
  label: (msg) => (msg.type === 'request' ? `request ${requestTag(msg.client, msg.request_id)} ${shortCommand(msg.command)}` : `reply #${msg.request_id} ${shortResult(msg.result)}`),
  category: () => 'client',
  fields: (msg): Record<string, string> => (msg.type === 'request' ? { key: msg.command.key } : {}),
};

export const diagram: DiagramSpec<ClientMessage, KvFact> = {
  laneOrder: ['client', 'server'],
  messageTypes: ['request', 'reply'],
  operations: kvOperations,
  explain: (events) => explainLinearizability(events),
};
