/**
 * Exact principal component analysis for latent codes. d (the latent size) is small, so we form the d x d sample
 * covariance `C = (X - mean)^T (X - mean) / (n - 1)` in double precision and diagonalise it with the cyclic Jacobi
 * eigenvalue method (a sequence of plane rotations that zero the off-diagonal entries; exact to rounding for
 * symmetric matrices). Eigenvectors sorted by eigenvalue are the principal axes; eigenvalues are the variances along
 * them. Sign convention: each component's largest-magnitude coordinate is positive (ties: the first one), so the
 * result is deterministic.
 */

export interface PcaResult {
  /** Number of components kept. */
  q: number;
  d: number;
  /** Per-feature mean, length d. */
  mean: Float64Array;
  /** `q x d`, row-major, unit-norm rows. */
  components: Float64Array;
  /** Variance along each kept component (eigenvalues of the covariance, n - 1 denominator). */
  explainedVariance: number[];
  /** `explainedVariance / total variance`. */
  explainedVarianceRatio: number[];
}

/**
 * Sample covariance (n - 1 denominator; n = 1 gives zeros), or with `biased` the maximum-likelihood one (n
 * denominator), and the mean of an `n x d` matrix.
 */
export function covariance(data: Float32Array, n: number, d: number, biased = false): { cov: Float64Array; mean: Float64Array } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t] += data[i * d + t];
  for (let t = 0; t < d; t++) mean[t] /= n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) row[t] = data[i * d + t] - mean[t];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      for (let b = a; b < d; b++) cov[a * d + b] += ra * row[b];
    }
  }
  const denom = biased ? n : Math.max(1, n - 1);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      cov[a * d + b] /= denom;
      cov[b * d + a] = cov[a * d + b];
    }
  }
  return { cov, mean };
}

/**
 * Eigen-decomposition of a symmetric d x d matrix by cyclic Jacobi rotations. Returns eigenvalues in descending
 * order and the matching unit eigenvectors as rows of `vectors` (`d x d`), signs normalised as described above.
 */
export function symmetricEigen(matrix: Float64Array, d: number, maxSweeps = 100): { values: number[]; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < d; p++) {
      diag += a[p * d + p] * a[p * d + p];
      for (let q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        const app = a[p * d + p];
        const aqq = a[q * d + q];
        // Rotation angle that zeroes a[p][q]: tan(2 theta) = 2 apq / (aqq - app), taking the smaller root.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p];
          const akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k];
          const aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  // Columns of v are eigenvectors; sort by eigenvalue descending and emit them as rows.
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => a[j * d + j] - a[i * d + i] || i - j);
  const values = order.map((i) => a[i * d + i]);
  const vectors = new Float64Array(d * d);
  order.forEach((col, r) => {
    let maxAbs = -1;
    let sign = 1;
    for (let k = 0; k < d; k++) {
      const x = v[k * d + col];
      if (Math.abs(x) > maxAbs + 1e-12) {
        maxAbs = Math.abs(x);
        sign = x < 0 ? -1 : 1;
      }
    }
    for (let k = 0; k < d; k++) vectors[r * d + k] = sign * v[k * d + col];
  });
  return { values, vectors };
}

/** Fits PCA with `q` components (default all d) to an `n x d` matrix. */
export function fitPca(data: Float32Array, n: number, d: number, q = d): PcaResult {
  if (n < 1 || d < 1 || data.length < n * d) throw new Error(`bad PCA input: ${data.length} values for ${n} x ${d}`);
  const keep = Math.min(q, d);
  const { cov, mean } = covariance(data, n, d);
  const { values, vectors } = symmetricEigen(cov, d);
  const clipped = values.map((x) => Math.max(0, x));
  const total = clipped.reduce((s, x) => s + x, 0);
  return {
    q: keep,
    d,
    mean,
    components: vectors.slice(0, keep * d),
    explainedVariance: clipped.slice(0, keep),
    explainedVarianceRatio: clipped.slice(0, keep).map((x) => (total > 0 ? x / total : 0)),
  };
}

/** Projects rows onto the fitted components: `(x - mean) W^T`, giving `n x q` coordinates. */
export function pcaTransform(pca: PcaResult, data: Float32Array, n: number): Float32Array {
  const { d, q, mean, components } = pca;
  const out = new Float32Array(n * q);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < q; c++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += (data[i * d + t] - mean[t]) * components[c * d + t];
      out[i * q + c] = s;
    }
  }
  return out;
}
