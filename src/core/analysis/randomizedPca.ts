/**
 * Principal components of wide data (hundreds of features and more: images, where ./pca.ts's d x d Jacobi
 * diagonalisation would take minutes) by randomized subspace iteration (Halko, Martinsson & Tropp 2011):
 *
 *     Y = X_c G (G Gaussian, d x (q + 10)),  then a few times  Y = X_c orth(X_c^T orth(Y)),
 *
 * fitted on an evenly spaced sample of at most `PCA_SAMPLE` rows; the q leading eigenvectors of the small Gram
 * matrix Z^T Z (Z = X_c^T orth(Y)) give the components. Used to shrink raw inputs before an exact kNN search, where
 * the leading components keep the neighbourhoods (and drop pixel noise) at a fraction of the cost.
 */
import { createNormalRng } from '../../common/random';
import { symmetricEigen } from './pca';
import { checkpoint, throwIfAborted } from './abort';

/** Rows the components are fitted on (the projection then covers every row). */
export const PCA_SAMPLE = 5000;
const OVERSAMPLE = 10;
const POWER_ITERATIONS = 3;
/**
 * Rows projected between two yields to the event loop. A pass of the fit takes ~0.7 s and the projection of 60k image
 * rows ~3 s on one core: yielding after each pass and every this many rows lets a worker take a cancel request.
 */
const ROWS_PER_YIELD = 4096;

export interface RandomizedPcaOptions {
  seed?: number;
  /** Aborting rejects with the signal's reason (an `AbortError`) at the next pass or block of rows. */
  signal?: AbortSignal;
}

/** Orthonormalises the `cols` columns of a row-major `rows x cols` matrix in place (modified Gram-Schmidt). */
function orthonormalise(m: Float64Array, rows: number, cols: number): void {
  for (let j = 0; j < cols; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += m[i * cols + j] * m[i * cols + k];
      for (let i = 0; i < rows; i++) m[i * cols + j] -= dot * m[i * cols + k];
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += m[i * cols + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < rows; i++) m[i * cols + j] = norm > 0 ? m[i * cols + j] / norm : 0;
  }
}

/**
 * Axes of (near) zero variance come out of Z v as rounding noise, not orthogonal to the others: the rows are
 * re-orthonormalised in order (the leading ones unchanged to rounding), and a row left with nothing outside the span
 * of those before it is replaced by the first unit vector that has.
 */
function orthonormalRows(m: Float64Array, rows: number, d: number): void {
  const row = new Float64Array(d);
  const residual = (r: number): number => {
    for (let k = 0; k < r; k++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += row[t] * m[k * d + t];
      for (let t = 0; t < d; t++) row[t] -= dot * m[k * d + t];
    }
    let norm = 0;
    for (let t = 0; t < d; t++) norm += row[t] * row[t];
    return Math.sqrt(norm);
  };
  for (let r = 0; r < rows; r++) {
    row.set(m.subarray(r * d, r * d + d));
    let norm = residual(r);
    for (let u = 0; norm < 1e-6 && u < d; u++) {
      row.fill(0);
      row[u] = 1;
      norm = residual(r);
      if (norm < 0.1) norm = 0;
    }
    for (let t = 0; t < d; t++) m[r * d + t] = row[t] / norm;
  }
}

/**
 * The `q` leading principal axes (`q x d`, unit rows) and the mean of `n x d` rows; q is capped by d and the
 * sample size.
 */
