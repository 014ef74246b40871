/**
 * Extra points drawn over the scatter with their own marker: a hollow triangle, larger and in the alarm colour when
 * flagged (scored data over the training set: anomalies above the training threshold stand out). They are placed in
 * the same view coordinates as the points, so they pan, zoom and rotate with them.
 */
import type { Projector } from './geometry';

export interface Markers {
  /** `count x dims` view coordinates (the dims of the points). */
  coords: Float32Array;
  /** 1 = flagged (drawn larger, in `flaggedColor`). */
  flagged: Uint8Array;
  color: string;
  flaggedColor: string;
}

/** Triangle half-size in css pixels: plain and flagged. */
const SIZE = 5;
const FLAGGED_SIZE = 7;

/** The markers' css-pixel positions through `project`. */
export function projectMarkers(m: Markers, project: Projector, dims: 2 | 3): { x: Float32Array; y: Float32Array } {
  const count = Math.floor(m.coords.length / dims);
  const x = new Float32Array(count), y = new Float32Array(count);
  const p = new Float32Array(2);
  for (let j = 0; j < count; j++) { project(m.coords, j, p); x[j] = p[0]; y[j] = p[1]; }
  return { x, y };
}

/** Strokes every marker: plain ones first, flagged on top; one path per kind. */
export function drawMarkers(ctx: CanvasRenderingContext2D, m: Markers, x: Float32Array, y: Float32Array): void {
  ctx.lineWidth = 1.5;
  for (const flagged of [0, 1]) {
    const s = flagged ? FLAGGED_SIZE : SIZE;
    ctx.beginPath();
    for (let j = 0; j < x.length; j++) {
      if (m.flagged[j] !== flagged || !Number.isFinite(x[j])) continue;
      ctx.moveTo(x[j], y[j] - s);
      ctx.lineTo(x[j] + s * 0.87, y[j] + s * 0.5);
      ctx.lineTo(x[j] - s * 0.87, y[j] + s * 0.5);
      ctx.closePath();
    }
    ctx.strokeStyle = flagged ? m.flaggedColor : m.color;
    ctx.stroke();
  }
}

/** The marker nearest (px, py) within `radius` css pixels (linear scan: markers are few). */
export function pickMarker(x: Float32Array, y: Float32Array, px: number, py: number, radius: number): number | undefined {
  let best: number | undefined;
  let bestD = radius * radius;
  for (let j = 0; j < x.length; j++) {
    const d = (x[j] - px) ** 2 + (y[j] - py) ** 2;
    if (d <= bestD) { bestD = d; best = j; }
  }
  return best;
}
