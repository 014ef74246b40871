/**
 * Turns a rectangular grid of raw cells (from CSV/TSV or JSON records) into a table Dataset:
 * numeric columns become features, one text (or chosen) column may become the label, other text columns are
 * dropped with a warning.
 *
 * Missing values: an empty cell, `NA`, `N/A`, `NaN`, `null`, `None` or `?` in a feature column is an error
 * naming the file, the row (the 1-based line in the file where known) and the column. We do not impute: a silent
 * mean would change what the autoencoder learns and hide a data problem the user should fix.
 */
import type { Dataset, DatasetFormat, LoadOptions, SourceRef } from './dataset';
import { DatasetError } from './dataset';

export type Cell = string | number | boolean | null | undefined;

export interface RawTable {
  /** Absolute path of the source file (used in refs and errors). */
  file: string;
  name: string;
  format: DatasetFormat;
  /** Column names; `f<j>` where the source has none. */
  header: string[];
  /** Rows, each exactly `header.length` cells (the caller rejects ragged rows). */
  rows: Cell[][];
  /** 1-based line in the file of each row, where known. */
  lines?: (number | undefined)[];
  /** Labels given separately (e.g. JSON `{X, y}`); then no column becomes the label. */
  labels?: string[];
  labelName?: string;
  warnings?: string[];
}

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?']);
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const LABEL_NAME_RE = /^(?:labels?|class(?:es)?|target|y|species|category|classname|class_name)$/i;

/** Classification of one cell: a finite number, missing, or text. */
export function parseCell(c: Cell): number | null | string {
  if (c === null || c === undefined) return null;
  if (typeof c === 'number') return Number.isFinite(c) ? c : Number.isNaN(c) ? null : String(c);
  if (typeof c === 'boolean') return String(c);
  const s = c.trim();
  if (MISSING.has(s.toLowerCase())) return null;
  return NUMBER_RE.test(s) ? Number(s) : s;
}

/** Where row `i` is, for errors: the file line if known, and a `record k` prefix otherwise. */
function rowWhere(t: RawTable, i: number): { row?: number; prefix: string } {
  const line = t.lines?.[i];
  return line !== undefined ? { row: line, prefix: '' } : { prefix: `record ${i + 1}: ` };
}

function findColumn(t: RawTable, spec: string): number {
  const exact = t.header.indexOf(spec);
  if (exact >= 0) return exact;
  const lower = t.header.map((h) => h.toLowerCase());
  const ci = lower.indexOf(spec.toLowerCase());
  if (ci >= 0 && lower.lastIndexOf(spec.toLowerCase()) === ci) return ci;
  if (/^\d+$/.test(spec.trim())) {
    const k = Number(spec.trim());
    if (k < t.header.length) return k;
  }
  throw new DatasetError(`label column "${spec}" not found (columns: ${t.header.join(', ')})`, t.file);
}

/** Builds the Dataset; see the module comment for the rules. */
export function buildTable(t: RawTable, opts: LoadOptions = {}): Dataset {
  const n = t.rows.length;
  if (n === 0) throw new DatasetError('no data rows', t.file);
  const m = t.header.length;
  const warnings = [...(t.warnings ?? [])];
  const ignore = new Set(opts.ignoreColumns ?? []);
  for (const name of ignore) if (!t.header.includes(name)) warnings.push(`ignored column "${name}" does not exist`);

  // Classify each column by counting its numeric and text cells (one pass over the grid).
  const numeric = new Int32Array(m);
  const text = new Int32Array(m);
  for (const row of t.rows) {
    for (let j = 0; j < m; j++) {
      const v = parseCell(row[j]);
      if (typeof v === 'number') numeric[j]++;
      else if (typeof v === 'string') text[j]++;
    }
  }

  let labelCol = -1;
  if (t.labels === undefined && opts.labelColumn !== undefined && opts.labelColumn !== '') labelCol = findColumn(t, opts.labelColumn);

  const featureCols: number[] = [];
  const dropped: string[] = [];
  for (let j = 0; j < m; j++) {
    if (j === labelCol || ignore.has(t.header[j])) continue;
    // A column is numeric when its numbers outnumber its text cells; the stray text cells are then errors.
    if (numeric[j] > 0 && numeric[j] >= text[j]) featureCols.push(j);
    else if (labelCol < 0 && t.labels === undefined && opts.labelColumn === undefined && text[j] > 0 && LABEL_NAME_RE.test(t.header[j].trim())) labelCol = j;
    else dropped.push(t.header[j]);
  }
  if (dropped.length > 0) warnings.push(`dropped non-numeric column${dropped.length > 1 ? 's' : ''} ${dropped.map((d) => `"${d}"`).join(', ')}`);
  if (featureCols.length === 0) throw new DatasetError('no numeric columns to use as features', t.file);

  const dim = featureCols.length;
  const features = new Float32Array(n * dim);
  const refs: SourceRef[] = new Array<SourceRef>(n);
  for (let i = 0; i < n; i++) {
    const row = t.rows[i];
    for (let k = 0; k < dim; k++) {
      const j = featureCols[k];
      const v = parseCell(row[j]);
      if (typeof v !== 'number') {
        const w = rowWhere(t, i);
        const detail = v === null ? 'missing value (empty, NA or NaN) in a numeric column' : `${JSON.stringify(String(row[j]).trim())} is not a number`;
        throw new DatasetError(w.prefix + detail, t.file, w.row, t.header[j]);
      }
      features[i * dim + k] = v;
    }
    const line = t.lines?.[i];
    refs[i] = line !== undefined ? { file: t.file, line, index: i } : { file: t.file, index: i };
  }

  let labels = t.labels;
  let labelName = t.labelName;
  if (labels !== undefined && labels.length !== n) throw new DatasetError(`${labels.length} labels for ${n} samples`, t.file);
  if (labelCol >= 0) {
    labelName = t.header[labelCol];
    labels = t.rows.map((r) => {
      const c = r[labelCol];
      return c === null || c === undefined ? '' : String(c).trim();
    });
  }

  const ds: Dataset = {
    name: t.name,
    source: t.file,
    format: t.format,
    kind: 'table',
    n,
    dim,
    sampleShape: [dim],
    features,
    columns: featureCols.map((j) => t.header[j]),
    refs,
  };
  if (labels !== undefined) ds.labels = labels;
  if (labelName !== undefined) ds.labelName = labelName;
  if (warnings.length > 0) ds.warnings = warnings;
  return ds;
}
