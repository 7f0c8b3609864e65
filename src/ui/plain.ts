/**
 * The plain view: one line per protocol step, for pipes, CI and `--plain`.
 *
 *   [t=12 client 2] PUT "a" = "val_3" -> OK
 *   [t=40 net] DROP leader 1 -> acceptor 2: accept slot 3 (loss)
 *
 * Sends, deliveries and timers are printed only with `verbose`; faults always are.
 */
import type { Message } from '../roles/messages.js';
import { ballotText } from '../roles/messages.js';
import type { RunSummary } from '../sim/router.js';
import type { TraceEvent } from '../sim/trace.js';

export function formatEvent(event: TraceEvent, verbose = false): string | undefined {
  const at = (who: string): string => `[t=${event.t} ${who}]`;
  switch (event.kind) {
    case 'note':
      return event.text ? `${at(event.node)} ${event.text}` : undefined;
    case 'drop':
      return event.reason === 'loss' || event.reason === 'partition' || verbose
        ? `${at('net')} DROP ${event.from} -> ${event.to}: ${describeMessage(event.msg)} (${event.reason})`
        : undefined;
    case 'duplicate':
      return `${at('net')} DUPLICATE ${event.from} -> ${event.to}: ${describeMessage(event.msg)}`;
    case 'crash':
      return `${at(event.node)} CRASH (volatile state and timers lost)`;
    case 'restart':
      return `${at(event.node)} RESTART from its disk`;
    case 'partition-start':
      return `${at('net')} PARTITION ${event.groups.map((g) => `{${g.join(', ')}}`).join(' | ')} (and the rest)`;
    case 'partition-end':
      return `${at('net')} PARTITION HEALED ${event.groups.map((g) => `{${g.join(', ')}}`).join(' | ')}`;
    case 'end':
      return `${at('sim')} END (${event.reason})`;
    case 'send':
      return verbose ? `${at('net')} SEND #${event.id} ${event.from} -> ${event.to}: ${describeMessage(event.msg)}` : undefined;
    case 'deliver':
      return verbose ? `${at('net')} DELIVER #${event.id} ${event.from} -> ${event.to}: ${describeMessage(event.msg)}` : undefined;
    case 'timer-set':
      return verbose ? `${at(event.node)} TIMER ${event.timer} set for t=${event.at}` : undefined;
    case 'timer-fire':
      return verbose ? `${at(event.node)} TIMER ${event.timer} fired` : undefined;
  }
}

export function describeMessage(msg: Message): string {
  switch (msg.type) {
    case 'request':
      return `request ${msg.request_id} of client ${msg.client}`;
    case 'reply':
      return `reply to request ${msg.request_id}`;
    case 'prepare':
      return `prepare ballot ${ballotText(msg.ballot)} from slot ${msg.from_slot}`;
    case 'promise':
      return `promise ballot ${ballotText(msg.ballot)} (${msg.accepted.length} accepted)`;
    case 'accept':
      return `accept slot ${msg.slot} ballot ${ballotText(msg.ballot)}`;
    case 'accepted':
      return `accepted slot ${msg.slot} ballot ${ballotText(msg.ballot)}`;
    case 'nack':
      return `nack ballot ${ballotText(msg.ballot)} (promised ${ballotText(msg.promised)})`;
    case 'decision':
      return `decision slot ${msg.slot}`;
    case 'catch-up':
      return `catch-up from slot ${msg.from_slot}`;
    case 'decisions':
      return `decisions from slot ${msg.from_slot} (${msg.entries.length})`;
  }
}

export function formatSummary(summary: RunSummary, completed: number, requested: number): string[] {
  return [
    `requests completed: ${completed}/${requested}`,
    `messages: ${summary.sent} sent, ${summary.delivered} delivered, ${summary.dropped} dropped, ${summary.duplicated} duplicated`,
    `virtual time: ${summary.time_ms} ms (${summary.reason}), ${summary.steps} steps`,
  ];
}
