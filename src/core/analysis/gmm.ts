/**
 * Gaussian mixture model fitted by expectation-maximisation (Dempster, Laird & Rubin 1977), as scikit-learn's
 * `GaussianMixture`: `p(x) = sum_j pi_j N(x | mu_j, Sigma_j)` with full or diagonal covariances.
 *
 * - E-step: responsibilities `r_ij = pi_j N(x_i | mu_j, Sigma_j) / p(x_i)` in log space (log-sum-exp); with
 *   `Sigma_j = L_j L_j^T` (Cholesky) the log density is `-(d log 2pi + 2 sum log diag L_j + ||L_j^-1 (x - mu_j)||^2) / 2`.
 * - M-step: `N_j = sum_i r_ij`, `pi_j = N_j / n`, `mu_j = sum_i r_ij x_i / N_j`,
 *   `Sigma_j = sum_i r_ij (x_i - mu_j)(x_i - mu_j)^T / N_j + regCovar I` (the ridge keeps it positive definite).
 * - Stops when the mean log-likelihood improves by less than `tol`; initialised from a seeded k-means
 *   (responsibilities = hard k-means labels), best of `nInit` runs by final log-likelihood.
 *
 * Runs in float64 on plain arrays: meant for low-dimensional inputs (UMAP embeddings, latent codes), where an
 * iteration over 60,000 x 10 with k = 10 full covariances is ~60 M multiply-adds.
 */
import { deriveSeed } from '../../common/random';
import { kmeans } from './kmeans';

export type CovarianceType = 'full' | 'diag';

export interface GmmOptions {
  k: number;
  covariance?: CovarianceType;
  seed?: number;
  /** Restarts (different k-means seeds); the highest log-likelihood wins. Default 1. */
  nInit?: number;
  /** Default 100. */
  maxIter?: number;
  /** Convergence threshold on the mean log-likelihood gain. Default 1e-3 (scikit-learn's). */
  tol?: number;
  /** Added to the covariance diagonals. Default 1e-6 (scikit-learn's). */
  regCovar?: number;
}

export interface GmmResult {
  k: number;
  d: number;
  covariance: CovarianceType;
  /** Most probable component per point. */
  assignments: Int32Array;
  /** `n x k` posterior probabilities (rows sum to 1). */
  probabilities: Float32Array;
  weights: Float64Array;
  /** `k x d`. */
  means: Float64Array;
  /** `k x d x d` (full) or `k x d` (diag). */
  covariances: Float64Array;
  /** Mean log-likelihood per point. */
  logLikelihood: number;
  iterations: number;
  converged: boolean;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** In-place Cholesky of a `d x d` SPD matrix (lower triangle); false when not positive definite. */
function cholesky(a: Float64Array, d: number, off: number): boolean {
  for (let j = 0; j < d; j++) {
    let s = a[off + j * d + j];
    for (let t = 0; t < j; t++) s -= a[off + j * d + t] * a[off + j * d + t];
    if (!(s > 0)) return false;
    const l = Math.sqrt(s);
    a[off + j * d + j] = l;
    for (let i = j + 1; i < d; i++) {
      let v = a[off + i * d + j];
      for (let t = 0; t < j; t++) v -= a[off + i * d + t] * a[off + j * d + t];
      a[off + i * d + j] = v / l;
    }
    for (let t = j + 1; t < d; t++) a[off + j * d + t] = 0;
  }
  return true;
}

interface Params {
  weights: Float64Array;
  means: Float64Array;
  cov: Float64Array;
}

/** M-step from responsibilities `resp` (`n x k`). */
function mStep(x: Float32Array, n: number, d: number, k: number, resp: Float64Array, type: CovarianceType, reg: number): Params {
  const nk = new Float64Array(k);
  const means = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const r = resp[i * k + j];
      if (r === 0) continue;
      nk[j] += r;
      for (let t = 0; t < d; t++) means[j * d + t] += r * x[i * d + t];
    }
  }
  for (let j = 0; j < k; j++) {
    nk[j] += 10 * Number.EPSILON;
    for (let t = 0; t < d; t++) means[j * d + t] /= nk[j];
  }
  const per = type === 'full' ? d * d : d;
  const cov = new Float64Array(k * per);
  const diff = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const r = resp[i * k + j];
      if (r === 0) continue;
      for (let t = 0; t < d; t++) diff[t] = x[i * d + t] - means[j * d + t];
      const o = j * per;
      if (type === 'full') {
        for (let a = 0; a < d; a++) {
          const ra = r * diff[a];
          for (let b = 0; b <= a; b++) cov[o + a * d + b] += ra * diff[b];
        }
      } else {
        for (let t = 0; t < d; t++) cov[o + t] += r * diff[t] * diff[t];
      }
    }
  }
  for (let j = 0; j < k; j++) {
    const o = j * per;
    if (type === 'full') {
      for (let a = 0; a < d; a++) {
        for (let b = 0; b <= a; b++) {
          const v = cov[o + a * d + b] / nk[j];
          cov[o + a * d + b] = v;
          cov[o + b * d + a] = v;
        }
        cov[o + a * d + a] += reg;
      }
    } else {
      for (let t = 0; t < d; t++) cov[o + t] = cov[o + t] / nk[j] + reg;
    }
  }
  const weights = new Float64Array(k);
  for (let j = 0; j < k; j++) weights[j] = nk[j] / n;
  return { weights, means, cov };
}

