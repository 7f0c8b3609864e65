/**
 * A Raft server as an XState statechart: the paper's Figure 4, with the transition logic in one
 * file per role (./follower.ts, ./candidate.ts, ./leader.ts) as plain functions that write
 * their effects into an Outbox.
 *
 *            start                    times out,             receives votes from
 *   starting -----> follower -------------------> candidate ---------------------> leader
 *                    ^  ^    starts an election     |  ^ \ times out: a new election  |
 *                    |  |                           |  |__/                           |
 *                    |  +---------------------------+                                 |
 *                    |   discovers the current leader or a new term                   |
 *                    +----------------------------------------------------------------+
 *                                       discovers a server with a higher term
 *
 * "Discovers a higher term" is any message carrying a term above the server's own (§5.1): the
 * server takes it up and converts to follower before handling the message as a follower would.
 * A follower's election timer is re-armed, with a fresh random timeout, whenever it enters the
 * follower state, grants a vote, or hears from the leader of its term.
 */
import { setup } from 'xstate';
import { step } from '../../sim/outbox.js';
import { RaftLog } from './log.js';
import { askAgain, countVote, hasMajority, startElection, stopAsking, winsElection } from './candidate.js';
import { acceptEntries, answerVote, dropForward, forwardRequest } from './follower.js';
import { becomeLeader, heartbeat, leaderForward, leaderRequest, onAppendResult, stopLeading } from './leader.js';
import type { Effect, Fact, Message, NodeEvent, Outbox, Received } from './messages.js';
import { newRsm } from '../../kv/rsm.js';
import { adoptTerm, armElectionTimer, ELECTION, HEARTBEAT, VOTE_RETRY, type ServerInput, type ServerState } from './state.js';

type Transition<E> = (state: ServerState, event: E, out: Outbox) => ServerState;

/** A transition for messages of one type (the statechart sends it only those). */
const on = <T extends Message['type']>(transition: Transition<Received<T>>) =>
  step<ServerState, NodeEvent, Message, Fact>((s, e, out) => transition(s, e as Received<T>, out));

/** The message's term, if it carries one. */
const termOf = (event: NodeEvent): number | undefined => ('term' in event && typeof event.term === 'number' ? event.term : undefined);

/** Takes up the message's term (if higher) as a follower: the first action of a step down. */
function becomeFollower(state: ServerState, event: NodeEvent, out: Outbox): ServerState {
  return adoptTerm(state, termOf(event) ?? state.term, 'follower', out);
}

/** A follower hearing of a higher term in a message it has no other use for (a late answer). */
function noteTerm(state: ServerState, event: NodeEvent, out: Outbox): ServerState {
  return adoptTerm(state, termOf(event) ?? state.term, state.role, out);
}

/** Boot, or restart from the disk: a follower (say what the disk held, if anything). */
function boot(state: ServerState, _event: NodeEvent, out: Outbox): ServerState {
  const { term, votedFor, log } = state;
  if (term > 0 || log.lastIndex > 0) {
    out.note(() => `RESTORED from disk: term ${term}, voted for ${votedFor ?? 'nobody'}, log ends at index ${log.lastIndex} (term ${log.lastTerm})`, {
      kind: 'restore',
      term,
      voted_for: votedFor ?? null,
      last_index: log.lastIndex,
      last_term: log.lastTerm,
      ...(state.seeded ? { entries: log.toJSON() } : {}),
    });
  }
  return state;
}

const newerTerm = ({ context, event }: { context: ServerState; event: NodeEvent }): boolean => (termOf(event) ?? 0) > context.term;
const isTimer = (name: string) => ({ event }: { event: NodeEvent }) => event.type === 'timeout' && event.timer === name;

