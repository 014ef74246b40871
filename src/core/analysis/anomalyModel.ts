/**
 * Anomaly scoring with a trained autoencoder: fits the reference statistics of the scores in `anomalyScores.ts` on
 * normal rows (the training rows), calibrates a threshold per score on held-out normal rows (the validation split) at
 * a chosen false-positive rate, and scores new rows. The result (`AnomalyCalibration`) is plain JSON, saved in the
 * model's sidecar so that data scored later gets the same scores and thresholds.
 */
import { tf } from '../tf';
import { MODEL_KIND_TRAITS } from '../../common/modelKinds';
import { createRng, deriveSeed } from '../../common/random';
import type { Autoencoder, ModelConfig } from '../models/types';
import { encode, reconstruct } from '../inference';
import type { AnomalyScoreMethod, ScoreScale } from './anomalyScores';
import {
  ANOMALY_SCORE_METHODS,
  combineScores,
  fitGaussian,
  knnScores,
  mahalanobisScores,
  mseScores,
  residualVariance,
  smoothedErrorScores,
  robustScale,
  standardizedErrorScores,
} from './anomalyScores';

/** The score that measured best in `npm run bench:anomaly` (see README, "Anomaly detection"). */
export const DEFAULT_ANOMALY_SCORE: AnomalyScoreMethod = 'combined';
/**
 * Scores averaged by `combined`: one of the input space (the smoothed reconstruction error) and one of the latent space
 * (the non-parametric kNN distance), weighted equally after robust scaling.
 */
export const DEFAULT_COMBINED_PARTS: readonly AnomalyScoreMethod[] = ['smoothed', 'knn'];
/** Width (in samples along each spatial / temporal axis) of the Gaussian that smooths the residual of `smoothed`. */
export const DEFAULT_SMOOTHING_SIGMA = 1;
/** Default false-positive rate of the calibrated thresholds. */
export const DEFAULT_TARGET_FPR = 0.05;
/** Neighbours of the kNN score. */
export const DEFAULT_KNN_K = 5;
/** Reference codes kept for the kNN score (a seeded subsample of the training rows beyond this). */
export const MAX_KNN_REFERENCE = 2000;
/** Monte-Carlo draws of z for the negative ELBO (seeded, so scores are repeatable). */
export const ELBO_SAMPLES = 4;
const ELBO_SEED = 7;
const BATCH = 256;

/** Everything a score needs besides the model, fitted on normal rows. Plain JSON. */
export interface AnomalyReference {
  /** `zscore`: per-feature residual variance (length inputDim). */
  residualVariance: number[];
  /** `knn`: reference codes (`n x latentDim`, row-major) and k. */
  knn: { k: number; n: number; codes: number[] };
  /** `mahalanobis`: mean and precision (`latentDim x latentDim`) of the codes. */
  gaussian: { mean: number[]; precision: number[] };
  /** `combined`: its parts and the median / IQR of each on held-out normal rows. */
  combined: { parts: AnomalyScoreMethod[]; scales: ScoreScale[] };
}

/** A threshold on one score: rows scoring above it are flagged. */
export interface AnomalyThreshold {
  threshold: number;
  /** Fraction of the calibration rows above the threshold (the expected false-positive rate on normal data). */
  expectedFpr: number;
}

/** What the sidecar stores: reference statistics, the thresholds of every available score, and how they were made. */
export interface AnomalyCalibration {
  reference: AnomalyReference;
  thresholds: Partial<Record<AnomalyScoreMethod, AnomalyThreshold>>;
  /** The false-positive rate the thresholds were set for. */
  targetFpr: number;
  /** Rows the thresholds were calibrated on. */
  calibrationRows: number;
  /** True when those rows were held out of training (the validation split); false when they were training rows. */
  heldOut: boolean;
  defaultMethod: AnomalyScoreMethod;
}

export interface CalibrationOptions {
  /** Rows the model trained on (reference statistics). */
  trainRows: ArrayLike<number>;
  /** Held-out normal rows (thresholds, combined scales); when empty the training rows are used instead. */
  calibrationRows: ArrayLike<number>;
  targetFpr?: number;
  k?: number;
  combinedParts?: readonly AnomalyScoreMethod[];
  /** Per-row condition (CVAE), `n x classes`. */
  condition?: Float32Array;
  seed?: number;
}

/** The scores a model supports: `elbo` needs a VAE. */
export function availableScoreMethods(model: Pick<Autoencoder, 'negativeElbo'>): AnomalyScoreMethod[] {
  return ANOMALY_SCORE_METHODS.filter((m) => m !== 'elbo' || typeof model.negativeElbo === 'function');
}

