/**
 * The keys every emulation shares, as one typed `BaseConfig` that maps one-to-one to the TOML
 * file: the seed, the run's length, the network, planned faults, exploration's fault budget and
 * the mutants. Each emulation adds its own sections (its topology, workload, protocol timings)
 * through its `sections` schemas (src/emulations/api.ts). Every key has a default except where
 * noted; unknown keys are errors (strict objects). Validation uses valibot; messages say what
 * was expected, and ./load.ts adds the file, line and key path.
 */
import * as v from 'valibot';

/**
 * Upper bounds on every size and time: beyond them a run would exhaust memory or never end,
 * so they are refused up front with the bound in the message (a float written as an integer,
 * `requests = 1e300`, is an integer to TOML and would otherwise be accepted).
 */
export const LIMITS = {
  /** Nodes of one role. */
  nodes: 10_000,
  /** Requests (or messages) per client. */
  requests: 1_000_000,
  /** All clients' requests together: every request is kept in the client history. */
  totalRequests: 10_000_000,
  /** Any time in ms: one virtual day. */
  ms: 86_400_000,
  /** Keys and values a workload draws from. */
  keys: 100_000,
  values: 1_000_000_000,
  /** Pipelining windows, batches and exploration's message budgets. */
  window: 100_000,
  messages: 1_000_000,
  /** The model checker's path length and state count. */
  depth: 10_000,
  states: 20_000_000,
} as const;

/** An integer in [min, max], with the range in the message. */
export const integer = (min: number, max: number) => {
  const message = `expected an integer in [${min}, ${max}]`;
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
};
/** A count of things (nodes, by default bounded by LIMITS.nodes). */
export const count = (min: number, max: number = LIMITS.nodes) => integer(min, max);
export const ms = () => integer(0, LIMITS.ms);
export const positiveMs = () => integer(1, LIMITS.ms);
export const probability = () =>
  v.pipe(v.number('expected a number in [0, 1]'), v.minValue(0, 'expected a number in [0, 1]'), v.maxValue(1, 'expected a number in [0, 1]'));
export const weight = () =>
  v.pipe(v.number('expected a number in [0, 1000000]'), v.minValue(0, 'expected a number in [0, 1000000]'), v.maxValue(1e6, 'expected a number in [0, 1000000]'));
const nodeName = () => v.string('expected a node name such as "client 1"');

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

/**
 * `mpkv explore`'s budget: what a generated schedule may do during the safety phase
 * [0, safety_ms). After it the network is reliable and every node is up (the healed phase).
 */
export const FaultsSchema = v.strictObject({
  /** How long the faulty (safety) phase lasts; every fault starts and ends inside it. */
  safety_ms: v.optional(positiveMs(), 1000),
  /** At most this many nodes down at once (the emulation may forbid some sets of nodes too). */
  max_crashed: v.optional(count(0), 1),
  /** At most this many crash-recover events per schedule. */
  crashes: v.optional(count(0), 2),
  /** The longest a crashed node stays down (it is back by safety_ms in any case). */
  down_max_ms: v.optional(positiveMs(), 500),
  /** Which roles a schedule may crash (plural names; default: every role the emulation lets crash). */
  crash_roles: v.optional(v.array(v.string('expected a role name in the plural, such as "clients"'))),
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
  /** Liveness in explored runs: once the last fault has healed, anything the emulation calls
   *  hot (a request outstanding, a node behind) must cool down within this many virtual ms
   *  (default: the emulation's, derived from the config's timeouts). */
  liveness_ms: v.optional(positiveMs()),
});

/**
 * `mpkv verify`'s bound: the exhaustive search explores every order of events on paths of at
 * most `max_depth` events, with at most this many faults of each kind and timer firings on any
 * one path. Virtual time is abstract there: any armed timer may fire at any step.
 */
export const VerifySchema = v.strictObject({
  /** The longest path explored, in events after boot. */
  max_depth: v.optional(count(1, LIMITS.depth), 30),
  /** The search stops after this many distinct states (and says it was cut short). */
  max_states: v.optional(count(1, LIMITS.states), 2_000_000),
  /** Per path: messages lost, messages delivered twice, crash-recover events (crashable nodes
   *  and how many may be down at once come from [faults]: crash_roles, max_crashed). */
  drops: v.optional(count(0, 100), 0),
  duplicates: v.optional(count(0, 100), 0),
  crashes: v.optional(count(0, 100), 0),
  /** Per path: timer firings. */
  timeouts: v.optional(count(0, 1000), 2),
  /** Only these timers may fire (names, or `role:name`); empty: every timer. */
  timers: v.optional(v.array(v.string('expected a timer name such as "retry"')), []),
  /** The liveness pass's most states, for a config whose whole liveness graph is known to be
   *  larger than the command's default (--liveness-states overrides it). */
  liveness_states: v.optional(count(1, LIMITS.states)),
  /** The liveness pass's budget of early timer firings per path, for a config whose liveness
   *  graph with the safety search's budget (`timeouts`) is too large to close
   *  (--liveness-timeouts overrides it; default: `timeouts`). The report says which it used. */
  liveness_timeouts: v.optional(count(0, 1000)),
});

export const MutantsSchema = v.strictObject({
  /** Names of the emulation's deliberately broken variants to switch on. */
  enable: v.optional(v.array(v.string('expected a mutant name')), []),
});

/** The common keys, by name (an emulation's sections are added beside them). */
export const baseEntries = {
  /** Which emulation runs (the registry's names; default: the registry's first). */
  emulation: v.string('expected an emulation name'),
  /** The run's one seed: same config + seed, same trace. */
  seed: v.optional(integer(0, 2 ** 32 - 1), 1),
  /** The run stops at this virtual time if the clients are not done. */
  time_limit_ms: v.optional(positiveMs(), 60_000),
  /** After the last client finishes, the other nodes get this long to catch up. */
  drain_ms: v.optional(ms(), 500),
  /** The linearizability search's step budget for this config's runs (deterministic; a
   *  command's --check-steps overrides it; default: the checker's own). */
  check_steps: v.optional(integer(1, 1_000_000_000)),
  network: v.optional(NetworkSchema, {}),
  partitions: v.optional(v.array(PartitionSchema), []),
  crashes: v.optional(v.array(CrashSchema), []),
  faults: v.optional(FaultsSchema, {}),
  verify: v.optional(VerifySchema, {}),
  mutants: v.optional(MutantsSchema, {}),
};

type Parsed = v.InferOutput<ReturnType<typeof v.strictObject<typeof baseEntries>>>;

/** The common keys of a loaded config. `faults.crash_roles` is always filled in. */
export type BaseConfig = Omit<Parsed, 'faults'> & {
  readonly faults: Omit<Parsed['faults'], 'crash_roles'> & { readonly crash_roles: readonly string[] };
};
