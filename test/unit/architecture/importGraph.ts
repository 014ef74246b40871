import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');

/** One import of a source file: what it names, and the repository-relative file it resolves to (local imports). */
export interface Import {
  specifier: string;
  file?: string;
  typeOnly: boolean;
}

export function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

/** The imports and re-exports of a file (static ones, which is all this codebase uses). */
export function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const specifier = m[3];
    const imp: Import = { specifier, typeOnly: m.at(2) !== undefined };
    if (specifier.startsWith('.')) {
      const base = join(dirname(file), specifier);
      const hit = [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(join(ROOT, p)));
      if (hit !== undefined) imp.file = relative(ROOT, join(ROOT, hit));
    }
    out.push(imp);
  }
  return out;
}

/** Every cycle of the import graph over `files`, each as the list of files on it (one representative per cycle). */
export function importCycles(files: string[]): string[][] {
  const edges = new Map(files.map((f) => [f, importsOf(f).flatMap((i) => (i.file !== undefined ? [i.file] : []))]));
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of edges.get(f) ?? []) {
      if (state.get(g) === 'open') cycles.push(stack.slice(stack.indexOf(g)));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}
