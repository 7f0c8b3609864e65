/**
 * The one interface an emulation implements, and all the core (router, views, exploration,
 * config, commands) knows of it. After Stateright's `Actor`/`ActorModel` and Maelstrom's
 * workloads: an emulation brings its nodes, messages, checks and rendering; the core brings
 * time, the network, faults, the views and the search.
 *
 * An emulation lives in one folder, `src/emulations/<name>/`, whose `index.ts` exports an
 * `Emulation`, registered with one line in `src/emulations/index.ts`. A command resolves the
 * emulation its config names once, where it starts, and hands it down to whatever runs,
 * explores or checks it: the core never looks an emulation up by name, so a test can hand it
 * one of its own (test/example/ping-pong.ts). See README, "Adding an emulation".
 */
import type * as v from 'valibot';
import type { BaseConfig } from '../../config/base.js';
import type { PartitionWindow } from '../../sim/network.js';
import type { NodeSpec } from '../../sim/interpreter.js';
import type { NodeView, RunSummary } from '../../sim/router.js';
import type { Envelope, FactBase, NodeId, TraceEvent } from '../../sim/trace.js';
import type { CheckOptions } from '../../../specs/linearizability.js';
import type { Verdict } from '../../../specs/verdict.js';
import type { DiagramSpec, Fields } from './diagram.js';

/** A config as the core sees it: the common keys, and the emulation's own sections. */
export type Config<S = Record<string, unknown>> = BaseConfig & S;

export type { ConfigProblem } from '../../config/load.js';
import { pluralOf, type ConfigProblem } from '../../config/load.js';
export { pluralOf };

/** The nodes of one role, in boot order. */
export interface RoleNodes {
  readonly role: string;
  readonly nodes: readonly NodeId[];
}

/** How a node looks on the dashboard: the colour of its line. */
export type Tone = 'normal' | 'good' | 'busy' | 'warn' | 'bad' | 'dim';

/** One node's line on the dashboard, besides its name. */
export interface RowText {
  /** A word for its state (`leading`, `waiting`). */
  readonly state: string;
  /** What matters about it now (`ballot 1.1  next 17 ...`). */
  readonly detail: string;
  readonly tone: Tone;
}

/** A role, as the views and exploration need to know it. */
export interface Role {
  /** The role's word: node names are `<role> <n>` (or just `<role>` for a singleton). */
  readonly name: string;
  /** How `[faults] crash_roles` names it (default: the name and an `s`, `acceptors`). */
  readonly plural?: string;
  /** May exploration crash nodes of this role? (`crash_roles` chooses among these.) */
  readonly crashable: boolean;
  /** When the dashboard is short of lines, roles with higher numbers are summarised first
   *  (default 0: last). */
  readonly summariseFirst?: number;
  /** The dashboard line of a node that is up (crashed nodes are drawn by the core). `width`,
   *  when given, is the columns its detail may take: a row should abbreviate to fit (what does
   *  not fit is cut off at the end). */
  row(view: NodeView, width?: number): RowText;
  /** One line for all nodes of this role, when there is no room for one each (crashed nodes
   *  have no context; the core adds how many are down). */
  summary(views: readonly NodeView[]): string;
}

/** What the run looked like when it ended: for the checks that look at the end state. */
export interface RunEnd {
  readonly summary: RunSummary;
  readonly views: readonly NodeView[];
  /** Partitions still in force at the end. */
  readonly partitions: readonly PartitionWindow[];
  /** What the core knows of why the run may have stalled: nodes down, partitions active, messages
   *  the network lost (`summary.lost`). */
  readonly stalled: readonly string[];
  /** Set when the run did not really end but was cut (a model checker's counterexample stops at
   *  its violation): why. Checks of the end state (convergence, liveness) then say unknown. */
  readonly cut?: string;
}

/** What one run's judge concludes. */
export interface Judgement {
  /** The verdicts, in the order they are reported. */
  readonly verdicts: readonly Verdict[];
  /** The first lines of the run's summary (`requests completed: 15/15`). */
  readonly counts: readonly string[];
}

