/**
 * A role's XState machine stepped purely, for the model checker: all it uses of XState's
 * internals is here. The machine's own `transition(snapshot, event, scope)` (and
 * `getInitialSnapshot` for a (re)start) run with an inert scope that only collects the actions,
 * among which the effects the role emitted (src/sim/outbox.ts `step` emits them), and executes
 * nothing; so nothing of a protocol is rewritten for the checker. That is what XState's exported
 * `transition` and `initialTransition` do, but they build a throw-away actor on every call (most
 * of a step's cost); here each node's scope is built once.
 *
 * Pinned to the XState version package.json names exactly: a scope's fields and the
 * `xstate.emit` action are not XState's public API.
 */
import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import type { NodeSpec } from '../sim/interpreter.js';
import type { Effect, NodeEvent } from '../sim/trace.js';

/** A machine's state: what it is in (`value`), its context, and whether it is done. */
export type Snapshot = AnyMachineSnapshot;

interface Action {
  readonly type: string;
  readonly params?: unknown;
}

export class PureMachine {
  private readonly machine: AnyStateMachine;
  private readonly scope: AnyActorScope;
  /** The actions the last step asked for. */
  private readonly actions: Action[] = [];

  constructor(private readonly spec: NodeSpec) {
    this.machine = spec.machine;
    // Built as XState builds its own for `transition`, with an actor that is never started.
    const self = createActor(spec.machine, { input: spec.input(undefined) });
    const actions = this.actions;
    this.scope = {
      self,
      defer: () => {},
      id: '',
      logger: () => {},
      sessionId: '',
      stopChild: () => {},
      system: self.system,
      emit: () => {},
      actionExecutor: (action: Action) => void actions.push(action),
    } as unknown as AnyActorScope;
  }

  /** The machine's initial snapshot for `input`; its entry actions' effects: `effects()`. */
  initial(input: unknown): Snapshot {
    this.actions.length = 0;
    return this.machine.getInitialSnapshot(this.scope, input) as Snapshot;
  }

  /** The snapshot after `event`, from `snapshot` with `context` in place of its own (a copy the
   *  step may change); its effects: `effects()`. */
  transition(snapshot: Snapshot, context: unknown, event: NodeEvent): Snapshot {
    this.actions.length = 0;
    const own = { ...snapshot, context } as Snapshot;
    return this.machine.transition(own, event, this.scope) as Snapshot;
  }

  /** The effects the last step emitted, in order. */
  effects(): Effect[] {
    const effects = this.actions.splice(0) as unknown[];
    for (let i = 0; i < effects.length; i++) {
      const action = effects[i] as Action;
      if (action.type !== 'xstate.emit') {
        throw new Error(`${this.spec.id}: its machine asked for action ${JSON.stringify(action.type)}; mpkv verify drives machines whose actions only assign and emit effects`);
      }
      effects[i] = (action.params as { event: Effect }).event;
    }
    return effects as Effect[];
  }

  /** Has the machine reached its final state? */
  done(snapshot: Snapshot): boolean {
    return snapshot.status === 'done';
  }
}
