/**
 * What the message-sequence diagram (src/view/) needs from an emulation besides its words for
 * messages (./emulation.ts `messages`) and its background traffic (`background`): the order of
 * its lanes, badges for its notes, the client operations of a run, and an explanation of the
 * run's violations as things to point at. The diagram itself knows no protocol.
 */

/** Values a reader may filter by (`{ slot: 3, ballot: '1.2' }`). */
export type Fields = Readonly<Record<string, string | number>>;

export type LaneId = string;

export interface Lane {
  readonly id: LaneId;
  /** The role or group the lane belongs to: lanes of one group share a colour. */
  readonly group: string;
}

/** What the diagram draws. `t` is the time of the event in `timeUnit`, never decreasing. */
export type DiagramEvent<M, F = unknown> =
  | { readonly t: number; readonly kind: 'send' | 'deliver' | 'duplicate'; readonly id: number; readonly from: LaneId; readonly to: LaneId; readonly msg: M }
  | { readonly t: number; readonly kind: 'drop'; readonly id: number; readonly from: LaneId; readonly to: LaneId; readonly msg: M; readonly reason: string }
  | { readonly t: number; readonly kind: 'crash' | 'restart'; readonly node: LaneId }
  | { readonly t: number; readonly kind: 'partition-start' | 'partition-end'; readonly groups: readonly (readonly LaneId[])[] }
  | { readonly t: number; readonly kind: 'note'; readonly node: LaneId; readonly text: string; readonly fact?: F }
  | { readonly t: number; readonly kind: 'end'; readonly reason: string };

export type NoteEvent<F> = Extract<DiagramEvent<unknown, F>, { kind: 'note' }>;

/** A note drawn as a badge on its lane. */
export interface Mark {
  readonly text: string;
  readonly fields?: Fields;
  /** A step that matters more than most (a decision): drawn bold. */
  readonly strong?: boolean;
}

/** A client operation: from the event where it was called to the one where it returned. */
export interface OperationSpan {
  readonly lane: LaneId;
  /** Index in `events` of the call. */
  readonly start: number;
  /** Index in `events` of the return; absent when it never returned (pending). */
  readonly end?: number;
  readonly label: string;
  readonly result?: string;
  readonly failed?: boolean;
}

/**
 * Something to point at. `violation`: the events that break a property (drawn red);
 * `evidence`: events and lanes that explain it (e.g. one quorum; each evidence highlight gets
 * its own colour); `fault`: a fault a schedule injected (drawn orange).
 */
export interface Highlight {
  readonly role: 'violation' | 'evidence' | 'fault';
  readonly title: string;
  readonly text?: string;
  /** Indices in `events`. */
  readonly events: readonly number[];
  readonly lanes?: readonly LaneId[];
  /** A short tag drawn on the highlighted lanes' headers ("quorum A"). */
  readonly tag?: string;
}

/** A run's violations, explained for the picture. */
export interface DiagramExplanation {
  /** Lines shown above the picture. */
  readonly lines: readonly string[];
  readonly highlights: readonly Highlight[];
  /** A filter that shows the violation best (e.g. `{ field: 'slot', value: '8' }`). */
  readonly focus?: { readonly field: string; readonly value: string };
}

/** An emulation's part of the diagram. */
export interface DiagramSpec<M, F> {
  /** Roles in lane order, left to right (others after them). */
  readonly laneOrder: readonly string[];
  /** The message types it sends (a trace file naming others is not its). */
  readonly messageTypes: readonly string[];
  /** The badge for a note (`DECIDED s3`), or undefined to leave the note out of the picture
   *  (the default, for every note); a strong one is also where the dashboard's `m` jumps to. */
  mark?(note: NoteEvent<F>): Mark | undefined;
  /** Client operations as intervals between two events. */
  operations?(events: readonly DiagramEvent<M, F>[]): OperationSpan[];
  /** The run's violations, pointed at (none: an empty list). */
  explain?(events: readonly DiagramEvent<M, F>[], lanes: readonly Lane[]): DiagramExplanation[];
}
