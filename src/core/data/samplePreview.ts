/**
 * "Reveal" of one sample: text formats open at the sample's line; an image folder's sample is its image file; a
 * sample of a binary file (IDX, NPY/NPZ, Parquet, Arrow, gzip-compressed text) cannot be shown by opening the file,
 * so it is rendered: an image-shaped sample as a PNG (scaled up so a 28x28 digit is visible), anything else as a
 * small CSV of its values.
 */
import { PNG } from 'pngjs';
import type { DatasetFormat, DatasetKind, SourceRef } from './dataset';

/** Formats whose samples have a line in a file an editor shows as text. */
const TEXT_FORMATS: readonly DatasetFormat[] = ['csv', 'tsv', 'json', 'jsonl'];

/** What revealing a sample opens. */
export type RevealPlan =
  | { kind: 'text'; file: string; line?: number }
  | { kind: 'file'; file: string }
  | { kind: 'image' }
  | { kind: 'values' };

/** Decides how to reveal the sample at `ref` of a dataset of `format` / `kind` (see the module comment). */
export function revealPlan(ref: SourceRef, dataset: { format: DatasetFormat; kind: DatasetKind }): RevealPlan {
  if (dataset.format === 'images') return { kind: 'file', file: ref.file };
  const gzip = /\.gz$/i.test(ref.file);
  if (TEXT_FORMATS.includes(dataset.format) && !gzip) return ref.line !== undefined ? { kind: 'text', file: ref.file, line: ref.line } : { kind: 'text', file: ref.file };
  return dataset.kind === 'image' ? { kind: 'image' } : { kind: 'values' };
}

/** Smallest side, in pixels, a rendered sample is scaled up to (by a whole factor, nearest neighbour). */
export const PREVIEW_MIN_SIDE = 280;

/**
 * A PNG of an image sample `[height, width, channels]` (channels last): 1 channel grey, 3 RGB, 4 RGBA, any other
 * count shows its first channel. Values in 0..1 are scaled by 255, values in 0..255 kept, anything else stretched
 * from its min..max; each pixel becomes a `scale x scale` block (default: enough for PREVIEW_MIN_SIDE).
 */
export function samplePng(values: ArrayLike<number>, sampleShape: readonly number[], scale?: number): Buffer {
  const [h, w, c = 1] = sampleShape;
  if (!(h > 0 && w > 0) || values.length < h * w * c) throw new RangeError(`cannot draw a sample of ${values.length} values as a ${sampleShape.join('x')} image`);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < h * w * c; i++) {
    if (!Number.isFinite(values[i])) continue;
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const toByte = lo >= 0 && hi <= 1 ? (v: number) => v * 255 : lo >= 0 && hi <= 255 ? (v: number) => v : (v: number) => (hi > lo ? ((v - lo) / (hi - lo)) * 255 : 0);
  const byte = (v: number): number => (Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(toByte(v)))) : 0);
  const k = scale ?? Math.max(1, Math.ceil(PREVIEW_MIN_SIDE / Math.max(1, Math.min(h, w))));
  const png = new PNG({ width: w * k, height: h * k });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const at = (y * w + x) * c;
      const rgba = c === 3 || c === 4
        ? [byte(values[at]), byte(values[at + 1]), byte(values[at + 2]), c === 4 ? byte(values[at + 3]) : 255]
        : [byte(values[at]), byte(values[at]), byte(values[at]), 255];
      for (let dy = 0; dy < k; dy++) {
        for (let dx = 0; dx < k; dx++) {
          const o = ((y * k + dy) * w * k + x * k + dx) * 4;
          png.data[o] = rgba[0];
          png.data[o + 1] = rgba[1];
          png.data[o + 2] = rgba[2];
          png.data[o + 3] = rgba[3];
        }
      }
    }
  }
  return PNG.sync.write(png);
}

/**
 * A sample's values as CSV: a sequence window `[steps, channels]` as one row per step under the channel names; any
 * other sample as `feature,value` rows.
 */
export function sampleValuesCsv(values: ArrayLike<number>, columns: readonly string[], kind: DatasetKind, sampleShape: readonly number[]): string {
  const quote = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  if (kind === 'sequence' && sampleShape.length === 2) {
    const [steps, channels] = sampleShape;
    const names = Array.from({ length: channels }, (_, j) => (columns[j] ?? `c${j}`).replace(/_t0$/, ''));
    const lines = [['step', ...names].map(quote).join(',')];
    for (let t = 0; t < steps; t++) lines.push([String(t), ...Array.from({ length: channels }, (_, j) => String(values[t * channels + j]))].join(','));
    return `${lines.join('\n')}\n`;
  }
  const lines = ['feature,value'];
  for (let j = 0; j < values.length; j++) lines.push(`${quote(columns[j] ?? `f${j}`)},${String(values[j])}`);
  return `${lines.join('\n')}\n`;
}
