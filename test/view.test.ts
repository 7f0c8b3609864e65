/**
 * The message-sequence diagram without a browser: what the model says about a run, how the
 * layout places it, how a violation is explained, and how bad trace files are refused.
 */
import test from 'ava';
import { agreement, factsOf } from '../src/emulations/kv/log-checks.js';
import { explainLinearizability as explainKv } from '../src/emulations/kv/diagram.js';
import { multipaxos } from '../src/emulations/multipaxos/index.js';
import { diagramSvg, drawDiagram, violationsInTime, violationStatus, type DiagramModel } from '../src/view/draw.js';
import { explainAgreement } from '../src/emulations/multipaxos/diagram.js';
import {
  diagramEvents,
  diagramSpecOf,
  faultHighlights,
  lanesOf as lanesIn,
  parseTraceJsonl as parseTrace,
  renderRunHtml as renderRun,
  runDiagram as diagramOf,
  TraceFileError,
  type MessageFault,
  type RunViewOptions,
} from '../src/view/trace-adapter.js';
import type { TraceEvent } from '../src/sim/trace.js';
import { config, kvTrace, run } from './harness.js';
import { leaderRestart, mutantRun, quorumTooSmall } from './view-runs.js';

const explanation = (model: DiagramModel): string => model.explanation.join('\n');
const runDiagram = (trace: readonly TraceEvent[], options?: RunViewOptions) => diagramOf(multipaxos, trace, options);
const renderRunHtml = (trace: readonly TraceEvent[], options?: RunViewOptions) => renderRun(multipaxos, trace, options);
const lanesOf = (events: Parameters<typeof lanesIn>[0]) => lanesIn(events, multipaxos.diagram!.laneOrder);
const paxosTypes = () => multipaxos.diagram!.messageTypes;
const parseTraceJsonl = (text: string, file: string) => parseTrace(text, file, paxosTypes).events;
/** The explanation of a linearizability violation, or undefined when there is none. */
const explainLinearizability = (events: Parameters<typeof explainKv>[0]) => explainKv(events)[0];
const evidence = (model: DiagramModel, tag: string) => model.highlights.find((h) => h.tag === tag)!;
const laneNames = (model: DiagramModel, lanes: readonly number[]): string[] => lanes.map((l) => model.lanes[l]!.id).sort();

test('view: quorum-too-small — the two decisions of slot 8 and the quorums behind them, which do not intersect', (t) => {
  const result = quorumTooSmall();
  t.is(agreement(factsOf(kvTrace(result))).status, 'fail', 'the run is a counterexample');
  const model = runDiagram(result.trace);
  t.deepEqual(
    model.lanes.map((l) => l.id),
    ['client 1', 'client 2', 'client 3', 'client 4', 'leader 1', 'leader 2', 'acceptor 1', 'acceptor 2', 'acceptor 3', 'replica 1'],
  );
  t.regex(explanation(model), /AGREEMENT VIOLATED in slot 8: leader 2 decided GET "b" \(client 4 request 3\) at t=97, but leader 1 decided GET "b" \(client 1 request 2\) at t=104/);
  t.regex(explanation(model), /These quorums do not intersect/);
  t.regex(explanation(model), /A quorum must be a majority \(2 of 3 acceptors\)/);
  const violation = model.highlights.find((h) => h.role === 'violation')!;
  t.deepEqual(
    violation.events.map((i) => model.events[i]!.mark?.text),
    ['DECIDED s8 c4#3 GET b', 'DECIDED s8 c1#2 GET b'],
    'the two DECIDED badges of slot 8: two requests of the same words, told apart by client and request',
  );
  t.deepEqual(laneNames(model, evidence(model, 'quorum A').lanes), ['acceptor 3']);
  t.deepEqual(laneNames(model, evidence(model, 'quorum B').lanes), ['acceptor 1']);
  t.deepEqual(laneNames(model, evidence(model, 'promised 4.1').lanes), ['acceptor 2']);
  // Each quorum's events are the deliveries of `accepted` for slot 8 to the deciding leader.
  for (const i of evidence(model, 'quorum A').events) t.regex(model.messages[model.events[i]!.m!]!.label, /^accepted s8 b3\.2/);
  t.deepEqual(model.focus, { field: 'slot', value: '8' });
});

