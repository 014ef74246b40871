/**
 * The level-of-detail image drawn while interacting with a large scatter: the 2D points binned on a square grid
 * over the data bounds, each bin coloured by the mean colour of its points with an opacity that grows with
 * log(1 + count), so dense and sparse regions both stay visible.
 */
import { packRgba } from '../colors';
import type { Bounds } from './geometry';

/** Bins per side of the density image. */
export const DENSITY_BINS = 384;

export interface DensityImage {
  /** `bins x bins` RGBA pixels (ImageData's Uint32 layout), row 0 at the top (largest y). */
  pixels: Uint32Array;
  bins: number;
  /** The data rectangle the image covers (the bounds with a small margin, so the extreme points land inside). */
  bounds: { x0: number; x1: number; y0: number; y1: number };
}

/** Bins the `n` 2D points with `mask[i]` set (all when undefined): mean colour per bin, alpha ~ log(1 + count). */
export function densityImage(coords: Float32Array, n: number, colors: Uint32Array, mask: Uint8Array | undefined, b: Bounds, bins = DENSITY_BINS): DensityImage {
  const B = bins;
  const pad = 1e-6 + 0.001 * Math.max(b.x1 - b.x0, b.y1 - b.y0);
  const db = { x0: b.x0 - pad, x1: b.x1 + pad, y0: b.y0 - pad, y1: b.y1 + pad };
  const count = new Uint32Array(B * B);
  const rs = new Float32Array(B * B), gs = new Float32Array(B * B), bs = new Float32Array(B * B);
  const fx = B / (db.x1 - db.x0), fy = B / (db.y1 - db.y0);
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    const gx = Math.floor((coords[2 * i] - db.x0) * fx);
    const gy = B - 1 - Math.floor((coords[2 * i + 1] - db.y0) * fy);
    const cell = gy * B + gx;
    const c = colors[i];
    count[cell]++;
    rs[cell] += c & 255; gs[cell] += (c >>> 8) & 255; bs[cell] += (c >>> 16) & 255;
  }
  let max = 1;
  for (let i = 0; i < count.length; i++) if (count[i] > max) max = count[i];
  const pixels = new Uint32Array(B * B);
  const logMax = Math.log1p(max);
  for (let i = 0; i < count.length; i++) {
    const c = count[i];
    if (!c) continue;
    const a = Math.round(60 + 195 * (Math.log1p(c) / logMax));
    pixels[i] = packRgba(rs[i] / c, gs[i] / c, bs[i] / c, a);
  }
  return { pixels, bins: B, bounds: db };
}
