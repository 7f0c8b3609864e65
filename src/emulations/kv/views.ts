/**
 * How kv clients and kv learners (nodes holding a store) look on the dashboard.
 *
 *   client 2    waiting     request 3/5: PUT "a" = "val_3" (sent 2x)
 *   replica 1   learning    applied 15  store {a=val_3, c=val_9}
 */
import { describeCommand, type KvCommand, type KvStore } from '../../kv/kv.js';
import type { NodeView } from '../../sim/router.js';
import type { Role, RowText } from '../api/emulation.js';
import { span, topState } from '../api/rows.js';

interface ClientCtx {
  readonly started?: number;
  readonly completed?: number;
  readonly workload?: { readonly requests?: number };
  readonly outstanding?: { readonly request_id: number; readonly command: KvCommand; readonly sends: number };
}

export interface LearnerCtx {
  readonly applied?: number;
  readonly rsm?: { readonly store?: KvStore };
}

/** `{a=val_3, c=val_9}`, keys sorted, at most `max` entries shown. */
export function storeText(store: KvStore | undefined, max = 6): string {
  if (!store || store.size === 0) return '{}';
  const keys = [...store.keys()].sort();
  const shown = keys.slice(0, max).map((k) => `${k}=${store.get(k)}`);
  if (shown.length === 0) return `{${keys.length} keys}`;
  return `{${shown.join(', ')}${keys.length > max ? `, +${keys.length - max}` : ''}}`;
}

function clientDetail(ctx: ClientCtx): string {
  const total = ctx.workload?.requests ?? 0;
  const started = ctx.started ?? 0;
  if (ctx.outstanding) {
    const resent = ctx.outstanding.sends > 1 ? ` (sent ${ctx.outstanding.sends}x)` : '';
    return `request ${started}/${total}: ${describeCommand(ctx.outstanding.command)}${resent}`;
  }
  return started >= total ? `all ${total} requests done` : `request ${started}/${total}`;
}

export const clientRole: Role = {
  name: 'client',
  crashable: false,
  summariseFirst: 4,
  row(view: NodeView): RowText {
    const state = topState(view.state);
    return { state, detail: clientDetail((view.context ?? {}) as ClientCtx), tone: state === 'done' ? 'dim' : 'normal' };
  },
  summary(views) {
    const c = views.map((v) => (v.context ?? {}) as ClientCtx);
    const done = c.reduce((n, x) => n + (x.completed ?? 0), 0);
    const total = views.length * (c.find((x) => x.workload)?.workload?.requests ?? 0);
    return `${done}/${total} requests completed  ${c.filter((x) => x.outstanding).length} waiting`;
  },
};

/** `applied 15  store {a=val_3, c=val_9}`, showing as many of the store's keys as fit `width`. */
export function learnerDetail(ctx: LearnerCtx, width?: number): string {
  const text = (max: number): string => `applied ${ctx.applied ?? 0}  store ${storeText(ctx.rsm?.store, max)}`;
  let max = 6;
  while (width !== undefined && max > 0 && text(max).length > width) max--;
  return text(max);
}

/** `applied 12-15` over learners. */
export function learnersSummary(views: readonly NodeView[]): string {
  const applied = views.map((v) => ((v.context ?? {}) as LearnerCtx).applied ?? 0);
  return applied.length > 0 ? `applied ${span(applied)}` : '';
}
