/**
 * `npm run bench`: every figure mpkv measures, as medians of several runs and ratios — never
 * as pass/fail limits (the machines are shared and noisy). `npm run bench -- protocol checker`
 * runs only the named sections.
 */
import { benchChecker } from './checker.js';
import { benchDashboard } from './dashboard.js';
import { benchProtocol } from './protocol.js';

const sections: Record<string, () => Promise<string[]>> = {
  goals: async () => (await import('./goals.js')).benchGoals(),
  scaling: async () => (await import('./scaling.js')).benchScaling(),
  protocol: benchProtocol,
  consensus: async () => (await import('./consensus.js')).benchConsensus(),
  checker: benchChecker,
  explore: async () => (await import('./explore.js')).benchExplore(),
  strategies: async () => (await import('./explore.js')).benchStrategies(),
  liveness: async () => (await import('./liveness.js')).benchLiveness(),
  verify: async () => (await import('./verify.js')).benchVerify(),
  dashboard: () => benchDashboard(),
  view: async () => (await import('./view.js')).benchView(),
};

let failed = 0;
const wanted = process.argv.slice(2).filter((a) => a in sections);
for (const name of wanted.length > 0 ? wanted : Object.keys(sections)) {
  console.log(`== ${name}`);
  const started = process.hrtime.bigint();
  try {
    for (const line of await sections[name]!()) console.log(line);
  } catch (e) {
    failed++;
    console.log(`(${name} bench failed: ${(e as Error).message})`);
  }
  console.log(`(${name}: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s)\n`);
}
process.exitCode = failed > 0 ? 1 : 0;
