/**
 * Turns a rectangular grid of raw cells already in memory (JSON records, Parquet, Arrow) into a table Dataset with the
 * same rules as streamed CSV (`planColumns` over all rows, then a `TableSink`): numeric columns become features, the
 * label / id / time columns are chosen or inferred, other text columns are dropped with a warning.
 *
 * Missing values: an empty cell, `NA`, `N/A`, `NaN`, `null`, `None` or `?` in a feature column is an error naming
 * the file, the row (the 1-based line in the file where known) and the column. We do not impute: a silent mean would
 * change what the autoencoder learns and hide a data problem the user should fix.
 */
import type { Dataset, DatasetFormat, LoadOptions } from './dataset';
import { DatasetError } from './dataset';
import type { Cell } from './columns';
import { columnStats, planColumns } from './columns';
import { rowLimit } from './fileUtil';
import { TableSink } from './tableSink';

export type { Cell } from './columns';
export { parseCell } from './columns';

export interface RawTable {
  /** Absolute path of the source file (used in refs and errors). */
  file: string;
  name: string;
  format: DatasetFormat;
  /** Column names; `f<j>` where the source has none. */
  header: string[];
  /** Rows; a row of another width is a "ragged row" error. */
  rows: Cell[][];
  /** 1-based line in the file of each row, where known. */
  lines?: (number | undefined)[];
  /** Labels given separately (e.g. JSON `{X, y}`); then no column becomes the label. */
  labels?: string[];
  labelName?: string;
  warnings?: string[];
  /** False when the column names were made up (`f<j>`). Default true. */
  named?: boolean;
}

/** Builds the Dataset; see the module comment for the rules. */
export function buildTable(t: RawTable, opts: LoadOptions = {}): Dataset {
  const limit = rowLimit(opts.maxRows);
  const rows = t.rows.length > limit ? t.rows.slice(0, limit) : t.rows;
  const n = rows.length;
  if (n === 0) throw new DatasetError('no data rows', t.file);
  const choices = t.labels !== undefined ? { ...opts, labelColumn: '' } : opts;
  const plan = planColumns(t.header, columnStats(rows, t.header.length), choices, t.file, t.named !== false);
  const hasLines = t.lines !== undefined && t.lines.some((l) => l !== undefined);
  const sink = new TableSink({ file: t.file, name: t.name, format: t.format, header: t.header, plan, capacity: n, limit: n, withLines: hasLines });
  for (let i = 0; i < n; i++) sink.add(rows[i], t.lines?.[i]);
  const ds = sink.finish(t.warnings ?? []);
  if (t.labels !== undefined) {
    if (t.labels.length < n) throw new DatasetError(`${t.labels.length} labels for ${n} samples`, t.file);
    ds.labels = t.labels.length > n ? t.labels.slice(0, n) : t.labels;
    if (t.labelName !== undefined) ds.labelName = t.labelName;
  }
  return ds;
}
