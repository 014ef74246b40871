/**
 * NumPy `.npy` format, version 1.0: magic `\x93NUMPY`, version bytes 1 0, a little-endian uint16 header length,
 * then an ASCII Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (n, d), }` padded with
 * spaces and a final newline so that the data starts at a multiple of 64 bytes, then the raw little-endian float32
 * data, row-major. Reading reuses the data loaders' parser (src/core/data/npy.ts).
 */
import { readFileSync } from 'node:fs';
import { parseNpy } from '../data/npy';
import { writeFileAtomic } from './atomicWrite';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Serialises a float32 array of the given shape as `.npy` v1.0 bytes. */
export function encodeNpy(data: Float32Array, shape: number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`npy: shape (${shape.join(', ')}) needs ${count} values, got ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pre = MAGIC.length + 2 + 2;
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header.padEnd(total - pre - 1, ' ') + '\n';
  if (header.length > 0xffff) throw new Error('npy: header too long for format 1.0');
  const out = new Uint8Array(total + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, total);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

/** Parses numeric `.npy` bytes (any version/dtype the data loaders read) into float32, via src/core/data/npy.ts. */
export function decodeNpy(bytes: Uint8Array, file = '<npy>'): { data: Float32Array; shape: number[] } {
  const arr = parseNpy(bytes, file);
  if (!(arr.values instanceof Float32Array)) throw new Error(`${file}: not a numeric array (${arr.descr})`);
  return { data: arr.values, shape: arr.shape };
}

/** Writes an `n x d` float32 matrix to `path` as `.npy` (atomic; refuses to overwrite unless `overwrite`). */
export function writeNpy(path: string, data: Float32Array, n: number, d: number, overwrite = false): void {
  writeFileAtomic(path, encodeNpy(data.subarray(0, n * d), [n, d]), overwrite);
}

/** Reads a numeric `.npy` file as float32. */
export function readNpy(path: string): { data: Float32Array; shape: number[] } {
  return decodeNpy(readFileSync(path), path);
}
