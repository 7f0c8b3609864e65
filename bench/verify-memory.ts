/**
 * One search in a process of its own, for its peak memory (`npm run bench -- verify` runs it):
 *
 *   node dist/bench/verify-memory.js <config.toml> <max_depth> <max_states>
 *
 * prints one line of JSON: the distinct states, the peak resident set (bytes, from the
 * kernel's count for the process), and what the search's tables hold (visited set, store).
 * Run with max_states 1, it gives the baseline (Node, the emulation, the booted model) that
 * the bench takes off the peak.
 */
import { emulationOf, loadConfig } from '../src/emulations/index.js';
import { search } from '../src/verify/search.js';

const [file, depth, states] = process.argv.slice(2);
const base = loadConfig(file!);
const config = { ...base, verify: { ...base.verify, max_depth: Number(depth), max_states: Number(states) } };
const outcome = search(emulationOf(config), config);
console.log(
  JSON.stringify({
    distinct: outcome.distinct,
    exhausted: outcome.exhausted,
    peakBytes: process.resourceUsage().maxRSS * 1024,
    visitedBytes: outcome.kept.visitedBytes,
    storeBytes: outcome.kept.storeBytes,
    sleepBytes: outcome.kept.sleepBytes,
  }),
);
