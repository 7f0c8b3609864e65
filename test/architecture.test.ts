/**
 * The shape of the tree: the core knows no protocol, and the dependency arrows point one way,
 *
 *   commands -> ui, explore, verify -> emulations -> core (sim, config, kv semantics, util, specs)
 *
 * with no cycle between folders, and no emulation reaching into another (the kv family's shared
 * `src/emulations/kv/` aside). The import graph is read from the TypeScript sources with `.js`
 * specifiers resolved to the `.ts` files they name (test/imports.ts), and the checker is shown,
 * on a small tree of its own, to see a cycle spelled that way.
 */
import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cycles, importGraph, moduleGraph } from './imports.js';
import { repoRoot, testDir } from './harness.js';

const FOLDERS = ['src', 'specs'];

/** src/<folder>, src/emulations/<emulation or api> (the registry and runner: `src/emulations`), specs. */
function moduleOf(file: string): string {
  const parts = file.split(path.sep);
  if (parts[0] === 'specs') return 'specs';
  if (parts.length === 2) return `src/${parts[1]}`; // src/cli.ts
  if (parts[1] === 'emulations' && parts.length > 3) return `src/emulations/${parts[2]}`;
  return `src/${parts[1]}`;
}

const graph = importGraph(repoRoot, FOLDERS);
const arrows = moduleGraph(graph, moduleOf);

test('architecture: the import reader sees a cycle spelled with .js specifiers (as TypeScript writes them)', (t) => {
  const root = testDir(t, 'mpkv-imports-');
  for (const dir of ['a', 'b', 'c']) mkdirSync(path.join(root, 'src', dir), { recursive: true });
  writeFileSync(path.join(root, 'src/a/one.ts'), "import { two } from '../b/two.js';\nexport const one = two;\n");
  writeFileSync(path.join(root, 'src/b/two.ts'), "import type { X } from '../a/one.js';\nexport const two = 2;\n");
  writeFileSync(path.join(root, 'src/c/three.tsx'), "export { one } from '../a/one.js';\nconst lazy = () => import('../b/two.js');\n");
  const small = moduleGraph(importGraph(root, ['src']), (f) => f.split(path.sep).slice(0, 2).join('/'));
  t.deepEqual(cycles(small), [['src/a', 'src/b']]);
  t.deepEqual([...small.get('src/c')!].sort(), ['src/a', 'src/b'], 'export-from and import() count too');
});

test('architecture: no cycle between folders', (t) => {
  t.deepEqual(cycles(arrows), []);
});

/** Any emulation's folder (`src/emulations/<name>`): the registry imports each one it lists. */
const ANY_EMULATION = 'src/emulations/*';

/** What each module may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  'src/sim': [],
  'src/util': [],
  'src/kv': [],
  'src/config': [],
  specs: ['src/util', 'src/kv'],
  /** The interface an emulation implements, and helpers for its rows. */
  'src/emulations/api': ['src/sim', 'src/config', 'specs'],
  /** The registry and the runner: the registry knows every emulation (a new one needs no line here). */
  'src/emulations': ['src/sim', 'src/config', 'src/kv', 'src/util', 'specs', ANY_EMULATION],
  'src/ui': ['src/emulations', 'src/emulations/api', 'src/sim', 'src/config', 'src/util', 'specs'],
  'src/explore': ['src/emulations', 'src/emulations/api', 'src/verify', 'src/sim', 'src/config', 'src/util', 'specs'],
  /** The model checker: generic, it drives any emulation through its nodes' machines and judge. */
  'src/verify': ['src/emulations', 'src/emulations/api', 'src/sim', 'src/config', 'src/util', 'specs'],
  /** The message-sequence diagram and history pages: generic, drawn with the emulation's words. */
  'src/view': ['src/emulations', 'src/emulations/api', 'src/sim', 'src/util', 'specs'],
  'src/commands': ['src/emulations', 'src/emulations/api', 'src/ui', 'src/explore', 'src/verify', 'src/view', 'src/sim', 'src/config', 'src/util', 'specs'],
  'src/cli.ts': ['src/commands', 'src/config'],
};
/** An emulation's folder: the core, the interface, and the kv family's shared folder. */
const EMULATION_MAY_IMPORT = ['src/sim', 'src/config', 'src/kv', 'src/util', 'specs', 'src/emulations/api', 'src/emulations/kv'];

test('architecture: every arrow points down the layers; no emulation imports another', (t) => {
  const wrong: string[] = [];
  for (const [from, targets] of arrows) {
    const allowed = ALLOWED[from] ?? (from.startsWith('src/emulations/') ? EMULATION_MAY_IMPORT : undefined);
    if (!allowed) {
      wrong.push(`${from}: a module this test does not know (add it to ALLOWED)`);
      continue;
    }
    const may = (to: string): boolean => allowed.includes(to) || (allowed.includes(ANY_EMULATION) && to.startsWith('src/emulations/'));
    for (const to of targets) if (!may(to)) wrong.push(`${from} -> ${to}`);
  }
  t.deepEqual(wrong, []);
});

/** Words of a particular protocol or emulation. */
const PROTOCOL_WORDS = /paxos|acceptor|leader|replica|ballot|\bslots?\b|quorum|\bkv\b|kv_store|kv-store|key-value|max_sync|max-sync|peer-sync/i;

test('architecture: the core (sim, ui, explore, verify, view, config, commands) names no protocol or emulation', (t) => {
  const mentions: string[] = [];
  for (const file of graph.edges.keys()) {
    const module = moduleOf(file);
    if (!['src/sim', 'src/ui', 'src/explore', 'src/verify', 'src/view', 'src/config', 'src/commands', 'src/util', 'src/cli.ts'].includes(module)) continue;
    readFileSync(path.join(repoRoot, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (PROTOCOL_WORDS.test(line)) mentions.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  t.deepEqual(mentions, []);
});