export const serverMachine = setup({
  types: { context: {} as ServerState, events: {} as NodeEvent, input: {} as ServerInput, emitted: {} as Effect },
  guards: {
    newerTerm,
    /** A leader steps down on a higher term (unless a mutant keeps it leading). */
    stepsDown: (args) => newerTerm(args) && args.context.rules.leaderStepsDown,
    /** An AppendEntries of the candidate's term or later: another server won. */
    currentOrNewerTerm: ({ context, event }) => (termOf(event) ?? -1) >= context.term,
    winsElection: ({ context, event }) => event.type === 'vote' && winsElection(context, event),
    hasMajority: ({ context }) => hasMajority(context),
    isElectionTimer: isTimer(ELECTION),
    isHeartbeatTimer: isTimer(HEARTBEAT),
    isVoteRetryTimer: isTimer(VOTE_RETRY),
  },
  actions: {
    boot: step(boot),
    armElectionTimer: step<ServerState, NodeEvent, Message, Fact>((s, e, out) => {
      armElectionTimer(s, e.entropy, out);
      return s.role === 'follower' ? s : { ...s, role: 'follower' };
    }),
    becomeFollower: step(becomeFollower),
    noteTerm: step(noteTerm),
    answerVote: on<'request-vote'>(answerVote),
    acceptEntries: on<'append-entries'>(acceptEntries),
    forwardRequest: on<'request'>(forwardRequest),
    dropForward: on<'forward'>(dropForward),
    startElection: step(startElection),
    askAgain: step(askAgain),
    stopAsking: step(stopAsking),
    countVote: on<'vote'>(countVote),
    becomeLeader: step(becomeLeader),
    stopLeading: step(stopLeading),
    onAppendResult: on<'append-result'>(onAppendResult),
    leaderRequest: on<'request'>(leaderRequest),
    leaderForward: on<'forward'>(leaderForward),
    heartbeat: step(heartbeat),
  },
}).createMachine({
  id: 'raft',
  context: ({ input }) => ({
    id: input.id,
    self: input.self,
    peers: input.peers,
    raft: input.raft,
    rules: input.rules,
    ...(input.seeded ? { seeded: true } : {}),
    role: 'follower',
    term: input.disk?.term ?? 0,
    votedFor: input.disk?.votedFor,
    log: input.disk?.log ?? RaftLog.empty(),
    commit: 0,
    applied: 0,
    rsm: newRsm(),
    leader: undefined,
    clients: new Map(),
    votes: [],
    progress: new Map(),
  }),
  initial: 'starting',
  states: {
    starting: {
      on: { start: { target: 'follower', actions: 'boot' } },
    },
    follower: {
      entry: 'armElectionTimer',
      on: {
        timeout: { guard: 'isElectionTimer', target: 'candidate' },
        'request-vote': { actions: 'answerVote' },
        'append-entries': { actions: 'acceptEntries' },
        vote: { actions: 'noteTerm' },
        'append-result': { actions: 'noteTerm' },
        request: { actions: 'forwardRequest' },
        forward: { actions: 'dropForward' },
      },
    },
    candidate: {
      entry: 'startElection',
      exit: 'stopAsking',
      always: { guard: 'hasMajority', target: 'leader' },
      on: {
        timeout: [
          { guard: 'isElectionTimer', target: 'candidate', reenter: true },
          { guard: 'isVoteRetryTimer', actions: 'askAgain' },
        ],
        vote: [
          { guard: 'newerTerm', target: 'follower', actions: 'becomeFollower' },
          { guard: 'winsElection', target: 'leader', actions: 'countVote' },
          { actions: 'countVote' },
        ],
        'request-vote': [{ guard: 'newerTerm', target: 'follower', actions: ['becomeFollower', 'answerVote'] }, { actions: 'answerVote' }],
        'append-entries': [{ guard: 'currentOrNewerTerm', target: 'follower', actions: ['becomeFollower', 'acceptEntries'] }, { actions: 'acceptEntries' }],
        'append-result': { guard: 'newerTerm', target: 'follower', actions: 'becomeFollower' },
        request: { actions: 'forwardRequest' },
        forward: { actions: 'dropForward' },
      },
    },
    leader: {
      entry: 'becomeLeader',
      exit: 'stopLeading',
      on: {
        'append-result': [{ guard: 'stepsDown', target: 'follower', actions: 'becomeFollower' }, { actions: 'onAppendResult' }],
        'request-vote': [{ guard: 'stepsDown', target: 'follower', actions: ['becomeFollower', 'answerVote'] }, { actions: 'answerVote' }],
        'append-entries': [{ guard: 'stepsDown', target: 'follower', actions: ['becomeFollower', 'acceptEntries'] }, { actions: 'acceptEntries' }],
        vote: [{ guard: 'stepsDown', target: 'follower', actions: 'becomeFollower' }, { actions: 'noteTerm' }],
        request: { actions: 'leaderRequest' },
        forward: { actions: 'leaderForward' },
        timeout: { guard: 'isHeartbeatTimer', actions: 'heartbeat' },
      },
    },
  },
});
