/**
 * A leader's queue of client requests waiting for a slot: first come, first proposed, and each
 * (client, request_id) at most once, so a retry of a request that is already waiting is not
 * queued twice. Requests a preempted leader takes back go to the front, in their slot order.
 *
 * Like the learner's decided log, it is changed in place: a leader never needs a past version
 * of it, and with many clients a copy per request (and a scan per retry) made runs quadratic.
 */
import type { KvCommand } from '../../kv/kv.js';

/** A client request waiting for a slot. */
export interface Queued {
  readonly client: number;
  readonly request_id: number;
  readonly command: KvCommand;
}

/** One number per (client, request_id): the config bounds clients below 2^21 and request ids below 2^31. */
const keyOf = (client: number, request_id: number): number => client * 0x8000_0000 + request_id;

export class RequestQueue {
  private items: Queued[] = [];
  /** Items before `head` have been taken (dropped from the array now and then). */
  private head = 0;
  private readonly waiting = new Set<number>();

  get length(): number {
    return this.items.length - this.head;
  }

  /** Is this request waiting in the queue? */
  has(client: number, request_id: number): boolean {
    return this.waiting.has(keyOf(client, request_id));
  }

  /** Queues a request at the back, unless it is waiting already. */
  push(request: Queued): void {
    const key = keyOf(request.client, request.request_id);
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    this.items.push(request);
  }

  /** Takes the request at the front. */
  shift(): Queued | undefined {
    if (this.head >= this.items.length) return undefined;
    const request = this.items[this.head++]!;
    this.waiting.delete(keyOf(request.client, request.request_id));
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return request;
  }

  /** Puts `first` ahead of everything waiting, in order; a request already waiting moves up. */
  putFirst(first: readonly Queued[]): void {
    if (first.length === 0) return;
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.waiting.clear();
    for (const request of [...first, ...rest]) this.push(request);
  }

  /** An independent queue with the same requests waiting (for a model checker's branches). */
  copy(): RequestQueue {
    const copy = new RequestQueue();
    for (const request of this.toArray()) copy.push(request);
    return copy;
  }

  /** What the queue is: its waiting requests, front first (JSON, and a model checker's
   *  fingerprint, see src/verify/hash.ts: not how they are laid out inside). */
  toJSON(): Queued[] {
    return this.toArray();
  }

  /** The waiting requests, front first (for views and tests). */
  toArray(): Queued[] {
    return this.items.slice(this.head);
  }
}
