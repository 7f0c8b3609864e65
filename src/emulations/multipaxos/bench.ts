/**
 * What `npm run bench` measures of MultiPaxos:
 *  - messages per committed command against the steady-state optimum without batching,
 *    2 + 2A + R + (L - 1): request + reply, accept + accepted per acceptor, a decision per
 *    replica and per other leader; with batching (`paxos.batch`) one accept round and one
 *    decision per learner serve a whole batch, so a busy leader goes below that optimum;
 *  - delivered messages per second of wall-clock time in a long run (100 clients x 100
 *    requests, unbatched: the simulator's speed, not the protocol's);
 *  - where exploration hunts each mutant, and where the model checker catches each safety one.
 */
import type { BenchSpec } from '../api/emulation.js';
import { requestsIn, type Fact, type Message } from './messages.js';
import type { MutantName, SafetyMutantName } from './mutants.js';
import type { TraceEvent } from '../../sim/trace.js';

interface Shape {
  readonly acceptors: number;
  readonly replicas: number;
  readonly clients: number;
  readonly requests: number;
  readonly batch?: number;
}

function toml(s: Shape): string {
  const paxos = s.batch === undefined ? '' : `[paxos]\nbatch = ${s.batch}\n`;
  // The figures read the messages, not the verdicts: a bounded linearizability search will do.
  return `check_steps = 1000000\n[topology]\nacceptors = ${s.acceptors}\nleaders = 1\nreplicas = ${s.replicas}\nclients = ${s.clients}\n[workload]\nrequests = ${s.requests}\n${paxos}`;
}

/** Client requests decided by the leader that counted the quorum (a batch counts its requests). */
function committed(trace: readonly TraceEvent<Message, Fact>[]): { commands: number; slots: number } {
  let commands = 0;
  let slots = 0;
  for (const e of trace) {
    if (e.kind !== 'note' || e.fact?.kind !== 'decide' || e.fact.ballot === undefined) continue;
    const requests = requestsIn(e.fact.command).length;
    if (requests === 0) continue;
    slots++;
    commands += requests;
  }
  return { commands, slots };
}

function messagesPerCommand(shape: Shape): BenchSpec['figures'][number] {
  return {
    config: toml(shape),
    figure({ summary, trace }) {
      const { commands, slots } = committed(trace as readonly TraceEvent<Message, Fact>[]);
      const perCommand = summary.sent / commands;
      const optimum = 2 + 2 * shape.acceptors + shape.replicas;
      const against = perCommand >= optimum ? `${((perCommand / optimum - 1) * 100).toFixed(1)}% above it` : `${((1 - perCommand / optimum) * 100).toFixed(1)}% below it`;
      const batching = shape.batch === undefined ? '' : `, batch ${shape.batch} (${(commands / slots).toFixed(1)} requests a slot)`;
      return (
        `messages per committed command, ${shape.acceptors} acceptors / 1 leader / ${shape.replicas} replicas, ${shape.clients} clients${batching}: ` +
        `${perCommand.toFixed(2)} (unbatched optimum 2 + 2A + R + (L-1) = ${optimum}; ${against}, ${commands} commands)`
      );
    },
  };
}

const huntingGrounds: Record<MutantName, string> = {
  'acceptor-accepts-lower-ballot': 'configs/mutants/two-leaders.toml',
  'acceptor-forgets-on-restart': 'configs/mutants/forgetful-acceptors.toml',
  'leader-skips-value-adoption': 'configs/mutants/two-leaders.toml',
  'quorum-too-small': 'configs/mutants/two-leaders.toml',
  'replica-applies-out-of-order': 'configs/default.toml',
  'no-retry-dedup': 'configs/default.toml',
  'leader-reads-locally': 'configs/mutants/stale-reads.toml',
  'leader-reuses-ballot-after-restart': 'configs/mutants/forgetful-acceptors.toml',
  'leader-counts-stale-acks': 'configs/mutants/two-leaders.toml',
  'leader-counts-duplicate-acks': 'configs/mutants/two-leaders.toml',
  'leader-counts-stale-promises': 'configs/mutants/two-leaders.toml',
  'acceptor-promises-lower-ballot': 'configs/mutants/two-leaders.toml',
  'accept-does-not-raise-promise': 'configs/mutants/two-leaders.toml',
  'acceptor-forgets-promise-on-restart': 'configs/mutants/forgetful-acceptors.toml',
  'acceptor-forgets-votes-on-restart': 'configs/mutants/forgetful-acceptors.toml',
  'promise-omits-from-slot': 'configs/mutants/two-leaders.toml',
  'leader-never-prepares-again': 'configs/two-leaders.toml',
  'backoff-never-grows': 'configs/mutants/duelling-leaders.toml',
  'catch-up-never-answered': 'configs/default.toml',
  'client-stops-retrying': 'configs/default.toml',
};

/** The safety mutants' (liveness is not judged by the model checker yet). */
const verifyGrounds: Record<SafetyMutantName, string> = {
  'acceptor-accepts-lower-ballot': 'configs/verify/two-leaders.toml',
  'acceptor-forgets-on-restart': 'configs/verify/acceptor-restart.toml',
  'leader-skips-value-adoption': 'configs/verify/two-leaders.toml',
  'quorum-too-small': 'configs/verify/two-leaders.toml',
  'replica-applies-out-of-order': 'configs/verify/leader-restart.toml',
  'no-retry-dedup': 'configs/verify/duplicates.toml',
  'leader-reads-locally': 'configs/verify/stale-read.toml',
  'leader-reuses-ballot-after-restart': 'configs/verify/leader-restart.toml',
  'leader-counts-stale-acks': 'configs/verify/leader-restart-one-client.toml',
  'leader-counts-duplicate-acks': 'configs/verify/duplicates.toml',
  'leader-counts-stale-promises': 'configs/verify/leader-restart.toml',
  'acceptor-promises-lower-ballot': 'configs/verify/two-leaders.toml',
  'accept-does-not-raise-promise': 'configs/verify/two-leaders.toml',
  'acceptor-forgets-promise-on-restart': 'configs/verify/acceptor-restart.toml',
  'acceptor-forgets-votes-on-restart': 'configs/verify/acceptor-restart.toml',
  'promise-omits-from-slot': 'configs/verify/two-leaders.toml',
};

/** Where `mpkv verify` catches each liveness mutant as a lasso (backoff-never-grows is not
 *  among them: it changes only how long a backoff lasts, which the untimed model does not see;
 *  README, "Liveness in verify"). */
const livenessGrounds: Record<string, string> = {
  'leader-never-prepares-again': 'configs/verify/preemption-liveness.toml',
  'catch-up-never-answered': 'configs/verify/catch-up-liveness.toml',
  'client-stops-retrying': 'configs/verify/retry-liveness.toml',
};

export const bench: BenchSpec = {
  figures: [
    messagesPerCommand({ acceptors: 3, replicas: 2, clients: 3, requests: 200 }),
    messagesPerCommand({ acceptors: 5, replicas: 3, clients: 3, requests: 200 }),
    messagesPerCommand({ acceptors: 3, replicas: 2, clients: 100, requests: 20, batch: 16 }),
    messagesPerCommand({ acceptors: 5, replicas: 3, clients: 100, requests: 20, batch: 16 }),
  ],
  load: { name: '100 clients x 100 requests', config: toml({ acceptors: 3, replicas: 2, clients: 100, requests: 100 }) },
  huntingGrounds,
  verifyGrounds,
  livenessGrounds,
};
