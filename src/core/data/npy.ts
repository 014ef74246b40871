/**
 * NumPy `.npy` (format versions 1, 2 and 3) and `.npz` (a zip of `.npy` files, stored or deflated) readers.
 *
 * An `.npy` file is: magic `\x93NUMPY`, major and minor version bytes, the header length (uint16 LE for v1, uint32 LE
 * for v2/v3), then a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (n, d), }` padded to a
 * multiple of 64 bytes, then the raw array data. Fortran-order arrays are transposed to C order on read.
 * The zip central directory is parsed here (no dependency); deflated members are inflated with `inflateRawSync`.
 */
import { inflateRawSync } from 'node:zlib';
import type { Dataset, DatasetFormat, SourceRef } from './dataset';
import { DatasetError, defaultColumns } from './dataset';
import { lineRefs } from './refs';

/** A decoded array: numbers as float32 (what every model uses), or text for `<U`/`|S` arrays (labels). */
export interface NpyArray {
  descr: string;
  /** Shape after `maxRows` trimmed axis 0. */
  shape: number[];
  /** Length of axis 0 in the file. */
  fullRows: number;
  values: Float32Array | string[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface Dtype {
  kind: 'f' | 'i' | 'u' | 'b' | 'U' | 'S';
  size: number;
  little: boolean;
}

function parseDescr(descr: string, file: string): Dtype {
  const m = /^([<>|=]?)([fiubUS])(\d+)$/.exec(descr);
  if (!m) throw new DatasetError(`unsupported NPY dtype ${JSON.stringify(descr)} (expected numbers, e.g. <f4, <f8, |u1, <i4)`, file);
  const kind = m[2] as Dtype['kind'];
  const size = Number(m[3]);
  const ok = kind === 'f' ? size === 2 || size === 4 || size === 8 : kind === 'i' || kind === 'u' ? [1, 2, 4, 8].includes(size) : kind === 'b' ? size === 1 : size > 0;
  if (!ok) throw new DatasetError(`unsupported NPY dtype ${JSON.stringify(descr)}`, file);
  return { kind, size, little: m[1] !== '>' };
}

/** Bytes per element of a dtype (`<U` stores UTF-32 code units). */
function itemSize(dt: Dtype): number {
  return dt.kind === 'U' ? dt.size * 4 : dt.size;
}

/** IEEE 754 binary16 bits -> number (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Reads element `k` (0-based) of a numeric array starting at `base`. */
function reader(view: DataView, base: number, dt: Dtype): (k: number) => number {
  const le = dt.little;
  const s = dt.size;
  switch (dt.kind) {
    case 'f':
      if (s === 2) return (k) => halfToFloat(view.getUint16(base + 2 * k, le));
      return s === 4 ? (k) => view.getFloat32(base + 4 * k, le) : (k) => view.getFloat64(base + 8 * k, le);
    case 'i':
      if (s === 1) return (k) => view.getInt8(base + k);
      if (s === 2) return (k) => view.getInt16(base + 2 * k, le);
      if (s === 4) return (k) => view.getInt32(base + 4 * k, le);
      return (k) => Number(view.getBigInt64(base + 8 * k, le));
    case 'u':
    case 'b':
      if (s === 1) return (k) => view.getUint8(base + k);
      if (s === 2) return (k) => view.getUint16(base + 2 * k, le);
      if (s === 4) return (k) => view.getUint32(base + 4 * k, le);
      return (k) => Number(view.getBigUint64(base + 8 * k, le));
    default:
      throw new Error(`not numeric: ${dt.kind}`);
  }
}

function readString(bytes: Uint8Array, offset: number, dt: Dtype): string {
  if (dt.kind === 'S') {
    let end = offset + dt.size;
    while (end > offset && bytes[end - 1] === 0) end--;
    return Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset).toString('utf8');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, dt.size * 4);
  let s = '';
  for (let c = 0; c < dt.size; c++) {
    const cp = view.getUint32(4 * c, dt.little);
    if (cp === 0) break;
    s += String.fromCodePoint(cp);
  }
  return s;
}

/** C-order flat index -> Fortran-order flat index for `shape`. */
function fortranIndex(c: number, shape: number[]): number {
  let f = 0;
  let stride = 1;
  // decompose c from the last axis (fastest in C order)
  const idx = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    idx[a] = c % shape[a];
    c = Math.floor(c / shape[a]);
  }
  for (let a = 0; a < shape.length; a++) {
    f += idx[a] * stride;
    stride *= shape[a];
  }
  return f;
}

