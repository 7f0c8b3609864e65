/**
 * Replica: a learner. It applies decided commands strictly in slot order to its own store
 * (buffering decisions that arrive early), with the same `apply` as every other node, and
 * repairs gaps left by lost `decision` messages by asking other learners (leaders and
 * replicas) for what it missed. It does not answer clients: leaders do.
 */
import { setup, type MachineContext } from 'xstate';
import { step } from '../../sim/outbox.js';
import { answerCatchUp, armCatchUp, CATCH_UP, catchUpTick, initialLearner, learn, learnBatch, type LearnerState } from './learner.js';
import { describeLogCommand, type Effect, type Fact, type Message, type NodeEvent, type NodeId, type Outbox } from './messages.js';
import type { Rules } from './rules.js';

export interface ReplicaInput {
  readonly id: number;
  /** Learners to ask for missed decisions: the leaders, then the other replicas. */
  readonly peers: readonly NodeId[];
  readonly catch_up_ms: number;
  readonly rules: Rules;
}

export interface ReplicaState extends LearnerState, MachineContext {
  readonly id: number;
  readonly catch_up_ms: number;
  readonly rules: Rules;
}

function onDecision(state: ReplicaState, event: NodeEvent, out: Outbox): ReplicaState {
  if (event.type !== 'decision' || state.decided.has(event.slot) || event.slot < state.applied) return state;
  const { slot, command } = event;
  if (slot > state.applied && state.rules.appliesInOrder) {
    out.note(() => `DECISION slot ${slot} ${describeLogCommand(command)}: buffered, waiting for slot ${state.applied}`, { kind: 'decide', slot, command });
  } else {
    out.observe({ kind: 'decide', slot, command });
  }
  return learn(state, slot, command, state.rules, out)[0];
}

export const replicaMachine = setup({
  types: { context: {} as ReplicaState, events: {} as NodeEvent, input: {} as ReplicaInput, emitted: {} as Effect },
  guards: { isCatchUpTimer: ({ event }) => event.type === 'timeout' && event.timer === CATCH_UP },
  actions: {
    onDecision: step(onDecision),
    onDecisions: step<ReplicaState, NodeEvent, Message, Fact>((s, e, out) => (e.type === 'decisions' ? learnBatch(s, e.entries, s.rules, out)[0] : s)),
    answerCatchUp: step<ReplicaState, NodeEvent, Message, Fact>((s, e, out) => {
      if (e.type === 'catch-up') answerCatchUp(s, s.rules, e.from, e.from_slot, out);
      return s;
    }),
    armCatchUp: step<ReplicaState, NodeEvent, Message, Fact>((s, _e, out) => armCatchUp(s, s.catch_up_ms, out)),
    catchUp: step<ReplicaState, NodeEvent, Message, Fact>((s, _e, out) => catchUpTick(s, s.catch_up_ms, out)),
  },
}).createMachine({
  id: 'replica',
  context: ({ input }) => ({ ...initialLearner(input.peers), id: input.id, catch_up_ms: input.catch_up_ms, rules: input.rules }),
  initial: 'learning',
  states: {
    learning: {
      on: {
        start: { actions: 'armCatchUp' },
        decision: { actions: 'onDecision' },
        decisions: { actions: 'onDecisions' },
        'catch-up': { actions: 'answerCatchUp' },
        timeout: { guard: 'isCatchUpTimer', actions: 'catchUp' },
      },
    },
  },
});
