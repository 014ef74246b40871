/**
 * Per-feature mean and standard deviation of a table, so the panel can show samples as z-scores (one large feature
 * no longer hides the others) and rank features by reconstruction error in comparable units.
 */

/** Per-feature mean and (population) standard deviation, `dim` each. */
export interface FeatureStats {
  mean: number[];
  std: number[];
}

/**
 * Mean and population standard deviation of each of the `dim` columns of the `n x dim` row-major `features`, in
 * float64 over two passes (`std_j = sqrt(mean_i (x_ij - mean_j)^2)`). Non-finite values are skipped.
 */
export function featureStats(features: Float32Array, n: number, dim: number): FeatureStats {
  const sum = new Float64Array(dim), count = new Float64Array(dim), sq = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) { const v = features[i * dim + j]; if (Number.isFinite(v)) { sum[j] += v; count[j]++; } }
  const mean = Array.from(sum, (s, j) => (count[j] > 0 ? s / count[j] : 0));
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) { const v = features[i * dim + j]; if (Number.isFinite(v)) { const t = v - mean[j]; sq[j] += t * t; } }
  return { mean, std: Array.from(sq, (s, j) => (count[j] > 0 ? Math.sqrt(s / count[j]) : 0)) };
}
