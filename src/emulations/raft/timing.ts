/**
 * Raft's timing, as the liveness pass of `mpkv verify` may assume it when time passes (no
 * message in flight: src/verify/liveness.ts). The model has no clock; left to itself it lets
 * any armed timer expire next, and Raft then never settles: a follower's election timeout
 * beats the leader's heartbeat, a new term begins, and again, with terms growing for ever —
 * a graph that never closes. Two rules of which election timer may expire next hold it back;
 * every other timer (a heartbeat, a candidate's vote retry, a client's retry) may expire
 * whenever time passes, as before.
 *
 * 1. **The current leader's heartbeat comes first.** While a live leader whose term no live
 *    server has passed has its heartbeat armed, no election timer expires. A follower of that
 *    term re-arms its election timer whenever the leader's AppendEntries arrives, and time
 *    passes only once every message was delivered, so it was re-armed no earlier than the
 *    leader's last heartbeat went out; with `heartbeat_ms < election_min_ms` the next heartbeat
 *    expires first. A stale leader (another server is in a later term) holds nobody back: the
 *    servers of the later term refuse its AppendEntries without re-arming.
 * 2. **Followers before candidates: an assumption.** A candidate's election timer does not
 *    expire while some follower's is armed. This is what Raft's randomised timeouts make likely
 *    (§5.2: "randomized election timeouts to ensure that split votes are rare"), not what its
 *    timers guarantee: a follower that just voted for the candidate, stepped down to it or
 *    restarted armed its timer after the candidate did, and with equal timeouts the candidate's
 *    would expire first. So the pass never explores a candidate standing again (a term higher,
 *    with the same log) while a follower could stand instead; liveness bugs that need that
 *    order — a candidate that keeps disrupting — are outside what it proves. Without the rule
 *    a stale candidate may stand again and again, the terms grow, and the graph never closes;
 *    the untimed model assumes the randomisation works, as it assumes MultiPaxos's backoffs end
 *    a duel (README, "Duelling leaders under weak fairness").
 *
 * Rule 1 needs `heartbeat_ms < election_min_ms` (the defaults: 50 and 150); a config without
 * it gets no rule (any timer may expire next, and the liveness graph may not close).
 * Early firings within `[verify] timeouts` are untouched: they are the timing faults the
 * safety search explores, and they may break both rules. Both rules read roles, terms and
 * timers, never a server's name, so they hold alike in a mirror image.
 */
import type { ArmedTimers, Config, ExpiryRule } from '../api/emulation.js';
import type { RaftSections } from './config.js';
import { ELECTION, HEARTBEAT, type ServerState } from './state.js';

/** The rule for `config`, or undefined when its heartbeat is not shorter than its election timeout. */
export function expiresFirst(config: Config<RaftSections>): ExpiryRule | undefined {
  const { heartbeat_ms, election_min_ms } = config.raft;
  if (heartbeat_ms >= election_min_ms) return undefined;
  return {
    mayExpire: (node, timer, armed) => timer !== ELECTION || (!currentLeaderBeats(armed) && !(isCandidate(armed[node]!) && armed.some(followerElection))),
    says: `raft's timing: the current leader's heartbeat before any election timeout (raft.heartbeat_ms ${heartbeat_ms} < raft.election_min_ms ${election_min_ms}), a follower's election timeout before a candidate's (assumed)`,
  };
}

const contextOf = (a: ArmedTimers): Partial<ServerState> | undefined => a.view.context as Partial<ServerState> | undefined;
const isCandidate = (a: ArmedTimers): boolean => contextOf(a)?.role === 'candidate';
const followerElection = (a: ArmedTimers): boolean => contextOf(a)?.role === 'follower' && a.timers.includes(ELECTION);

/** Rule 1: a live leader with its heartbeat armed, in a term no live server has passed. */
function currentLeaderBeats(armed: readonly ArmedTimers[]): boolean {
  const latest = Math.max(...armed.map((a) => contextOf(a)?.term ?? 0));
  return armed.some((a) => contextOf(a)?.role === 'leader' && a.timers.includes(HEARTBEAT) && contextOf(a)?.term === latest);
}
