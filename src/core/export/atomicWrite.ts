/**
 * Safe file writes for every exporter and the model files: never silently overwrite, never leave a half-written file.
 * Content goes to a hidden temporary sibling `.<name>.tmp-<pid>-<n>` first and is renamed into place (atomic on one
 * filesystem), so readers never see a partial file.
 */
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Distinguishes the temporary files of writes in flight in this process. */
let writes = 0;

/** Thrown when an output exists and replacing it was not asked for (CLI: --force; the UI asks first). */
export class FileExistsError extends Error {
  constructor(
    readonly path: string,
    what = 'already exists',
  ) {
    super(`${path} ${what}`);
    this.name = 'FileExistsError';
  }
}

/** Throws `FileExistsError` for each of `paths` that exists, unless `overwrite`. Check all before writing any. */
export function assertWritable(paths: string[], overwrite: boolean): void {
  if (overwrite) return;
  for (const p of paths) if (existsSync(p)) throw new FileExistsError(p);
}

/** Writes `data` to `path` atomically (temp file + rename); refuses an existing `path` unless `overwrite`. */
export function writeFileAtomic(path: string, data: string | Uint8Array, overwrite: boolean): void {
  assertWritable([path], overwrite);
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${writes++}`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
