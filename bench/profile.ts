/**
 * Where a run's time goes: a CPU profile taken in-process (node:inspector), its self time
 * summed by what the code is — the garbage collector, XState, the router, the roles, the
 * checks — so a figure short of its goal comes with the reason.
 */
import { Session } from 'node:inspector/promises';

/** Self time by part, as fractions of the whole (largest first). */
export async function profileShares(run: () => void, part: (fn: string, url: string) => string = partOf): Promise<[string, number][]> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  run();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const shares = new Map<string, number>();
  let total = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!)!;
    const dt = deltas[i] ?? 0;
    total += dt;
    const name = part(node.callFrame.functionName, node.callFrame.url);
    shares.set(name, (shares.get(name) ?? 0) + dt);
  }
  return [...shares].map(([part, t]): [string, number] => [part, t / total]).sort((a, b) => b[1] - a[1]);
}

export function partOf(fn: string, url: string): string {
  if (fn === '(garbage collector)') return 'garbage collector';
  if (url.includes('/xstate/')) return 'XState';
  if (url.includes('/src/sim/')) return 'router';
  if (url.includes('/emulations/kv/log-checks') || url.includes('/emulations/kv/judge') || url.includes('/specs/') || url.includes('/emulations/run.')) return 'checks';
  if (url.includes('/src/emulations/') || url.includes('/src/kv/')) return 'roles';
  if (url.includes('/fast-check/') || url.includes('/pure-rand/') || url.includes('/src/explore/')) return 'schedules';
  if (url === '' && !fn.startsWith('(')) return 'V8 built-ins (Map, Set, Object.assign... called by all the above)';
  return 'other (Node, module loading, idle)';
}

/** `garbage collector 31%, XState 33%, ...` */
export const sharesText = (shares: readonly [string, number][]): string => shares.map(([part, f]) => `${part} ${(f * 100).toFixed(0)}%`).join(', ');