export async function randomizedPca(data: Float32Array, n: number, d: number, q: number, options: RandomizedPcaOptions = {}): Promise<{ mean: Float64Array; components: Float64Array; q: number }> {
  const { seed = 0, signal } = options;
  throwIfAborted(signal);
  const stride = Math.max(1, Math.ceil(n / PCA_SAMPLE));
  const m = Math.ceil(n / stride);
  const keep = Math.max(1, Math.min(q, d, m));
  const p = Math.min(keep + OVERSAMPLE, d, m);
  const mean = new Float64Array(d);
  for (let s = 0; s < m; s++) for (let t = 0; t < d; t++) mean[t] += data[s * stride * d + t];
  for (let t = 0; t < d; t++) mean[t] /= m;
  const x = new Float64Array(m * d);
  for (let s = 0; s < m; s++) for (let t = 0; t < d; t++) x[s * d + t] = data[s * stride * d + t] - mean[t];
  const normal = createNormalRng(seed);
  let z = new Float64Array(d * p);
  for (let i = 0; i < z.length; i++) z[i] = normal();
  const y = new Float64Array(m * p);
  const timesZ = (): void => {
    y.fill(0);
    for (let s = 0; s < m; s++) {
      for (let t = 0; t < d; t++) {
        const v = x[s * d + t];
        if (v === 0) continue;
        for (let j = 0; j < p; j++) y[s * p + j] += v * z[t * p + j];
      }
    }
  };
  const transposeTimesY = (): Float64Array => {
    const out = new Float64Array(d * p);
    for (let s = 0; s < m; s++) {
      for (let t = 0; t < d; t++) {
        const v = x[s * d + t];
        if (v === 0) continue;
        for (let j = 0; j < p; j++) out[t * p + j] += v * y[s * p + j];
      }
    }
    return out;
  };
  timesZ();
  orthonormalise(y, m, p);
  for (let it = 0; it < POWER_ITERATIONS; it++) {
    await checkpoint(signal);
    z = transposeTimesY();
    orthonormalise(z, d, p);
    await checkpoint(signal);
    timesZ();
    orthonormalise(y, m, p);
  }
  await checkpoint(signal);
  z = transposeTimesY();
  const gram = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += z[t * p + a] * z[t * p + b];
      gram[a * p + b] = s;
      gram[b * p + a] = s;
    }
  }
  const { vectors } = symmetricEigen(gram, p);
  const components = new Float64Array(keep * d);
  for (let c = 0; c < keep; c++) {
    let norm = 0;
    for (let t = 0; t < d; t++) {
      let s = 0;
      for (let a = 0; a < p; a++) s += z[t * p + a] * vectors[c * p + a];
      components[c * d + t] = s;
      norm += s * s;
    }
    norm = Math.sqrt(norm);
    for (let t = 0; t < d; t++) components[c * d + t] = norm > 0 ? components[c * d + t] / norm : 0;
  }
  orthonormalRows(components, keep, d);
  return { mean, components, q: keep };
}

/** `n x d` rows projected onto their `q` leading principal axes (`n x q'`, q' = min(q, d, sample)). */
export async function reduceRows(data: Float32Array, n: number, d: number, q: number, options: RandomizedPcaOptions = {}): Promise<{ data: Float32Array; d: number }> {
  const pca = await randomizedPca(data, n, d, q, options);
  const k = pca.q;
  const { components, mean } = pca;
  // (x - mean) W^T = x W^T - mean W^T: the loop then skips the zeros of sparse rows (image backgrounds).
  const offset = new Float64Array(k);
  for (let c = 0; c < k; c++) for (let t = 0; t < d; t++) offset[c] += mean[t] * components[c * d + t];
  const wt = new Float64Array(d * k);
  for (let c = 0; c < k; c++) for (let t = 0; t < d; t++) wt[t * k + c] = components[c * d + t];
  const out = new Float32Array(n * k);
  const acc = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % ROWS_PER_YIELD === 0) await checkpoint(options.signal);
    acc.fill(0);
    for (let t = 0; t < d; t++) {
      const v = data[i * d + t];
      if (v === 0) continue;
      for (let c = 0; c < k; c++) acc[c] += v * wt[t * k + c];
    }
    for (let c = 0; c < k; c++) out[i * k + c] = acc[c] - offset[c];
  }
  return { data: out, d: k };
}
