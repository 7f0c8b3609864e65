/**
 * The router's agenda: a binary min-heap of things due at a virtual time, ties broken by the
 * order they were scheduled in (`seq`), so that the same run always unfolds the same way.
 */
export interface Due {
  readonly at: number;
  readonly seq: number;
}

export class Agenda<T extends Due> {
  private readonly heap: T[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): T | undefined {
    return this.heap[0];
  }

  push(item: T): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  pop(): T | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < heap.length && before(heap[l]!, heap[min]!)) min = l;
        if (r < heap.length && before(heap[r]!, heap[min]!)) min = r;
        if (min === i) break;
        swap(heap, i, min);
        i = min;
      }
    }
    return top;
  }

  /** Everything still due, in the order it will happen (for views; not on the hot path). */
  items(): T[] {
    return [...this.heap].sort((a, b) => (before(a, b) ? -1 : 1));
  }
}

const before = (a: Due, b: Due): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

function swap<T>(heap: T[], i: number, j: number): void {
  const x = heap[i]!;
  heap[i] = heap[j]!;
  heap[j] = x;
}
