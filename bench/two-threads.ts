/**
 * What running two threads at once costs on this machine, whatever they run: the ceiling run
 * (./ceiling.ts: the router and XState actors, no protocol, no checks) in one worker thread,
 * then in two at once, each thread's CPU time per delivered message. Two threads on cores that
 * share execution units or memory bandwidth (hyperthreads, a busy host under a virtual machine)
 * each spend more CPU time on the same work; exploration's two workers can do no better than
 * this, so the bench prints it beside their speedup.
 *
 *   node dist/bench/two-threads.js      (as a worker: runs the ceiling and posts its figures)
 */
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { ceilingRun } from './ceiling.js';

/** This thread's CPU seconds (Linux: /proc/thread-self/stat, in clock ticks of 10 ms), or the
 *  process's where that file is missing. */
function threadCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1e6;
  }
}

interface ThreadFigure {
  readonly cpuNsPerMessage: number;
  readonly seconds: number;
}

function measure(messages: number): ThreadFigure {
  ceilingRun(true, 50_000); // warm up
  const cpu = threadCpuSeconds();
  const started = process.hrtime.bigint();
  const r = ceilingRun(true, messages);
  return { cpuNsPerMessage: ((threadCpuSeconds() - cpu) * 1e9) / r.delivered, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** The ceiling in `threads` worker threads at once: the mean of their CPU time per message, and
 *  the slowest thread's wall seconds. */
async function inThreads(threads: number, messages: number): Promise<ThreadFigure> {
  const figures = await Promise.all(
    Array.from({ length: threads }, () =>
      new Promise<ThreadFigure>((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: messages });
        worker.on('message', (figure: ThreadFigure) => resolve(figure));
        worker.on('error', reject);
      }),
    ),
  );
  return { cpuNsPerMessage: figures.reduce((n, f) => n + f.cpuNsPerMessage, 0) / threads, seconds: Math.max(...figures.map((f) => f.seconds)) };
}

/** One line: the CPU per message in one thread and in two at once, and their ratio. */
export async function twoThreadCost(messages = 600_000): Promise<{ one: number; two: number; ratio: number; speedup: number }> {
  const one = await inThreads(1, messages);
  const two = await inThreads(2, messages);
  return { one: one.cpuNsPerMessage, two: two.cpuNsPerMessage, ratio: two.cpuNsPerMessage / one.cpuNsPerMessage, speedup: (2 * one.seconds) / two.seconds };
}

if (!isMainThread && parentPort) {
  const { workerData } = await import('node:worker_threads');
  parentPort.postMessage(measure(workerData as number));
}