/** E-step: fills `resp` with posteriors and returns the mean log-likelihood. */
function eStep(x: Float32Array, n: number, d: number, k: number, p: Params, type: CovarianceType, resp: Float64Array): number {
  const per = type === 'full' ? d * d : d;
  const chol = Float64Array.from(p.cov);
  const logDet = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    if (type === 'full') {
      if (!cholesky(chol, d, j * per)) throw new Error('Gaussian mixture: a covariance is not positive definite (raise regCovar)');
      for (let t = 0; t < d; t++) logDet[j] += 2 * Math.log(chol[j * per + t * d + t]);
    } else {
      for (let t = 0; t < d; t++) logDet[j] += Math.log(chol[j * per + t]);
    }
  }
  const logW = Array.from(p.weights, (w) => Math.log(w));
  const z = new Float64Array(d);
  const lp = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      let maha = 0;
      if (type === 'full') {
        const o = j * per;
        for (let a = 0; a < d; a++) {
          let v = x[i * d + a] - p.means[j * d + a];
          for (let b = 0; b < a; b++) v -= chol[o + a * d + b] * z[b];
          z[a] = v / chol[o + a * d + a];
          maha += z[a] * z[a];
        }
      } else {
        for (let t = 0; t < d; t++) {
          const v = x[i * d + t] - p.means[j * d + t];
          maha += (v * v) / chol[j * per + t];
        }
      }
      lp[j] = logW[j] - 0.5 * (d * LOG_2PI + logDet[j] + maha);
      if (lp[j] > max) max = lp[j];
    }
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(lp[j] - max);
    const lse = max + Math.log(s);
    total += lse;
    for (let j = 0; j < k; j++) resp[i * k + j] = Math.exp(lp[j] - lse);
  }
  return total / n;
}

function fitOnce(x: Float32Array, n: number, d: number, opts: Required<GmmOptions>, seed: number): GmmResult {
  const { k, covariance: type, regCovar: reg } = opts;
  const km = kmeans(x, n, d, { k, seed, nInit: 1 });
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + km.assignments[i]] = 1;
  let params = mStep(x, n, d, k, resp, type, reg);
  let ll = -Infinity;
  let iterations = 0;
  let converged = false;
  for (let it = 1; it <= opts.maxIter; it++) {
    const next = eStep(x, n, d, k, params, type, resp);
    iterations = it;
    params = mStep(x, n, d, k, resp, type, reg);
    const gain = next - ll;
    ll = next;
    if (Math.abs(gain) < opts.tol) {
      converged = true;
      break;
    }
  }
  ll = eStep(x, n, d, k, params, type, resp);
  const assignments = new Int32Array(n);
  const probabilities = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 0; j < k; j++) {
      probabilities[i * k + j] = resp[i * k + j];
      if (resp[i * k + j] > resp[i * k + best]) best = j;
    }
    assignments[i] = best;
  }
  return { k, d, covariance: type, assignments, probabilities, weights: params.weights, means: params.means, covariances: params.cov, logLikelihood: ll, iterations, converged };
}

/** Fits a Gaussian mixture to `n x d` rows (see the module comment). Same seed, same result. */
export function fitGmm(data: Float32Array, n: number, d: number, options: GmmOptions): GmmResult {
  const opts: Required<GmmOptions> = { covariance: 'full', seed: 0, nInit: 1, maxIter: 100, tol: 1e-3, regCovar: 1e-6, ...options };
  if (!Number.isInteger(opts.k) || opts.k < 1 || opts.k > n) throw new RangeError(`k must be in 1..${n}, got ${opts.k}`);
  if (data.length < n * d) throw new Error(`data has ${data.length} values, expected ${n} x ${d}`);
  let best = fitOnce(data, n, d, opts, opts.seed);
  for (let r = 1; r < opts.nInit; r++) {
    const res = fitOnce(data, n, d, opts, deriveSeed(opts.seed, r));
    if (res.logLikelihood > best.logLikelihood) best = res;
  }
  return best;
}
