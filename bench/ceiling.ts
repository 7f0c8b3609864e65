/**
 * The ceiling a role-based simulation can reach on this machine: the same router, one XState
 * actor per node, each doing the least a role does — take a message, update its state (a
 * counter, through the same `step` every role uses), send one message on. Tokens go round a
 * ring of nodes; no checks, no trace kept, nothing printed. Whatever a real run does beyond
 * this (its protocol logic, its checks) shows as the distance from this figure.
 */
import { setup } from 'xstate';
import { step } from '../src/sim/outbox.js';
import { Router } from '../src/sim/router.js';
import type { Envelope, NodeEvent } from '../src/sim/trace.js';

interface Token extends Envelope {
  readonly type: 'token';
  readonly hops: number;
}

interface Hop {
  readonly next: string;
  readonly tokens: number;
  readonly last: number;
  /** Does it update its state per token (as every real role does), or leave it untouched? */
  readonly counts: boolean;
  readonly seen: number;
}

const ring = setup({
  types: { context: {} as Hop, events: {} as NodeEvent<Token>, input: {} as Omit<Hop, 'seen'> },
  actions: {
    launch: step<Hop, NodeEvent<Token>, Token>((hop, _event, out) => {
      for (let i = 0; i < hop.tokens; i++) out.send(hop.next, { type: 'token', hops: 0 });
      return hop;
    }),
    pass: step<Hop, NodeEvent<Token>, Token>((hop, event, out) => {
      if (event.type !== 'token') return hop;
      if (event.hops < hop.last) out.send(hop.next, { type: 'token', hops: event.hops + 1 });
      return hop.counts ? { ...hop, seen: hop.seen + 1 } : hop;
    }),
  },
}).createMachine({
  context: ({ input }) => ({ ...input, seen: 0 }),
  initial: 'passing',
  states: { passing: { on: { start: { actions: 'launch' }, token: { actions: 'pass' } } } },
});

/** Delivered messages, and the seconds they took, for `messages` messages round the ring;
 *  `counts`: each node updates its state per token (an XState assign), as a real role does. */
export function ceilingRun(counts = true, messages = 300_000, nodes = 10, tokensPerNode = 10): { delivered: number; seconds: number } {
  const last = Math.ceil(messages / (nodes * tokensPerNode));
  const router = new Router({
    seed: 1,
    nodes: Array.from({ length: nodes }, (_, i) => ({
      id: `node ${i + 1}`,
      role: 'node',
      machine: ring,
      input: () => ({ next: `node ${((i + 1) % nodes) + 1}`, tokens: tokensPerNode, last, counts }),
    })),
    network: { delay: 'uniform', delay_min_ms: 1, delay_max_ms: 10, delay_mean_ms: 5, drop_rate: 0, duplicate_rate: 0 },
    time_limit_ms: 1e9,
    drain_ms: 1e9,
  });
  const started = process.hrtime.bigint();
  const summary = router.run();
  return { delivered: summary.delivered, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
