/** Squared norm of each row of an `n x d` matrix. */
export function rowSquaredNorms(data: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let t = 0; t < d; t++) s += data[o + t] * data[o + t];
    out[i] = s;
  }
  return out;
}

/**
 * Records row i's nearest centroid `bj` at expanded distance `best` (= ||c||^2 - 2 x.c) and returns its squared
 * distance ||x||^2 + best, clamped at 0 against rounding.
 */
export function recordNearest(labels: Int32Array, dists: Float64Array | Float32Array, xNorms: Float64Array, i: number, bj: number, best: number): number {
  labels[i] = bj;
  const dd = Math.max(0, xNorms[i] + best);
  dists[i] = dd;
  return dd;
}
