/**
 * Dashboard start-up: real time from spawning `mpkv run configs/default.toml` on a terminal
 * (a pseudo-terminal from `script`, 100x30) until the first dashboard frame is written; then
 * `q` is typed and the clean exit is awaited. Median of several runs, through `node` directly
 * (with the UI bundled, as built, and from its modules for comparison) and through `npx mpkv`
 * (which adds npm's own start-up).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Something only the dashboard's first frame contains. */
const FIRST_FRAME = /n\/→ step|q quit/;

interface Sample {
  readonly firstFrameMs: number;
  readonly exitedCleanly: boolean;
}

/** One start: ms until the output matches `until` (then `q` is typed), and whether the
 *  process then ended with status 0 or 1. */
export function timeFirstFrame(command: string, until: RegExp = FIRST_FRAME, timeoutMs = 15_000): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('script', ['-qfec', `stty cols 100 rows 30; exec ${command}`, '/dev/null'], {
      cwd: ROOT,
      env: interactiveEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let firstFrameMs: number | undefined;
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (firstFrameMs === undefined && until.test(output)) {
        firstFrameMs = performance.now() - start;
        child.stdin.write('q');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      if (firstFrameMs === undefined) return reject(new Error(`no dashboard frame from ${command} (exit ${code}): ${output.slice(-300)}`));
      resolve({ firstFrameMs, exitedCleanly: code === 0 || code === 1 });
    });
  });
}

/** The environment minus CI markers: Ink draws no live frames when it thinks it is in CI. */
function interactiveEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  return env;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function benchDashboard(runs = 5): Promise<string[]> {
  const lines = ['dashboard start-up (configs/default.toml, 100x30 pty, time to first frame):'];
  for (const [label, command, until] of [
    ['node dist/src/cli.js run', 'node dist/src/cli.js run configs/default.toml', FIRST_FRAME],
    // For scale: the UI loaded from its modules instead of the bundle (scripts/bundle-ui.mjs).
    ['  the same, UI modules', 'env MPKV_UI_MODULES=1 node dist/src/cli.js run configs/default.toml', FIRST_FRAME],
    ['npx mpkv run', 'npx --no-install mpkv run configs/default.toml', FIRST_FRAME],
    // For scale: the whole plain run, same pty, to its last line (no Ink loaded).
    ['baseline: run --plain, done', 'node dist/src/cli.js run configs/default.toml --plain', /checks? (passed|FAILED)/],
  ] as const) {
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) samples.push(await timeFirstFrame(command, until));
    const times = samples.map((s) => s.firstFrameMs);
    const clean = samples.filter((s) => s.exitedCleanly).length;
    lines.push(
      `  ${label.padEnd(28)} median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}, ${runs} runs; q exited cleanly ${clean}/${runs})`,
    );
  }
  return lines;
}

const isEntry = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isEntry) for (const line of await benchDashboard()) console.log(line);
