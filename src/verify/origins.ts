/**
 * How each local state and packet of a model (./model.ts) was first made: the local state and
 * the event whose step made it (./stepper.ts: a step is a pure function of the two). Another
 * worker that follows the same recipes makes the same parts (./portable.ts).
 */
/** How each local state and packet was first made, by number (-1: at boot). */
export class Origins {
  private locals = new Int32Array(3 * 1024).fill(-1);
  private packets = new Int32Array(4 * 1024).fill(-1);

  local(id: number, parent: number, kind: number, payload: number): void {
    while (3 * id + 3 > this.locals.length) this.locals = grown(this.locals);
    this.locals[3 * id] = parent;
    this.locals[3 * id + 1] = kind;
    this.locals[3 * id + 2] = payload;
  }

  packet(id: number, local: number, kind: number, payload: number, k: number): void {
    while (4 * id + 4 > this.packets.length) this.packets = grown(this.packets);
    this.packets[4 * id] = local;
    this.packets[4 * id + 1] = kind;
    this.packets[4 * id + 2] = payload;
    this.packets[4 * id + 3] = k;
  }

  /** Local state `id`'s recipe: parent, kind, payload. */
  localOf(id: number, part: 0 | 1 | 2): number {
    return this.locals[3 * id + part]!;
  }

  /** Packet `id`'s recipe: local, kind, payload, k. */
  packetOf(id: number, part: 0 | 1 | 2 | 3): number {
    return this.packets[4 * id + part]!;
  }

  get bytes(): number {
    return this.locals.byteLength + this.packets.byteLength;
  }
}

function grown(array: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2).fill(-1);
  bigger.set(array);
  return bigger;
}

