/**
 * The dashboard's log: the lines the run has written so far, each with a tone, and steady-state
 * chatter folded as it comes. Consecutive lines the emulation calls background (of one kind:
 * `Emulation.background`) become one line, `[t=300..600] … 12 quiet polls (node 1, node 2)`,
 * once a line that matters (or the end) follows; until then `folding` says what is being folded.
 */
import type { TraceEvent } from '../sim/trace.js';

/** `violation`: the event at which a check first failed (and the line saying so); `evidence`: an
 *  earlier step that failure names (a step it conflicts with); `target`: the event a jump
 *  stopped at; `quiet`: folded background lines. */
export type LogTone = 'normal' | 'fault' | 'end' | 'violation' | 'evidence' | 'target' | 'quiet' | 'step';

export interface LogLine {
  /** Position in the log, a stable React key. */
  readonly key: number;
  readonly text: string;
  readonly tone: LogTone;
}

interface Fold {
  readonly kind: string;
  count: number;
  readonly from: number;
  to: number;
  readonly nodes: Set<string>;
  /** The last line folded (shown as it is when it stays alone). */
  text: string;
}

export class RunLog {
  private readonly lines: LogLine[] = [];
  private fold: Fold | undefined;

  /** A line that matters: what was being folded is written first. */
  add(text: string, tone: LogTone): void {
    this.flush();
    this.lines.push({ key: this.lines.length, text, tone });
  }

  /** A background line of `kind` (`quiet polls`), folded with the ones before it. */
  addBackground(kind: string, event: TraceEvent, text: string): void {
    if (this.fold && this.fold.kind !== kind) this.flush();
    this.fold ??= { kind, count: 0, from: event.t, to: event.t, nodes: new Set(), text };
    this.fold.count++;
    this.fold.to = event.t;
    this.fold.text = text;
    if ('node' in event) this.fold.nodes.add(event.node);
  }

  /** The folded lines become one line (a single one is written as it is). */
  flush(): void {
    const fold = this.fold;
    if (!fold) return;
    this.fold = undefined;
    this.lines.push({ key: this.lines.length, text: fold.count === 1 ? fold.text : `${foldText(fold)} (${[...fold.nodes].join(', ')})`, tone: 'quiet' });
  }

  get length(): number {
    return this.lines.length;
  }

  /** How many background lines are being folded now. */
  get folded(): number {
    return this.fold?.count ?? 0;
  }

  /** What is being folded now, in one line (undefined: nothing). */
  get folding(): string | undefined {
    if (!this.fold) return undefined;
    return this.fold.count === 1 ? this.fold.text : foldText(this.fold);
  }

  /** The lines so far (a copy: frames are never mutated). */
  snapshot(): LogLine[] {
    return this.lines.slice();
  }
}

/** `[t=300..600] … 12 quiet polls`. */
function foldText(fold: Pick<Fold, 'kind' | 'count' | 'from' | 'to'>): string {
  return `[t=${fold.from}${fold.to !== fold.from ? `..${fold.to}` : ''}] … ${fold.count} ${fold.kind}`;
}
