/**
 * The peer-sync max emulation's vocabulary: servers that each hold a number that only grows,
 * and gossip it to each other; clients that send numbers to their server.
 *
 *   client --write(seq, value)--> server     raise your number to at least `value`
 *   server --ack(seq, held)-----> client     done: I now hold `held` (>= value)
 *   server --sync(value)--------> peer       every sync_ms: here is my number
 *
 * Every message travels through the router; no node calls another.
 */
import type { Outbox as AnyOutbox } from '../../sim/outbox.js';
import type { Effect as AnyEffect, NodeEvent as AnyNodeEvent } from '../../sim/trace.js';

export type Message =
  /** client -> its server: raise your number to at least `value`. Retries reuse `seq`. */
  | { readonly type: 'write'; readonly client: number; readonly seq: number; readonly value: number }
  /** server -> client: write `seq` is done; the server now holds `held`. */
  | { readonly type: 'ack'; readonly seq: number; readonly held: number }
  /** server -> every peer, every sync_ms: the number I hold. */
  | { readonly type: 'sync'; readonly value: number };

export type Fact =
  /** A client sends write `seq` for the first time. */
  | { readonly kind: 'write'; readonly client: number; readonly seq: number; readonly value: number }
  /** A client re-sends write `seq`: no ack came within its timeout. */
  | { readonly kind: 'retry'; readonly client: number; readonly seq: number }
  /** A client's write `seq` is acknowledged. */
  | { readonly kind: 'acked'; readonly client: number; readonly seq: number; readonly value: number }
  /** A server holds `value` now: on (re)start, or when a write or a sync raised it. */
  | { readonly kind: 'held'; readonly value: number; readonly cause: 'start' | 'write' | 'sync' };

export type NodeEvent = AnyNodeEvent<Message>;
export type Effect = AnyEffect<Message, Fact>;
export type Outbox = AnyOutbox<Message, Fact>;
