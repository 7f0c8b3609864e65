/**
 * How a node acts on the world without touching it. A node's transition logic is a plain
 * function `(state, event, out) -> state`: it appends effects to `out` (as etcd's raft appends
 * to `r.msgs` and stateright's actors write to `Out`), and `step` turns that function into an
 * XState action that assigns the new state and emits the effects for the router to carry out.
 */
import { enqueueActions, type EventObject, type MachineContext } from 'xstate';
import type { Effect, Envelope, FactBase, NodeId, NoteText } from './trace.js';

export class Outbox<M extends Envelope = Envelope, F extends FactBase = FactBase> {
  readonly effects: Effect<M, F>[] = [];

  send(to: NodeId, msg: M): void {
    this.effects.push({ type: 'send', to, msg });
  }

  broadcast(to: readonly NodeId[], msg: M): void {
    for (const node of to) this.send(node, msg);
  }

  setTimer(timer: string, after_ms: number): void {
    this.effects.push({ type: 'set-timer', timer, after_ms });
  }

  cancelTimer(timer: string): void {
    this.effects.push({ type: 'cancel-timer', timer });
  }

  persist(disk: unknown): void {
    this.effects.push({ type: 'persist', disk });
  }

  /** A trace line (built lazily when `text` is a function: see `NoteText`), and its fact. */
  note(text: NoteText, fact?: F): void {
    this.effects.push(fact ? { type: 'note', text, fact } : { type: 'note', text });
  }

  /** A fact for the checks that needs no trace line of its own. */
  observe(fact: F): void {
    this.note('', fact);
  }
}

/** A node's transition logic: pure but for appending to `out`. */
export type Transition<C, E, O = Outbox> = (state: C, event: E, out: O) => C;

/** Wraps a transition as an XState action: assign the returned state, emit the effects (all of
 *  them as one `effects` event). */
export function step<C extends MachineContext, E extends EventObject, M extends Envelope = Envelope, F extends FactBase = FactBase>(
  transition: Transition<C, E, Outbox<M, F>>,
) {
  return enqueueActions<C, E, undefined, E, never, never, never, never, Effect<M, F>>(({ context, event, enqueue }) => {
    const out = new Outbox<M, F>();
    const next = transition(context, event, out);
    if (next !== context) enqueue.assign(() => next);
    if (out.effects.length > 0) enqueue.emit({ type: 'effects', effects: out.effects });
  });
}
