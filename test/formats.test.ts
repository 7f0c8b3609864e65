/**
 * The history parsers: what each format means, and a one-line error naming the line for
 * every kind of corrupt line.
 */
import test from 'ava';
import { HistoryFormatError } from '../specs/formats/error.js';
import { parseJepsenEtcdHistory } from '../specs/formats/jepsen-etcd.js';
import { formatMpkvHistory, invokeEvent, okEvent, parseMpkvHistory } from '../specs/formats/mpkv.js';
import { parsePorcupineKvHistory } from '../specs/formats/porcupine-kv.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;
const PUT_A = '{"type":"invoke","process":1,"f":"put","key":"a","value":"val_3"}';
const PUT_A_OK = '{"type":"ok","process":1,"f":"put","key":"a","result":{"ok":true}}';

function formatError(t: import('ava').ExecutionContext, parse: () => unknown): HistoryFormatError {
  const error = t.throws(parse, { instanceOf: HistoryFormatError })!;
  t.false(error.message.includes('\n'), 'the message is one line');
  return error;
}

test('mpkv: the writer and reader agree on the example from the format doc', (t) => {
  const text = formatMpkvHistory([invokeEvent(1, { op: 'put', key: 'a', value: 'val_3' }), okEvent(1, { op: 'put', key: 'a', value: 'val_3' }, { ok: true })]);
  t.is(text, lines(PUT_A, PUT_A_OK));
  t.deepEqual(parseMpkvHistory(text), [{ id: 0, process: 1, call: 1, ret: 2, input: { op: 'put', key: 'a', value: 'val_3' }, output: { ok: true }, source: { call: 1, ret: 2, unit: 'line' } }]);
});

test('mpkv: an info completion and a missing completion both leave the operation pending', (t) => {
  const ops = parseMpkvHistory(lines(PUT_A, '{"type":"info","process":1,"f":"put","key":"a"}', '{"type":"invoke","process":2,"f":"delete","key":"a"}'));
  t.deepEqual(ops.map((o) => [o.ret, o.output]), [[Infinity, undefined], [Infinity, undefined]]);
});

test('mpkv: with times, (time, line) is the real-time order', (t) => {
  const ops = parseMpkvHistory(
    lines(
      '{"type":"invoke","process":2,"f":"get","key":"a","time":7}',
      '{"type":"invoke","process":1,"f":"put","key":"a","value":"v","time":5}',
      '{"type":"ok","process":1,"f":"put","key":"a","result":{"ok":true},"time":7}',
      '{"type":"ok","process":2,"f":"get","key":"a","result":{"ok":true,"value":"v"},"time":9}',
    ),
  );
  // put [5, 7 on line 3], get [7 on line 1, 9]: the get's invoke comes first at t=7, so they overlap.
  t.deepEqual(ops.map((o) => [o.input.op, o.call, o.ret]), [['put', 1, 3], ['get', 2, 4]]);
});

const mpkvCases: Array<[string, string, number, RegExp]> = [
  ['an unknown function', lines(PUT_A, '{"type":"invoke","process":2,"f":"post","key":"a"}'), 2, /"f" must be one of put, get, delete, got "post"/],
  ['a line that is not JSON', lines(PUT_A, PUT_A_OK, '{"type":'), 3, /not a JSON object/],
  ['a missing key', lines('{"type":"invoke","process":1,"f":"get"}'), 1, /"key" must be a string, got nothing/],
  ['a bad result', lines(PUT_A, '{"type":"ok","process":1,"f":"put","key":"a","result":{"ok":"yes"}}'), 2, /"result" must be/],
  ['a completion nobody invoked', lines(PUT_A_OK), 1, /no operation outstanding/],
  ['a second invoke while one is outstanding', lines(PUT_A, '', PUT_A), 3, /invokes again while its put from line 1 is outstanding/],
  ['time on some lines only', lines(PUT_A, '{"type":"ok","process":1,"f":"put","key":"a","result":{"ok":true},"time":3}'), 1, /"time" must be on every line or on none/],
];
for (const [name, text, line, problem] of mpkvCases) {
  test(`mpkv: ${name} is reported on line ${line}`, (t) => {
    const error = formatError(t, () => parseMpkvHistory(text, 'history.jsonl'));
    t.is(error.line, line);
    t.true(error.message.startsWith(`history.jsonl:${line}: `));
    t.regex(error.message, problem);
  });
}

