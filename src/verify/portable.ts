/**
 * Frontier states moved from one worker to another (`mpkv verify --workers K`, ./parallel.ts).
 * A state's words name its nodes' local states, its messages in flight, its judge and (in its
 * sleep set) its timers by numbers that only the worker that made them knows (./model.ts), so
 * a state cannot be handed over as is. Every such part was made by following a recipe from
 * parts made before, and the recipe is what crosses:
 *
 *   local state   the local state after event (kind, payload) of local state `parent`
 *                 (./stepper.ts: worked out once, a pure function of the two);
 *   packet        the k-th message sent by event (kind, payload) of local state `local`;
 *   timer         node and name;
 *   judge         judge `parent` fed list `list` (./judges.ts);
 *   list          its trace events (plain data: they cross as they are).
 *
 * An event's payload is a packet (a delivery, drop or duplicate) or a timer, by number: their
 * recipes come first. What every worker made before the frontier was shared out (the first
 * levels, the same in every worker, ./worker.ts) has the same number everywhere (`Common`) and
 * needs none. The giver sends each recipe to a given peer once (`Exporter`); the taker follows
 * each once, with its own model (so XState runs there once per local step it had not worked
 * out), and keeps, per giver, the number each of the giver's parts has in its own tables
 * (`Importer`): a state then crosses as its words, renumbered, its messages sorted again. The
 * taker fingerprints every state it takes and fails loudly if a fingerprint is not the
 * giver's (the model would not be deterministic).
 */
import type { TraceEvent } from '../sim/trace.js';
import { DELIVER, DROP, DUPLICATE, TIMER, type Model } from './model.js';

/** How many of each part every worker made alike (the same numbers everywhere). */
export interface Common {
  readonly locals: number;
  readonly packets: number;
  readonly timers: number;
  readonly lists: number;
  readonly judges: number;
}

export function commonOf(model: Model): Common {
  return { locals: model.locals.size, packets: model.packets.size, timers: model.timers.length, lists: model.judges.lists.length, judges: model.judges.size };
}

/** States from one worker to another: plain data and typed arrays (their buffers transferred). */
export interface Parcel {
  readonly from: number;
  readonly count: number;
  /** The states' words, one after the other, `lengths[i]` each, in the giver's numbering. */
  readonly words: Int32Array;
  readonly lengths: Int32Array;
  /** Each state's fingerprint, high and low word. */
  readonly prints: Int32Array;
  /** Each state's number at the giver (for the path to it: ./search.ts). */
  readonly ids: Int32Array;
  /** Each state's sleep set (step codes), one after the other. */
  readonly sleep: Int32Array;
  readonly sleepLengths: Int32Array;
  /** RECIPE words each, in an order where every part's recipe comes after its parts'. */
  readonly recipes: Int32Array;
  readonly lists: (readonly TraceEvent[])[];
  readonly timers: string[];
}

/** A parcel's buffers, to transfer rather than copy. */
export function parcelBuffers(parcel: Parcel): ArrayBuffer[] {
  return [parcel.words, parcel.lengths, parcel.prints, parcel.ids, parcel.sleep, parcel.sleepLengths, parcel.recipes].map((a) => a.buffer as ArrayBuffer);
}

const LOCAL = 1;
const PACKET = 2;
const TIMER_NAME = 3;
const LIST = 4;
const JUDGE = 5;
const RECIPE = 6;

/** Which parts a giver has sent a peer (their recipes), by table. */
class Sent {
  readonly locals = new Marks();
  readonly packets = new Marks();
  readonly timers = new Marks();
  readonly lists = new Marks();
  readonly judges = new Marks();
}

/** The recipes of the parts of the states a worker gives away. */
export class Exporter {
  private readonly sent = new Map<number, Sent>();
  private marks = new Sent();
  private recipes: number[] = [];
  private lists: (readonly TraceEvent[])[] = [];
  private timers: string[] = [];