/** The client history of a run, in a format `mpkv check` reads. */
export interface ClientHistory {
  /** `mpkv check --model <model>` reads it. */
  readonly model: string;
  readonly text: () => string;
}

/**
 * The checks of one run. `observe` sees every trace event as it happens (the checks read
 * facts as they stream, so no check needs the whole trace kept); `finish` gives the verdicts.
 *
 * Every judge can be forked: the model checker (`mpkv verify`) and PCT exploration branch a
 * run at every step, each branch with its own fork, asking after each step which safety
 * checks have failed, and comparing what the judges remember to explore equal states once.
 */
export interface RunJudge<M extends Envelope = Envelope, F extends FactBase = FactBase> {
  /** The kinds of event `observe` reads (default: all): the router builds no others for it. */
  readonly reads?: readonly TraceEvent['kind'][];
  /** `index`: the event's position in the run's trace (for `Verdict.at`). */
  observe(event: TraceEvent<M, F>, index: number): void;
  finish(end: RunEnd): Judgement;
  /** The client history, if the emulation keeps one (`mpkv run --history`). */
  history?(): ClientHistory;
  /** An independent copy: what it observes from now on does not touch this one. */
  fork(): RunJudge<M, F>;
  /** The safety checks that have failed so far (asked after every step; empty while none has). */
  violations(): readonly Verdict[];
  /**
   * What the judge remembers that its later verdicts depend on: two runs whose nodes are in
   * equal states and whose judges remember the same are judged alike from there on, so the
   * model checker explores them once. No times (they differ between paths); node names only as
   * whole strings (so interchangeable nodes can be renamed); Maps and Sets compare unordered.
   */
  memory(): unknown;
}

/** What a judge may be told by the command that runs it. */
export interface JudgeOptions {
  /** The linearizability search's budget (deterministic steps; a command's deadline). */
  readonly check?: CheckOptions;
  /** Offer the run's own order (a log) to the checker as a witness to verify (default true). */
  readonly witness?: boolean;
}

/** What exploration may do to the emulation. */
export interface ExploreSpec<S> {
  /** The directed links messages travel on (faults are placed on these), in a stable order. */
  links(config: Config<S>): readonly (readonly [NodeId, NodeId])[];
  /** May all of `down` be down at once, on top of `[faults] max_crashed` (default: yes, any
   *  set)? */
  mayBeDown?(config: Config<S>, down: ReadonlySet<NodeId>): boolean;
  /**
   * Asked once the clients are done, no message is in flight and no planned fault is left: can
   * nothing change any more (every live node has learned all there is, none has work left)?
   * Then an explored run ends there instead of draining on through idle timers. Without it,
   * explored runs drain for their whole `drain_ms`.
   */
  quiescent?(views: readonly NodeView[]): boolean;
}

/**
 * What the model checker (`mpkv verify`) may know of an emulation to explore fewer states.
 * Without it verify still works: every node is distinct and its whole context is compared.
 */
