/**
 * Liveness as temperature, for timed runs (`mpkv explore`'s schedules and their replays), after
 * the hot and cold states of the liveness monitors of P and Coyote.
 *
 * The rule. An emulation says what it owes (`Emulation.temperature.hot`: a request a client is
 * waiting for, a server or learner behind what others hold), each obligation named by a key for
 * as long as it is owed. The driver of the run says when the last fault of its schedule has
 * healed (`Healing.healedAt`). From then on every obligation must cool down within the bound,
 * in virtual ms (`[faults] liveness_ms`, or the emulation's default derived from the config's
 * timeouts):
 *
 *   - one still hot more than `bound` ms after it arose, or after the heal when it arose
 *     before, fails liveness at that step, and the run is stopped there (halted: it is judged
 *     up to that step, and its end-state checks say they were not judged);
 *   - a run that ends because nothing is left to happen (its agenda is empty) while something
 *     is hot, after the heal, fails liveness too: nothing will ever cool it.
 *
 * A run that reaches its time limit or the end of its drain with something hot for less than
 * the bound is not decided here: the judge's own liveness verdict (every client up at the end
 * finished) stands, as it does when nothing was hot too long.
 *
 * Fair steps. P counts a hot monitor's age in scheduling steps, because its scheduler may
 * starve a machine. A timed run after the heal starves nothing: every message in flight to a
 * node is delivered within `network.delay_max_ms`, every armed timer fires when it is due, no
 * node is down and no message is lost or held back. Every router step after the heal is fair;
 * what bounds progress is time, which the protocol's timeouts are written in. So the bound is
 * virtual time of the healed phase, and the report gives the router steps taken in it too.
 *
 * The monitor watches the run from outside: `MonitoredRouter` has the router's public face
 * (./run.ts `RunRouter`), steps the router, and after every step asks the emulation what is
 * hot. Nothing in the run changes, only where it stops: the same config and schedule give the
 * same trace as an unmonitored run up to the violation.
 */
import type { Router, RunSummary } from '../sim/router.js';
import type { TraceEvent } from '../sim/trace.js';
import { fail, type Verdict } from '../../specs/verdict.js';
import type { AnyEmulation, Config, Hot, TemperatureSpec } from './api/emulation.js';
import type { RunRouter } from './run.js';

/** When the faults of a run have healed, as whoever planned them knows it. */
export interface Healing {
  /** The virtual time at which the last fault ended, once no fault can come any more (`now`:
   *  the run's time); undefined while one still may. */
  healedAt(now: number): number | undefined;
}

/** The bound a config sets, and where it comes from (for the report). */
export interface LivenessBound {
  readonly ms: number;
  readonly why: string;
}

/** `[faults] liveness_ms` when the config sets it, else the emulation's default (undefined:
 *  the emulation declares nothing hot). */
export function livenessBound(emulation: Pick<AnyEmulation, 'temperature'>, config: Config): LivenessBound | undefined {
  const spec = emulation.temperature as TemperatureSpec<unknown> | undefined;
  if (!spec) return undefined;
  const given = config.faults.liveness_ms;
  if (given !== undefined) return { ms: given, why: '[faults] liveness_ms' };
  const derived = spec.bound(config);
  return { ms: derived.ms, why: `the default: ${derived.why}` };
}

/** An obligation seen hot: since when (virtual time, router steps), and in words (as of the
 *  last step it was seen). */
interface Seen {
  readonly t: number;
  readonly step: number;
  what: () => string;
}

/** The router, stepped under the monitor's eye (see the module doc). */
export class MonitoredRouter implements RunRouter {
  private readonly hot = new Map<string, Seen>();
  private steps = 0;
  private booted = false;
  private ended = false;
  private failure: Verdict | undefined;
  /** The longest any obligation has been hot after the heal, so far (ms; for the bench). */
  private longestAge = 0;

  constructor(
    private readonly router: Router,
    private readonly spec: TemperatureSpec<unknown>,
    private readonly bound: LivenessBound,
    private readonly healing: Healing,
  ) {}

  /** The liveness failure seen, if any: it takes the place of the judge's liveness verdict. */
  verdict(): Verdict | undefined {
    return this.failure;
  }

  /** The longest any obligation has been hot after the heal so far, in virtual ms (what a
   *  correct protocol leaves of its bound: `npm run bench -- liveness`). */
  longest(): number {
    return this.longestAge;
  }

  /** Set when the monitor stopped the run: its end-state checks are then not judged. */
  get cut(): string | undefined {
    return this.failure ? `the run was stopped at t=${this.router.time}, where liveness failed (something stayed hot longer than the bound)` : undefined;
  }

