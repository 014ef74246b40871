/**
 * Region selection on the scatter and what the panel says about a set of points: which points a lasso or a box
 * encloses (in screen space, so it follows the drawn view, 2D or rotated 3D), the subset's statistics (count, label
 * histogram, mean reconstruction error), its CSV export and the nearest neighbours of a point in latent space.
 * Pure functions over the model's arrays: no DOM.
 */
import type { EmbeddingPayload } from '../src/shared/protocol';

export type Polygon = readonly (readonly [number, number])[];

/** Even-odd rule (ray casting): is (x, y) inside the closed polygon? */
export function pointInPolygon(x: number, y: number, poly: Polygon): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i], [xj, yj] = poly[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The box spanned by two corners, as a polygon. */
export function boxPolygon(a: readonly [number, number], b: readonly [number, number]): Polygon {
  return [[a[0], a[1]], [b[0], a[1]], [b[0], b[1]], [a[0], b[1]]];
}

/**
 * Indices of the points whose screen position lies inside `poly`, in increasing order. `screenOf(i)` is the drawn
 * position of point i, undefined for a hidden (filtered or off-screen) point, which is never selected.
 */
export function pointsInPolygon(n: number, screenOf: (i: number) => readonly [number, number] | undefined, poly: Polygon): number[] {
  if (poly.length < 3) return [];
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of poly) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = screenOf(i);
    if (!p) continue;
    const [x, y] = p;
    if (x < x0 || x > x1 || y < y0 || y > y1) continue;
    if (pointInPolygon(x, y, poly)) out.push(i);
  }
  return out;
}

export interface SelectionStats {
  count: number;
  /** Mean reconstruction error of the selected points (NaN for an empty selection). */
  meanError: number;
  /** Mean reconstruction error of all points, to compare against. */
  overallMeanError: number;
  /** Label counts, most frequent first (ties by label name); empty without labels. */
  labels: { label: string; count: number }[];
}

export function selectionStats(e: Pick<EmbeddingPayload, 'errors' | 'labelNames' | 'labelCodes'>, indices: readonly number[]): SelectionStats {
  let sum = 0;
  for (const i of indices) sum += e.errors[i];
  let all = 0;
  for (const v of e.errors) all += v;
  const labels: { label: string; count: number }[] = [];
  if (e.labelNames && e.labelCodes) {
    const counts = new Array<number>(e.labelNames.length).fill(0);
    for (const i of indices) {
      const c = e.labelCodes[i];
      if (c >= 0 && c < counts.length) counts[c]++;
    }
    e.labelNames.forEach((label, c) => { if (counts[c] > 0) labels.push({ label, count: counts[c] }); });
    labels.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  }
  return { count: indices.length, meanError: indices.length > 0 ? sum / indices.length : NaN, overallMeanError: e.errors.length > 0 ? all / e.errors.length : NaN, labels };
}

/** RFC 4180 quoting of one CSV field. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * The subset as CSV: one row per selected point with its index, label (when labelled), reconstruction error,
 * projected coordinates and latent code.
 */
export function selectionCsv(e: EmbeddingPayload, projection: { coords: Float32Array; dims: 2 | 3 }, indices: readonly number[]): string {
  const labelled = e.labelNames !== undefined && e.labelCodes !== undefined;
  const head = ['index', ...(labelled ? ['label'] : []), 'error', ...Array.from({ length: projection.dims }, (_, k) => `p${k}`), ...Array.from({ length: e.latentDim }, (_, k) => `z${k}`)];
  const rows = [head.join(',')];
  for (const i of indices) {
    const row = [String(i)];
    if (e.labelNames && e.labelCodes) row.push(csvField(e.labelNames[e.labelCodes[i]] ?? ''));
    row.push(String(e.errors[i]));
    for (let k = 0; k < projection.dims; k++) row.push(String(projection.coords[i * projection.dims + k]));
    for (let k = 0; k < e.latentDim; k++) row.push(String(e.latent[i * e.latentDim + k]));
    rows.push(row.join(','));
  }
  return `${rows.join('\n')}\n`;
}

/**
 * The `k` nearest neighbours of point `index` in latent space (Euclidean, exact), nearest first, the point itself
 * excluded; ties by index. Brute force: one pass over `n x d` values (60,000 x 32 is ~2M multiply-adds).
 */
export function nearestNeighbours(latent: Float32Array, d: number, index: number, k: number): { index: number; distance: number }[] {
  const n = Math.floor(latent.length / d);
  const best: { index: number; d2: number }[] = [];
  const q = index * d;
  for (let i = 0; i < n; i++) {
    if (i === index) continue;
    let s = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) { const t = latent[o + j] - latent[q + j]; s += t * t; }
    if (best.length === k && s >= best[k - 1].d2) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].d2 > s) at--;
    best.splice(at, 0, { index: i, d2: s });
    if (best.length > k) best.pop();
  }
  return best.map((b) => ({ index: b.index, distance: Math.sqrt(b.d2) }));
}
