/**
 * Entry point of the data layer: `loadDataset(path)` picks the loader from the extension (or, for a folder, the image
 * loader; for an unknown extension, the file's magic bytes). Loaders only read (files are never opened for writing)
 * and report bad data as DatasetError naming the file, row and column.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import type { Dataset, DatasetFormat, LoadOptions } from './dataset';
import { DatasetError } from './dataset';
import { loadDelimited } from './delimited';
import { datasetName, maybeGunzip, readBytes, rowLimit, statOrUndefined } from './fileUtil';
import { loadIdx } from './idx';
import { loadImageFolder } from './images';
import { loadJson, loadJsonl } from './json';
import { npyToDataset, parseNpy, parseNpz } from './npy';
import { checkWindowSpec, windowDataset } from './windows';

export { loadSampleDigits, sampleDataPath, SAMPLE_NAME, SAMPLE_SIZE } from './sample';
export { DatasetError } from './dataset';
export type { Dataset, DatasetFormat, LoadOptions, WindowSpec } from './dataset';
export { windowColumns, windowCount, windowDataset } from './windows';

/** Format from the name alone (a trailing `.gz` is ignored); undefined when the name says nothing. */
function formatFromName(file: string): DatasetFormat | undefined {
  const base = path.basename(file).toLowerCase().replace(/\.gz$/, '');
  const ext = path.extname(base);
  if (ext === '.csv' || ext === '.txt' || ext === '.dat') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.json') return 'json';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.npy') return 'npy';
  if (ext === '.npz') return 'npz';
  if (/-ubyte$/.test(base) || /\.idx\d*$/.test(base)) return 'idx';
  return undefined;
}

/**
 * The format `loadDataset` would use for `file`: `images` for a folder, else from the extension
 * (`.csv`/`.txt` csv, `.tsv`, `.json`, `.jsonl`/`.ndjson`, `.npy`, `.npz`, `*-ubyte`/`.idx*` idx, any of them `.gz`).
 * Undefined when unknown (loadDataset then sniffs the content).
 */
export function detectFormat(file: string): DatasetFormat | undefined {
  try {
    if (statSync(file).isDirectory()) return 'images';
  } catch {
    // missing: decide from the name
  }
  return formatFromName(file);
}

/** Format from magic bytes: NPY, zip (NPZ), IDX; undefined otherwise. */
function formatFromContent(buf: Uint8Array): DatasetFormat | undefined {
  if (buf.length >= 6 && buf[0] === 0x93 && buf[1] === 0x4e && buf[2] === 0x55 && buf[3] === 0x4d && buf[4] === 0x50 && buf[5] === 0x59) return 'npy';
  if (buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 3 && buf[3] === 4) return 'npz';
  if (buf.length >= 4 && buf[0] === 0 && buf[1] === 0 && [0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e].includes(buf[2]) && buf[3] > 0) return 'idx';
  return undefined;
}

/**
 * Loads a dataset file or image folder. Every problem with the data is a DatasetError. With `opts.window` the table
 * (rows in time order, after `maxRows`) is cut into sliding windows: a `sequence` dataset (see `windowDataset`).
 */
export async function loadDataset(file: string, opts: LoadOptions = {}): Promise<Dataset> {
  if (opts.window === undefined) return loadRaw(file, opts);
  checkWindowSpec(opts.window, path.resolve(file));
  return windowDataset(await loadRaw(file, opts), opts.window);
}

async function loadRaw(file: string, opts: LoadOptions): Promise<Dataset> {
  const abs = path.resolve(file);
  const st = await statOrUndefined(abs);
  if (st === undefined) throw new DatasetError('file not found', abs);
  if (st.isDirectory()) return loadImageFolder(abs, opts);
  if (!st.isFile()) throw new DatasetError('not a regular file', abs);
  if (st.size === 0) throw new DatasetError('file is empty', abs);

  let format = formatFromName(abs);
  let bytes: Buffer | undefined;
  if (format === undefined) {
    bytes = maybeGunzip(await readBytes(abs), abs);
    format = formatFromContent(bytes);
    if (format === undefined) {
      throw new DatasetError('unknown dataset format (expected .csv, .tsv, .txt, .json, .jsonl, .npy, .npz, IDX or a folder of images)', abs);
    }
  }
  switch (format) {
    case 'csv':
    case 'tsv':
      return loadDelimited(abs, opts);
    case 'json':
      return loadJson(abs, opts);
    case 'jsonl':
      return loadJsonl(abs, opts);
    case 'idx':
      return loadIdx(abs, opts);
    case 'npy': {
      const buf = bytes ?? maybeGunzip(await readBytes(abs), abs);
      return npyToDataset(parseNpy(buf, abs, rowLimit(opts.maxRows)), abs, datasetName(abs), 'npy');
    }
    case 'npz': {
      const buf = bytes ?? maybeGunzip(await readBytes(abs), abs);
      return parseNpz(buf, abs, datasetName(abs), opts.npzKey, rowLimit(opts.maxRows));
    }
    default:
      throw new DatasetError(`cannot load format ${format}`, abs);
  }
}
