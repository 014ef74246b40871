/**
 * Sliding windows over a time series. A table whose rows are time steps (n rows x C numeric columns) becomes a
 * `sequence` dataset whose samples are windows of `length` consecutive rows taken every `stride` rows:
 *
 *   window w covers rows [w * stride, w * stride + length),   w = 0 .. floor((n - length) / stride)
 *
 * so there are `floor((n - length) / stride) + 1` windows and the last `(n - length) mod stride` rows are not the
 * end of any window. Each sample has shape `[length, C]`, flattened step-major (`[t0 c0, t0 c1, ..., t1 c0, ...]`),
 * which for a row-major table is just the contiguous block of the window's rows.
 */
import type { Dataset, SourceRef, WindowSpec } from './dataset';
import { DatasetError } from './dataset';

/** Window length of a sequence model when none is given (CLI `--window`, the training form). */
export const DEFAULT_WINDOW_LENGTH = 32;

/** Rows between window starts by default: a quarter window (windows overlap by 75%). */
export function defaultWindowStride(length: number): number {
  return Math.max(1, Math.floor(length / 4));
}

/** Number of windows of `length` rows every `stride` rows in `n` rows (0 when `n < length`). */
export function windowCount(n: number, length: number, stride: number): number {
  return n < length ? 0 : Math.floor((n - length) / stride) + 1;
}

/** Throws a DatasetError naming `file` unless `spec` is a usable window (integers, length >= 2, stride >= 1). */
export function checkWindowSpec(spec: WindowSpec, file: string): void {
  if (!Number.isInteger(spec.length) || spec.length < 2) throw new DatasetError(`window length must be an integer of at least 2, got ${spec.length}`, file);
  if (!Number.isInteger(spec.stride) || spec.stride < 1) throw new DatasetError(`window stride must be an integer of at least 1, got ${spec.stride}`, file);
}

/** Feature names of a window: `<column>_t<step>` for every step and source column, step-major. */
export function windowColumns(columns: string[], length: number): string[] {
  const out: string[] = [];
  for (let t = 0; t < length; t++) for (const c of columns) out.push(`${c}_t${t}`);
  return out;
}

/**
 * Cuts a table dataset (rows in time order) into sliding windows. Labels, when present, are the label of each
 * window's last row (the state the window ends in); refs are those of each window's first row, so "reveal in editor"
 * jumps to where the window starts. The result records its window in `window`. Throws a DatasetError when the window
 * is invalid, the dataset is not a table, or the table has fewer rows than one window.
 */
export function windowDataset(ds: Dataset, opts: WindowSpec): Dataset {
  const spec: WindowSpec = { length: opts.length, stride: opts.stride };
  checkWindowSpec(spec, ds.source);
  if (ds.kind !== 'table' || ds.sampleShape.length !== 1) {
    throw new DatasetError(`only a table (rows = time steps) can be cut into windows, but this is a ${ds.kind} dataset of shape [${ds.sampleShape.join(', ')}]`, ds.source);
  }
  const { length, stride } = spec;
  const channels = ds.dim;
  const count = windowCount(ds.n, length, stride);
  if (count === 0) throw new DatasetError(`has ${ds.n} row${ds.n === 1 ? '' : 's'}, fewer than one window of ${length}`, ds.source);

  const dim = length * channels;
  const features = new Float32Array(count * dim);
  const refs: SourceRef[] = new Array<SourceRef>(count);
  const labels = ds.labels ? new Array<string>(count) : undefined;
  for (let w = 0; w < count; w++) {
    const start = w * stride;
    features.set(ds.features.subarray(start * channels, (start + length) * channels), w * dim);
    refs[w] = { ...ds.refs[start] };
    if (labels && ds.labels) labels[w] = ds.labels[start + length - 1];
  }

  const warnings = [...(ds.warnings ?? [])];
  const uncovered = ds.n - ((count - 1) * stride + length);
  if (uncovered > 0) warnings.push(`the last ${uncovered} row${uncovered === 1 ? ' is' : 's are'} in no window (length ${length}, stride ${stride})`);

  const out: Dataset = {
    name: ds.name,
    source: ds.source,
    format: ds.format,
    kind: 'sequence',
    n: count,
    dim,
    sampleShape: [length, channels],
    features,
    columns: windowColumns(ds.columns, length),
    refs,
    window: spec,
  };
  if (labels) out.labels = labels;
  if (ds.labelName !== undefined) out.labelName = ds.labelName;
  if (warnings.length > 0) out.warnings = warnings;
  return out;
}