export interface VerifySpec {
  /**
   * Roles whose nodes are interchangeable: renaming them (everywhere: the nodes, messages, other
   * nodes' contexts, the judge's memory) turns any reachable state into one that behaves the
   * same, so the checker explores one state of each such family (symmetry reduction). True of a
   * role whose nodes all run the same logic and whose peers treat them alike (quorum members).
   */
  readonly symmetric?: readonly string[];
  /**
   * Per role, the context fields that never change after the node starts (its setting: its
   * number, its peers, rules, timings), left out when states are compared. For a symmetric
   * role they must include whatever tells its nodes apart (its number).
   */
  readonly setting?: Readonly<Record<string, readonly string[]>>;
  /**
   * Per role, the context fields its transitions update in place (a log extended rather than
   * copied: a Map, Set or array whose entries are set but never changed themselves, a record of
   * such collections, or an object with a `copy()` method that gives an independent copy).
   * Saying so promises that every other field is only ever replaced, never changed in place:
   * the checker then copies just these fields before a step, shares the rest between states
   * and keeps their fingerprints. A role not listed is copied whole, deeply,
   * before every step (always safe).
   */
  readonly mutable?: Readonly<Record<string, readonly string[]>>;
  /**
   * The kinds of fact whose order, noted at different nodes, the judge's verdicts depend on
   * (a client history's invocations and completions: linearizability reads their real-time
   * order). Saying so promises that whatever else the judge reads — other facts, notes without
   * one — leaves it remembering the same (or failing either way) in whichever order steps at
   * different nodes note it; the model checker's partial-order reduction then lets such steps
   * commute. Without it, any two steps the judge reads are kept in every order (always safe).
   */
  readonly orderedFacts?: readonly string[];
  /**
   * Per role, a node's context as far as its future depends on it, for the liveness pass of
   * `mpkv verify` (src/verify/liveness.ts), which needs the states of a cycle to compare equal:
   * counters kept only for the record (a retry's number in a note) left out, round-robin
   * indices taken modulo their length. Saying so promises that two contexts it maps to equal
   * values take every future step alike (the same sends, timers, state changes as far as this
   * map sees them, the same hot obligations), so states that differ only elsewhere are one
   * state of the liveness graph. Without it, the whole context (less the setting) is compared,
   * and a node that counts its retries never closes a cycle.
   */
  readonly behaviour?: Readonly<Record<string, (context: any) => unknown>>;
  /**
   * Per role, which messages a node ignores for good: given its machine's state (`value`,
   * `context`) and a message from `from`, true only if delivering that message now, or in any
   * state the node can step to from here, changes nothing — not its state, no fact, no timer —
   * and sends nothing, or only an answer to `from` that `from` ignores for good: ask
   * `answerIgnored(answer)` (`from`'s own word, of its present state), with the answer that
   * would be the most likely to matter. `restarts`: the node may crash and restart from its
   * disk on some path (then the promise covers its later lives too). Saying so lets the model checker's reduction take such
   * a message out of flight at once (src/verify/model.ts, `dead`), so that states differing only
   * in a message nobody will ever read are one. It must hold of every state the node can step
   * to once it holds (what makes a message dead only grows: a ballot, a set of decided slots),
   * and it must follow the node's own rules (a mutant that counts stale messages makes them
   * live). Without it, a message stays in flight until it is delivered, dropped, or its
   * addressee finishes (always safe).
   */
  readonly ignoresForGood?: Readonly<Record<string, (state: { readonly value: unknown; readonly context: any }, message: Envelope, from: NodeId, restarts: boolean, answerIgnored: (answer: Envelope) => boolean) => boolean>>;
  /**
   * The timing the liveness pass of `mpkv verify` may assume when time passes (no message in
   * flight; src/verify/liveness.ts): which armed timers may be the next to expire, from the
   * config's timeouts and what re-arms each timer. Without it, any armed timer of a live node
   * may (the model has no clock, so it compares no timeouts): right for timers that nothing
   * else re-arms, wrong for one a heartbeat keeps re-arming — a follower's election timeout
   * would then beat the leader's heartbeat for ever, and the terms grow without end. Returns
   * undefined where the config gives no such order (then any armed timer may expire).
   */
  readonly expiresFirst?: (config: Config<any>) => ExpiryRule | undefined;
}

/** A node's view and its armed timers (none while it is down), as the liveness pass asks
 *  `ExpiryRule` of them. */
export interface ArmedTimers {
  readonly view: NodeView;
  readonly timers: readonly string[];
}

/** Which armed timers may expire first as time passes, and the rule in words for the report. */
export interface ExpiryRule {
  /** Whether `timer` of the node `armed[node]` may be the next timer to expire, given every
   *  node's armed timers (`armed`, by the config's node order). It must allow at least one
   *  where any is armed (the pass fails loudly if not), and give the same answer in a mirror
   *  image (nodes of `VerifySpec.symmetric` renamed among themselves): read roles and
   *  contexts, never a node's name or place, since the pass may judge fairness on states
   *  renamed back from the ones it stored. */
  readonly mayExpire: (node: number, timer: string, armed: readonly ArmedTimers[]) => boolean;
  /** The rule, as the report's first line gives it (`raft's timing: the current leader's heartbeat before …`). */
  readonly says: string;
}

