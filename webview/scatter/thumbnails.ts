/**
 * Images on the zoomed scatter: once few enough points are on screen, each visible point is drawn as its sample's
 * thumbnail, centred on the point, with a thin border in the point's colour; zoomed out, plain points again. The
 * images come from a {@link ThumbnailSource} (the panel fetches sample rows in bulk and caches them,
 * ../thumbnailCache.ts), so the scatter itself knows nothing about datasets.
 */

/** Thumbnails are drawn only while at most this many points are on screen (the per-frame draw budget). */
export const THUMBNAIL_MAX_VISIBLE = 150;
/** Longer thumbnail side in css pixels (the image's aspect ratio is kept). */
export const THUMBNAIL_SIZE = 32;

/** Where the scatter gets the thumbnail of a point. */
export interface ThumbnailSource {
  /** The image of point `i`, or undefined while it is not loaded. */
  image(i: number): HTMLCanvasElement | ImageBitmap | undefined;
  /** The points whose images are missing; the source calls back (a redraw) once they arrived. */
  want(indices: number[]): void;
}

/**
 * Indices of the points whose css-pixel position lies within the plot grown by `margin` (NaN = hidden), in index
 * order; undefined as soon as more than `limit` are (then plain points are drawn, and the scan stops early).
 */
export function visiblePoints(screenX: Float32Array, screenY: Float32Array, n: number, width: number, height: number, limit: number, margin = 0): number[] | undefined {
  const out: number[] = [];
  const count = Math.min(n, screenX.length);
  for (let i = 0; i < count; i++) {
    const x = screenX[i], y = screenY[i];
    if (!(x >= -margin && y >= -margin && x <= width + margin && y <= height + margin)) continue;
    if (out.length === limit) return undefined;
    out.push(i);
  }
  return out;
}

/** What one thumbnail frame draws from. */
export interface ThumbnailFrame {
  visible: readonly number[];
  screenX: Float32Array;
  screenY: Float32Array;
  /** Packed RGBA per point (ImageData layout): the border colour. */
  colors: Uint32Array;
  /** Points with emphasis 0 are drawn faded (undefined: none). */
  emphasis: Uint8Array | undefined;
  source: ThumbnailSource;
}

/**
 * Draws the frame's thumbnails on `ctx` (css-pixel transform already set); asks the source for the missing ones.
 * Returns how many were drawn.
 */
export function drawThumbnails(ctx: CanvasRenderingContext2D, f: ThumbnailFrame): number {
  const missing: number[] = [];
  const s = THUMBNAIL_SIZE;
  let drawn = 0;
  ctx.imageSmoothingEnabled = false;
  ctx.lineWidth = 1.5;
  for (const i of f.visible) {
    const img = f.source.image(i);
    if (!img) { missing.push(i); continue; }
    const fit = s / Math.max(img.width, img.height, 1);
    const w = Math.max(1, Math.round(img.width * fit)), hgt = Math.max(1, Math.round(img.height * fit));
    const x = Math.round(f.screenX[i] - w / 2), y = Math.round(f.screenY[i] - hgt / 2);
    const c = f.colors[i];
    ctx.globalAlpha = f.emphasis && !f.emphasis[i] ? 0.25 : 1;
    ctx.drawImage(img, x, y, w, hgt);
    ctx.strokeStyle = `rgb(${c & 255},${(c >>> 8) & 255},${(c >>> 16) & 255})`;
    ctx.strokeRect(x - 0.75, y - 0.75, w + 1.5, hgt + 1.5);
    drawn++;
  }
  ctx.globalAlpha = 1;
  if (missing.length > 0) f.source.want(missing);
  return drawn;
}
