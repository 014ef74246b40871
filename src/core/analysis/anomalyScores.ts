/**
 * Anomaly scores beyond the plain reconstruction error, on plain row-major Float32Arrays (no tensors), so each is
 * testable on planted data and shared by the CLI, the worker and the benches. Every score is "higher = more
 * anomalous". Reference statistics are fitted on normal (training) rows; see `anomalyModel.ts` for running a model.
 *
 * - `mse`: mean over features of the squared residual r = x - x^.
 * - `smoothed`: mean over features of the squared residual after Gaussian smoothing over the sample's spatial (image)
 *   or temporal (sequence) axes. A normal row's pixel residual is mostly edges reconstructed a little off place:
 *   thin, sign-alternating, cancelled by smoothing; an anomaly's residual is a coherent region (a stroke or part the
 *   model cannot draw) that survives it. Equal to `mse` for flat rows (no neighbouring features).
 * - `zscore`: mean over features of r_j^2 / s_j^2, s_j^2 the residual variance of feature j on the normal rows
 *   (floored): a diagonal-Gaussian negative log-likelihood of the residual, so a small error on a feature that the
 *   model always reconstructs perfectly counts as much as a large error on a noisy one.
 * - `elbo`: the VAE's negative evidence lower bound, -E_q[log p(x|z)] + KL(q(z|x) || p(z)) (computed by the model).
 * - `knn`: mean Euclidean distance of the code to its k nearest reference codes.
 * - `mahalanobis`: squared Mahalanobis distance (z - mu)^T S^-1 (z - mu) of the code to a Gaussian fitted to the
 *   reference codes (S regularised by a small ridge).
 * - `combined`: the mean of several scores, each standardised by the median and interquartile range of its values on
 *   held-out normal rows, so no one score's units dominate. By default one score of each view: `smoothed` (what the
 *   decoder cannot reproduce) and `knn` (how far the code is from every training code), see `anomalyModel.ts`.
 */
import { percentile } from './anomaly';
import { covariance } from './pca';


export type { AnomalyScoreMethod } from '../../common/anomalyMethods';
export { ANOMALY_SCORE_METHODS, isAnomalyScoreMethod } from '../../common/anomalyMethods';

/** Per-sample mean squared residual, length `n`. */
export function mseScores(x: Float32Array, rec: Float32Array, n: number, dim: number): Float32Array {
  checkRows(x, n, dim, 'x');
  checkRows(rec, n, dim, 'reconstruction');
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * dim, e = j + dim; j < e; j++) s += (x[j] - rec[j]) ** 2;
    out[i] = s / dim;
  }
  return out;
}

/**
 * Per-sample mean of the squared smoothed residual, length `n`: r~ = G_sigma * (x - x^), a Gaussian convolution
 * (weights exp(-t^2 / 2 sigma^2) for |t| <= round(4 sigma), normalised to sum 1, zeros beyond the border) applied
 * separably along every axis of `sampleShape` but the last (channels are smoothed independently), then
 * (1/dim) sum_j r~_j^2. A one-axis shape (`[d]`, flat rows) has no such axis and gives `mseScores`; so does sigma 0.
 */
export function smoothedErrorScores(x: Float32Array, rec: Float32Array, n: number, sampleShape: readonly number[], sigma: number): Float32Array {
  const dim = sampleShape.reduce((a, b) => a * b, 1);
  checkRows(x, n, dim, 'x');
  checkRows(rec, n, dim, 'reconstruction');
  const axes = sampleShape.length >= 2 ? sampleShape.length - 1 : 0;
  const radius = Math.round(4 * sigma);
  if (axes === 0 || !(radius > 0)) return mseScores(x, rec, n, dim);
  const w = Float64Array.from({ length: 2 * radius + 1 }, (_, t) => Math.exp(-((t - radius) ** 2) / (2 * sigma * sigma)));
  const total = w.reduce((a, b) => a + b, 0);
  for (let t = 0; t < w.length; t++) w[t] /= total;
  let a = new Float64Array(dim);
  let b = new Float64Array(dim);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0, o = i * dim; j < dim; j++) a[j] = x[o + j] - rec[o + j];
    for (let axis = 0, stride = dim; axis < axes; axis++) {
      const size = sampleShape[axis];
      stride /= size;
      for (let j = 0; j < dim; j++) {
        const at = Math.floor(j / stride) % size;
        const lo = Math.max(-radius, -at);
        const hi = Math.min(radius, size - 1 - at);
        let s = 0;
        for (let t = lo; t <= hi; t++) s += w[t + radius] * a[j + t * stride];
        b[j] = s;
      }
      [a, b] = [b, a];
    }
    let s = 0;
    for (let j = 0; j < dim; j++) s += a[j] * a[j];
    out[i] = s / dim;
  }
  return out;
}