/**
 * Something the system owes and has not delivered yet: a request a client is waiting for, a
 * server or learner behind what others already hold. While owed it is *hot* (after the hot
 * states of P's liveness monitors); once delivered, cold. `mpkv explore` fails liveness when
 * something stays hot longer than a bound after the last fault has healed
 * (src/emulations/temperature.ts).
 */
export interface Hot {
  /** Names this obligation for as long as it is owed, and only it: the same key on consecutive
   *  steps is the same obligation still hot (`client 2 request 3`); a new request, or a learner
   *  that moved on, is a new key. */
  readonly key: string;
  /** The obligation in words, for the report (`client 2's request 3, PUT "a" = "val_3"`); built
   *  only when reported. */
  readonly what: () => string;
}

/**
 * What an emulation calls hot, and how long it may stay hot once the faults have healed. The
 * core knows no protocol: it asks `hot` after every step of an explored run and keeps, per key,
 * since when it has been hot.
 */
export interface TemperatureSpec<S> {
  /** Everything hot now, from the nodes' views (crashed nodes have no context: they owe
   *  nothing, and are owed nothing, while down). Called after every step: keep it cheap. */
  hot(views: readonly NodeView[]): readonly Hot[];
  /** The default bound in virtual ms (`[faults] liveness_ms` overrides it), derived from the
   *  config's timeouts, and how (`4 x (timeout_ms 200 + ...)`). */
  bound(config: Config<S>): { readonly ms: number; readonly why: string };
  /** The emulation's word that `hot` gives the same keys in a mirror image of the views (the
   *  nodes of `VerifySpec.symmetric` renamed among themselves): no key names or tells apart
   *  those nodes. Only then does the liveness pass of `mpkv verify` use the symmetry
   *  (src/verify/liveness.ts); it also checks that no key it meets names one of them. */
  readonly symmetric?: boolean;
  /** The emulation's word that `hot` names those nodes only by their ids (`view.id`), and
   *  gives a mirror image of the views the same keys with the ids renamed (`server 2 at 4`
   *  becomes `server 3 at 4` when servers 2 and 3 swap): then too the liveness pass uses the
   *  symmetry, renaming the keys along (src/verify/lift.ts). Set one of the two words, not
   *  both: with `symmetric` too, the pass takes `symmetric` (and checks no key names a node). */
  readonly namesNodes?: boolean;
}

/**
 * An emulation's words for its messages. Only `describe` is required: the diagram's words
 * default to it.
 */
export interface MessageWords<M> {
  /** A message in a few words, for traces and reports (`accept slot 3 ballot 1.1`). */
  describe(msg: M): string;
  /** A shorter label drawn beside the diagram's arrow (`accept s3 b1.1 PUT a`; default: `describe`). */
  label?(msg: M): string;
  /** The full description, on the diagram's hover and click (default: the label). */
  detail?(msg: M): string;
  /** Messages of one category share a colour and a legend entry in the diagram (`phase 1`). */
  category?(msg: M): string;
  /** Values a diagram's reader may filter by (`{ slot: 3, ballot: '1.1' }`); a message without
   *  the field is hidden by that filter. */
  fields?(msg: M): Fields | undefined;
}

