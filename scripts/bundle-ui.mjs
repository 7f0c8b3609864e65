/**
 * Bundles the live dashboard (dist/src/ui, with React and the terminal UI library it uses)
 * into one file, dist/src/ui/dashboard.bundle.js, which `mpkv run` loads on a terminal.
 *
 * Why: loading the UI library from node_modules reads and compiles over 500 small modules,
 * most of a second before the first frame on a busy machine; one file loads in a fraction of
 * that (measured by `npm run bench -- dashboard`). Only the UI folder and its packages go in:
 * what it imports from the rest of mpkv (the emulations, the router) stays an import of the
 * same modules every command uses. Production builds of React (NODE_ENV), as the dashboard runs.
 *
 * Run by `npm run build` after tsc; without the bundle, the dashboard loads the modules as tsc
 * wrote them (src/commands/dashboard.ts).
 */
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ui = path.join(root, 'dist/src/ui');

/** Relative imports that leave dist/src/ui stay imports (same path: the bundle sits in that folder). */
const keepTheRestOfMpkv = {
  name: 'keep-the-rest-of-mpkv',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      if (!args.importer.startsWith(ui + path.sep) || target.startsWith(ui + path.sep)) return undefined;
      return { path: path.relative(ui, target).split(path.sep).join('/').replace(/^(?!\.)/, './'), external: true };
    });
  },
};

/** The UI library loads React's developer tools only when DEV=true, and they are not installed:
 *  in the bundle that import fails as it would without them. */
const noDevtools = {
  name: 'no-devtools',
  setup(b) {
    b.onResolve({ filter: /^\.\/devtools\.js$/ }, () => ({ path: 'devtools', namespace: 'no-devtools' }));
    b.onLoad({ filter: /.*/, namespace: 'no-devtools' }, () => ({
      contents: "throw Object.assign(new Error('react-devtools-core is not in the bundle'), { code: 'ERR_MODULE_NOT_FOUND' });",
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [path.join(ui, 'dashboard.js')],
  outfile: path.join(ui, 'dashboard.bundle.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  define: { 'process.env.NODE_ENV': '"production"' },
  // Packages written as CommonJS call require(); give the ES module bundle one.
  banner: { js: "import { createRequire as __mpkvRequire } from 'node:module'; const require = __mpkvRequire(import.meta.url);" },
  plugins: [keepTheRestOfMpkv, noDevtools],
  logLevel: 'warning',
  legalComments: 'none',
});
