/**
 * The contract between a trained model and everything that explores it: the CLI, the training worker (which
 * serves it to the extension host over the worker protocol) and the panel. `LocalExplorer` (src/core/localExplorer.ts)
 * implements it in-process; the extension's worker client implements it across the worker boundary.
 * All arrays are row-major; latent vectors are `latentDim` wide; decoded outputs are denormalised (data units).
 */
import type { ExportFormat } from '../common/exportFormats';
import type { ModelConfig } from './models/types';
import type { CorruptionMode } from './analysis/corruption';
import type { FeatureStats } from './analysis/featureStats';
import type { AnomalyScoreMethod } from './analysis/anomalyScores';
import type { AnalysisProgress, AnomalyReport, ConfusionMatrix, InterpolationMode, KSuggestion, ProjectionMethod, ProjectionResult } from './analysis/results';
import type { ClassNames, DatasetFormat, DatasetKind, SourceRef, WindowSpec } from './data/dataset';
import type { MetadataColumn } from './data/metadata';
import type { EpochRecord } from './training/types';
import type { ClusterMethod } from '../common/clusterMethods';

export type { ClusterMethod } from '../common/clusterMethods';
export type { ExportFormat } from '../common/exportFormats';
export type { AnomalyEvaluation, AnomalyReport, InterpolationMode, KSuggestion, ProjectionMethod, ProjectionResult, RocCurve } from './analysis/results';

/** What the panel needs to know about the loaded dataset and model (no bulk arrays). */
export interface ExplorerInfo {
  datasetName: string;
  datasetPath: string;
  format: DatasetFormat;
  kind: DatasetKind;
  n: number;
  dim: number;
  sampleShape: number[];
  columns: string[];
  labelName?: string;
  /** Display names of label values (from classes.txt / labels.json beside the data, or a setting). */
  classNames?: ClassNames;
  /** Sequence datasets: the sliding window, so window scores map back to rows (src/core/analysis/timeEvents.ts). */
  window?: WindowSpec;
  model: ModelConfig;
  /** Compute backend in use: `tensorflow` (tfjs-node), `wasm` or `cpu`. */
  backend: string;
  history: EpochRecord[];
  /** Folder the model is saved in, when it is. */
  modelDir?: string;
  /** What the loader noted about the data (dropped columns, inferred label, ...), to show the user. */
  warnings?: string[];
  /** Tables: per-feature mean and standard deviation over the dataset, in data units (for z-scored views). */
  featureStats?: FeatureStats;
}


/** Per-sample results of running the whole dataset through the model. */
export interface EmbeddingResult {
  n: number;
  latentDim: number;
  /** `n x latentDim` codes. */
  latent: Float32Array;
  /** Per-sample reconstruction error (mean squared error over features, normalised units). */
  errors: Float32Array;
  /** VQ-VAE: the codebook entry of each sample, length `n` (absent for models without discrete codes). */
  codes?: Int32Array;
  labels?: string[];
  /** Tables: the non-feature columns (id, time, ignored, dropped text) per sample (src/core/data/metadata.ts). */
  metadata?: MetadataColumn[];
}

export interface ClusterResult {
  k: number;
  /** Cluster id per sample. */
  assignments: Int32Array;
  /** `k x latentDim`. */
  centroids: Float32Array;
  inertia: number;
  sizes: number[];
  /** Per cluster, indices of the members nearest the centroid (closest first). */
  nearest: number[][];
  /** `k x dim` decoded centroids (data units). */
  decodedCentroids: Float32Array;
  /** Method that produced it (absent: k-means on the codes). Centroids are member means for non-k-means methods. */
  method?: ClusterMethod;
  /** Points left out as noise (assignment -1) by DBSCAN / HDBSCAN. */
  noise?: number;
  /** Per point, the probability of its cluster (GMM posterior, HDBSCAN membership strength). */
  probabilities?: Float32Array;
  /** Against the dataset's labels, when it has them. */
  scores?: ClusterScores;
}

/** A clustering scored against the dataset's labels (noise counts as wrong for the accuracy). */
export interface ClusterScores {
  /** Hungarian-matched accuracy. */
  accuracy: number;
  nmi: number;
  ari: number;
  /** Distinct label values. */
  classes: number;
  confusion: ConfusionMatrix;
}

/** Options of `Explorer.cluster` beyond k and the seed. */
export interface ClusterOptions {
  /** Default: the recommended pipeline (`DEFAULT_CLUSTER_METHOD`). */
  method?: ClusterMethod;
  eps?: number;
  minPts?: number;
  minClusterSize?: number;
}

export type { AnalysisProgress, ConfusionMatrix } from './analysis/results';

/** Progress callback and cancellation for a long analysis call; aborting rejects it with an AbortError. */
export interface AnalysisControl {
  onProgress?: (p: AnalysisProgress) => void;
  signal?: AbortSignal;
}

