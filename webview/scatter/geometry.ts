/**
 * The scatter's geometry as plain functions: data bounds, the fitted view, and the projection of a point to css
 * pixels (2D: orthographic pan/zoom; 3D: an orthographic camera rotated by yaw then pitch about the data centre).
 */

export interface View2D { cx: number; cy: number; scale: number }

export interface Bounds { x0: number; x1: number; y0: number; y1: number; z0: number; z1: number }

/** Everything a projection of the points depends on. */
export interface Camera {
  view: View2D;
  /** Plot size in css pixels. */
  width: number;
  height: number;
  /** 3D rotation (radians). */
  yaw: number;
  pitch: number;
}

/** Min/max of each coordinate of `n` points of `dims` values (0..1 when there are none; z is 0 in 2D). */
export function computeBounds(coords: Float32Array, n: number, dims: 2 | 3): Bounds {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dims; j++) {
      const v = coords[i * dims + j];
      if (v < lo[j]) lo[j] = v;
      if (v > hi[j]) hi[j] = v;
    }
  }
  if (!n) { lo.fill(0); hi.fill(1); }
  if (dims === 2) { lo[2] = 0; hi[2] = 0; }
  return { x0: lo[0], x1: hi[0], y0: lo[1], y1: hi[1], z0: lo[2], z1: hi[2] };
}

/** The smallest bounds holding both. */
export function unionBounds(a: Bounds, b: Bounds): Bounds {
  return { x0: Math.min(a.x0, b.x0), x1: Math.max(a.x1, b.x1), y0: Math.min(a.y0, b.y0), y1: Math.max(a.y1, b.y1), z0: Math.min(a.z0, b.z0), z1: Math.max(a.z1, b.z1) };
}

/** Whether `inner` lies within `outer`. */
export function containsBounds(outer: Bounds, inner: Bounds): boolean {
  return inner.x0 >= outer.x0 && inner.x1 <= outer.x1 && inner.y0 >= outer.y0 && inner.y1 <= outer.y1 && inner.z0 >= outer.z0 && inner.z1 <= outer.z1;
}

/** The view that shows all of `b` in a `width x height` plot with a margin (90% of the plot in 2D, 80% in 3D). */
export function fitView(b: Bounds, dims: 2 | 3, width: number, height: number): View2D {
  if (dims === 2) {
    const w = Math.max(b.x1 - b.x0, 1e-9);
    const h = Math.max(b.y1 - b.y0, 1e-9);
    return { cx: (b.x0 + b.x1) / 2, cy: (b.y0 + b.y1) / 2, scale: 0.9 * Math.min(width / w, height / h) };
  }
  const r = Math.max(b.x1 - b.x0, b.y1 - b.y0, b.z1 - b.z0, 1e-9);
  return { cx: 0, cy: 0, scale: (0.8 * Math.min(width, height)) / r };
}

/** Writes the css-pixel position of point `i` of `coords` to `out` (x, y). */
export type Projector = (coords: Float32Array, i: number, out: Float32Array) => void;

/** The projection of points to css pixels for `camera`; 3D rotates about the centre of `bounds`. */
export function projector(dims: 2 | 3, bounds: Bounds, camera: Camera): Projector {
  const { cx, cy, scale } = camera.view;
  const w2 = camera.width / 2;
  const h2 = camera.height / 2;
  if (dims === 2) {
    return (c, i, out) => { out[0] = (c[2 * i] - cx) * scale + w2; out[1] = h2 - (c[2 * i + 1] - cy) * scale; };
  }
  const b = bounds;
  const mx = (b.x0 + b.x1) / 2, my = (b.y0 + b.y1) / 2, mz = (b.z0 + b.z1) / 2;
  const cyw = Math.cos(camera.yaw), syw = Math.sin(camera.yaw), cp = Math.cos(camera.pitch), sp = Math.sin(camera.pitch);
  return (c, i, out) => {
    const x = c[3 * i] - mx, y = c[3 * i + 1] - my, z = c[3 * i + 2] - mz;
    // yaw about the vertical (y) axis, then pitch about the screen x axis
    const x1 = cyw * x + syw * z;
    const z1 = -syw * x + cyw * z;
    const y1 = cp * y - sp * z1;
    out[0] = (x1 - cx) * scale + w2;
    out[1] = h2 - (y1 - cy) * scale;
  };
}

/** Maps a 2D data position to css pixels. */
export function dataToScreen(camera: Camera, x: number, y: number): [number, number] {
  const v = camera.view;
  return [(x - v.cx) * v.scale + camera.width / 2, camera.height / 2 - (y - v.cy) * v.scale];
}

/** Maps css pixels to a 2D data position. */
export function screenToData(camera: Camera, px: number, py: number): [number, number] {
  const v = camera.view;
  return [(px - camera.width / 2) / v.scale + v.cx, v.cy - (py - camera.height / 2) / v.scale];
}