/** True when a saved config's kind has a negative ELBO (without building the model). */
export function configHasElbo(config: Pick<ModelConfig, 'kind'>): boolean {
  return MODEL_KIND_TRAITS[config.kind].prior;
}

/** Rows `idx` of a row-major matrix. */
export function gatherRows(x: Float32Array, dim: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * dim);
  for (let r = 0; r < idx.length; r++) out.set(x.subarray(idx[r] * dim, idx[r] * dim + dim), r * dim);
  return out;
}

/** What the model makes of `n` rows: codes, reconstructions and (VAEs, when asked) the negative ELBO. */
interface ModelView {
  x: Float32Array;
  n: number;
  codes: Float32Array;
  rec: Float32Array;
  elbo?: Float32Array;
}

function modelView(model: Autoencoder, x: Float32Array, n: number, condition: Float32Array | undefined, withElbo: boolean): ModelView {
  const view: ModelView = { x, n, codes: encode(model, x, n, BATCH, condition), rec: reconstruct(model, x, n, BATCH, condition) };
  if (withElbo && model.negativeElbo) view.elbo = negativeElbos(model, x, n, condition);
  return view;
}

/** Per-sample negative ELBO of a VAE over `n` rows (seeded), length `n`. */
export function negativeElbos(model: Autoencoder, x: Float32Array, n: number, condition?: Float32Array): Float32Array {
  const fn = model.negativeElbo?.bind(model);
  if (!fn) throw new Error(`a ${model.config.kind} model has no ELBO (only vae and cvae models do)`);
  const dim = model.config.inputDim;
  const cd = condition ? condition.length / n : 0;
  const out = new Float32Array(n);
  for (let from = 0, b = 0; from < n; from += BATCH, b++) {
    const to = Math.min(n, from + BATCH);
    const r = tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(from * dim, to * dim), [to - from, dim]);
      const cb = condition ? tf.tensor2d(condition.subarray(from * cd, to * cd), [to - from, cd]) : undefined;
      return fn(xb, ELBO_SAMPLES, deriveSeed(ELBO_SEED, b), cb);
    });
    out.set(r.dataSync(), from);
    r.dispose();
  }
  return out;
}

/** Raw (uncombined) score of a view. */
function rawScore(view: ModelView, method: Exclude<AnomalyScoreMethod, 'combined'>, ref: AnomalyReference, config: ModelConfig): Float32Array {
  const { inputDim: dim, latentDim } = config;
  switch (method) {
    case 'mse':
      return mseScores(view.x, view.rec, view.n, dim);
    case 'smoothed':
      return smoothedErrorScores(view.x, view.rec, view.n, config.sampleShape, DEFAULT_SMOOTHING_SIGMA);
    case 'zscore':
      return standardizedErrorScores(view.x, view.rec, view.n, dim, ref.residualVariance);
    case 'elbo':
      if (!view.elbo) throw new Error('the elbo score needs a vae or cvae model');
      return view.elbo;
    case 'knn':
      return knnScores(view.codes, view.n, latentDim, ref.knn.codes, ref.knn.n, ref.knn.k);
    case 'mahalanobis':
      return mahalanobisScores(view.codes, view.n, latentDim, ref.gaussian);
  }
}

/** Every requested score of a view (combined from its parts). */
function scoresOf(view: ModelView, methods: readonly AnomalyScoreMethod[], ref: AnomalyReference, config: ModelConfig): Partial<Record<AnomalyScoreMethod, Float32Array>> {
  const out: Partial<Record<AnomalyScoreMethod, Float32Array>> = {};
  const raw = (m: Exclude<AnomalyScoreMethod, 'combined'>): Float32Array => (out[m] ??= rawScore(view, m, ref, config));
  for (const m of methods) {
    if (m === 'combined') out.combined = combineScores(ref.combined.parts.map((p) => raw(p as Exclude<AnomalyScoreMethod, 'combined'>)), ref.combined.scales);
    else raw(m);
  }
  return Object.fromEntries(methods.map((m) => [m, out[m]]));
}

/**
 * The threshold at false-positive rate `fpr` on normal scores: their (1 - fpr) quantile, and the fraction of them
 * strictly above it.
 */
