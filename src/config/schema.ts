/**
 * The config schema: one typed `Config` that maps one-to-one to the TOML file. Every key is
 * documented here and in the README; every key has a default except where noted; unknown keys
 * are errors (strict objects). Validation uses valibot; messages say what was expected, and
 * src/config/load.ts adds the file, line and key path.
 */
import * as v from 'valibot';
import { MUTANT_NAMES } from '../roles/mutants.js';

/**
 * Upper bounds on every size and time: beyond them a run would exhaust memory or never end,
 * so they are refused up front with the bound in the message (a float written as an integer,
 * `requests = 1e300`, is an integer to TOML and would otherwise be accepted).
 */
export const LIMITS = {
  /** Nodes of one role (acceptors, leaders, replicas, servers, clients). */
  nodes: 10_000,
  /** Requests per client. */
  requests: 1_000_000,
  /** clients x requests: every request is kept in the client history. */
  totalRequests: 10_000_000,
  /** Any time in ms: one virtual day. */
  ms: 86_400_000,
  /** Keys and values a workload draws from. */
  keys: 100_000,
  values: 1_000_000_000,
  /** Paxos pipelining window and exploration's message budgets. */
  window: 100_000,
  messages: 1_000_000,
} as const;

const integer = (min: number, max: number) => {
  const message = `expected an integer in [${min}, ${max}]`;
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
};
const count = (min: number, max: number = LIMITS.nodes) => integer(min, max);
const ms = () => integer(0, LIMITS.ms);
const positiveMs = () => integer(1, LIMITS.ms);
const probability = () => v.pipe(v.number('expected a number in [0, 1]'), v.minValue(0, 'expected a number in [0, 1]'), v.maxValue(1, 'expected a number in [0, 1]'));
const weight = () => v.pipe(v.number('expected a number in [0, 1000000]'), v.minValue(0, 'expected a number in [0, 1000000]'), v.maxValue(1e6, 'expected a number in [0, 1000000]'));
const nodeName = () => v.string('expected a node name such as "acceptor 1"');

export const TopologySchema = v.strictObject({
  /** MultiPaxos: acceptors (a majority of them is a quorum). */
  acceptors: v.optional(count(1), 3),
  /** MultiPaxos: leaders (proposers); clients are spread over them. */
  leaders: v.optional(count(1), 1),
  /** MultiPaxos: replicas (learners that apply the log to their own store). */
  replicas: v.optional(count(0), 2),
  /** kv_store: the single server (exactly 1). */
  servers: v.optional(count(0), 1),
  /** Clients, each making `workload.requests` requests one at a time. */
  clients: v.optional(count(1), 3),
});

export const WorkloadSchema = v.strictObject({
  requests: v.optional(count(0, LIMITS.requests), 5),
  get_weight: v.optional(weight(), 1),
  put_weight: v.optional(weight(), 1),
  delete_weight: v.optional(weight(), 1),
  keys: v.optional(
    v.pipe(v.array(v.string('expected a string')), v.minLength(1, 'expected at least one key'), v.maxLength(LIMITS.keys, `expected at most ${LIMITS.keys} keys`)),
    ['a', 'b', 'c', 'd', 'e'],
  ),
  values: v.optional(count(1, LIMITS.values), 100),
  /** A client re-sends a request that has had no reply for this long. */
  timeout_ms: v.optional(positiveMs(), 200),
});

export const NetworkSchema = v.strictObject({
  delay: v.optional(v.picklist(['fixed', 'uniform', 'exponential'], 'expected "fixed", "uniform" or "exponential"'), 'uniform'),
  delay_min_ms: v.optional(ms(), 1),
  delay_max_ms: v.optional(ms(), 10),
  delay_mean_ms: v.optional(ms(), 5),
  drop_rate: v.optional(probability(), 0),
  duplicate_rate: v.optional(probability(), 0),
});

export const PartitionSchema = v.strictObject({
  start_ms: ms(),
  /** Omit for a partition that never heals. */
  end_ms: v.optional(ms()),
  groups: v.pipe(v.array(v.array(nodeName(), 'expected a list of node names'), 'expected a list of groups'), v.minLength(1, 'expected at least one group')),
});