test('jepsen-etcd: completions map to the register model; other lines are ignored', (t) => {
  const ops = parseJepsenEtcdHistory(
    lines(
      'INFO  jepsen.core - starting',
      'INFO  jepsen.util - 0\t:invoke\t:cas\t[1 4]',
      'INFO  jepsen.util - 1   :invoke :read   nil',
      'INFO  jepsen.util - 2\t:invoke\t:write\t3',
      'INFO  jepsen.util - 0\t:fail\t:cas\t[1 4]',
      'INFO  jepsen.util - 1\t:fail\t:read\t:timed-out',
      'INFO  jepsen.util - 2\t:info\t:write\t:timed-out',
    ),
  );
  t.deepEqual(ops.map((o) => [o.input.f, o.call, o.ret, o.output]), [
    ['cas', 2, 5, { f: 'cas', ok: false }],
    ['read', 3, 6, undefined],
    ['write', 4, Infinity, undefined],
  ]);
});

test('jepsen-etcd: a malformed cas value names its line', (t) => {
  const error = formatError(t, () => parseJepsenEtcdHistory(lines('INFO  jepsen.util - 0\t:invoke\t:read\tnil', 'INFO  jepsen.util - 1\t:invoke\t:cas\t[1 x]'), 'etcd_000.log'));
  t.is(error.message, 'etcd_000.log:2: a cas value must be [FROM TO], got "[1 x]"');
});

test('jepsen-etcd: an unknown type names its line', (t) => {
  const error = formatError(t, () => parseJepsenEtcdHistory(lines('', 'INFO  jepsen.util - 0\t:begin\t:read\tnil')));
  t.is(error.line, 2);
  t.regex(error.message, /the type must be one of :invoke :ok :fail :info, got ":begin"/);
});

test('porcupine-kv: an EDN line per event', (t) => {
  const ops = parsePorcupineKvHistory(
    lines('{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}', '{:process 1, :type :invoke, :f :get, :key "0", :value nil}', '{:process 0, :type :ok, :f :append, :key "0", :value "x 0 0 y"}', '{:process 1, :type :ok, :f :get, :key "0", :value "x 0 0 y"}'),
  );
  t.deepEqual(ops.map((o) => [o.input, o.output, o.call, o.ret]), [
    [{ op: 'append', key: '0', value: 'x 0 0 y' }, {}, 1, 3],
    [{ op: 'get', key: '0' }, { value: 'x 0 0 y' }, 2, 4],
  ]);
});

const ednCases: Array<[string, string, number, RegExp]> = [
  ['an unclosed string', '{:process 0, :type :invoke, :f :get, :key "0, :value nil}', /a string is not closed/],
  ['a missing brace', ':process 0', /expected an EDN map/],
  ['an unknown :f', '{:process 0, :type :invoke, :f :cas, :key "0", :value nil}', /:f must be one of :get :put :append, got :cas/],
].map(([name, line, problem]) => [name as string, lines('{:process 9, :type :invoke, :f :get, :key "1", :value nil}', line as string), 2, problem as RegExp]);
for (const [name, text, line, problem] of ednCases) {
  test(`porcupine-kv: ${name} is reported on line ${line}`, (t) => {
    const error = formatError(t, () => parsePorcupineKvHistory(text, 'c01-ok.txt'));
    t.true(error.message.startsWith(`c01-ok.txt:${line}: `));
    t.regex(error.message, problem);
  });
}