test('view: with majority quorums the explanation names the shared acceptor and what went wrong, not disjoint quorums', (t) => {
  const skips = runDiagram(mutantRun('leader-skips-value-adoption', 8).trace);
  t.regex(explanation(skips), /The quorums intersect in \{acceptor 3\}/);
  t.regex(explanation(skips), /acceptor 3: its promise \(t=\d+\) reported GET "b" \(client 3 request 2\) accepted under ballot 2\.1 in slot 4, but leader 2 did not adopt it/);
  t.notRegex(explanation(skips), /do not intersect/);
  const lower = runDiagram(mutantRun('acceptor-accepts-lower-ballot', 1).trace);
  t.regex(explanation(lower), /it accepted ballot 1\.2 at t=\d+, after promising ballot 2\.1 at t=\d+: an acceptor must refuse a ballot below its promise/);
  t.notRegex(explanation(lower), /do not intersect/);
});

test('view: a broken protocol invariant is ringed: the step that broke it and the earlier votes it names', (t) => {
  const result = leaderRestart();
  t.deepEqual(result.verdicts.filter((v) => v.status === 'fail').map((v) => v.name), ['one-value', 'quorum-backed', 'votes-safe'], 'only the invariants fail');
  const model = runDiagram(result.trace);
  t.regex(explanation(model), /^one-value FAIL: slot 1 ballot 1\.1: acceptor 3 accepted GET "b" \(client 2 request 1\) at t=109, but acceptor 2 accepted NO-OP at t=113/m);
  t.regex(explanation(model), /^quorum-backed FAIL: leader 1 decided slot 1 = NO-OP under ballot 1\.1 at t=119/m);
  t.regex(explanation(model), /^votes-safe FAIL: slot 1: leader 1 decided NO-OP at t=119/m);
  const where = (i: number): string => `${model.lanes[model.events[i]!.lane!]!.id} t=${model.events[i]!.t}`;
  const oneValue = model.highlights.find((h) => h.tag === 'one-value')!;
  t.is(oneValue.role, 'violation');
  t.deepEqual(oneValue.events.map(where), ['acceptor 3 t=109', 'acceptor 2 t=113'], 'the two votes of ballot 1.1 in slot 1');
  const votesSafe = model.highlights.find((h) => h.tag === 'votes-safe')!;
  t.deepEqual(votesSafe.events.map(where), ['acceptor 3 t=109', 'acceptor 1 t=110', 'leader 1 t=119'], 'the quorum that chose GET "b", and the decision');
  t.is(model.events[votesSafe.events[2]!]!.mark?.text, 'DECIDED s1 no-op');
  // Each is drawn, ringed: the bare votes get a row of their own.
  const drawing = drawDiagram(model);
  for (const h of model.highlights) {
    for (const i of h.events) t.not(drawing.y[i], undefined, `${h.tag}: ${where(i)} is drawn`);
    const group = new RegExp(`<g class="hl hl-violation" data-h="${model.highlights.indexOf(h)}">(.*?)</g>`).exec(drawing.body)![1]!;
    t.is((group.match(/<circle /g) ?? []).length, h.events.length, `${h.tag}: one ring per step`);
  }
  // v goes to the first in time, and the status bar says which it shows.
  const first = violationsInTime(model)[0]!;
  t.is(model.highlights[first.highlight]!.tag, 'one-value');
  t.is(where(first.event), 'acceptor 2 t=113', 'the vote that broke it');
  t.regex(violationStatus(model, 0), /^violation 1 of 3, the first in time \(v: the next\): one-value FAIL: slot 1 ballot 1\.1/);
  t.regex(violationStatus(model, 1), /^violation 2 of 3 \(v: the next\): (quorum-backed|votes-safe) FAIL/);
  t.notRegex(renderRunHtml(result.trace), /data-jump="violation"[^>]*disabled/, 'the violation button is live');
});

test('view: when several checks fail, v goes to the first in time: quorum-too-small breaks quorum-backed long before agreement', (t) => {
  const model = runDiagram(quorumTooSmall().trace);
  const order = violationsInTime(model).map((v) => model.highlights[v.highlight]!.tag);
  t.deepEqual(order, ['quorum-backed', 'votes-safe', 'slot 8 conflict']);
  const lead = model.highlights.find((h) => h.tag === 'quorum-backed')!;
  t.regex(model.events[Math.max(...lead.events)]!.mark!.text, /^LEADING b1\.1/, 'the leader that led on one promise');
  t.is(lead.events.length, 2, 'and the one promise it counted');
  t.regex(violationStatus(model, 0), /^violation 1 of 3, the first in time \(v: the next\): quorum-backed FAIL: leader 1 started Phase 2 under ballot 1\.1 at t=6 on 1 promise\(s\) \(acceptor 3\)/);
});

