/**
 * Marks the package's commands (package.json "bin") executable, as the last step of the build.
 *
 * Why: tsc writes dist/src/cli.js without the executable bit. npm sets it only when it links
 * the package's commands during an install; `npx mpkv` run in a checkout whose install npm
 * has cached already (the same path built again) runs the new file as it is, and the shell
 * answers "mpkv: Permission denied". Run by `npm run build` and `prepare`.
 */
import { chmodSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
for (const bin of bins) {
  const file = path.join(root, bin);
  chmodSync(file, statSync(file).mode | 0o111);
}
