/**
 * The live dashboard's entry, for `mpkv run` on a terminal. The dashboard and the terminal UI
 * library it draws with are most of the start-up time, so they are loaded on their own, early
 * (cli.ts starts on it while the run command and the emulations load), and from one bundled
 * file when the build made one (scripts/bundle-ui.mjs: one file instead of five hundred small
 * modules, a third of the time); else, or when the bundle is older than the UI modules (tsc
 * ran again without it), from the modules tsc wrote.
 *
 * MPKV_UI_MODULES=1 loads the modules even when there is a bundle (to compare, to debug).
 *
 * React runs its production build here (fewer checks per render) unless NODE_ENV says otherwise;
 * it must be set before React loads.
 */
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as Dashboard from '../ui/dashboard.js';

process.env.NODE_ENV ??= 'production';

const BUNDLE = new URL('../ui/dashboard.bundle.js', import.meta.url);

/** Is there a bundle at least as new as every UI module it was made from? */
function freshBundle(): boolean {
  try {
    const bundled = statSync(BUNDLE).mtimeMs;
    const dir = fileURLToPath(new URL('../ui/', import.meta.url));
    return readdirSync(dir).every((f) => !f.endsWith('.js') || f === 'dashboard.bundle.js' || statSync(dir + f).mtimeMs <= bundled);
  } catch {
    return false;
  }
}

async function load(): Promise<typeof Dashboard> {
  return !process.env.MPKV_UI_MODULES && freshBundle() ? ((await import(BUNDLE.href)) as typeof Dashboard) : import('../ui/dashboard.js');
}

export const { runDashboard } = await load();
