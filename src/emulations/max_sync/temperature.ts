/**
 * What the peer-sync max emulation owes, for liveness by temperature
 * (src/emulations/temperature.ts): every live server must come to hold at least the largest
 * number any client had acknowledged (convergence, as it eventually holds). A server below it is
 * hot; its obligation is named by that number (`server 2 below 987`), so a larger acknowledged
 * number is a new obligation.
 *
 * The default bound: after the heal a server hears the largest number within a gossip round and
 * a network delay; a client whose write was lost re-sends it after its timeout, and is
 * acknowledged a delay later. Four times all that (../api/temperature.ts).
 */
import type { NodeView } from '../../sim/router.js';
import type { Hot, TemperatureSpec } from '../api/emulation.js';
import { boundOf } from '../api/temperature.js';
import type { MaxSyncSections } from './config.js';

/** The largest acknowledged number, and the client whose write it was. */
function largestAcked(views: readonly NodeView[]): { value: number; by: string } | undefined {
  let best: { value: number; by: string } | undefined;
  for (const view of views) {
    if (view.role !== 'client' || view.status === 'crashed') continue;
    const largest = (view.context as { largest: number } | undefined)?.largest ?? 0;
    if (largest > 0 && (!best || largest > best.value)) best = { value: largest, by: view.id };
  }
  return best;
}

export const temperature: TemperatureSpec<MaxSyncSections> = {
  hot(views) {
    const owed = largestAcked(views);
    if (!owed) return [];
    const hot: Hot[] = [];
    for (const view of views) {
      if (view.role !== 'server' || view.status !== 'up') continue;
      const held = (view.context as { value: number }).value;
      if (held < owed.value) hot.push({ key: `${view.id} below ${owed.value}`, what: () => `${view.id} holds ${held}, below ${owed.value} (acknowledged to ${owed.by})` });
    }
    return hot;
  },
  bound: (config) =>
    boundOf([
      { key: 'workload.timeout_ms', ms: config.workload.timeout_ms },
      { key: 'sync.sync_ms', ms: config.sync.sync_ms },
      { key: 'network.delay_max_ms', ms: config.network.delay_max_ms, times: 3 },
    ]),
};
