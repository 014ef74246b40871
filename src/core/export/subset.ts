/**
 * A subset of a dataset written back as a dataset file, so a new model can be trained on it with the normal
 * training: tables as CSV (the columns, then the label column when there is one), images as an `n x shape` NPY.
 * Values are in data units (what `Explorer.sample` returns), so the new training fits its own normalisation.
 */
import { encodeNpy } from './npy';

export interface SubsetRow {
  values: ArrayLike<number>;
  label?: string;
}

/** RFC 4180 quoting of one CSV field. */
function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The rows as CSV with a header; the label column (named `labelName`, default `label`) only when rows carry labels. */
export function subsetCsv(columns: readonly string[], labelName: string | undefined, rows: readonly SubsetRow[]): string {
  const dim = rows[0]?.values.length ?? columns.length;
  const labelled = rows.some((r) => r.label !== undefined);
  const head = Array.from({ length: dim }, (_, j) => field(columns[j] ?? `f${j}`));
  if (labelled) head.push(field(labelName ?? 'label'));
  const lines = [head.join(',')];
  for (const r of rows) {
    const cells = Array.from(r.values, (v) => String(v));
    if (labelled) cells.push(field(r.label ?? ''));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The rows' values stacked into one `n x sampleShape` float32 NPY. */
export function subsetNpy(sampleShape: readonly number[], rows: readonly SubsetRow[]): Uint8Array {
  const dim = sampleShape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.values.length !== dim) throw new RangeError(`subsetNpy: row ${i} has ${r.values.length} values, expected ${dim}`);
    data.set(Array.from(r.values), i * dim);
  });
  return encodeNpy(data, [rows.length, ...sampleShape]);
}
