/**
 * Entry point of the data layer: `loadDataset(path)` picks the loader from the extension (or, for a folder, the image
 * loader; for an unknown extension, the file's magic bytes). Loaders only read (files are never opened for writing)
 * and report bad data as DatasetError naming the file, row and column.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import type { Dataset, DatasetFormat, LoadOptions } from './dataset';
import { DatasetError } from './dataset';
import { loadArrow, loadParquet } from './columnar';
import { loadDelimited } from './delimited';
import { datasetName, maybeGunzip, readBytes, readHeadBytes, rowLimit, statOrUndefined } from './fileUtil';
import { applyImageShape } from './imageShape';
import { binaryFormatOf, foreignKind } from './magic';
import { loadIdx } from './idx';
import { loadImageFolder } from './images';
import { loadJson } from './json';
import { loadJsonl } from './jsonl';
import { npyToDataset, parseNpy, parseNpz } from './npy';
import { checkWindowSpec, windowDataset } from './windows';
import { attachClassNames } from './classNames';

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
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.arrow' || ext === '.feather' || ext === '.ipc' || ext === '.arrows') return 'arrow';
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

/** Format of text content with an unknown name: JSON when it opens with `[` or `{` (JSONL when lines do), else CSV. */
function textFormatOf(head: Buffer): DatasetFormat {
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('[')) return 'json';
  if (text.startsWith('{')) {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    return lines.length > 1 && lines.slice(0, 5).every((l) => l.trim().startsWith('{')) ? 'jsonl' : 'json';
  }
  return 'csv';
}

/**
 * The format to load `file` with: the content decides for binary formats (an `.npy` named `.csv` still loads, with a
 * warning), the name for text formats, the content again when the name says nothing. Files no loader reads (an
 * Excel workbook, an image, a PDF, ...) are a DatasetError that says what they are.
 */
export async function sniffFormat(file: string): Promise<{ format: DatasetFormat; warning?: string }> {
  const raw = await readHeadBytes(file, 64 * 1024);
  const head = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? await gunzipHead(file) : raw;
  const foreign = foreignKind(head);
  const byName = formatFromName(file);
  if (foreign !== undefined) {
    const as = byName === undefined ? '' : ` (the name says ${byName.toUpperCase()})`;
    throw new DatasetError(`is ${foreign}${as}: save or export it as CSV (UTF-8), or one of .tsv .json .jsonl .npy .npz .parquet .arrow`, file);
  }
  const bin = binaryFormatOf(head);
  if (bin !== undefined && !(bin === 'idx' && byName !== undefined && byName !== 'idx')) {
    const warning = byName !== undefined && byName !== bin ? `named like ${byName.toUpperCase()} but holds ${bin.toUpperCase()} data: loaded as ${bin.toUpperCase()}` : undefined;
    return warning ? { format: bin, warning } : { format: bin };
  }
  // Binary names with other content: their loader explains what is wrong with the header.
  if (byName !== undefined) return { format: byName };
  const text = textFormatOf(head);
  if (text === 'csv' && head.toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '').length < 2) {
    throw new DatasetError('unknown dataset format (expected .csv, .tsv, .txt, .json, .jsonl, .npy, .npz, .parquet, .arrow, IDX or a folder of images)', file);
  }
  return { format: text };
}

async function gunzipHead(file: string): Promise<Buffer> {
  const { createReadStream } = await import('node:fs');
  const { createGunzip } = await import('node:zlib');
  const parts: Buffer[] = [];
  let have = 0;
  const stream = createReadStream(file, { start: 0, end: 1 << 20 }).pipe(createGunzip());
  try {
    for await (const c of stream as AsyncIterable<Buffer>) {
      parts.push(c);
      have += c.length;
      if (have >= 64 * 1024) break;
    }
  } catch {
    // a truncated sample of the stream is expected; the loader reports a corrupt file
  } finally {
    stream.destroy();
  }
  return Buffer.concat(parts);
}

/**
 * Loads a dataset file or image folder. Every problem with the data is a DatasetError. With `opts.window` the table
 * (rows in time order, after `maxRows`) is cut into sliding windows: a `sequence` dataset (see `windowDataset`).
 */
export async function loadDataset(file: string, opts: LoadOptions = {}): Promise<Dataset> {
  if (opts.window !== undefined && opts.imageShape !== undefined) throw new DatasetError('a table is either images (image shape) or a time series (window), not both', path.resolve(file));
  const raw = await loadRaw(file, opts);
  if (opts.imageShape !== undefined) return attachClassNames(applyImageShape(raw, opts.imageShape), file, opts.classNames);
  if (opts.window === undefined) return attachClassNames(raw, file, opts.classNames);
  checkWindowSpec(opts.window, path.resolve(file));
  return attachClassNames(windowDataset(raw, opts.window), file, opts.classNames);
}

async function loadRaw(file: string, opts: LoadOptions): Promise<Dataset> {
  const abs = path.resolve(file);
  const st = await statOrUndefined(abs);
  if (st === undefined) throw new DatasetError('file not found', abs);
  if (st.isDirectory()) return loadImageFolder(abs, opts);
  if (!st.isFile()) throw new DatasetError('not a regular file', abs);
  if (st.size === 0) throw new DatasetError('file is empty', abs);

  const { format, warning } = await sniffFormat(abs);
  const ds = await loadFormat(abs, format, opts);
  if (warning !== undefined) ds.warnings = [warning, ...(ds.warnings ?? [])];
  return ds;
}

async function loadFormat(abs: string, format: DatasetFormat, opts: LoadOptions): Promise<Dataset> {
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
    case 'parquet':
      return loadParquet(abs, opts);
    case 'arrow':
      return loadArrow(abs, opts);
    case 'npy': {
      const buf = maybeGunzip(await readBytes(abs), abs);
      return npyToDataset(parseNpy(buf, abs, rowLimit(opts.maxRows)), abs, datasetName(abs), 'npy');
    }
    case 'npz': {
      const buf = maybeGunzip(await readBytes(abs), abs);
      return parseNpz(buf, abs, datasetName(abs), opts.npzKey, rowLimit(opts.maxRows));
    }
    default:
      throw new DatasetError(`cannot load format ${format}`, abs);
  }
}
