/**
 * Cost per message as runs grow (issue 18): the same MultiPaxos deployment (3 acceptors, 1
 * leader, 2 replicas, unbatched, no faults) with 10, 100 and 1,000 clients x 100 requests, and
 * 10 clients x 1,000 requests, each in a process of its own (./scale-run.ts) with every check
 * streaming. For each: wall and CPU nanoseconds per delivered message, the peak heap, and the
 * growth of the CPU cost per message from one size to the next (flat is x1.00; the goal is
 * within x1.5). The final judgement (linearizability of the whole history, certified by the log
 * order) is timed apart. Each process first warms its compiler up on two runs of 10 x 50 (not measured).
 *
 * The deployment is set so that 1,000 clients can finish: a window of 64 slots in Phase 2 (one
 * leader with the default 4 cannot keep up with 1,000 clients, whose retries then swamp it), a
 * client timeout of 2 s (the queue ahead of a request is long), and a time limit of 10 minutes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScaleRun } from './scale-run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FLAT = 1.5;

const DEPLOYMENT = `emulation = "multipaxos"
seed = 1
time_limit_ms = 600000
check_steps = 1000000
[topology]
acceptors = 3
leaders = 1
replicas = 2
clients = 10
[workload]
requests = 100
timeout_ms = 2000
[paxos]
window = 64
`;

const SIZES = [
  { clients: 10, requests: 100 },
  { clients: 100, requests: 100 },
  { clients: 1000, requests: 100 },
  { clients: 10, requests: 1000 },
] as const;

const n = (x: number): string => Math.round(x).toLocaleString('en-US');

/** One size, alone in a child process with this process's flags. */
function runSize(file: string, clients: number, requests: number): ScaleRun {
  const script = path.join(ROOT, 'dist/bench/scale-run.js');
  const args = [...process.execArgv, '--expose-gc', script, file, '--clients', String(clients), '--requests', String(requests), '--warm'];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as ScaleRun;
}

export async function benchScaling(): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mpkv-scaling-'));
  try {
    const file = path.join(dir, 'scaling.toml');
    writeFileSync(file, DEPLOYMENT);
    runSize(file, 10, 20); // warm the disk cache and the module cache
    const lines = ['cost per delivered message as the run grows (multipaxos, 3 acceptors, 1 leader, 2 replicas, unbatched, window 64, every check streaming):'];
    let previous: { label: string; cpuNs: number } | undefined;
    const growths: number[] = [];
    for (const { clients, requests } of SIZES) {
      const r = runSize(file, clients, requests);
      const wallNs = (r.seconds * 1e9) / r.delivered;
      const cpuNs = (r.cpu_seconds * 1e9) / r.delivered;
      const label = `${n(clients)} x ${n(requests)}`;
      const failed = r.verdicts.filter((v) => v.status !== 'ok').map((v) => `${v.name} ${v.status}`);
      const growth = previous ? `; x${(cpuNs / previous.cpuNs).toFixed(2)} the CPU per message of ${previous.label}` : '';
      if (previous) growths.push(cpuNs / previous.cpuNs);
      lines.push(
        `   ${label.padEnd(11)} ${n(r.delivered).padStart(9)} messages: ${n(wallNs)} ns/message wall, ${n(cpuNs)} CPU-ns/message (${n(r.delivered / r.cpu_seconds)}/CPU-s), ` +
          `peak heap ${r.peak_heap_mb} MB, peak RSS ${r.peak_rss_mb} MB, judged in ${r.judged_seconds.toFixed(1)} s, ` +
          `${r.counts.join(', ')}, ${failed.length === 0 ? 'every check ok' : failed.join(', ')}${growth}`,
      );
      previous = { label, cpuNs };
    }
    const worst = Math.max(...growths);
    lines.push(`   largest growth of CPU per message from one size to the next: x${worst.toFixed(2)}   goal <= x${FLAT}: ${worst <= FLAT ? 'met' : 'NOT MET'}`);
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
