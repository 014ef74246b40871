/**
 * The point raster: every point a `size x size` square written straight into the canvas's pixels (one 32-bit store
 * per pixel, ImageData's Uint32 layout), faded points first so emphasised ones land on top. Pure: it draws into the
 * buffer it is given, so it is tested without a browser.
 */
import type { Projector } from './geometry';

/** Point size in device pixels: bigger when there are few points. */
export function pointSize(n: number, dpr: number): number {
  return Math.max(1, Math.round((n > 200_000 ? 1 : n > 20_000 ? 2 : n > 2000 ? 3 : 4) * dpr));
}

export interface RasterJob {
  /** `width x height` device pixels, cleared by the caller. */
  buf: Uint32Array;
  width: number;
  height: number;
  dpr: number;
  coords: Float32Array;
  project: Projector;
  /** Points in the data (sets the point size). */
  n: number;
  /** The points to draw (undefined: all n; then `screenX/Y` get every point's css-pixel position, NaN when masked). */
  subset?: Int32Array;
  colors: Uint32Array;
  /** Only points with mask[i] = 1 are drawn (undefined: all). */
  mask?: Uint8Array;
  /** Points with emphasis[i] = 0 are drawn faded (undefined: none). */
  emphasis?: Uint8Array;
  screenX: Float32Array;
  screenY: Float32Array;
}

/** Alpha of a faded point. */
const FADED_ALPHA = 0x38;

/** Draws the job's points; returns how many landed on the canvas. */
export function rasterPoints(job: RasterJob): number {
  const { buf, width: W, height: H, dpr, coords, project, subset, colors, mask, emphasis: emph, screenX, screenY } = job;
  const full = subset === undefined;
  const p = new Float32Array(2);
  const count = subset ? subset.length : job.n;
  const size = pointSize(job.n, dpr);
  const half = size >> 1;
  let drawn = 0;
  for (let pass = emph ? 0 : 1; pass < 2; pass++) {
    for (let k = 0; k < count; k++) {
      const i = subset ? subset[k] : k;
      if (pass === 0 && emph?.[i]) continue;
      if (pass === 1 && emph && !emph[i]) continue;
      if (mask && !mask[i]) { if (full) { screenX[i] = NaN; screenY[i] = NaN; } continue; }
      project(coords, i, p);
      if (full) { screenX[i] = p[0]; screenY[i] = p[1]; }
      const x0 = Math.round(p[0] * dpr) - half;
      const y0 = Math.round(p[1] * dpr) - half;
      if (x0 >= W || y0 >= H || x0 + size <= 0 || y0 + size <= 0) continue;
      let col = colors[i];
      if (pass === 0) col = (col & 0x00ffffff) | (FADED_ALPHA << 24);
      for (let yy = Math.max(0, y0); yy < Math.min(H, y0 + size); yy++) {
        const row = yy * W;
        for (let xx = Math.max(0, x0); xx < Math.min(W, x0 + size); xx++) buf[row + xx] = col;
      }
      drawn++;
    }
  }
  return drawn;
}
