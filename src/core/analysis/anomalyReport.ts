/**
 * How well anomaly scores and a threshold do when labels say which samples are anomalies: precision and recall at
 * the threshold, the observed false-positive rate, AUROC and a (thinned) ROC curve; plus the compact JSON form of an
 * `AnomalyCalibration` for the model's sidecar (bulk arrays as base64 float32).
 */
import { rocAuc } from './anomaly';
import type { AnomalyCalibration, AnomalyReference } from './anomalyModel';
import type { AnomalyScoreMethod, ScoreScale } from './anomalyScores';
import { isAnomalyScoreMethod } from './anomalyScores';
import type { AnomalyEvaluation, AnomalyReport, RocCurve } from './results';

export type { AnomalyEvaluation, RocCurve } from './results';

/** Points kept on a ROC curve sent to the panel or printed. */
export const MAX_ROC_POINTS = 101;

/**
 * The ROC curve of `scores` against `isPositive`: one point per distinct score (ties move together), thinned to at
 * most `maxPoints` evenly spaced along the curve's index (the end points are always kept).
 */
export function rocCurve(scores: ArrayLike<number>, isPositive: ArrayLike<boolean>, maxPoints = MAX_ROC_POINTS): RocCurve {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let pos = 0;
  for (let i = 0; i < n; i++) if (isPositive[i]) pos++;
  const neg = n - pos;
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && scores[idx[j]] === scores[idx[i]]) {
      if (isPositive[idx[j]]) tp++;
      else fp++;
      j++;
    }
    fpr.push(neg > 0 ? fp / neg : 0);
    tpr.push(pos > 0 ? tp / pos : 0);
    i = j;
  }
  if (fpr.length <= maxPoints) return { fpr, tpr };
  const keep = Array.from({ length: maxPoints }, (_, q) => Math.round((q * (fpr.length - 1)) / (maxPoints - 1)));
  return { fpr: keep.map((k) => fpr[k]), tpr: keep.map((k) => tpr[k]) };
}

/** Precision, recall, FPR at `threshold`, AUROC and ROC curve of `scores` for samples whose label is in `anomalyLabels`. */
export function evaluateAnomalies(scores: ArrayLike<number>, labels: readonly string[], anomalyLabels: readonly string[], threshold: number): AnomalyEvaluation {
  if (labels.length !== scores.length) throw new Error(`${scores.length} scores but ${labels.length} labels`);
  const marked = new Set(anomalyLabels);
  const isPositive = labels.map((l) => marked.has(l));
  let positives = 0;
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < scores.length; i++) {
    if (isPositive[i]) positives++;
    if (scores[i] > threshold) {
      if (isPositive[i]) tp++;
      else fp++;
    }
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) throw new Error(`the labels ${[...marked].join(', ')} mark ${positives === 0 ? 'no' : 'every'} sample as an anomaly; need both kinds`);
  return {
    anomalyLabels: [...marked],
    positives,
    negatives,
    truePositives: tp,
    falsePositives: fp,
    precision: tp + fp > 0 ? tp / (tp + fp) : 0,
    recall: tp / positives,
    falsePositiveRate: fp / negatives,
    auroc: rocAuc(scores, isPositive),
    roc: rocCurve(scores, isPositive),
  };
}

export { defaultAnomalyLabels } from '../../common/anomalyMethods';

/** Sidecar form of a calibration: the kNN reference codes as base64 float32 (little-endian) instead of a JSON array. */
export type StoredCalibration = Omit<AnomalyCalibration, 'reference'> & {
  reference: Omit<AnomalyReference, 'knn'> & { knn: { k: number; n: number; codesF32: string } };
};

export function storeCalibration(c: AnomalyCalibration): StoredCalibration {
  const f = Float32Array.from(c.reference.knn.codes);
  const codesF32 = Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
  return { ...c, reference: { ...c.reference, knn: { k: c.reference.knn.k, n: c.reference.knn.n, codesF32 } } };
}

