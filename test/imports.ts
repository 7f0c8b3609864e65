/**
 * The project's import graph, read from the TypeScript sources (not the compiled output):
 * every relative `import ... from '...'`, `export ... from '...'` and `import('...')`,
 * resolved the way TypeScript's NodeNext resolution does, where a `.js` specifier names the
 * `.ts` or `.tsx` file beside it (a tool that looks for the `.js` file finds nothing).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface ImportGraph {
  /** file (relative to the root) -> the files it imports (relative to the root). */
  readonly edges: ReadonlyMap<string, readonly string[]>;
}

const SPECIFIER = /(?:^|[^\w$.])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** `./x.js` -> `./x.ts` or `./x.tsx` (or the file as written, or its index). */
function resolve(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const stem = base.replace(/\.(js|jsx|mjs|cjs)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.tsx`, base, path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The import graph of every source file under `folders` (paths relative to `root`). */
export function importGraph(root: string, folders: readonly string[]): ImportGraph {
  const edges = new Map<string, string[]>();
  for (const file of folders.flatMap((f) => sourceFiles(path.join(root, f)))) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      if (!specifier.startsWith('.')) continue;
      const target = resolve(file, specifier);
      if (target) targets.push(path.relative(root, target));
    }
    edges.set(path.relative(root, file), targets);
  }
  return { edges };
}

/** The module a file belongs to: `src/sim/router.ts` -> `src/sim`, `specs/x.ts` -> `specs`. */
export type ModuleOf = (file: string) => string;

/** The graph between modules (a file importing a file of another module is an arrow). */
export function moduleGraph(graph: ImportGraph, moduleOf: ModuleOf): Map<string, Set<string>> {
  const arrows = new Map<string, Set<string>>();
  for (const [file, targets] of graph.edges) {
    const from = moduleOf(file);
    if (!arrows.has(from)) arrows.set(from, new Set());
    for (const target of targets) {
      const to = moduleOf(target);
      if (to !== from) arrows.get(from)!.add(to);
    }
  }
  return arrows;
}

/** The cycles between modules: each strongly connected component of more than one module
 *  (Tarjan), as a sorted list of its modules. */
export function cycles(arrows: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of arrows.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...arrows.keys()].sort()) if (!indices.has(v)) visit(v);
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!));
}