export interface SampleDetail {
  index: number;
  /** `dim` values, data units. */
  original: Float32Array;
  /** `dim` values, data units. */
  reconstruction: Float32Array;
  error: number;
  latent: Float32Array;
  label?: string;
  ref: SourceRef;
}

/** A sample damaged for the denoising / occlusion demo, and what the model made of it (data units). */
export interface CorruptionResult {
  corrupted: Float32Array;
  reconstruction: Float32Array;
  /** Mean squared error of the reconstruction against the clean sample (normalised units). */
  error: number;
}

/**
 * Codes to generate and decode. `base` is a sample index whose code is the centre/base; absent means the mean code
 * of the embedding. Grid: `steps x steps` codes varying `dimX`/`dimY` by +-`span` around the base. Traversal: `steps`
 * codes with `dim` set to evenly spaced values in [-span, span]. Prior: `count` draws from N(0, I), VAE / CVAE only.
 * `condition`: the class a conditional model (CVAE) decodes every code as (see `Explorer.decode`).
 */
export type GenerateRequest = (
  | { mode: 'grid'; dimX: number; dimY: number; span: number; steps: number; base?: number }
  | { mode: 'traversal'; dim: number; span: number; steps: number; base?: number }
  | { mode: 'prior'; count: number; seed: number }
) & {
  condition?: string;
  /**
   * 'std': grid and traversal spans count standard deviations of each latent dimension over the dataset's codes
   * (the traversal then runs around that dimension's mean); absent: raw latent units.
   */
  unit?: 'std';
};

export type GenerateMode = GenerateRequest['mode'];

/** Generated codes and their decoded outputs, `rows x cols` of them row-major. */
export interface GenerateResult {
  mode: GenerateMode;
  rows: number;
  cols: number;
  /** `rows * cols x latentDim`. */
  latent: Float32Array;
  /** `rows * cols x dim`, data units. */
  decoded: Float32Array;
}

export interface Explorer {
  info(): ExplorerInfo;
  embed(): Promise<EmbeddingResult>;
  project(method: ProjectionMethod, dims: 2 | 3, seed?: number, control?: AnalysisControl): Promise<ProjectionResult>;
  /** Clusters the codes with `options.method` (default the recommended pipeline); k is ignored by DBSCAN / HDBSCAN. */
  cluster(k: number, seed?: number, options?: ClusterOptions, control?: AnalysisControl): Promise<ClusterResult>;
  /** k-means inertia and silhouette for k in kMin..kMax, in the space `method` clusters in (UMAP space for umap-*). */
  suggestK(kMin: number, kMax: number, seed?: number, method?: ClusterMethod, control?: AnalysisControl): Promise<KSuggestion>;
  sample(index: number): Promise<SampleDetail>;
  /**
   * Places `count` new codes (`count x latentDim`, e.g. another file encoded by this model) in the view of the last
   * `project` call, consistently with how the training codes were projected (src/core/placeCodes.ts).
   */
  placeCodes(latent: Float32Array, count: number): Promise<Float32Array>;
  /** The original rows (data units) of `indices`, `indices.length x dim`: bulk sample pixels for thumbnails. */
  rows(indices: readonly number[]): Promise<Float32Array>;
  /**
   * Decodes `count` latent rows (`count x latentDim`) to data units. `condition` is a class name of a conditional
   * model (CVAE; `info().model.conditionClasses`): every row is decoded as that class. For a CVAE it defaults to the
   * dataset's most frequent class and an unknown name is a RangeError; other models ignore it.
   */
  decode(latent: Float32Array, count: number, condition?: string): Promise<Float32Array>;
  /**
   * Corrupts sample `index` (`noise`: Gaussian noise of std `level`; `mask`: a patch / fraction `level` set to the
   * minimum, in normalised units) and reconstructs it; see src/core/analysis/corruption.ts.
   */
  corrupt(index: number, mode: CorruptionMode, level: number, seed: number): Promise<CorruptionResult>;
  /**
   * Decoded path between two samples' codes (`steps x dim`, endpoints included) and the path's codes. A conditional
   * model decodes the whole path with sample `a`'s condition.
   */
  interpolate(a: number, b: number, steps: number, mode: InterpolationMode): Promise<{ latent: Float32Array; decoded: Float32Array }>;
  /** A latent grid, a one-dimension traversal or prior draws (see {@link GenerateRequest}), decoded. */
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /** Writes embeddings (+ projection, cluster, error, label, source row) to `path`; refuses to overwrite unless `overwrite`. Returns the files written. */
  exportEmbeddings(path: string, format: ExportFormat, overwrite: boolean): Promise<string[]>;
  /**
   * Anomaly scores of every sample by `method` (default: the calibration's default) and its threshold; with
   * `anomalyLabels` (label values that mark anomalies) also precision / recall at the threshold and the ROC curve.
   */
  anomalies(method?: AnomalyScoreMethod, anomalyLabels?: string[]): Promise<AnomalyReport>;
  dispose(): void;
}
