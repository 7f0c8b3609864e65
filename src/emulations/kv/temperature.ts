/**
 * What a kv client owes nobody but is owed: the answer to its outstanding request. A kv client
 * (./client.ts) with a request outstanding is hot until the answer comes; each request is its
 * own obligation (`client 2 request 3`), so a client working through its requests one after the
 * other is not one long hot stretch. Shared by every kv emulation (kv_store, MultiPaxos, and
 * any other that uses the kv client).
 */
import { describeCommand, type KvCommand } from '../../kv/kv.js';
import type { NodeView } from '../../sim/router.js';
import type { Hot } from '../api/emulation.js';

interface ClientCtx {
  readonly outstanding?: { readonly request_id: number; readonly command: KvCommand };
}

/** Every live kv client's outstanding request. */
export function clientsHot(views: readonly NodeView[], into: Hot[] = []): Hot[] {
  for (const view of views) {
    if (view.role !== 'client' || view.status !== 'up') continue;
    const pending = (view.context as ClientCtx | undefined)?.outstanding;
    if (!pending) continue;
    const { request_id, command } = pending;
    into.push({ key: `${view.id} request ${request_id}`, what: () => `${view.id}'s request ${request_id} (${describeCommand(command)}) still unanswered` });
  }
  return into;
}