  onEvent(listener: (event: TraceEvent, index: number) => void, kinds?: readonly TraceEvent['kind'][]): void {
    this.router.onEvent(listener, kinds);
  }

  get trace(): readonly TraceEvent[] {
    return this.router.trace;
  }

  get keepsTrace(): boolean {
    return this.router.keepsTrace;
  }

  get eventCount(): number {
    return this.router.eventCount;
  }

  get time(): number {
    return this.router.time;
  }

  get done(): boolean {
    return this.router.done;
  }

  nextAt(): number | undefined {
    return this.router.nextAt();
  }

  boot(): void {
    if (this.booted) return;
    this.booted = true;
    this.router.boot();
    this.watch(); // what the nodes owe from the start (a client's first request)
  }

  run(): RunSummary {
    this.boot();
    while (this.step()) {
      /* one agenda item at a time, watched */
    }
    return this.summary();
  }

  step(): boolean {
    if (!this.booted) this.boot();
    if (!this.router.step()) {
      this.atEnd();
      return false;
    }
    this.steps++;
    this.watch();
    if (this.failure) this.router.halt();
    return !this.failure;
  }

  summary(): RunSummary {
    return this.router.summary();
  }

  views() {
    return this.router.views();
  }

  inFlight(): number {
    return this.router.inFlight();
  }

  activePartitionWindows() {
    return this.router.activePartitionWindows();
  }

  /** After a step: what is hot now, since when, and whether one has been hot too long. */
  private watch(): void {
    const now = this.router.time;
    const hot = this.spec.hot(this.router.views());
    this.track(hot, now);
    const healed = this.healing.healedAt(now);
    if (healed === undefined) return;
    let oldest: [string, Seen] | undefined;
    for (const entry of this.hot) if (!oldest || entry[1].t < oldest[1].t) oldest = entry;
    if (!oldest) return;
    const from = Math.max(oldest[1].t, healed);
    this.longestAge = Math.max(this.longestAge, now - from);
    if (now - from > this.bound.ms) this.failure = this.tooLong(oldest[1], from, healed, now);
  }

  /** Keeps the obligations still hot (with the time they were first seen), forgets the others. */
  private track(hot: readonly Hot[], now: number): void {
    if (hot.length === 0) {
      this.hot.clear();
      return;
    }
    const keys = new Set<string>();
    for (const h of hot) {
      keys.add(h.key);
      const seen = this.hot.get(h.key);
      if (seen) seen.what = h.what;
      else this.hot.set(h.key, { t: now, step: this.steps, what: h.what });
    }
    for (const key of this.hot.keys()) if (!keys.has(key)) this.hot.delete(key);
  }

  /** The run ended: if nothing was left to happen while something was hot, it stays hot. */
  private atEnd(): void {
    if (this.ended || this.failure) return;
    this.ended = true;
    if (this.router.summary().reason !== 'quiescent') return;
    const now = this.router.time;
    this.track(this.spec.hot(this.router.views()), now);
    const healed = this.healing.healedAt(Number.POSITIVE_INFINITY);
    if (healed === undefined) return;
    const [first] = [...this.hot.values()].sort((a, b) => a.t - b.t);
    if (!first) return;
    const others = this.hot.size - 1;
    this.failure = fail(
      'liveness',
      `${first.what()} since t=${first.t}, and the run ended at t=${now} with nothing left to happen ` +
        `(no message in flight, no timer armed)${healed > 0 ? `, the last fault healed at t=${healed}` : ', in a run with no fault'}: ` +
        `it can never cool down${others > 0 ? `; ${others} other obligation(s) hot too` : ''}`,
      { t: now, event: this.router.eventCount - 1 },
    );
  }

  private tooLong(seen: Seen, from: number, healed: number, now: number): Verdict {
    const since =
      healed === 0
        ? `since it arose at t=${seen.t} (the run had no fault)`
        : seen.t >= healed
          ? `since it arose at t=${seen.t}, after the last fault healed at t=${healed}`
          : `since the last fault healed at t=${healed} (it arose at t=${seen.t}, before)`;
    const others = this.hot.size - 1;
    return fail(
      'liveness',
      `${seen.what()} at t=${now}: hot for ${now - from} ms ${since}, longer than the bound of ${this.bound.ms} ms ` +
        `(${this.bound.why}) of healed virtual time, in which every step is fair ` +
        `(${this.steps - seen.step} router step(s) since it arose; no message lost or held back, no node down)` +
        `${others > 0 ? `; ${others} other obligation(s) hot too` : ''}`,
      { t: now, event: this.router.eventCount - 1 },
    );
  }
}
