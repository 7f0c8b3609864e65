/**
 * The judges of the model's states, each kept once. A state's judge is the emulation's judge
 * (`RunJudge`) fed the trace of one path to the state; what it remembers (`memory()`) is all
 * that its later verdicts depend on, so judges that remember the same are one judge here,
 * numbered by the fingerprint of their memory, and a state names its judge by that number.
 *
 * What a step tells the judge is a list of trace events (those the judge reads), kept once too
 * (by their text without times and message numbers). The judge after a step is then a function
 * of (judge, list): worked out once — the judge forked, fed the list, asked which safety checks
 * failed and what it remembers — and kept. A judge keeps its own clock (the step it last
 * observed): the next list it is fed is stamped one step later, so the real-time order of its
 * history (invocations and completions) is that of the path, whatever path reached it first.
 */
import type { RunJudge } from '../emulations/api/emulation.js';
import { noteAt } from '../sim/interpreter.js';
import type { TraceEvent } from '../sim/trace.js';
import type { Verdict } from '../../specs/verdict.js';
import { canonical } from './canonical.js';
import { hashOf } from './hash.js';
import type { Symmetry } from './symmetry.js';

export interface JudgeRep {
  readonly judge: RunJudge;
  /** The fingerprint of its memory, unrenamed. */
  readonly hash: number;
  /** The time (step) of the last events it observed. */
  readonly clock: number;
  /** How many events it observed (the next one's index). */
  readonly events: number;
  /** The safety checks it failed. */
  readonly failed: readonly Verdict[];
  /** The judge after each list, by list number. */
  readonly next: Map<number, number>;
  renamed: Float64Array | undefined;
}

export class Judges {
  readonly reps: JudgeRep[] = [];
  private readonly byHash = new Map<number, number>();
  readonly lists: (readonly TraceEvent[])[] = [];
  private readonly listIds = new Map<string, number>();
  /** How each judge was first made: by number, its parent judge and the list it was fed, two
   *  numbers each (-1, -1: the fresh judge); a recipe another worker can follow (./portable.ts). */
  readonly made: number[] = [];
  /** The kinds of event the judge reads (undefined: all). */
  readonly reads: ReadonlySet<string> | undefined;

  constructor(
    fresh: RunJudge,
    private readonly symmetry: Symmetry,
  ) {
    this.reads = fresh.reads ? new Set(fresh.reads) : undefined;
    this.add(fresh, -1, 0);
    this.made.push(-1, -1);
  }

  get size(): number {
    return this.reps.length;
  }

  /** Does the judge read events of this kind? */
  reads_(kind: string): boolean {
    return this.reads === undefined || this.reads.has(kind);
  }

  /** The number of a list of events (those the judge does not read left out), or -1 if the
   *  judge reads none of them. */
  list(events: readonly TraceEvent[]): number {
    const read = events.filter((e) => this.reads_(e.kind));
    if (read.length === 0) return -1;
    const key = read.map(judgeText).join('\n');
    let id = this.listIds.get(key);
    if (id === undefined) {
      this.listIds.set(key, (id = this.lists.length));
      this.lists.push(read);
    }
    return id;
  }

  /** Judge `judge` after list `list` (-1: unchanged). */
  after(judge: number, list: number): number {
    if (list < 0) return judge;
    const rep = this.reps[judge]!;
    let next = rep.next.get(list);
    if (next === undefined) rep.next.set(list, (next = this.work(judge, list)));
    return next;
  }

  /** Judge `judge`'s memory fingerprint under renaming number `k`. */
  renamedHash(judge: number, k: number): number {
    const rep = this.reps[judge]!;
    if (k === 0) return rep.hash;
    rep.renamed ??= new Float64Array(this.symmetry.count).fill(NaN);
    let print = rep.renamed[k]!;
    if (Number.isNaN(print)) rep.renamed[k] = print = hashOf(rep.judge.memory(), this.symmetry.renamings[k]);
    return print;
  }

  private work(from: number, list: number): number {
    const rep = this.reps[from]!;
    const judge = rep.judge.fork();
    const t = rep.clock + 1;
    let index = rep.events;
    for (const event of this.lists[list]!) judge.observe(at(event, t), index++);
    const known = this.reps.length;
    const id = this.add(judge, t, index);
    if (id >= known) this.made.push(from, list);
    return id;
  }

  private add(judge: RunJudge, clock: number, events: number): number {
    const failed = judge.violations();
    const hash = hashOf(judge.memory());
    const known = this.byHash.get(hash);
    if (known !== undefined) return known;
    const id = this.reps.length;
    this.reps.push({ judge, hash, clock, events, failed: [...failed], next: new Map(), renamed: undefined });
    this.byHash.set(hash, id);
    return id;
  }
}

/** A template event at time `t` (message numbers as they are: the judge does not remember them). */
export function at(event: TraceEvent, t: number): TraceEvent {
  if (event.kind === 'note') return noteAt(event, t);
  if (event.kind === 'timer-set') return { ...event, t, at: event.at + t };
  return { ...event, t };
}

/** An event as the judge may read it, without its time and message number. */
function judgeText(e: TraceEvent): string {
  switch (e.kind) {
    case 'note':
      return `note ${e.node} ${JSON.stringify(e.text)} ${canonical(e.fact)}`;
    case 'send':
    case 'deliver':
    case 'duplicate':
      return `${e.kind} ${e.from}>${e.to} ${canonical(e.msg)}`;
    case 'drop':
      return `drop ${e.from}>${e.to} ${canonical(e.msg)} ${e.reason}`;
    case 'timer-set':
      return `timer-set ${e.node} ${e.timer} +${e.at}`;
    case 'timer-fire':
      return `timer-fire ${e.node} ${e.timer}`;
    default:
      return canonical({ ...e, t: 0 });
  }
}
