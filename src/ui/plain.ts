/**
 * The plain view: one line per protocol step, for pipes, CI and `--plain`.
 *
 *   [t=12 client 2] PUT "a" = "val_3" -> OK
 *   [t=40 net] DROP client 1 -> server: request 3 of client 1 (loss)
 *
 * Sends, deliveries and timers are printed only with `verbose`; faults always are.
 */
import type { RunSummary } from '../sim/router.js';
import type { Envelope, TraceEvent } from '../sim/trace.js';

/** The kinds of event the plain view prints without `verbose` (the router need build no others). */
export const PLAIN_KINDS: readonly TraceEvent['kind'][] = ['note', 'drop', 'duplicate', 'crash', 'restart', 'partition-start', 'partition-end', 'end'];

/** A message in a few words: the emulation's `messages.describe`. */
export type Describe = (msg: Envelope) => string;

export function formatEvent(event: TraceEvent, describeMessage: Describe, verbose = false): string | undefined {
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

/** The summary lines after the emulation's own counts. */
export function formatSummary(summary: RunSummary): string[] {
  return [
    `messages: ${summary.sent} sent, ${summary.delivered} delivered, ${summary.dropped} dropped, ${summary.duplicated} duplicated`,
    `virtual time: ${summary.time_ms} ms (${summary.reason}), ${summary.steps} steps`,
  ];
}
