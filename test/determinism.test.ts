import test from 'ava';
import { config, run } from './harness.js';

const traceText = (name: string, seed?: number): string =>
  run(config(name, seed === undefined ? {} : { seed })).trace.map((e) => JSON.stringify(e)).join('\n');

for (const name of ['default.toml', 'lossy-network.toml', 'two-leaders.toml', 'kv_store.toml']) {
  test(`determinism: ${name} with the same seed gives a byte-identical trace`, (t) => {
    t.is(traceText(name, 7), traceText(name, 7));
  });

  test(`determinism: ${name} with another seed gives another trace`, (t) => {
    t.not(traceText(name, 7), traceText(name, 8));
  });
}