/** Parses a whole `.npy` buffer. `maxRows` limits axis 0. Throws DatasetError on a bad magic, header or short data. */
export function parseNpy(buf: Uint8Array, file: string, maxRows = Infinity): NpyArray {
  if (buf.length < 10 || MAGIC.some((b, k) => buf[k] !== b)) throw new DatasetError('not an NPY file (bad magic)', file);
  const major = buf[6];
  if (major < 1 || major > 3) throw new DatasetError(`unsupported NPY format version ${major}.${buf[7]}`, file);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : buf.length >= 12 ? view.getUint32(8, true) : -1;
  const headerStart = major === 1 ? 10 : 12;
  if (headerLen < 0 || headerStart + headerLen > buf.length) throw new DatasetError('truncated NPY header', file);
  const header = Buffer.from(buf.buffer, buf.byteOffset + headerStart, headerLen).toString(major === 3 ? 'utf8' : 'latin1');
  const descrM = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header);
  const fortranM = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  const shapeM = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descrM || !fortranM || !shapeM) throw new DatasetError(`malformed NPY header ${JSON.stringify(header.trim())} (structured dtypes are not supported)`, file);
  const dt = parseDescr(descrM[1], file);
  const shape = shapeM[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((s) => !Number.isInteger(s) || s < 0)) throw new DatasetError(`bad NPY shape (${shapeM[1]})`, file);
  const fortran = fortranM[1] === 'True';
  const total = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLen;
  const need = total * itemSize(dt);
  if (buf.length - dataStart < need) {
    throw new DatasetError(`truncated NPY data: shape (${shape.join(', ')}) needs ${need} bytes, file has ${buf.length - dataStart}`, file);
  }
  const fullRows = shape.length === 0 ? 1 : shape[0];
  const rows = Math.min(fullRows, maxRows);
  const outShape = shape.length === 0 ? [] : [rows, ...shape.slice(1)];
  const count = outShape.reduce((a, b) => a * b, 1);
  const src = (c: number): number => (fortran && shape.length > 1 ? fortranIndex(c, shape) : c);
  if (dt.kind === 'U' || dt.kind === 'S') {
    const values: string[] = new Array<string>(count);
    const isz = itemSize(dt);
    for (let c = 0; c < count; c++) values[c] = readString(buf, dataStart + src(c) * isz, dt);
    return { descr: descrM[1], shape: outShape, fullRows, values };
  }
  const read = reader(view, dataStart, dt);
  const values = new Float32Array(count);
  for (let c = 0; c < count; c++) {
    const v = read(src(c));
    if (dt.kind === 'f' && dt.size === 8 && Number.isFinite(v) && Math.abs(v) > 3.4028234663852886e38) {
      throw new DatasetError(`element ${c} (${v}) is outside the float32 range (about ±3.4e38); rescale the array`, file);
    }
    values[c] = v;
  }
  return { descr: descrM[1], shape: outShape, fullRows, values };
}

/**
 * Turns a numeric array into a Dataset: 1D -> n x 1 table, 2D -> table, 3D (n, h, w) -> images [h, w, 1],
 * 4D (n, h, w, c) -> images [h, w, c].
 */
export function npyToDataset(arr: NpyArray, file: string, name: string, format: DatasetFormat, labels?: string[], labelName?: string): Dataset {
  if (!(arr.values instanceof Float32Array)) throw new DatasetError(`features must be numeric, got dtype ${arr.descr}`, file);
  const shape = arr.shape;
  if (shape.length === 0 || shape.length > 4) throw new DatasetError(`expected a 1D to 4D array, got shape (${shape.join(', ')})`, file);
  const n = shape[0];
  if (n === 0) throw new DatasetError('array has zero rows', file);
  const sampleShape = shape.length === 1 ? [1] : shape.length === 2 ? [shape[1]] : shape.length === 3 ? [shape[1], shape[2], 1] : shape.slice(1);
  const dim = sampleShape.reduce((a, b) => a * b, 1);
  if (dim === 0) throw new DatasetError(`samples are empty, shape (${shape.join(', ')})`, file);
  for (let k = 0; k < arr.values.length; k++) {
    if (!Number.isFinite(arr.values[k])) {
      throw new DatasetError(`sample ${Math.floor(k / dim)}, feature ${k % dim}: value ${arr.values[k]} is not finite (NaN or infinity)`, file);
    }
  }
  const image = shape.length >= 3;
  const columns = defaultColumns(sampleShape, image);
  const refs: SourceRef[] = lineRefs(file, undefined, n);
  const ds: Dataset = { name, source: file, format, kind: image ? 'image' : 'table', n, dim, sampleShape, features: arr.values, columns, refs };
  if (labels !== undefined) {
    if (labels.length < n) throw new DatasetError(`${labels.length} labels for ${n} samples`, file);
    ds.labels = labels.slice(0, n);
    ds.labelName = labelName ?? 'label';
  }
  return ds;
}

/** Labels as text: numbers print as integers when whole (`3`, not `3.0`). */
export function labelsFromArray(arr: NpyArray, file: string): string[] {
  if (arr.shape.length !== 1 && !(arr.shape.length === 2 && arr.shape[1] === 1)) {
    throw new DatasetError(`labels must be a 1D array, got shape (${arr.shape.join(', ')})`, file);
  }
  return Array.isArray(arr.values) ? arr.values : Array.from(arr.values, (v) => String(v));
}

