/**
 * Generated kv histories, for property tests and benchmarks.
 *
 * ## `concurrentKvHistory`: linearizable by construction, from a plan
 *
 * Run the commands one after another against the real `apply` (so the results are right),
 * giving command i the linearization point 10·i. Then widen each operation into an interval
 * around its point, [point - before, point + after]: every interval still contains its point,
 * so the sequential order is a linearization that respects real time, and the history is
 * linearizable whatever the widths. Widths are clipped so that a process's operations never
 * overlap (a process has one operation at a time). A pending operation keeps its call and
 * loses its return and output: it did take effect, at its point, which is still allowed.
 *
 * ## `serviceKvHistory`: what many clients of one replicated store see
 *
 * A seeded discrete-event run of the shape of `mpkv run`: `clients` clients each make
 * `requests` random requests, one at a time (keys a..e, values val_0..val_99, get / put /
 * delete equally likely, as in the default workload). A request reaches the service after a
 * network delay, waits in one FIFO queue (the replicated log), is applied in `service` time
 * units, and its reply takes another delay. The service is the bottleneck, so with many
 * clients the queue is long and nearly every client has a request in flight: about
 * clients / keys operations overlap on a key (100 clients: ~30; 500: ~130), as in real runs.
 * The order of application is returned as the witness.
 *
 * With `staleReads: k`, k gets are answered from a stale copy instead (the bug of a leader
 * that reads its own store without going through the log): each returns a value its key had
 * lost to a delete that completed before the get was called, and that no put could have written
 * back in between (see `makeStaleReads`). No linearization can explain such a get, so the
 * history is certainly not linearizable; the witness (the real order of application) then
 * fails, as it should.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { apply, emptyStore, type KvCommand, type KvResult, type KvStore } from '../src/kv/kv.js';
import type { Operation } from './history.js';

export interface PlannedOperation {
  readonly process: number;
  readonly command: KvCommand;
  /** How far before its linearization point the call is (clipped by the process's last op). */
  readonly before: number;
  /** How far after it the return is (clipped by the process's next op). */
  readonly after: number;
  readonly pending?: boolean;
}

const SPACING = 10;

/** The concurrent history of a sequential plan (see the module doc). */
export function concurrentKvHistory(plan: readonly PlannedOperation[]): Operation<KvCommand, KvResult>[] {
  let store = emptyStore;
  const results = plan.map(({ command }) => {
    const [next, result] = apply(store, command);
    store = next;
    return result;
  });
  const nextOfProcess = plan.map((p, i) => plan.findIndex((q, j) => j > i && q.process === p.process));
  const lastReturn = new Map<number, number>();
  const ops: Operation<KvCommand, KvResult>[] = [];
  plan.forEach((p, i) => {
    const point = SPACING * (i + 1);
    const previous = lastReturn.get(p.process) ?? 0;
    const call = Math.max(point - p.before, previous + 1);
    const next = nextOfProcess[i]!;
    // Leave room before the process's next point so its next call can still precede it.
    const limit = next === -1 ? Infinity : SPACING * (next + 1) - 2;
    const ret = Math.min(point + p.after, limit);
    lastReturn.set(p.process, ret);
    ops.push({ id: i, process: p.process, call, ret: p.pending ? Infinity : ret, input: p.command, output: p.pending ? undefined : results[i] });
  });
  return ops;
}

export interface ServiceHistoryOptions {
  readonly seed: number;
  readonly clients: number;
  /** Requests per client. */
  readonly requests: number;
  /** Keys requests draw from (default a..e). */
  readonly keys?: readonly string[];
  /** Values are val_0 .. val_<values-1> (default 100). */
  readonly values?: number;
  /** Time units the service takes to apply one request (default 20). */
  readonly service?: number;
  /** One-way network delay, uniform in [min, max] time units (default [10, 100]). */
  readonly delay?: readonly [number, number];
  /** Share of replies that are lost: the operation stays pending (it was applied). */
  readonly lostReplies?: number;
  /** How many gets to answer from a stale copy (see the module doc); default 0. */
  readonly staleReads?: number;
}

export interface ServiceHistory {
  readonly ops: Operation<KvCommand, KvResult>[];
  /** Operation ids in the order the service applied them. */
  readonly witness: number[];
  /** The gets answered stale (their ids), fewer than asked when no get qualified. */
  readonly staleReads: number[];
}

