/**
 * Read-only file access shared by the loaders: every fs failure becomes a DatasetError naming the file, and gzip
 * payloads are recognised by their magic bytes (not by the name) and inflated in memory.
 */
import { promises as fsp } from 'node:fs';
import type { Stats } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from './dataset';

/** Turns a Node fs error into a DatasetError with a readable reason. */
export function fsError(err: unknown, file: string): DatasetError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new DatasetError('file not found', file);
  if (code === 'EACCES' || code === 'EPERM') return new DatasetError('permission denied', file);
  if (code === 'EISDIR') return new DatasetError('is a folder, expected a file', file);
  const msg = err instanceof Error ? err.message : String(err);
  return new DatasetError(`cannot read: ${msg}`, file);
}

/** Reads a whole file (opened read-only: `fs.readFile` uses flag 'r'). */
export async function readBytes(file: string): Promise<Buffer> {
  try {
    return await fsp.readFile(file, { flag: 'r' });
  } catch (err) {
    throw fsError(err, file);
  }
}

/** The first `count` bytes of a file (fewer when it is shorter). */
export async function readHeadBytes(file: string, count: number): Promise<Buffer> {
  let fh;
  try {
    fh = await fsp.open(file, 'r');
    const buf = Buffer.alloc(count);
    const { bytesRead } = await fh.read(buf, 0, count, 0);
    return buf.subarray(0, bytesRead);
  } catch (err) {
    throw fsError(err, file);
  } finally {
    await fh?.close();
  }
}

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** Inflates gzip bytes; anything else is returned unchanged. A broken stream is a DatasetError. */
export function maybeGunzip(buf: Buffer, file: string): Buffer {
  if (!isGzip(buf)) return buf;
  try {
    return gunzipSync(buf);
  } catch (err) {
    throw new DatasetError(`corrupt gzip data (${err instanceof Error ? err.message : String(err)})`, file);
  }
}

/** Reads a text file as UTF-8 (gzip allowed), dropping a leading byte-order mark. */
export async function readText(file: string): Promise<string> {
  const buf = maybeGunzip(await readBytes(file), file);
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** `stat` that answers undefined for a missing path and DatasetError for other failures. */
export async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fsp.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError(err, file);
  }
}

/** The display name of a dataset: the base name without a trailing `.gz`. */
export function datasetName(file: string): string {
  return path.basename(file).replace(/\.gz$/i, '');
}

/** `maxRows` as a limit: undefined, 0 or negative mean no limit. */
export function rowLimit(maxRows: number | undefined): number {
  return maxRows !== undefined && maxRows > 0 ? Math.floor(maxRows) : Infinity;
}
