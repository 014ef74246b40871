/** The rule every command follows for output it would replace: refuse, unless `--force`. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { FileExistsError } from '../core/export/atomicWrite';
import { MODEL_FILE, SIDECAR_FILE } from '../core/training/persistence';

/** Throws unless `dir` is absent, empty, or `force` is set. A file at `dir` is always an error. */
export function assertOutDirFree(dir: string, force: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is a file, not a folder; choose another --out`);
  if (force) return;
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  const model = [MODEL_FILE, SIDECAR_FILE].find((f) => entries.includes(f));
  throw new FileExistsError(dir, model ? `holds a saved model (${model})` : `is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'})`);
}