  constructor(
    private readonly model: Model,
    private readonly common: Common,
  ) {}

  /** Starts the recipes of a parcel to worker `peer`. */
  begin(peer: number): void {
    let marks = this.sent.get(peer);
    if (!marks) this.sent.set(peer, (marks = new Sent()));
    this.marks = marks;
    this.recipes = [];
    this.lists = [];
    this.timers = [];
  }

  /** Adds the recipes of the parts of state `words` not sent yet. */
  state(words: Int32Array): void {
    const model = this.model;
    for (let i = 0; i < model.n; i++) this.local(words[i]!);
    this.judge(words[model.judgeAt]!);
    const first = model.countAt + 1;
    for (let p = first; p < first + words[model.countAt]!; p++) this.packet(words[p]!);
  }

  /** Adds the recipe of what step `code` names (a packet, a timer), if not sent yet. */
  code(code: number): void {
    this.payload(code & 7, code >>> 3);
  }

  /** The recipes added since `begin`. */
  end(): Pick<Parcel, 'recipes' | 'lists' | 'timers'> {
    return { recipes: Int32Array.from(this.recipes), lists: this.lists, timers: this.timers };
  }

  private local(id: number): void {
    if (id < this.common.locals || this.marks.locals.has(id)) return;
    this.marks.locals.set(id);
    const origins = this.model.origins;
    const [parent, kind, payload] = [origins.localOf(id, 0), origins.localOf(id, 1), origins.localOf(id, 2)];
    this.local(parent);
    this.payload(kind, payload);
    this.recipes.push(LOCAL, id, parent, kind, payload, 0);
  }

  private packet(id: number): void {
    if (id < this.common.packets || this.marks.packets.has(id)) return;
    this.marks.packets.set(id);
    const origins = this.model.origins;
    const [local, kind, payload, k] = [origins.packetOf(id, 0), origins.packetOf(id, 1), origins.packetOf(id, 2), origins.packetOf(id, 3)];
    this.local(local);
    this.payload(kind, payload);
    this.recipes.push(PACKET, id, local, kind, payload, k);
  }

  private payload(kind: number, payload: number): void {
    if (kind === DELIVER || kind === DROP || kind === DUPLICATE) this.packet(payload);
    else if (kind === TIMER) this.timer(payload);
  }

  private timer(id: number): void {
    if (id < this.common.timers || this.marks.timers.has(id)) return;
    this.marks.timers.set(id);
    const timer = this.model.timers[id]!;
    this.recipes.push(TIMER_NAME, id, timer.node, this.timers.length, 0, 0);
    this.timers.push(timer.name);
  }

  private judge(id: number): void {
    if (id < this.common.judges || this.marks.judges.has(id)) return;
    this.marks.judges.set(id);
    const made = this.model.judges.made;
    const [parent, list] = [made[2 * id]!, made[2 * id + 1]!];
    this.judge(parent);
    this.list(list);
    this.recipes.push(JUDGE, id, parent, list, 0, 0);
  }

  private list(id: number): void {
    if (id < this.common.lists || this.marks.lists.has(id)) return;
    this.marks.lists.set(id);
    this.recipes.push(LIST, id, this.lists.length, 0, 0, 0);
    this.lists.push(this.model.judges.lists[id]!);
  }
}

/** A giver's parts in the taker's numbering: the recipes followed, the states renumbered. */
export class Importer {
  private locals = new Int32Array(1024).fill(-1);
  private packets = new Int32Array(1024).fill(-1);
  private timers = new Int32Array(64).fill(-1);
  private lists = new Int32Array(1024).fill(-1);
  private judges = new Int32Array(1024).fill(-1);

  constructor(
    private readonly model: Model,
    private readonly common: Common,
  ) {}