export function thresholdAtFpr(normalScores: ArrayLike<number>, fpr: number): AnomalyThreshold {
  if (!(fpr > 0 && fpr < 1)) throw new Error(`false-positive rate must be in (0, 1), got ${fpr}`);
  if (normalScores.length === 0) throw new Error('thresholdAtFpr needs at least one score');
  const sorted = Float64Array.from(normalScores).sort();
  const threshold = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((1 - fpr) * sorted.length) - 1))];
  let above = 0;
  for (let i = 0; i < sorted.length; i++) if (sorted[i] > threshold) above++;
  return { threshold, expectedFpr: above / sorted.length };
}

/**
 * Fits the reference statistics on `trainRows` of `x` (normalised, `n x inputDim`) and calibrates every available
 * score's threshold at `targetFpr` on `calibrationRows`.
 */
export function calibrateAnomalies(model: Autoencoder, x: Float32Array, n: number, options: CalibrationOptions): AnomalyCalibration {
  const { inputDim: dim, latentDim } = model.config;
  if (x.length !== n * dim) throw new Error(`expected ${n} x ${dim} values, got ${x.length}`);
  if (options.trainRows.length === 0) throw new Error('calibrateAnomalies needs at least one training row');
  const targetFpr = options.targetFpr ?? DEFAULT_TARGET_FPR;
  const cd = options.condition ? options.condition.length / n : 0;
  const rowsOf = (idx: ArrayLike<number>): { x: Float32Array; c?: Float32Array } => ({ x: gatherRows(x, dim, idx), c: options.condition ? gatherRows(options.condition, cd, idx) : undefined });
  const train = rowsOf(options.trainRows);
  const tv = modelView(model, train.x, options.trainRows.length, train.c, false);

  const rand = createRng(options.seed ?? 0);
  const nTrain = options.trainRows.length;
  let refIdx = Array.from({ length: nTrain }, (_, i) => i);
  if (nTrain > MAX_KNN_REFERENCE) {
    for (let i = nTrain - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [refIdx[i], refIdx[j]] = [refIdx[j], refIdx[i]];
    }
    refIdx = refIdx.slice(0, MAX_KNN_REFERENCE).sort((a, b) => a - b);
  }
  const gaussian = fitGaussian(tv.codes, nTrain, latentDim);
  const reference: AnomalyReference = {
    residualVariance: Array.from(residualVariance(tv.x, tv.rec, nTrain, dim)),
    knn: { k: options.k ?? DEFAULT_KNN_K, n: refIdx.length, codes: Array.from(gatherRows(tv.codes, latentDim, refIdx)) },
    gaussian: { mean: Array.from(gaussian.mean), precision: Array.from(gaussian.precision) },
    combined: { parts: [...(options.combinedParts ?? DEFAULT_COMBINED_PARTS)], scales: [] },
  };
  const heldOut = options.calibrationRows.length > 0;
  const calIdx = heldOut ? options.calibrationRows : options.trainRows;
  const cal = rowsOf(calIdx);
  const methods = availableScoreMethods(model);
  const cv = modelView(model, cal.x, calIdx.length, cal.c, methods.includes('elbo'));
  const rawMethods = methods.filter((m) => m !== 'combined');
  const calScores = scoresOf(cv, rawMethods, reference, model.config);
  reference.combined.scales = reference.combined.parts.map((p) => robustScale(calScores[p] ?? rawScore(cv, p as Exclude<AnomalyScoreMethod, 'combined'>, reference, model.config)));
  calScores.combined = scoresOf(cv, ['combined'], reference, model.config).combined;
  const thresholds: Partial<Record<AnomalyScoreMethod, AnomalyThreshold>> = {};
  for (const m of methods) thresholds[m] = thresholdAtFpr(calScores[m] as Float32Array, targetFpr);
  const defaultMethod = methods.includes(DEFAULT_ANOMALY_SCORE) ? DEFAULT_ANOMALY_SCORE : 'mse';
  return { reference, thresholds, targetFpr, calibrationRows: calIdx.length, heldOut, defaultMethod };
}

/** Scores of `n` rows (normalised) by each of `methods`, with a calibration's reference statistics. */
export function anomalyScores(
  model: Autoencoder,
  calibration: AnomalyCalibration,
  x: Float32Array,
  n: number,
  methods: readonly AnomalyScoreMethod[],
  condition?: Float32Array,
): Partial<Record<AnomalyScoreMethod, Float32Array>> {
  const available = availableScoreMethods(model);
  for (const m of methods) if (!available.includes(m)) throw new Error(`score "${m}" is not available for a ${model.config.kind} model (available: ${available.join(', ')})`);
  const view = modelView(model, x, n, condition, methods.includes('elbo'));
  return scoresOf(view, methods, calibration.reference, model.config);
}
