/**
 * IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed.
 *
 * Layout: two zero bytes, a dtype code (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64), the number of
 * dimensions, then one big-endian uint32 per dimension, then the data, big-endian, C order.
 * A 3D file `(n, h, w)` is a set of images `[h, w, 1]` (4D `(n, h, w, c)`: `[h, w, c]`); 1D/2D files are tables.
 * Labels come from `idxLabels` or the sibling labels file (`train-images-idx3-ubyte.gz` -> `train-labels-idx1-ubyte.gz`).
 */
import * as path from 'node:path';
import type { Dataset, LoadOptions, SourceRef } from './dataset';
import { DatasetError, defaultColumns } from './dataset';
import { lineRefs } from './refs';
import { datasetName, maybeGunzip, readBytes, rowLimit, statOrUndefined } from './fileUtil';

export interface IdxArray {
  shape: number[];
  /** Length of axis 0 in the file. */
  fullRows: number;
  values: Float32Array;
}

const DTYPES: Partial<Record<number, { size: number; read: (v: DataView, o: number) => number }>> = {
  0x08: { size: 1, read: (v, o) => v.getUint8(o) },
  0x09: { size: 1, read: (v, o) => v.getInt8(o) },
  0x0b: { size: 2, read: (v, o) => v.getInt16(o, false) },
  0x0c: { size: 4, read: (v, o) => v.getInt32(o, false) },
  0x0d: { size: 4, read: (v, o) => v.getFloat32(o, false) },
  0x0e: { size: 8, read: (v, o) => v.getFloat64(o, false) },
};

/** Parses (already inflated) IDX bytes; `maxRows` limits axis 0. */
export function parseIdx(buf: Uint8Array, file: string, maxRows = Infinity): IdxArray {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new DatasetError('not an IDX file (bad magic number: IDX starts with two zero bytes)', file);
  const dt = DTYPES[buf[2]];
  if (dt === undefined) throw new DatasetError(`not an IDX file (unknown dtype code 0x${buf[2].toString(16).padStart(2, '0')})`, file);
  const ndim = buf[3];
  if (ndim === 0) throw new DatasetError('IDX file has zero dimensions', file);
  const headerLen = 4 + 4 * ndim;
  if (buf.length < headerLen) throw new DatasetError('truncated IDX header', file);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shape: number[] = [];
  for (let a = 0; a < ndim; a++) shape.push(view.getUint32(4 + 4 * a, false));
  const total = shape.reduce((a, b) => a * b, 1);
  if (buf.length - headerLen < total * dt.size) {
    throw new DatasetError(`truncated IDX data: the header's shape (${shape.join(', ')}) needs ${total * dt.size} bytes, the file has ${buf.length - headerLen}`, file);
  }
  if (buf.length - headerLen > total * dt.size) {
    const extra = buf.length - headerLen - total * dt.size;
    const per = shape.slice(1).reduce((a, b) => a * b, 1) * dt.size;
    const hint = per > 0 && extra % per === 0 ? ` (${extra / per} more samples than the header's ${shape[0]}?)` : '';
    throw new DatasetError(`the header's shape (${shape.join(', ')}) covers ${total * dt.size} bytes but the file has ${buf.length - headerLen} bytes of data${hint}: header and data disagree`, file);
  }
  const fullRows = shape[0];
  const rows = Math.min(fullRows, maxRows);
  const outShape = [rows, ...shape.slice(1)];
  const count = outShape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count);
  if (buf[2] === 0x08) {
    for (let k = 0; k < count; k++) values[k] = buf[headerLen + k];
  } else {
    for (let k = 0; k < count; k++) values[k] = dt.read(view, headerLen + k * dt.size);
  }
  return { shape: outShape, fullRows, values };
}

/** Candidate label files for an images file, e.g. `t10k-images-idx3-ubyte.gz` -> `t10k-labels-idx1-ubyte[.gz]`. */
export function siblingLabelCandidates(file: string): string[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  if (!/images/i.test(base)) return [];
  const lab = base.replace(/images/i, (m) => (m === 'IMAGES' ? 'LABELS' : m[0] === 'I' ? 'Labels' : 'labels')).replace(/idx3/i, 'idx1');
  const plain = lab.replace(/\.gz$/i, '');
  return [...new Set([lab, plain, `${plain}.gz`])].map((b) => path.join(dir, b));
}

async function findSiblingLabels(file: string): Promise<string | undefined> {
  for (const c of siblingLabelCandidates(file)) {
    const st = await statOrUndefined(c);
    if (st?.isFile()) return c;
  }
  return undefined;
}

/** Reads an IDX file from disk (gzip detected by its magic bytes). */
export async function readIdx(file: string, maxRows = Infinity): Promise<IdxArray> {
  return parseIdx(maybeGunzip(await readBytes(file), file), file, maxRows);
}

/** Loads an IDX file plus, for images, its labels file. */
export async function loadIdx(file: string, opts: LoadOptions = {}): Promise<Dataset> {
  const limit = rowLimit(opts.maxRows);
  const arr = await readIdx(file, limit);
  const { shape } = arr;
  const n = shape[0];
  if (n === 0) throw new DatasetError('IDX file has zero samples', file);
  const image = shape.length === 3 || shape.length === 4;
  if (shape.length > 4) throw new DatasetError(`expected 1 to 4 dimensions, got ${shape.length}`, file);
  const sampleShape = shape.length === 1 ? [1] : shape.length === 2 ? [shape[1]] : shape.length === 3 ? [shape[1], shape[2], 1] : shape.slice(1);
  const dim = sampleShape.reduce((a, b) => a * b, 1);
  const columns = defaultColumns(sampleShape, image);
  const refs: SourceRef[] = lineRefs(file, undefined, n);
  const ds: Dataset = { name: datasetName(file), source: file, format: 'idx', kind: image ? 'image' : 'table', n, dim, sampleShape, features: arr.values, columns, refs };

  const labelsFile = opts.idxLabels !== undefined && opts.idxLabels !== '' ? path.resolve(opts.idxLabels) : image ? await findSiblingLabels(file) : undefined;
  if (labelsFile !== undefined) {
    const lab = await readIdx(labelsFile, limit);
    if (lab.shape.length !== 1) throw new DatasetError(`labels file must be 1D, got shape (${lab.shape.join(', ')})`, labelsFile);
    if (lab.fullRows !== arr.fullRows) throw new DatasetError(`labels file has ${lab.fullRows} labels but ${path.basename(file)} has ${arr.fullRows} samples`, labelsFile);
    ds.labels = Array.from(lab.values, (v) => String(v));
    ds.labelName = datasetName(labelsFile);
    ds.labelFile = labelsFile;
  }
  return ds;
}
