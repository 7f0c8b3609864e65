/**
 * One search in a process of its own, for its peak memory (`npm run bench -- verify` runs it):
 *
 *   node dist/bench/verify-memory.js <config.toml> <max_depth> <max_states> [workers]
 *
 * prints one line of JSON: the distinct states, the peak resident set (bytes: the kernel's
 * high-water mark of this program, VmHWM; not getrusage's, which a child starts with its
 * parent's), and what the search's tables hold (visited set, store).
 * Run with max_states 1, it gives the baseline (Node, the emulation, the booted model) that
 * the bench takes off the peak.
 */
import { readFileSync } from 'node:fs';
import { emulationOf, loadConfig } from '../src/emulations/index.js';
import { searchWithWorkers } from '../src/verify/parallel.js';
import { search } from '../src/verify/search.js';

const [file, depth, states, workers] = process.argv.slice(2);
const base = loadConfig(file!);
const config = { ...base, verify: { ...base.verify, max_depth: Number(depth), max_states: Number(states) } };
const outcome = Number(workers ?? 1) > 1 ? await searchWithWorkers(emulationOf(config), config, { workers: Number(workers) }) : search(emulationOf(config), config);
console.log(
  JSON.stringify({
    distinct: outcome.distinct,
    exhausted: outcome.exhausted,
    peakBytes: peakResident(),
    visitedBytes: outcome.kept.visitedBytes,
    storeBytes: outcome.kept.storeBytes,
    sleepBytes: outcome.kept.sleepBytes,
  }),
);

/** The peak resident set of this program since it started (Linux: VmHWM), in bytes. */
function peakResident(): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    if (line) return Number(line.split(/\s+/)[1]) * 1024;
  } catch {
    // not Linux: the process's own count
  }
  return process.resourceUsage().maxRSS * 1024;
}
