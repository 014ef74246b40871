/**
 * Anomaly scoring from per-sample reconstruction errors: an autoencoder trained on normal data reconstructs
 * off-manifold points badly, so a high error flags an anomaly. Thresholds, top-k, a histogram for the panel, and
 * ROC-AUC to measure how well errors separate known anomalies (tests and benches).
 */

export interface ThresholdOptions {
  /** `percentile` of `errors` (default), or `max-train`: the largest error seen on `trainErrors`. */
  method?: 'percentile' | 'max-train';
  /** For `percentile`: 0..100. Default 95. */
  percentile?: number;
  trainErrors?: ArrayLike<number>;
}

/** Linear-interpolated percentile (numpy's default "linear" method) of a non-empty array. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) throw new Error('percentile of an empty array');
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile must be in [0, 100], got ${p}`);
  const sorted = Float64Array.from(values).sort();
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Error above which a sample counts as an anomaly. */
export function anomalyThreshold(errors: ArrayLike<number>, options: ThresholdOptions = {}): number {
  if ((options.method ?? 'percentile') === 'max-train') {
    const train = options.trainErrors;
    if (!train || train.length === 0) throw new Error("anomalyThreshold: method 'max-train' needs trainErrors");
    let m = -Infinity;
    for (let i = 0; i < train.length; i++) m = Math.max(m, train[i]);
    return m;
  }
  return percentile(errors, options.percentile ?? 95);
}

/** Indices of the `nTop` largest errors, largest first (ties: lower index first). */
export function topAnomalies(errors: ArrayLike<number>, nTop: number): number[] {
  const idx = Array.from({ length: errors.length }, (_, i) => i);
  idx.sort((a, b) => errors[b] - errors[a] || a - b);
  return idx.slice(0, Math.max(0, nTop));
}

/**
 * Area under the ROC curve = probability that a random positive scores above a random negative (ties count half),
 * computed from ranks (Mann-Whitney U) in O(n log n).
 */
export function rocAuc(scores: ArrayLike<number>, isPositive: ArrayLike<boolean>): number {
  const n = scores.length;
  if (isPositive.length !== n) throw new Error('rocAuc: scores and labels differ in length');
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let nPos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const avgRank = (i + j) / 2 + 1; // 1-based average rank of the tie group
    for (let q = i; q <= j; q++) {
      if (isPositive[idx[q]]) {
        nPos++;
        rankSumPos += avgRank;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error('rocAuc needs at least one positive and one negative');
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export interface Histogram {
  /** `bins + 1` edges, from min to max. */
  edges: number[];
  counts: number[];
}

/** Equal-width histogram over [min, max]; the last bin includes max. */
export function histogram(values: ArrayLike<number>, bins: number): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  if (values.length === 0) {
    lo = 0;
    hi = 1;
  }
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  edges[bins] = hi;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor((values[i] - lo) / width))]++;
  return { edges, counts };
}
