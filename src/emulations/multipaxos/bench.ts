/**
 * What `npm run bench` measures of MultiPaxos:
 *  - messages per decided command against the steady-state optimum without batching,
 *    2 + 2A + R + (L - 1): request + reply, accept + accepted per acceptor, a decision per
 *    replica and per other leader;
 *  - delivered messages per second of wall-clock time in a long run (100 clients x 100
 *    requests);
 *  - where exploration hunts each mutant.
 */
import type { BenchSpec } from '../api/emulation.js';
import type { Fact, Message } from './messages.js';
import type { MutantName } from './mutants.js';
import type { TraceEvent } from '../../sim/trace.js';

function topology(acceptors: number, replicas: number, clients: number, requests: number): string {
  return `[topology]\nacceptors = ${acceptors}\nleaders = 1\nreplicas = ${replicas}\nclients = ${clients}\n[workload]\nrequests = ${requests}\n`;
}

function messagesPerCommand(acceptors: number, replicas: number): BenchSpec['figures'][number] {
  return {
    config: topology(acceptors, replicas, 3, 200),
    figure({ summary, trace }) {
      const decided = (trace as readonly TraceEvent<Message, Fact>[]).filter(
        (e) => e.kind === 'note' && e.fact?.kind === 'decide' && e.node.startsWith('leader') && e.fact.command.kind === 'request',
      ).length;
      const perCommand = summary.sent / decided;
      const optimum = 2 + 2 * acceptors + replicas;
      return (
        `messages per decided command, ${acceptors} acceptors / 1 leader / ${replicas} replicas: ${perCommand.toFixed(2)} ` +
        `(optimum ${optimum}; ${((perCommand / optimum - 1) * 100).toFixed(1)}% above it, ${decided} commands)`
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
};

const verifyGrounds: Record<MutantName, string> = {
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

export const bench: BenchSpec = {
  figures: [messagesPerCommand(3, 2), messagesPerCommand(5, 3)],
  load: { name: '100 clients x 100 requests', config: topology(3, 2, 100, 100) },
  huntingGrounds,
  verifyGrounds,
};