export const CrashSchema = v.strictObject({
  node: nodeName(),
  at_ms: ms(),
  /** Omit for crash-stop. */
  restart_ms: v.optional(ms()),
});

export const PaxosSchema = v.strictObject({
  /** Slots a leader may have in Phase 2 at once (pipelining). */
  window: v.optional(count(1, LIMITS.window), 4),
  /** A leader re-sends unanswered prepares / accepts this often. */
  retry_ms: v.optional(positiveMs(), 50),
  /** A preempted leader waits a random time, doubling from min up to max, before Phase 1. */
  backoff_min_ms: v.optional(positiveMs(), 20),
  backoff_max_ms: v.optional(positiveMs(), 640),
  /** Learners (replicas, leaders) ask a peer for missed decisions this often, when they see a
   *  gap or heard no new decision in that time. */
  catch_up_ms: v.optional(positiveMs(), 100),
});

/** The nodes a schedule may crash, by role. Clients and the kv server are never crashed: a
 *  client's outstanding request would stay pending forever, and the server keeps nothing. */
export const CRASH_ROLES = ['acceptors', 'leaders', 'replicas'] as const;

/**
 * `mpkv explore`'s budget: what a generated schedule may do during the safety phase
 * [0, safety_ms). After it the network is reliable and every node is up (the healed phase).
 */
export const FaultsSchema = v.strictObject({
  /** How long the faulty (safety) phase lasts; every fault starts and ends inside it. */
  safety_ms: v.optional(positiveMs(), 1000),
  /** At most this many nodes down at once (and never a majority of the acceptors). */
  max_crashed: v.optional(count(0), 1),
  /** At most this many crash-recover events per schedule. */
  crashes: v.optional(count(0), 2),
  /** The longest a crashed node stays down (it is back by safety_ms in any case). */
  down_max_ms: v.optional(positiveMs(), 500),
  /** Which roles a schedule may crash. */
  crash_roles: v.optional(v.array(v.picklist(CRASH_ROLES, `expected one of ${CRASH_ROLES.join(', ')}`)), ['acceptors', 'leaders', 'replicas']),
  /** At most this many partition windows per schedule. */
  partitions: v.optional(count(0), 1),
  /** Per-message probabilities, during the safety phase, that a message is lost, delivered
   *  twice, or held back by an explicit delay of up to delay_max_ms. */
  drop_rate: v.optional(probability(), 0.1),
  duplicate_rate: v.optional(probability(), 0.1),
  delay_rate: v.optional(probability(), 0.2),
  delay_max_ms: v.optional(positiveMs(), 300),
  /** A schedule faults at most (drop_rate + duplicate_rate + delay_rate) x max_messages
   *  messages, each among the first link_messages sent on its link (from -> to). */
  max_messages: v.optional(count(0, LIMITS.messages), 300),
  link_messages: v.optional(count(1, LIMITS.messages), 40),
});

export const MutantsSchema = v.strictObject({
  enable: v.optional(v.array(v.picklist(MUTANT_NAMES, `expected one of ${MUTANT_NAMES.join(', ')}`)), []),
});

export const ConfigSchema = v.strictObject({
  /** Which emulation runs. */
  emulation: v.optional(v.picklist(['multipaxos', 'kv_store'], 'expected "multipaxos" or "kv_store"'), 'multipaxos'),
  /** The run's one seed: same config + seed, same trace. */
  seed: v.optional(integer(0, 2 ** 32 - 1), 1),
  /** The run stops at this virtual time if the clients are not done. */
  time_limit_ms: v.optional(positiveMs(), 60_000),
  /** After the last client finishes, learners get this long to catch up. */
  drain_ms: v.optional(ms(), 500),
  topology: v.optional(TopologySchema, {}),
  workload: v.optional(WorkloadSchema, {}),
  network: v.optional(NetworkSchema, {}),
  partitions: v.optional(v.array(PartitionSchema), []),
  crashes: v.optional(v.array(CrashSchema), []),
  paxos: v.optional(PaxosSchema, {}),
  faults: v.optional(FaultsSchema, {}),
  mutants: v.optional(MutantsSchema, {}),
});

export type Config = v.InferOutput<typeof ConfigSchema>;