  /** Follows a parcel's recipes, in order. */
  follow(parcel: Pick<Parcel, 'recipes' | 'lists' | 'timers'>): void {
    const r = parcel.recipes;
    const model = this.model;
    for (let at = 0; at < r.length; at += RECIPE) {
      const [tag, id, a, b, c, d] = [r[at]!, r[at + 1]!, r[at + 2]!, r[at + 3]!, r[at + 4]!, r[at + 5]!];
      if (tag === LOCAL) this.locals = put(this.locals, id, model.localStep(this.local(a), b, this.payload(b, c)).next);
      else if (tag === PACKET) this.packets = put(this.packets, id, model.localStep(this.local(a), b, this.payload(b, c)).sends[d]!);
      else if (tag === TIMER_NAME) this.timers = put(this.timers, id, model.timerId(a, parcel.timers[b]!));
      else if (tag === LIST) this.lists = put(this.lists, id, model.judges.list(parcel.lists[a]!));
      else if (tag === JUDGE) this.judges = put(this.judges, id, model.judges.after(this.judge(a), this.list(b)));
    }
  }

  /** State `from` (`length` words, the giver's numbering) into `out` in the taker's. */
  state(from: Int32Array, at: number, length: number, out: Int32Array): void {
    const model = this.model;
    for (let i = 0; i < model.n; i++) out[i] = this.local(from[at + i]!);
    out[model.judgeAt] = this.judge(from[at + model.judgeAt]!);
    const first = model.countAt + 1;
    for (let k = model.judgeAt + 1; k < first; k++) out[k] = from[at + k]!;
    for (let p = first; p < length; p++) out[p] = this.packet(from[at + p]!);
    sortRange(out, first, length);
  }

  /** A step code in the taker's numbering. */
  code(code: number): number {
    const kind = code & 7;
    return this.payload(kind, code >>> 3) * 8 + kind;
  }

  private payload(kind: number, payload: number): number {
    if (kind === DELIVER || kind === DROP || kind === DUPLICATE) return this.packet(payload);
    if (kind === TIMER) return this.timer(payload);
    return payload;
  }

  private local(id: number): number {
    return id < this.common.locals ? id : known(this.locals, id, 'local state');
  }

  private packet(id: number): number {
    return id < this.common.packets ? id : known(this.packets, id, 'packet');
  }

  private timer(id: number): number {
    return id < this.common.timers ? id : known(this.timers, id, 'timer');
  }

  private list(id: number): number {
    return id < this.common.lists ? id : known(this.lists, id, 'judge list');
  }

  private judge(id: number): number {
    return id < this.common.judges ? id : known(this.judges, id, 'judge');
  }
}

/** Sorts `words[from, to)` in place (a state's messages: short lists). */
export function sortRange(words: Int32Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const x = words[i]!;
    let at = i;
    while (at > from && words[at - 1]! > x) {
      words[at] = words[at - 1]!;
      at--;
    }
    words[at] = x;
  }
}

function known(map: Int32Array, id: number, what: string): number {
  const mine = id < map.length ? map[id]! : -1;
  if (mine < 0) throw new Error(`a moved state names ${what} ${id}, whose recipe did not come first`);
  return mine;
}

function put(map: Int32Array, id: number, value: number): Int32Array<ArrayBuffer> {
  let out = map as Int32Array<ArrayBuffer>;
  while (id >= out.length) {
    const bigger = new Int32Array(out.length * 2).fill(-1);
    bigger.set(out);
    out = bigger;
  }
  out[id] = value;
  return out;
}

/** A growable set of small numbers. */
class Marks {
  private bits = new Uint8Array(1024);

  has(id: number): boolean {
    return id < this.bits.length && this.bits[id] === 1;
  }

  set(id: number): void {
    if (id >= this.bits.length) {
      let size = this.bits.length * 2;
      while (size <= id) size *= 2;
      const bigger = new Uint8Array(size);
      bigger.set(this.bits);
      this.bits = bigger;
    }
    this.bits[id] = 1;
  }
}
