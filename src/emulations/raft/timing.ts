/**
 * Raft's timing, as the liveness pass of `mpkv verify` may assume it when time passes (no
 * message in flight: src/verify/liveness.ts). The model has no clock; left to itself it lets
 * any armed timer expire next, and Raft then never settles: a follower's election timeout
 * beats the leader's heartbeat, a new term begins, and again, with terms growing for ever —
 * a graph that never closes. Two rules of which election timer may expire next, each from
 * what re-arms the timers (§5.2), hold it back; every other timer (a heartbeat, a candidate's
 * vote retry, a client's retry) may expire whenever time passes, as before.
 *
 * 1. **A heartbeat comes first.** While a live leader has its heartbeat armed, no election
 *    timer expires: a follower re-arms its election timer whenever an AppendEntries of its
 *    term arrives, and time passes only once every message was delivered, so each follower
 *    was re-armed no earlier than the leader's last heartbeat went out; with
 *    `heartbeat_ms < election_min_ms` the next heartbeat expires first. A leader that fell
 *    behind (a higher term elsewhere, its news lost) still sends: the answer makes it step
 *    down, and then no heartbeat holds anyone back.
 * 2. **Followers before candidates.** A candidate armed its election timer when it stood —
 *    after every follower that refused it (or never heard it) last re-armed its own — so with
 *    equal timeouts the followers' expire first. A candidate that lost keeps asking, and a
 *    follower stands next: with three servers the one whose log is furthest ahead wins when it
 *    stands, and the one that lost cannot lose again before it does. Raft draws each timeout
 *    at random from [election_min_ms, election_max_ms] precisely so that this is what happens
 *    (§5.2: "randomized election timeouts to ensure that split votes are rare"); the untimed
 *    model assumes it, as it assumes MultiPaxos's backoffs end a duel (README, "Duelling
 *    leaders under weak fairness").
 *
 * Rule 1 needs `heartbeat_ms < election_min_ms` (the defaults: 50 and 150); a config without
 * it gets no rule (any timer may expire next, and the liveness graph may not close).
 * Early firings within `[verify] timeouts` are untouched: they are the timing faults the
 * safety search explores, and they may break both rules.
 */
import type { ArmedTimers, Config, ExpiryRule } from '../api/emulation.js';
import type { RaftSections } from './config.js';
import { ELECTION, HEARTBEAT, type ServerState } from './state.js';

/** The rule for `config`, or undefined when its heartbeat is not shorter than its election timeout. */
export function expiresFirst(config: Config<RaftSections>): ExpiryRule | undefined {
  const { heartbeat_ms, election_min_ms } = config.raft;
  if (heartbeat_ms >= election_min_ms) return undefined;
  return {
    mayExpire: (node, timer, armed) => timer !== ELECTION || (!armed.some(leaderHeartbeat) && !(isCandidate(armed[node]!) && armed.some(followerElection))),
    says: `raft's timing: a live leader's heartbeat before any election timeout (raft.heartbeat_ms ${heartbeat_ms} < raft.election_min_ms ${election_min_ms}), a follower's election timeout before a candidate's`,
  };
}

const leaderHeartbeat = (a: ArmedTimers): boolean => a.timers.includes(HEARTBEAT);
const roleOf = (a: ArmedTimers): string | undefined => (a.view.context as Partial<ServerState> | undefined)?.role;
const isCandidate = (a: ArmedTimers): boolean => roleOf(a) === 'candidate';
const followerElection = (a: ArmedTimers): boolean => roleOf(a) === 'follower' && a.timers.includes(ELECTION);
