/**
 * Hit testing: a uniform grid of css-pixel cells over the points drawn on screen (counting sort, built once per full
 * draw), so a hover finds the nearest point by looking at the few cells around the pointer.
 */

export interface ScreenGrid {
  cell: number;
  cols: number;
  rows: number;
  /** Cell c holds `items[start[c] .. start[c + 1])`. */
  start: Int32Array;
  items: Int32Array;
}

/** Buckets the points with a finite position inside `width x height` (NaN positions are skipped). */
export function buildScreenGrid(screenX: Float32Array, screenY: Float32Array, n: number, width: number, height: number, cell = 16): ScreenGrid {
  const cols = Math.ceil(width / cell) + 1, rows = Math.ceil(height / cell) + 1;
  const cellOf = new Int32Array(n).fill(-1);
  const start = new Int32Array(cols * rows + 1);
  for (let i = 0; i < n && i < screenX.length; i++) {
    const x = screenX[i], y = screenY[i];
    if (!(x >= 0 && y >= 0 && x < width && y < height)) continue;
    const c = Math.floor(y / cell) * cols + Math.floor(x / cell);
    cellOf[i] = c;
    start[c + 1]++;
  }
  for (let c = 0; c < cols * rows; c++) start[c + 1] += start[c];
  const fill = start.slice(0, cols * rows);
  const items = new Int32Array(start[cols * rows]);
  for (let i = 0; i < n; i++) if (cellOf[i] >= 0) items[fill[cellOf[i]]++] = i;
  return { cell, cols, rows, start, items };
}

/** The point nearest (px, py) within `radius` css pixels, or undefined. */
export function pickNearest(g: ScreenGrid, screenX: Float32Array, screenY: Float32Array, px: number, py: number, radius: number): number | undefined {
  const c0 = Math.max(0, Math.floor((px - radius) / g.cell));
  const c1 = Math.min(g.cols - 1, Math.floor((px + radius) / g.cell));
  const r0 = Math.max(0, Math.floor((py - radius) / g.cell));
  const r1 = Math.min(g.rows - 1, Math.floor((py + radius) / g.cell));
  let best: number | undefined;
  let bestD = radius * radius;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * g.cols + c;
      for (let k = g.start[cell]; k < g.start[cell + 1]; k++) {
        const i = g.items[k];
        const dx = screenX[i] - px;
        const dy = screenY[i] - py;
        const d = dx * dx + dy * dy;
        if (d <= bestD) { bestD = d; best = i; }
      }
    }
  }
  return best;
}