/**
 * Per-feature residual variance of normal rows, mean_i (x_ij - x^_ij)^2, floored at `floorFraction` times its mean over
 * features (so a feature that is always reconstructed exactly does not divide by zero). Length `dim`.
 */
export function residualVariance(x: Float32Array, rec: Float32Array, n: number, dim: number, floorFraction = 0.05): Float32Array {
  checkRows(x, n, dim, 'x');
  checkRows(rec, n, dim, 'reconstruction');
  const v = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) v[j] += (x[i * dim + j] - rec[i * dim + j]) ** 2;
  let mean = 0;
  for (let j = 0; j < dim; j++) mean += (v[j] /= Math.max(1, n));
  mean /= dim;
  const floor = Math.max(floorFraction * mean, 1e-12);
  return Float32Array.from(v, (s) => Math.max(s, floor));
}

/** Per-sample mean over features of r_j^2 / variance_j (see module doc), length `n`. */
export function standardizedErrorScores(x: Float32Array, rec: Float32Array, n: number, dim: number, variance: ArrayLike<number>): Float32Array {
  checkRows(x, n, dim, 'x');
  checkRows(rec, n, dim, 'reconstruction');
  if (variance.length !== dim) throw new Error(`residual variance has ${variance.length} values, expected ${dim}`);
  const inv = Float64Array.from({ length: dim }, (_, j) => 1 / variance[j]);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * dim;
    for (let j = 0; j < dim; j++) s += (x[o + j] - rec[o + j]) ** 2 * inv[j];
    out[i] = s / dim;
  }
  return out;
}

/**
 * Mean Euclidean distance from each of `n` codes to its `k` nearest among `nRef` reference codes (brute force,
 * O(n nRef d)). `k` is clamped to `nRef`. Length `n`.
 */
export function knnScores(codes: Float32Array, n: number, d: number, ref: ArrayLike<number>, nRef: number, k: number): Float32Array {
  checkRows(codes, n, d, 'codes');
  if (ref.length !== nRef * d || nRef < 1) throw new Error(`kNN reference has ${ref.length} values, expected ${nRef} x ${d} (at least one row)`);
  const kk = Math.max(1, Math.min(Math.floor(k), nRef));
  const refF = Float32Array.from(ref);
  const refNorm = new Float64Array(nRef);
  for (let r = 0; r < nRef; r++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += refF[r * d + t] ** 2;
    refNorm[r] = s;
  }
  const best = new Float64Array(kk);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    best.fill(Infinity);
    const o = i * d;
    for (let r = 0; r < nRef; r++) {
      let dist = 0;
      const ro = r * d;
      for (let t = 0; t < d; t++) {
        const diff = codes[o + t] - refF[ro + t];
        dist += diff * diff;
      }
      if (dist < best[kk - 1]) {
        // Insertion into the sorted k smallest.
        let p = kk - 1;
        while (p > 0 && best[p - 1] > dist) {
          best[p] = best[p - 1];
          p--;
        }
        best[p] = dist;
      }
    }
    let s = 0;
    for (let q = 0; q < kk; q++) s += Math.sqrt(best[q]);
    out[i] = s / kk;
  }
  return out;
}

