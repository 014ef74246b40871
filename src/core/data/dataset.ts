/** The one in-memory shape every loader produces and every model, analysis routine and exporter consumes. */
/** Text encodings the loaders read (src/core/data/magic.ts sniffs them). */
import type { MetadataColumn } from './metadata';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';


/** Which loader produced a dataset. */
export type DatasetFormat = 'csv' | 'tsv' | 'json' | 'jsonl' | 'npy' | 'npz' | 'idx' | 'images' | 'parquet' | 'arrow' | 'sample';

/** Tables are feature vectors, images carry [height, width, channels], sequences are windows of a time series. */
export type DatasetKind = 'table' | 'image' | 'sequence';

/** Where one sample came from, so the UI can jump back to it ("Reveal in editor"). */
export interface SourceRef {
  /** Absolute path of the file the sample was read from (a folder dataset gives the image file). */
  file: string;
  /** 1-based line in a text file (CSV/TSV/JSONL/JSON pretty-printed arrays where known); absent for binary files. */
  line?: number;
  /** 0-based record index within `file` (row of a CSV, element of a JSON array, index along axis 0 of NPY/IDX). */
  index: number;
}

export interface Dataset {
  /** Display name, usually the file or folder base name. */
  name: string;
  /** Absolute path of the file or folder loaded. */
  source: string;
  format: DatasetFormat;
  kind: DatasetKind;
  /** Number of samples. */
  n: number;
  /** Features per sample: the product of `sampleShape`. */
  dim: number;
  /** Shape of one sample: `[dim]` for tables, `[height, width, channels]` for images, `[steps, channels]` for sequences. */
  sampleShape: number[];
  /** Row-major `n x dim` raw (not normalised) feature values. */
  features: Float32Array;
  /** Feature names, length `dim` (CSV header names, `px_<row>_<col>` for images, `f<i>` where the source has none). */
  columns: string[];
  /** Optional per-sample label, as text (class names or numbers). */
  labels?: string[];
  /** Name of the label column or source (e.g. `label`, `t10k-labels-idx1-ubyte`). */
  labelName?: string;
  /** The file the labels were read from when it is not the data file (an IDX images file's labels file). */
  labelFile?: string;
  /** Display names of the label values that have one (see classNames.ts), and where they came from. */
  classNames?: ClassNames;
  classNamesSource?: string;
  /** A table's non-feature columns (id, time, ignored, dropped text), per sample, for the panel (./metadata.ts). */
  metadata?: MetadataColumn[];
  /** Per-sample identifier from a table's id column (not a feature); length `n`. */
  ids?: string[];
  idName?: string;
  /** A table's time column (rows in time order; not a feature). */
  timeName?: string;
  /** Per sample, where it came from; length `n`. */
  refs: SourceRef[];
  /** Things the loader did that the user should know about (dropped text columns, skipped files, ...). */
  warnings?: string[];
  /** Sequence datasets: the sliding window that cut the source table into samples (see `windowDataset`). */
  window?: WindowSpec;
}

/** A sliding window over the rows of a time-series table: `length` consecutive rows, advancing `stride` rows. */
export interface WindowSpec {
  length: number;
  stride: number;
}

/**
 * The choices about how to read a file that the user can see (`inspect`, the training form's preview) and change.
 * They are saved with a model and reused whenever its data is loaded again.
 */
export interface DataChoices {
  /** Name (or 0-based index as text) of the label column of a table; that column is not a feature. '' = no label. */
  labelColumn?: string;
  /** Name or 0-based index of an id column (kept per sample, not a feature). '' = none. */
  idColumn?: string;
  /** Name or 0-based index of a time column (rows are in time order; not a feature). '' = none. */
  timeColumn?: string;
  /** Columns (names or 0-based indices) that are neither features nor anything else. */
  ignoreColumns?: string[];
  /** Force a delimiter for delimited text (one character, `tab`, `whitespace`); default: sniffed from the content. */
  delimiter?: string;
  /** Force header detection on or off for delimited text; default: detected. */
  hasHeader?: boolean;
  /** Leading records of delimited text to skip before the header; default: detected (comments, sklearn size line). */
  skipRows?: number;
  /** Delimited text writes numbers with a decimal comma (`1,5`); default: detected when the delimiter is not `,`. */
  decimalComma?: boolean;
  /** Text encoding; default: detected (BOM, UTF-16 pattern, UTF-8 validity, else Windows-1252). */
  encoding?: TextEncoding;
  /** A table's columns are the pixels of images of this [height, width, channels] (row-major, channels last). */
  imageShape?: [number, number, number];
  /** Key inside an NPZ archive for the features; default the first array (labels from `y`/`labels` if present). */
  npzKey?: string;
  /** Resize images to this [height, width]; default: the size of the first image (others must match). */
  imageSize?: [number, number];
  /** Convert images to one grey channel (default true). */
  grayscale?: boolean;
}

/** Options that steer loading; every loader ignores the ones that do not apply to it. */
export interface LoadOptions extends DataChoices {
  /** Called as the file is read, with bytes read so far and the file size. */
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
  /** Read at most this many samples (useful for previews and tests). */
  maxRows?: number;
  /**
   * Names of the label values, used when no `classes.txt` / `labels.json` sits beside the data (see classNames.ts):
   * e.g. a user setting, or the names a saved model recorded.
   */
  classNames?: ClassNames;
  /** IDX labels file; default: the sibling `*-labels-idx1-ubyte[.gz]` of an images file if it exists. */
  idxLabels?: string;
  /**
   * Treat a table as a time series (rows in time order) and cut it into sliding windows of `length` rows every
   * `stride` rows: the result is a `sequence` dataset of `[length, columns]` samples (see `windowDataset`).
   */
  window?: WindowSpec;
}

/**
 * A problem with the user's data. The message always names the file, and the row and column where known,
 * e.g. `data.csv, row 17, column "age": "abc" is not a number`.
 */
export class DatasetError extends Error {
  constructor(
    readonly detail: string,
    readonly file: string,
    readonly row?: number,
    readonly column?: string,
  ) {
    super(formatDatasetError(detail, file, row, column));
    this.name = 'DatasetError';
  }
}

/** `file, row R, column "C": detail` with the parts that are known. Rows are 1-based as a person counts them. */
export function formatDatasetError(detail: string, file: string, row?: number, column?: string): string {
  const where = [file];
  if (row !== undefined) where.push(`row ${row}`);
  if (column !== undefined) where.push(`column "${column}"`);
  return `${where.join(', ')}: ${detail}`;
}

/**
 * Default feature names for a sample shape: `px_<row>_<col>` (`px_<row>_<col>_<channel>` with several channels) for
 * images `[h, w, c]`, else `f<i>`.
 */
export function defaultColumns(sampleShape: number[], image: boolean): string[] {
  if (!image) return Array.from({ length: sampleShape.reduce((a, b) => a * b, 1) }, (_, j) => `f${j}`);
  const [h, w, c = 1] = sampleShape;
  const columns: string[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) columns.push(c === 1 ? `px_${y}_${x}` : `px_${y}_${x}_${ch}`);
  return columns;
}

/** Label value (as text) -> display name. */
export type ClassNames = Record<string, string>;
