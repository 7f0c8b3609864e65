/**
 * The judges' memory is made of persistent collections (immutable-js: a List is a 32-way trie
 * indexed by position, a Map a hash array mapped trie): an update returns a new collection that
 * shares all but one path with the old one — O(log32 n), a handful of small arrays — and leaves
 * the old one as it was. So a judge does bounded work per fact however long the run is, and a
 * model checker forks a judge in O(1): a fork copies the judge's own fields (numbers and
 * references to persistent collections) and nothing else.
 *
 * Read them with `get`, `size`, iteration or `toArray()`, and map or filter the array: a List's own
 * lazy `filter`/`map` chain kept each short run's whole world reachable for a while, so that the
 * young generation promoted it and exploration's CPU per schedule rose by a third (measured with
 * --trace-gc: 25 MB live after each scavenge became 95-125 MB).
 *
 * Before: collections copied whole on every change (a frozen Map of every entry per fact) made
 * a run with n entries do O(n^2) work (issue 18); `test/growth.test.ts` counts that work.
 */
import { List } from 'immutable';

export { List, Map as PMap, OrderedMap, Set as PSet } from 'immutable';

/**
 * A fork of an object whose fields are numbers, strings, frozen records and persistent
 * collections: a new object of the same class with the same fields (the collections shared).
 */
export function forkOf<T extends object>(object: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(object) as object) as T, object);
}

/** The entry at `index` of a list indexed by a natural number (undefined for a negative one,
 *  which immutable-js would count from the end). */
export function at<T>(list: List<T>, index: number): T | undefined {
  return index >= 0 ? list.get(index) : undefined;
}

/**
 * Values by (client, request id), persistent: a list per client, indexed by request id (a client
 * numbers its requests 1, 2, 3...). `set` returns a new table; the old one is unchanged.
 */
export class RequestTable<T> {
  static empty<T>(): RequestTable<T> {
    return new RequestTable<T>(List());
  }

  private constructor(private readonly byClient: List<List<T> | undefined>) {}

  get(client: number, request_id: number): T | undefined {
    const requests = at(this.byClient, client);
    return requests === undefined ? undefined : at(requests, request_id);
  }

  set(client: number, request_id: number, value: T): RequestTable<T> {
    if (client < 0 || request_id < 0) throw new Error(`a request table is indexed by natural numbers, not (${client}, ${request_id})`);
    const requests = this.byClient.get(client) ?? List<T>();
    return new RequestTable(this.byClient.set(client, requests.set(request_id, value)));
  }

  /** Every entry, as `client/request_id` and its value (for a model checker's memory). */
  *entries(): IterableIterator<[string, T]> {
    let client = 0;
    for (const requests of this.byClient) {
      if (requests !== undefined) {
        let request_id = 0;
        for (const value of requests) {
          if (value !== undefined) yield [`${client}/${request_id}`, value];
          request_id++;
        }
      }
      client++;
    }
  }
}