/** One member of a zip archive, from the central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Reads the central directory (handles zip64 extra fields, which numpy's `savez` writes). */
export function readZipDirectory(buf: Buffer, file: string): ZipEntry[] {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let p = buf.length - 22; p >= Math.max(0, buf.length - 22 - 65535); p--) {
    if (buf.readUInt32LE(p) === EOCD) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw new DatasetError('not a zip/NPZ archive (no end of central directory)', file);
  let count = buf.readUInt16LE(eocd + 10);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) {
    // zip64 end of central directory locator sits just before the EOCD
    const loc = eocd - 20;
    if (loc < 0 || buf.readUInt32LE(loc) !== 0x07064b50) throw new DatasetError('corrupt zip64 archive', file);
    const z = Number(buf.readBigUInt64LE(loc + 8));
    if (buf.readUInt32LE(z) !== 0x06064b50) throw new DatasetError('corrupt zip64 archive', file);
    count = Number(buf.readBigUInt64LE(z + 32));
    cdOffset = Number(buf.readBigUInt64LE(z + 48));
  }
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let e = 0; e < count; e++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new DatasetError('corrupt zip central directory', file);
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let localHeaderOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    // zip64 extended information: the 0xFFFFFFFF fields, in order size, compressed size, offset
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = buf.readUInt16LE(x);
      const len = buf.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        if (size === 0xffffffff) {
          size = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(buf.readBigUInt64LE(q));
      }
      x += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, localHeaderOffset });
    p = xEnd + commentLen;
  }
  return entries;
}

/** The uncompressed bytes of one member (method 0 stored or 8 deflate). */
export function extractZipEntry(buf: Buffer, entry: ZipEntry, file: string): Buffer {
  const p = entry.localHeaderOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== 0x04034b50) throw new DatasetError(`corrupt zip entry ${entry.name}`, file);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  if (start + entry.compressedSize > buf.length) throw new DatasetError(`truncated zip entry ${entry.name}`, file);
  const raw = buf.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method === 8) {
    try {
      return inflateRawSync(raw);
    } catch (err) {
      throw new DatasetError(`corrupt deflate data in ${entry.name} (${err instanceof Error ? err.message : String(err)})`, file);
    }
  }
  throw new DatasetError(`zip entry ${entry.name} uses unsupported compression method ${entry.method}`, file);
}

/** Loads an NPZ: features from `npzKey` or `x`/`X`/`data`/`features`/the first array; labels from `y`/`labels`/`target`. */
export function parseNpz(buf: Buffer, file: string, name: string, npzKey: string | undefined, maxRows: number): Dataset {
  const entries = readZipDirectory(buf, file).filter((e) => !e.name.endsWith('/'));
  const key = (e: ZipEntry): string => e.name.replace(/\.npy$/i, '');
  const byKey = new Map(entries.map((e) => [key(e), e]));
  if (byKey.size === 0) throw new DatasetError('NPZ archive holds no arrays', file);
  if (!entries.some((e) => /\.npy$/i.test(e.name))) {
    const names = entries.slice(0, 5).map((e) => e.name).join(', ');
    throw new DatasetError(`is a zip archive of ${names}${entries.length > 5 ? ', ...' : ''}, not an NPZ (no .npy members): unzip it and load the file inside`, file);
  }
  const keys = [...byKey.keys()];
  let fKey: string | undefined;
  if (npzKey !== undefined && npzKey !== '') {
    if (!byKey.has(npzKey)) throw new DatasetError(`NPZ has no array "${npzKey}" (arrays: ${keys.join(', ')})`, file);
    fKey = npzKey;
  } else fKey = ['x', 'X', 'data', 'features'].find((k) => byKey.has(k));
  const lKey = ['y', 'Y', 'labels', 'label', 'target'].find((k) => byKey.has(k) && k !== fKey);
  if (fKey === undefined) fKey = keys.find((k) => k !== lKey) ?? keys[0];
  const member = (k: string, rows: number): NpyArray => {
    const entry = byKey.get(k);
    if (entry === undefined) throw new DatasetError(`NPZ has no array "${k}" (arrays: ${keys.join(', ')})`, file);
    return parseNpy(extractZipEntry(buf, entry, file), `${file}[${k}]`, rows);
  };
  const feats = member(fKey, maxRows);
  let labels: string[] | undefined;
  const warnings: string[] = [];
  let usedLabels = lKey;
  if (lKey !== undefined) {
    const la = member(lKey, maxRows);
    if (la.fullRows === feats.fullRows) labels = labelsFromArray(la, `${file}[${lKey}]`);
    else {
      warnings.push(`"${lKey}" has ${la.fullRows} entries but "${fKey}" has ${feats.fullRows} samples: not used as labels`);
      usedLabels = undefined;
    }
  }
  const ds = npyToDataset(feats, file, name, 'npz', labels, usedLabels);
  const ignored = keys.filter((k) => k !== fKey && k !== usedLabels);
  if (ignored.length > 0) warnings.push(`NPZ arrays not used: ${ignored.join(', ')} (features from "${fKey}")`);
  if (warnings.length > 0) ds.warnings = warnings;
  return ds;
}