/** A seeded run of many clients against one queue (see the module doc). */
export function serviceKvHistory(options: ServiceHistoryOptions): ServiceHistory {
  const keys = options.keys ?? ['a', 'b', 'c', 'd', 'e'];
  const values = options.values ?? 100;
  const service = options.service ?? 20;
  const [delayMin, delayMax] = options.delay ?? [10, 100];
  const gen = xoroshiro128plus(options.seed);
  const int = (min: number, max: number): number => uniformInt(gen, min, max);
  const chance = (p: number): boolean => p > 0 && int(0, 999_999) < p * 1_000_000;

  interface Request {
    readonly process: number;
    readonly command: KvCommand;
    readonly call: number;
    ret: number;
    result?: KvResult;
    applied: number;
  }
  const requests: Request[] = [];
  const witness: number[] = [];
  const events = new EventQueue();
  const made = new Array<number>(options.clients).fill(0);
  const invoke = (client: number, at: number): void => {
    const key = keys[int(0, keys.length - 1)]!;
    const kind = int(0, 2);
    const command: KvCommand = kind === 0 ? { op: 'get', key } : kind === 1 ? { op: 'put', key, value: `val_${int(0, values - 1)}` } : { op: 'delete', key };
    requests.push({ process: client + 1, command, call: at, ret: Infinity, applied: -1 });
    made[client]!++;
    events.push(at + int(delayMin, delayMax), requests.length - 1, 'arrive');
  };
  for (let c = 0; c < options.clients; c++) if (options.requests > 0) invoke(c, int(0, delayMax));

  let store: KvStore = emptyStore;
  let free = 0;
  for (let event = events.pop(); event !== undefined; event = events.pop()) {
    const request = requests[event.request]!;
    if (event.kind === 'arrive') {
      free = Math.max(free, event.time) + service;
      const [next, result] = apply(store, request.command);
      store = next;
      request.result = result;
      request.applied = free;
      witness.push(event.request);
      events.push(free + int(delayMin, delayMax), event.request, 'reply');
      continue;
    }
    const client = request.process - 1;
    if (!chance(options.lostReplies ?? 0)) request.ret = event.time;
    // A client whose reply was lost gives up on it at the same moment and moves on.
    if (made[client]! < options.requests) invoke(client, event.time + 1);
  }
  const ops = requests.map((r, id) => ({ id, process: r.process, call: r.call, ret: r.ret, input: r.command, output: r.ret === Infinity ? undefined : r.result }));
  const stale = makeStaleReads(ops, witness, options.staleReads ?? 0, int);
  return { ops, witness, staleReads: stale };
}

/**
 * Answers up to `count` gets from a stale copy, in place (see the module doc). Gets are drawn
 * at random; a drawn get of key k qualifies with value v when some delete of k succeeded
 * strictly between v's last possible write and the get: it was called after every put of v
 * to k that could have succeeded before the get returned had returned, and it returned before
 * the get was called. Then every linearization places that delete after v's writes and before
 * the get, and nothing writes v back: the get cannot return v. Returns the stale gets' ids.
 */
function makeStaleReads(ops: Operation<KvCommand, KvResult>[], witness: readonly number[], count: number, int: (min: number, max: number) => number): number[] {
  const chosen: number[] = [];
  if (count <= 0) return chosen;
  const isDelete = (op: Operation<KvCommand, KvResult>): boolean => op.input.op === 'delete' && op.output?.ok === true;
  const mayWrite = (op: Operation<KvCommand, KvResult>): boolean => op.input.op === 'put' && (op.ret === Infinity || op.output?.ok === true);
  const gets = ops.filter((op) => op.input.op === 'get' && op.ret !== Infinity).map((op) => op.id);
  while (chosen.length < count && gets.length > 0) {
    const get = ops[gets.splice(int(0, gets.length - 1), 1)[0]!]!;
    const key = get.input.key;
    // The delete of k called last among those that returned before the get was called.
    let cut: Operation<KvCommand, KvResult> | undefined;
    for (const d of ops) if (d.input.key === key && isDelete(d) && d.ret < get.call && (cut === undefined || d.call > cut.call)) cut = d;
    if (cut === undefined) continue;
    const deleted = cut;
    // The value written last (in the order of application) by a put that returned before it.
    const writes = witness.map((id) => ops[id]!).filter((p) => p.input.key === key && mayWrite(p) && p.call <= get.ret);
    const older = writes.filter((p) => p.ret < deleted.call).pop();
    if (older === undefined || older.input.op !== 'put') continue;
    const value = older.input.value;
    if (writes.some((p) => p.input.op === 'put' && p.input.value === value && p.ret >= deleted.call)) continue;
    ops[get.id] = { ...get, output: { ok: true, value } };
    chosen.push(get.id);
  }
  return chosen.sort((a, b) => a - b);
}

/** A binary heap of (time, request, kind), earliest first; ties in insertion order. */
class EventQueue {
  private readonly heap: { time: number; seq: number; request: number; kind: 'arrive' | 'reply' }[] = [];
  private seq = 0;

  push(time: number, request: number, kind: 'arrive' | 'reply'): void {
    const heap = this.heap;
    heap.push({ time, seq: this.seq++, request, kind });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  pop(): { time: number; request: number; kind: 'arrive' | 'reply' } | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.before(l, m)) m = l;
        if (r < heap.length && this.before(r, m)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.time < y.time || (x.time === y.time && x.seq < y.seq);
  }
}