/** What `npm run bench` measures of an emulation (the bench does the timing). */
export interface BenchSpec {
  /** Figures read off one run each (no clock): a config (TOML text) and what to say of its run. */
  readonly figures: readonly {
    readonly config: string;
    figure(run: { readonly summary: RunSummary; readonly trace: readonly TraceEvent[] }): string;
  }[];
  /** A config (TOML text) whose wall-clock throughput is reported (delivered messages per second). */
  readonly load?: { readonly name: string; readonly config: string };
  /** For each mutant, the config file (from the repository root) exploration hunts it on. */
  readonly huntingGrounds?: Readonly<Record<string, string>>;
  /** For each mutant, the config file `mpkv verify` catches it on, within that config's bound. */
  readonly verifyGrounds?: Readonly<Record<string, string>>;
  /** For each liveness mutant that `mpkv verify`'s liveness pass catches, the config file it
   *  catches it on (a lasso), within that config's liveness bound. */
  readonly livenessGrounds?: Readonly<Record<string, string>>;
}

/**
 * An emulation. Required: its name, config sections, topology and nodes, roles, words for its
 * messages, mutants, judge and what exploration may do; the rest is optional, each with the
 * default its comment gives.
 */
export interface Emulation<S = any, M extends Envelope = any, F extends FactBase = any> {
  /** `emulation = "<name>"` in a config. */
  readonly name: string;
  /** Its config sections (valibot schemas with their defaults), besides the common keys. */
  readonly sections: { readonly [K in keyof S]: v.GenericSchema<unknown, S[K]> };
  /** Every node's name, by role, in boot order. */
  topology(config: Config<S>): readonly RoleNodes[];
  /** The nodes to start (the mutants named in `config.mutants.enable` already applied). */
  nodes(config: Config<S>): readonly NodeSpec[];
  /** Its roles, in the order the dashboard shows them. */
  readonly roles: readonly Role[];
  /** Its messages in words: for traces, reports and the diagram. */
  readonly messages: MessageWords<M>;
  /** Deliberately broken variants: name -> what is broken (none: `{}`). */
  readonly mutants: Readonly<Record<string, string>>;
  /** A fresh judge for one run. */
  judge(config: Config<S>, options: JudgeOptions): RunJudge<M, F>;
  readonly explore: ExploreSpec<S>;

  // ---- optional ---------------------------------------------------------------------------------
  /** Where `--clients N` and `--requests N` write (key paths), if it has such knobs (without:
   *  the flags are refused). */
  readonly overrides?: { readonly clients?: readonly string[]; readonly requests?: readonly string[] };
  /** Relations between keys that its schemas cannot say (node names are checked by the core). */
  validate?(config: Config<S>): ConfigProblem | undefined;
  /**
   * Steady-state chatter (polling, heartbeats, gossip): for a note or a message's event, a short
   * plural name for its kind (`quiet catch-up polls`), or undefined for an event that matters
   * (the default, for every event). The dashboard folds a run of consecutive such lines of its
   * log into one (`… 12 quiet catch-up polls`; a fault is never folded), and the diagram long
   * stretches of such messages.
   */
  background?(event: TraceEvent<M, F>): string | undefined;
  /** Its part of the message-sequence diagram (without one: lanes in the order of `roles`, no
   *  badges, operations or explanations). */
  readonly diagram?: DiagramSpec<M, F>;
  /** Once every client has finished: have the nodes settled, so the run can end before
   *  `drain_ms` is over? (Without it, the run drains for `drain_ms`.) */
  settled?(views: readonly NodeView[]): boolean;
  /** Hints for the model checker (without: every node distinct, every context compared and
   *  copied whole). */
  readonly verify?: VerifySpec;
  /** What the bench measures of it (without: nothing). */
  readonly bench?: BenchSpec;
  /** Liveness as temperature: what it owes while hot, and the default bound (without: explored
   *  runs judge liveness only at their end). */
  readonly temperature?: TemperatureSpec<S>;
}

/** Any emulation, as the registry holds them. */
export type AnyEmulation = Emulation<any, any, any>;

/** The roles whose nodes a config lets exploration and the model checker crash: crashable
 *  ones that `[faults] crash_roles` names. */
export function crashRolesOf(emulation: Pick<Emulation, 'roles'>, config: Pick<Config, 'faults'>): Role[] {
  return emulation.roles.filter((role) => role.crashable && config.faults.crash_roles.includes(pluralOf(role)));
}