test('view: a correct run has nothing to explain and no violation to point at', (t) => {
  const result = run(config('two-leaders.toml'));
  t.is(result.status, 'ok');
  const { events } = diagramEvents(result.trace);
  t.is(explainAgreement(events as never, lanesOf(events)), undefined);
  const model = runDiagram(result.trace);
  t.deepEqual(model.highlights, []);
  t.deepEqual(model.explanation, []);
});

test('view: every message is drawn once, and every arrow points down the page', (t) => {
  const model = runDiagram(run(config('lossy-network.toml')).trace);
  const drawing = drawDiagram(model, { hiddenLanes: [], fold: false, unfolded: [] });
  t.is(drawing.drawnMessages, model.messages.length);
  t.is(drawing.folds, 0);
  let drops = 0;
  for (const msg of model.messages) {
    for (const end of msg.ends) {
      t.true(drawing.y[end]! > drawing.y[msg.send]!, `${msg.label}: arrives below where it was sent`);
      if (model.events[end]!.k === 'drop') drops++;
    }
  }
  t.true(drops > 0, 'the lossy network drops messages, and they are drawn');
  t.is((drawing.body.match(/class="msg /g) ?? []).length, model.messages.length);
});

test('view: background polling folds into rows that say what they hide; unfolded, the page is longer', (t) => {
  const model = runDiagram(run(config('default.toml')).trace);
  const folded = drawDiagram(model);
  const open = drawDiagram(model, { hiddenLanes: [], fold: false, unfolded: [] });
  t.true(folded.folds > 0);
  t.regex(folded.body, /⋯ \d+ background messages folded \(catch-up ×\d+, decisions ×\d+\)/);
  t.true(open.bodyHeight > folded.bodyHeight);
  // Opening one fold (by its first event) leaves one fold fewer.
  const first = Number(/data-fold="(\d+)"/.exec(folded.body)![1]);
  t.is(drawDiagram(model, { hiddenLanes: [], fold: true, unfolded: [first] }).folds, folded.folds - 1);
});

test('view: filters hide lanes, or keep one slot (and what the highlights point at)', (t) => {
  const model = runDiagram(quorumTooSmall().trace);
  const acceptor1 = model.lanes.findIndex((l) => l.id === 'acceptor 1');
  const noAcceptor1 = drawDiagram(model, { hiddenLanes: [acceptor1], fold: false, unfolded: [] });
  t.false(noAcceptor1.header.includes('>acceptor 1<'));
  const touching = model.messages.filter((m) => [model.events[m.send]!.lane, model.events[m.send]!.to].includes(acceptor1)).length;
  t.is(noAcceptor1.drawnMessages, model.messages.length - touching);
  const slot8 = drawDiagram(model, { hiddenLanes: [], filter: { field: 'slot', value: '8' }, fold: true, unfolded: [] });
  const pointedAt = new Set(model.highlights.flatMap((h) => h.events));
  const shown = model.messages.filter((m) => m.fields.slot === 8 || pointedAt.has(m.send) || m.ends.some((e) => pointedAt.has(e)));
  t.is(slot8.drawnMessages, shown.length);
  t.true(shown.some((m) => m.label.startsWith('promise')), 'the Phase 1 promises (no slot) stay: they are evidence');
});

test('view: a schedule fault is marked on the message it hit, only when the trace shows it there', (t) => {
  const { events } = diagramEvents(run(config('lossy-network.toml')).trace);
  // Find a dropped message and its number on its link.
  const dropped = events.findIndex((e) => e.kind === 'drop');
  const drop = events[dropped] as Extract<(typeof events)[number], { kind: 'drop' }>;
  const send = events.findIndex((e) => e.kind === 'send' && e.id === drop.id);
  const n = events.slice(0, send).filter((e) => e.kind === 'send' && e.from === drop.from && e.to === drop.to).length;
  const delivered = events.findIndex((e) => e.kind === 'deliver' && e.from === drop.from && e.to === drop.to);
  const m = events.slice(0, delivered).filter((e) => e.kind === 'send' && e.from === drop.from && e.to === drop.to).length - 1;
  const faults: MessageFault[] = [
    { from: drop.from, to: drop.to, n, fault: { kind: 'drop' } },
    { from: drop.from, to: drop.to, n: m, fault: { kind: 'drop' } },
  ];
  const marked = faultHighlights(events, faults, diagramSpecOf(multipaxos).view);
  t.is(marked.length, 1, 'the delivered message was not dropped: not marked');
  t.deepEqual(marked[0]!.events, [send]);
  t.regex(marked[0]!.title, new RegExp(`${drop.from} -> ${drop.to} message #${n} \\(${drop.msg.type}\\) dropped`));
});

test('view: the page and the SVG are self-contained', (t) => {
  const trace = quorumTooSmall().trace;
  const html = renderRunHtml(trace, { title: 'quorum-too-small' });
  t.notRegex(html, /(src|href)="(https?:)?\/\//, 'no network');
  t.regex(html, /<script type="application\/json" id="model">/);
  t.notRegex(html, /^\s*(import|export)\s/m, 'the inlined script has no module syntax left');
  const model = runDiagram(trace);
  const svg = diagramSvg(model, drawDiagram(model));
  t.regex(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
  t.regex(svg, /<style>/);
  t.notRegex(svg, /<script/);
});

test('view: a trace file that is not one is refused with its file and line', (t) => {
  const line = (e: object): string => JSON.stringify(e);
  const ok = line({ t: 0, kind: 'crash', node: 'leader 1' });
  const refuse = (text: string, message: RegExp): void => {
    const error = t.throws(() => parseTraceJsonl(text, 'run.jsonl'), { instanceOf: TraceFileError });
    t.regex(error!.message, message);
  };
  refuse(`${ok}\n{"t":1,"kind":`, /^run\.jsonl:2: not JSON/);
  refuse(`${ok}\n${line({ type: 'invoke', process: 1, f: 'get', key: 'a' })}`, /^run\.jsonl:2: kind: missing: not a trace event \(this looks like a client history: read it with mpkv check\)/);
  refuse(`${ok}\n${line({ t: 1, kind: 'send', id: 1, from: 'a', to: 'b', msg: { type: 'gossip' } })}`, /^run\.jsonl:2: msg\.type: unknown message type "gossip"/);
  refuse(`${line({ t: 5, kind: 'crash', node: 'x' })}\n${ok}`, /^run\.jsonl:2: t: time goes back/);
  refuse('\n\n', /^run\.jsonl:1: no trace events/);
  t.is(parseTraceJsonl(`${ok}\n`, 'run.jsonl').length, 1);
});

test('view: a stale read in a run is pointed at: its call and return, the reason, the key\'s other operations', (t) => {
  // client 1 puts a and is answered; then client 2 reads a and is told it is not there.
  const note = (t: number, node: string, fact: object): TraceEvent => ({ t, kind: 'note', node, text: '', fact }) as TraceEvent;
  const put = { op: 'put', key: 'a', value: 'val_3' };
  const get = { op: 'get', key: 'a' };
  const trace: TraceEvent[] = [
    note(0, 'client 1', { kind: 'invoke', client: 1, request_id: 1, command: put }),
    { t: 0, kind: 'crash', node: 'server' },
    note(5, 'client 1', { kind: 'complete', client: 1, request_id: 1, command: put, result: { ok: true } }),
    note(6, 'client 2', { kind: 'invoke', client: 2, request_id: 1, command: get }),
    note(9, 'client 2', { kind: 'complete', client: 2, request_id: 1, command: get, result: { ok: false, error: 'key not found: a' } }),
    { t: 10, kind: 'end', reason: 'clients-done' },
  ];
  const { events } = diagramEvents(trace);
  const found = explainLinearizability(events as never)!;
  t.regex(found.lines[0]!, /^LINEARIZABILITY VIOLATED on key "a": GET "a" -> NOT FOUND \(client process 2\) (cannot be placed after the 1 operation\(s\) that can|fits no linearization at all)/);
  t.true(found.lines.length > 1, 'with the reasons');
  t.deepEqual(found.highlights[0]!.events, [3, 4], 'the culprit\'s invoke and complete notes');
  // One unit: the run's virtual times, as the list of operations gives them.
  t.regex(found.lines.join('\n'), /but p1 PUT "a" = "val_3" -> OK \(t=0\.\.5\) returned before it was called/);
  t.regex(found.lines.join('\n'), /client process 1 {2}t=0\.\.5 {2}PUT "a" = "val_3" -> OK/);
  t.notRegex(found.lines.join('\n'), /\[\d+, \d+\]/, 'no positions');
  t.deepEqual(found.highlights[1]!.events, [0], 'the put on the same key');
  const correct = trace.slice(0, 3);
  t.is(explainLinearizability(diagramEvents(correct).events as never) as unknown, undefined);
  t.is(runDiagram(trace).highlights.filter((h) => h.role === 'violation').length, 1);
});
