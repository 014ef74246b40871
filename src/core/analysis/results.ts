/**
 * The result types of the analyses (projection, k curve, interpolation, anomaly report): defined here, below both
 * the analysis modules that produce them and the `Explorer` contract (src/core/explorer.ts) that returns them, so
 * neither imports the other.
 */
import type { AnomalyScoreMethod } from '../../common/anomalyMethods';

export type ProjectionMethod = 'none' | 'pca' | 'umap';
export type InterpolationMode = 'linear' | 'spherical';

export interface ProjectionResult {
  method: ProjectionMethod;
  dims: 2 | 3;
  /** `n x dims`. */
  coords: Float32Array;
  /** PCA only: fraction of variance per component. */
  explainedVariance?: number[];
}

export interface KSuggestion {
  ks: number[];
  inertias: number[];
  silhouettes: number[];
  /** k with the best silhouette. */
  best: number;
  /** k at the elbow of the inertia curve. */
  elbow?: number;
  /** Space the curve was computed in: the codes, or the UMAP clustering space. */
  space?: 'latent' | 'umap';
}

export interface RocCurve {
  /** Increasing false-positive rates from 0 to 1, with the matching true-positive rates. */
  fpr: number[];
  tpr: number[];
}

export interface AnomalyEvaluation {
  /** Label values counted as anomalies. */
  anomalyLabels: string[];
  positives: number;
  negatives: number;
  /** At the threshold (score > threshold flags a sample). */
  truePositives: number;
  falsePositives: number;
  precision: number;
  recall: number;
  falsePositiveRate: number;
  auroc: number;
  roc: RocCurve;
}

/** Anomaly scores of every sample by one method, with the model's calibrated threshold (see analysis/anomalyModel.ts). */
export interface AnomalyReport {
  method: AnomalyScoreMethod;
  /** Methods this model supports. */
  methods: AnomalyScoreMethod[];
  /** The method that measured best in the bench (the default). */
  defaultMethod: AnomalyScoreMethod;
  /** Per-sample score, higher = more anomalous. */
  scores: Float32Array;
  /** Samples scoring above it are flagged. */
  threshold: number;
  /** False-positive rate the threshold was set for, and the rate it gave on the calibration rows. */
  targetFpr: number;
  expectedFpr: number;
  calibrationRows: number;
  /** True when the calibration rows were held out of training (the validation split). */
  heldOut: boolean;
  flagged: number;
  /** Present when labels mark anomalies (`anomalyLabels`). */
  evaluation?: AnomalyEvaluation;
}

/** Stages of a UMAP run (src/core/analysis/fastUmap.ts). */
export type UmapStage = 'knn' | 'graph' | 'layout';

/** Progress of a long analysis: UMAP's kNN / graph / layout stages, then the clustering. */
export interface AnalysisProgress {
  stage: UmapStage | 'cluster';
  done: number;
  total: number;
}

/** Clusters against classes (src/core/analysis/clusterMetrics.ts). */
export interface ConfusionMatrix {
  /** Cluster ids, ascending (noise, -1, first when present). */
  clusters: number[];
  /** Class names, sorted naturally (numbers numerically). */
  classes: string[];
  /** `counts[c][y]`: points of cluster `clusters[c]` with class `classes[y]`. */
  counts: number[][];
}