const isNumArray = (v: unknown, length: number): v is number[] => Array.isArray(v) && v.length === length && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * Reads a stored calibration for a model with `inputDim` features and `latentDim` codes; undefined when it is missing
 * or does not fit (the caller then recalibrates).
 */
export function loadCalibration(raw: unknown, inputDim: number, latentDim: number): AnomalyCalibration | undefined {
  const s = asRecord(raw);
  const r = asRecord(s?.reference);
  const knn = asRecord(r?.knn);
  if (!s || !r || !knn) return undefined;
  const { codesF32, n, k } = knn;
  if (typeof codesF32 !== 'string' || typeof n !== 'number' || !Number.isInteger(n) || typeof k !== 'number' || !Number.isInteger(k) || k < 1) return undefined;
  const bytes = Buffer.from(codesF32, 'base64');
  if (bytes.byteLength !== n * latentDim * 4 || n < 1) return undefined;
  const codes = Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
  const gaussian = asRecord(r.gaussian);
  const { residualVariance } = r;
  if (!isNumArray(residualVariance, inputDim) || !gaussian || !isNumArray(gaussian.mean, latentDim) || !isNumArray(gaussian.precision, latentDim * latentDim)) return undefined;
  const combined = asRecord(r.combined);
  const parts = combined?.parts;
  const scales = combined?.scales;
  if (!Array.isArray(parts) || parts.length === 0 || !parts.every((p) => isAnomalyScoreMethod(p) && p !== 'combined')) return undefined;
  if (!Array.isArray(scales) || scales.length !== parts.length || !scales.every(isScoreScale)) return undefined;
  const stored = asRecord(s.thresholds);
  if (!isAnomalyScoreMethod(s.defaultMethod) || typeof s.targetFpr !== 'number' || !stored) return undefined;
  const thresholds: AnomalyCalibration['thresholds'] = {};
  for (const [m, value] of Object.entries(stored)) {
    const t = asRecord(value);
    if (isAnomalyScoreMethod(m) && typeof t?.threshold === 'number' && typeof t.expectedFpr === 'number') thresholds[m] = { threshold: t.threshold, expectedFpr: t.expectedFpr };
  }
  return {
    reference: { residualVariance, knn: { k, n, codes }, gaussian: { mean: gaussian.mean, precision: gaussian.precision }, combined: { parts, scales } },
    thresholds,
    targetFpr: s.targetFpr,
    calibrationRows: typeof s.calibrationRows === 'number' ? s.calibrationRows : 0,
    heldOut: s.heldOut === true,
    defaultMethod: s.defaultMethod,
  };
}

/** A parsed JSON object's fields, still unchecked; undefined for anything that is not an object. */
function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

function isScoreScale(v: unknown): v is ScoreScale {
  const q = asRecord(v);
  return typeof q?.center === 'number' && typeof q.scale === 'number' && q.scale > 0;
}

/** The report of `scores` by `method` under a calibration: threshold, flagged count, and the evaluation when labels mark anomalies. */
export function buildAnomalyReport(
  calibration: AnomalyCalibration,
  method: AnomalyScoreMethod,
  methods: AnomalyScoreMethod[],
  scores: Float32Array,
  labels?: readonly string[],
  anomalyLabels?: readonly string[],
): AnomalyReport {
  const t = calibration.thresholds[method];
  if (!t) throw new Error(`the model has no calibrated threshold for the ${method} score`);
  let flagged = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] > t.threshold) flagged++;
  const report: AnomalyReport = {
    method,
    methods,
    defaultMethod: calibration.defaultMethod,
    scores,
    threshold: t.threshold,
    targetFpr: calibration.targetFpr,
    expectedFpr: t.expectedFpr,
    calibrationRows: calibration.calibrationRows,
    heldOut: calibration.heldOut,
    flagged,
  };
  if (anomalyLabels && anomalyLabels.length > 0) {
    if (!labels) throw new Error('anomaly labels were given but the dataset has no labels');
    report.evaluation = evaluateAnomalies(scores, labels, anomalyLabels, t.threshold);
  }
  return report;
}