/** Mean and precision (inverse covariance) of a Gaussian fitted to `n` codes of width `d`. */
export interface GaussianFit {
  mean: Float64Array;
  /** `d x d`, row-major. */
  precision: Float64Array;
}

/**
 * Fits N(mu, S) to `n` rows: mu the mean, S the (biased) covariance plus `ridge` times its mean diagonal on the
 * diagonal, and inverts S by Cholesky (S = L L^T, S^-1 = L^-T L^-1).
 */
export function fitGaussian(codes: Float32Array, n: number, d: number, ridge = 1e-3): GaussianFit {
  checkRows(codes, n, d, 'codes');
  if (n < 1) throw new Error('fitGaussian needs at least one row');
  const { cov, mean } = covariance(codes, n, d, true);
  let trace = 0;
  for (let a = 0; a < d; a++) trace += cov[a * d + a];
  const add = ridge * Math.max(trace / d, 1e-12);
  for (let a = 0; a < d; a++) cov[a * d + a] += add;
  return { mean, precision: invertSpd(cov, d) };
}

/** Inverse of a symmetric positive-definite `d x d` matrix by Cholesky. */
function invertSpd(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('covariance is not positive definite');
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j];
    }
  }
  // L^-1 by forward substitution, then S^-1 = (L^-1)^T L^-1.
  const li = new Float64Array(d * d);
  for (let col = 0; col < d; col++) {
    for (let i = col; i < d; i++) {
      let s = i === col ? 1 : 0;
      for (let k = col; k < i; k++) s -= l[i * d + k] * li[k * d + col];
      li[i * d + col] = s / l[i * d + i];
    }
  }
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < d; k++) s += li[k * d + i] * li[k * d + j];
      inv[i * d + j] = s;
      inv[j * d + i] = s;
    }
  }
  return inv;
}

/** Squared Mahalanobis distance of each of `n` codes to `fit`, length `n`. */
export function mahalanobisScores(codes: Float32Array, n: number, d: number, fit: { mean: ArrayLike<number>; precision: ArrayLike<number> }): Float32Array {
  checkRows(codes, n, d, 'codes');
  if (fit.mean.length !== d || fit.precision.length !== d * d) throw new Error(`Gaussian fit is for ${fit.mean.length} dimensions, codes have ${d}`);
  const out = new Float32Array(n);
  const c = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) c[t] = codes[i * d + t] - fit.mean[t];
    let s = 0;
    for (let a = 0; a < d; a++) {
      let row = 0;
      for (let b = 0; b < d; b++) row += fit.precision[a * d + b] * c[b];
      s += c[a] * row;
    }
    out[i] = s;
  }
  return out;
}

/** How one score is standardised inside `combined`: (s - center) / scale. */
export interface ScoreScale {
  center: number;
  scale: number;
}

/** Median and interquartile range (floored) of a score's values on normal rows. */
export function robustScale(values: ArrayLike<number>): ScoreScale {
  const center = percentile(values, 50);
  const iqr = percentile(values, 75) - percentile(values, 25);
  return { center, scale: Math.max(iqr, Math.abs(center) * 1e-6, 1e-12) };
}

/** Mean of the standardised scores: (1/m) sum_c (s_c - center_c) / scale_c. All parts have length `n`. */
export function combineScores(parts: ArrayLike<number>[], scales: ScoreScale[]): Float32Array {
  if (parts.length === 0 || parts.length !== scales.length) throw new Error(`combineScores: ${parts.length} scores but ${scales.length} scales`);
  const n = parts[0].length;
  const out = new Float32Array(n);
  parts.forEach((p, c) => {
    if (p.length !== n) throw new Error('combineScores: scores differ in length');
    const { center, scale } = scales[c];
    for (let i = 0; i < n; i++) out[i] += (p[i] - center) / scale / parts.length;
  });
  return out;
}

function checkRows(a: ArrayLike<number>, n: number, d: number, what: string): void {
  if (a.length !== n * d) throw new Error(`${what} has ${a.length} values, expected ${n} x ${d}`);
}
