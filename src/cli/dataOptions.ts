/**
 * The data options every command that reads a dataset shares (`train`, `inspect`, and `--data` of embed / cluster /
 * export): how to read the file (delimiter, header, skipped rows, encoding) and what each column is (label, id, time,
 * ignored, image shape). Plus printing the loaders' warnings and load progress to stderr.
 */
import type { DataChoices, Dataset, LoadOptions } from '../core/data/dataset';
import { parseImageShape } from '../core/data/imageShape';
import type { TextEncoding } from '../core/data/magic';
import { UsageError, flagOptions, valueOptions } from './command';
import type { CliIo } from './command';

export const DATA_OPTIONS = {
  ...valueOptions('label', 'id', 'time', 'ignore', 'image-shape', 'image-size', 'delimiter', 'skip-rows', 'encoding', 'npz-key', 'max-rows'),
  ...flagOptions('rgb', 'header', 'no-header', 'decimal-comma'),
};

export const DATA_USAGE = `Data options (tables: a column is a name or a 0-based index; "none" = no such column):
  --label COL        label column (not a feature; colours the plot; the condition of a cvae)
  --id COL           id column (kept with each sample, not a feature)
  --time COL         time column of a time series (rows in time order, not a feature)
  --ignore A,B       columns to leave out
  --image-shape HxWxC  the table's columns are the pixels of HxW images with C channels (e.g. 8x8x1)
  --image-size HxW   image folders: resize every image to HxW
  --rgb              image folders: keep 3 colour channels (default grey)
  --delimiter D      , ; | tab whitespace or one character (default: sniffed)
  --header, --no-header  the first row is / is not a header (default: detected)
  --skip-rows N      skip N rows before the header (default: comments and size lines detected)
  --decimal-comma    numbers are written 1,5 (default: detected when the delimiter is not a comma)
  --encoding E       utf-8|utf-16le|utf-16be|windows-1252 (default: detected)
  --npz-key K        NPZ: the array with the features
  --max-rows N       read at most N samples`;

const ENCODINGS: readonly TextEncoding[] = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'];

type DataFlags = { [K in keyof typeof DATA_OPTIONS]?: (typeof DATA_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

function column(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.trim().toLowerCase() === 'none' ? '' : value;
}

function positiveInt(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

/** The data flags as load options (only the ones given). */
export function parseDataFlags(values: DataFlags): LoadOptions {
  const o: LoadOptions = {};
  const label = column(values.label);
  if (label !== undefined) o.labelColumn = label;
  const id = column(values.id);
  if (id !== undefined) o.idColumn = id;
  const time = column(values.time);
  if (time !== undefined) o.timeColumn = time;
  if (values.ignore !== undefined) o.ignoreColumns = values.ignore.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (values['image-shape'] !== undefined) {
    const shape = parseImageShape(values['image-shape']);
    if (!shape) throw new UsageError(`--image-shape must look like 8x8x1 (height x width x channels), got "${values['image-shape']}"`);
    o.imageShape = shape;
  }
  if (values['image-size'] !== undefined) {
    const shape = parseImageShape(values['image-size']);
    if (!shape || shape[2] !== 1) throw new UsageError(`--image-size must look like 28x28 (height x width), got "${values['image-size']}"`);
    o.imageSize = [shape[0], shape[1]];
  }
  if (values.rgb === true) o.grayscale = false;
  if (values.delimiter !== undefined) o.delimiter = values.delimiter;
  if (values.header === true && values['no-header'] === true) throw new UsageError('give --header or --no-header, not both');
  if (values.header === true) o.hasHeader = true;
  if (values['no-header'] === true) o.hasHeader = false;
  const skip = positiveInt('skip-rows', values['skip-rows'], 0);
  if (skip !== undefined) o.skipRows = skip;
  if (values['decimal-comma'] === true) o.decimalComma = true;
  if (values.encoding !== undefined) {
    const e = values.encoding.toLowerCase().replace(/^utf8$/, 'utf-8').replace(/^(latin-?1|cp1252)$/, 'windows-1252') as TextEncoding;
    if (!ENCODINGS.includes(e)) throw new UsageError(`--encoding must be one of ${ENCODINGS.join(', ')}, got "${values.encoding}"`);
    o.encoding = e;
  }
  if (values['npz-key'] !== undefined) o.npzKey = values['npz-key'];
  const maxRows = positiveInt('max-rows', values['max-rows'], 1);
  if (maxRows !== undefined) o.maxRows = maxRows;
  return o;
}

/** The persistent part of load options (what a model remembers about reading its data). */
export function choicesOf(o: LoadOptions): DataChoices {
  const { onProgress: _p, maxRows: _m, window: _w, ...rest } = o;
  return rest;
}

/** Prints a dataset's warnings to stderr, one line each. */
export function printWarnings(io: CliIo, ds: Pick<Dataset, 'name' | 'warnings'>): void {
  for (const w of ds.warnings ?? []) io.stderr.write(`warning: ${ds.name}: ${w}\n`);
}

/** A load progress callback that redraws one stderr line on a terminal (nothing otherwise). */
export function loadProgress(io: CliIo, name: string): ((read: number, total: number) => void) | undefined {
  const err = io.stderr as { write(chunk: string): unknown; isTTY?: boolean };
  if (err.isTTY !== true) return undefined;
  let last = -1;
  return (read, total) => {
    const pct = total > 0 ? Math.min(100, Math.floor((100 * read) / total)) : 0;
    if (pct === last) return;
    last = pct;
    err.write(`\rLoading ${name}: ${pct}%${pct === 100 ? '\n' : ''}`);
  };
}
