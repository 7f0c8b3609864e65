/**
 * How max-sync looks in traces and on the dashboard.
 *
 *   server 3    serving   holds 97  (last raised by sync from server 1)
 *   client 2    waiting   write 3/100: 42 (sent 2x)
 */
import type { NodeView } from '../../sim/router.js';
import type { Role } from '../api/emulation.js';
import { span, topState } from '../api/rows.js';
import type { TraceEvent } from '../../sim/trace.js';
import type { Fact, Message } from './messages.js';
import type { ClientState } from './client.js';
import type { ServerState } from './server.js';

/** The periodic sync: gossip, the dashboard's and the diagram's to fold. */
export const background = (event: TraceEvent<Message, Fact>): string | undefined => ('msg' in event && event.msg.type === 'sync' ? 'syncs' : undefined);

export function describeMessage(msg: Message): string {
  switch (msg.type) {
    case 'write':
      return `write ${msg.seq} of client ${msg.client}: ${msg.value}`;
    case 'ack':
      return `ack of write ${msg.seq}: holds ${msg.held}`;
    case 'sync':
      return `sync ${msg.value}`;
  }
}

const ctx = <C>(view: NodeView): Partial<C> => (view.context ?? {}) as Partial<C>;

export const serverRole: Role = {
  name: 'server',
  crashable: true,
  row: (view) => {
    const c = ctx<ServerState>(view);
    return { state: topState(view.state), detail: `holds ${c.value ?? 0}  (last raised by ${c.lastRaise ?? '-'})`, tone: 'normal' };
  },
  summary: (views) => {
    const values = views.filter((v) => v.status !== 'crashed').map((v) => ctx<ServerState>(v).value ?? 0);
    return values.length === 0 ? '' : `hold ${span(values)}`;
  },
};

export const clientRole: Role = {
  name: 'client',
  crashable: false,
  summariseFirst: 4,
  row: (view) => {
    const c = ctx<ClientState>(view);
    const state = topState(view.state);
    const pending = c.outstanding;
    const detail = pending
      ? `write ${pending.seq}/${c.messages ?? 0}: ${pending.value}${pending.sends > 1 ? ` (sent ${pending.sends}x)` : ''}`
      : `${c.acked ?? 0}/${c.messages ?? 0} writes acknowledged`;
    return { state, detail, tone: state === 'done' ? 'dim' : 'normal' };
  },
  summary: (views) => {
    const cs = views.map((v) => ctx<ClientState>(v));
    const total = views.length * (cs.find((c) => c.messages !== undefined)?.messages ?? 0);
    return `${cs.reduce((n, c) => n + (c.acked ?? 0), 0)}/${total} writes acknowledged  ${cs.filter((c) => c.outstanding).length} waiting`;
  },
};
