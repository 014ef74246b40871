/**
 * Where the extension writes models, and how it finds them again. VS Code-free (unit-testable).
 * Layout: `<workspace>/<outputFolder>/<dataset-base>-<kind>/` holding model.json, weights.bin, latent-explorer.json,
 * embeddings.csv. The dataset itself is only ever read.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { datasetBaseName } from '../core/export/outputPaths';

export { datasetBaseName };

/** The sidecar every saved model folder has. */
export const SIDECAR = 'latent-explorer.json';

/** Model folder for a dataset and model kind under `root/outputFolder` (an absolute outputFolder is used as is). */
export function modelOutDir(root: string, outputFolder: string, datasetPath: string, kind: string): string {
  const base = isAbsolute(outputFolder) ? outputFolder : resolve(root, outputFolder);
  return join(base, `${datasetBaseName(datasetPath)}-${kind}`);
}

/** True when `child` is `parent` or inside it. */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(resolve(parent), resolve(child));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Saved model folders (those with a sidecar) directly under `outputRoot`, newest first. */
export function listModelDirs(outputRoot: string): { dir: string; name: string; mtimeMs: number }[] {
  if (!existsSync(outputRoot)) return [];
  const out: { dir: string; name: string; mtimeMs: number }[] = [];
  for (const e of readdirSync(outputRoot, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const sidecar = join(outputRoot, e.name, SIDECAR);
    if (existsSync(sidecar)) out.push({ dir: join(outputRoot, e.name), name: e.name, mtimeMs: statSync(sidecar).mtimeMs });
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
}
