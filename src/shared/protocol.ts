/**
 * Messages between the extension host (src/extension/panel/latentPanel.ts) and the panel's webview (webview/main.ts),
 * in the style of vscode-hexeditor's shared/protocol.ts: two discriminated unions keyed by `type`.
 *
 * Bulk arrays (codes, projections, errors, assignments: up to millions of numbers) cross as {@link PackedArray}:
 * the little-endian bytes of a Float32Array/Int32Array in base64. That is ~5.3 bytes per float on the wire against
 * ~10-20 for a JSON number[], and decoding is a single pass with no number parsing.
 *
 * The webview is untrusted input: the host passes everything it receives through {@link parseWebviewMessage},
 * which rejects unknown types, wrong field types, out-of-range indices and oversized payloads.
 * This file is imported by both sides, so it uses no Node or DOM API beyond plain JS.
 */
import type { AnalysisProgress, AnomalyReport, ClusterMethod, ExplorerInfo, ExportFormat, InterpolationMode, ProjectionMethod } from '../core/explorer';
import { CLUSTER_METHODS } from '../common/clusterMethods';
import type { EpochRecord, TrainProgress } from '../core/training/types';
import type { AnomalyScoreMethod } from '../common/anomalyMethods';
import { ANOMALY_SCORE_METHODS } from '../common/anomalyMethods';
import { EXPORT_FORMATS } from '../common/exportFormats';
import { MAX_ANOMALY_LABELS, MAX_COLUMNS, MAX_DATA_URL, MAX_GEN_COUNT, MAX_GEN_GRID, MAX_GEN_SPAN, MAX_GEN_STEPS, MAX_K, MAX_LABEL_LENGTH, MAX_LATENT_DIM, MAX_PATH, MAX_POINTS, MAX_REQUEST_ID, MAX_SELECTION, MAX_STEPS, MIN_GEN_STEPS } from '../common/limits';

/** A typed array as base64 of its little-endian bytes. */
export interface PackedArray {
  dtype: 'f32' | 'i32';
  /** Number of elements. */
  length: number;
  b64: string;
}

/** `code`: the VQ-VAE codebook entry of each point. */
export type ColorBy = 'cluster' | 'label' | 'error' | 'code';

/** What the webview keeps in `vscode.setState` (UI state only, never data) and the serializer restores. */
export interface UiState {
  /** Folder of the saved model, so the panel can be restored after a reload. */
  modelDir?: string;
  colorBy: ColorBy;
  k: number;
  projection: ProjectionMethod;
  dims: 2 | 3;
  /** Selected sample indices (at most 2 are used: point inspector and interpolation endpoints). */
  selection: number[];
  /** Anomaly threshold as a quantile of the reconstruction error in [0, 1]. */
  errorQuantile: number;
  /** Only show points at or above the anomaly threshold. */
  filterAnomalies: boolean;
  interpolationMode: InterpolationMode;
  interpolationSteps: number;
  /** Active side tab. */
  tab: PanelTab;
  /** Clustering method of the Clusters tab (absent: the recommended default). */
  clusterMethod?: ClusterMethod;
}

export type PanelTab = 'point' | 'clusters' | 'interpolate' | 'generate' | 'anomalies' | 'training';
export const PANEL_TABS: readonly PanelTab[] = ['point', 'clusters', 'interpolate', 'generate', 'anomalies', 'training'];

export const DEFAULT_UI_STATE: UiState = {
  colorBy: 'cluster',
  k: 0,
  projection: 'umap',
  dims: 2,
  selection: [],
  errorQuantile: 0.95,
  filterAnomalies: false,
  interpolationMode: 'linear',
  interpolationSteps: 8,
  tab: 'point',
};

/**
 * Dataset/model facts the panel shows: ExplorerInfo without the bulky fields (history, full model config), with
 * `columns` truncated to the first {@link MAX_COLUMNS}.
 */
export type PanelInfo = Pick<ExplorerInfo, 'datasetName' | 'datasetPath' | 'format' | 'kind' | 'n' | 'dim' | 'sampleShape' | 'columns' | 'labelName' | 'backend' | 'modelDir' | 'warnings'> & {
  modelKind: string;
  latentDim: number;
  /** CVAE: the condition classes (label values) the decoder accepts. */
  conditionClasses?: string[];
  /** VQ-VAE: number of codebook entries. */
  codebookSize?: number;
};

export interface EmbeddingPayload {
  n: number;
  latentDim: number;
  /** `n x latentDim` f32. */
  latent: PackedArray;
  /** `n` f32 reconstruction errors. */
  errors: PackedArray;
  /** Distinct labels, and per sample the i32 index into them (absent when the dataset has no labels). */
  labelNames?: string[];
  labelCodes?: PackedArray;
  /** VQ-VAE: `n` i32 codebook indices. */
  codes?: PackedArray;
}

export interface ProjectionPayload {
  method: ProjectionMethod;
  dims: 2 | 3;
  /** `n x dims` f32. */
  coords: PackedArray;
  explainedVariance?: number[];
}

export interface ClustersPayload {
  k: number;
  /** `n` i32. */
  assignments: PackedArray;
  /** `k x latentDim` f32. */
  centroids: PackedArray;
  sizes: number[];
  nearest: number[][];
  /** `k x dim` f32, data units. */
  decodedCentroids: PackedArray;
  inertia: number;
  /** Method used (absent: k-means on the codes). */
  method?: ClusterMethod;
  /** Noise points (assignment -1), DBSCAN / HDBSCAN. */
  noise?: number;
  /** `n` f32: probability of each point's cluster (GMM posterior, HDBSCAN strength). */
  probabilities?: PackedArray;
  /** Against the dataset's labels. */
  scores?: ClusterScoresPayload;
}

export interface ClusterScoresPayload {
  accuracy: number;
  nmi: number;
  ari: number;
  classes: number;
  /** Cluster ids (-1 = noise), class names and `counts[cluster][class]`. */
  confusion: { clusters: number[]; classes: string[]; counts: number[][] };
}

export interface KSuggestionPayload {
  ks: number[];
  inertias: number[];
  silhouettes: number[];
  best: number;
  /** k at the elbow of the inertia curve. */
  elbow?: number;
  /** Space the curve was computed in. */
  space?: 'latent' | 'umap';
}

/** Which long computation a progress report or cancel belongs to. */
export type AnalysisTask = 'projection' | 'clusters' | 'kSuggestion';

export interface SamplePayload {
  index: number;
  original: number[];
  reconstruction: number[];
  error: number;
  latent: number[];
  label?: string;
  file: string;
  line?: number;
}

export type TrainingStatus = 'idle' | 'training' | 'done' | 'failed';

/** Why a sample was requested, so the webview routes the answer (inspector vs hover thumbnail). */
export type SamplePurpose = 'inspect' | 'hover';

export type GenerateMode = 'grid' | 'traversal' | 'prior';

/**
 * What to decode in the Generate tab. `base` is a sample index whose code is the centre/base; absent means the mean
 * code of the embedding. Grid: `steps x steps` codes varying `dimX`/`dimY` by +-`span` around the base.
 * Traversal: `steps` codes with `dim` set to evenly spaced values in [-span, span]. Prior: `count` draws from N(0, I), VAE only.
 */
export type GenerateRequest = (
  | { mode: 'grid'; dimX: number; dimY: number; span: number; steps: number; base?: number }
  | { mode: 'traversal'; dim: number; span: number; steps: number; base?: number }
  | { mode: 'prior'; count: number; seed: number }
) & {
  /** CVAE: the class to decode for (default: the most frequent one). */
  condition?: string;
};

/** The denoising / occlusion demo: how to damage a sample before reconstructing it. */
export type CorruptionMode = 'noise' | 'mask';

/** One live frame of the embedding while training (see src/core/analysis/liveEmbedding.ts). */
export interface LiveEmbeddingPayload {
  epoch: number;
  epochs: number;
  stage?: string;
  /** Rows in the whole dataset. */
  total: number;
  /** Int32 dataset row per point. */
  indices: PackedArray;
  /** Float32 `points x 2`. */
  coords: PackedArray;
  method: 'none' | 'pca';
  labelNames?: string[];
  /** Int32 index into `labelNames` per point. */
  labelCodes?: PackedArray;
}

/** Anomaly scores of every sample by one method and the model's calibrated threshold: an `AnomalyReport` whose scores travel packed. */
export type AnomalyPayload = Omit<AnomalyReport, 'scores'> & {
  /** `n` f32, higher = more anomalous. */
  scores: PackedArray;
};

export type HostToWebview =
  /** Full state, the answer to `ready` (and re-sent when a new model arrives). `embedding` is absent while training. */
  | {
      type: 'init';
      info?: PanelInfo;
      embedding?: EmbeddingPayload;
      projection?: ProjectionPayload;
      clusters?: ClustersPayload;
      kSuggestion?: KSuggestionPayload;
      history: EpochRecord[];
      training: TrainingStatus;
      uiState: UiState;
      /** The latest live embedding, while training. */
      live?: LiveEmbeddingPayload;
    }
  /** A training progress event (batch or epoch). */
  | { type: 'trainingProgress'; progress: TrainProgress }
  /** The embedding after a training epoch: a sample of `coords.length / 2` rows (`indices`) laid out in 2D. */
  | { type: 'trainingEmbedding'; embedding: LiveEmbeddingPayload }
  /** Training state changed (e.g. finished; a fresh `init` follows when a model is ready). */
  | { type: 'trainingStatus'; status: TrainingStatus; message?: string }
  /** A new projection (answer to `setProjection`). */
  | { type: 'projection'; projection: ProjectionPayload }
  /** New clusters (answer to `setK`). */
  | { type: 'clusters'; clusters: ClustersPayload }
  /** Elbow / silhouette scores (answer to `suggestK`). */
  | { type: 'kSuggestion'; suggestion: KSuggestionPayload }
  /** Progress of a long computation (UMAP, clustering, k curve); `progress` absent when it ended (done, failed or cancelled). */
  | { type: 'analysisProgress'; task: AnalysisTask; progress?: AnalysisProgress }
  /** One sample's detail (answer to `requestSample`). */
  | { type: 'sample'; requestId: number; purpose: SamplePurpose; sample: SamplePayload }
  /** Decoded latent point (answer to `decodeLatent`). */
  | { type: 'decoded'; requestId: number; latent: number[]; values: number[] }
  /** Decoded interpolation path (answer to `interpolate`): `steps x dim` values. */
  | { type: 'interpolation'; requestId: number; a: number; b: number; steps: number; mode: InterpolationMode; decoded: PackedArray; latent: PackedArray }
  /** Decoded generated codes (answer to `generate`): `rows x cols` outputs, row-major; `latent` is `rows*cols x latentDim`, `decoded` `rows*cols x dim`. */
  | { type: 'generated'; requestId: number; mode: GenerateMode; rows: number; cols: number; caption: string; latent: PackedArray; decoded: PackedArray }
  /** A corrupted sample and the model's reconstruction of it (answer to `corrupt`), data units. */
  | { type: 'corrupted'; requestId: number; index: number; mode: CorruptionMode; level: number; corrupted: number[]; reconstruction: number[]; error: number }
  /** Anomaly scores and threshold (answer to `anomalies`). */
  | { type: 'anomalies'; requestId: number; report: AnomalyPayload }
  /** A save finished. */
  | { type: 'saved'; files: string[] }
  /** Something failed; `requestId` links it to a request when there is one. */
  | { type: 'error'; message: string; requestId?: number };

export type WebviewToHost =
  /** The webview has loaded and wants the full state (`init`). */
  | { type: 'ready' }
  /** Recompute the projection of the embedding. */
  | { type: 'setProjection'; method: ProjectionMethod; dims: 2 | 3 }
  /** Re-cluster with k clusters (`method` absent: the recommended default). */
  | { type: 'setK'; k: number; method?: ClusterMethod }
  /** Score k in [kMin, kMax] (elbow + silhouette), in the space `method` clusters in. */
  | { type: 'suggestK'; kMin: number; kMax: number; method?: ClusterMethod }
  /** Stop the running projection / clustering / k curve. */
  | { type: 'cancelAnalysis' }
  /** Fetch one sample's original, reconstruction and source. */
  | { type: 'requestSample'; requestId: number; index: number; purpose: SamplePurpose }
  /** Decode one latent vector (`latentDim` numbers); CVAE: for class `condition`. */
  | { type: 'decodeLatent'; requestId: number; latent: number[]; condition?: string }
  /** Corrupt sample `index` (noise of std `level`, or mask a `level` fraction) and reconstruct it. */
  | { type: 'corrupt'; requestId: number; index: number; mode: CorruptionMode; level: number; seed: number }
  /** Decoded path between samples `a` and `b`. */
  | { type: 'interpolate'; requestId: number; a: number; b: number; steps: number; mode: InterpolationMode }
  /** Decode a latent grid, a one-dimension traversal or prior samples (see {@link GenerateRequest}). */
  | ({ type: 'generate'; requestId: number } & GenerateRequest)
  /** Open the sample's source file at its line. */
  | { type: 'reveal'; index: number }
  /** Ask for a path (save dialog) and export the embeddings in `format`. */
  | { type: 'exportEmbeddings'; format: ExportFormat }
  /** Ask for a path and save a rendered plot (`data:` URL of a PNG or SVG). */
  | { type: 'savePlot'; format: 'png' | 'svg'; dataUrl: string }
  /** UI state changed (the host keeps the latest for re-`init` and the serializer). */
  | { type: 'uiState'; state: UiState }
  /** Anomaly scores by `method` (default: the model's), evaluated against the label values `anomalyLabels` when given. */
  | { type: 'anomalies'; requestId: number; method?: AnomalyScoreMethod; anomalyLabels?: string[] };

// ---------------------------------------------------------------------------------------------------------------
// Limits and validation

/** Upper bounds on anything the webview can send (src/common/limits.ts). */
export { MAX_ANOMALY_LABELS, MAX_COLUMNS, MAX_DATA_URL, MAX_GEN_COUNT, MAX_GEN_GRID, MAX_GEN_SPAN, MAX_GEN_STEPS, MAX_K, MAX_LABEL_LENGTH, MAX_LATENT_DIM, MAX_POINTS, MAX_REQUEST_ID, MAX_SELECTION, MAX_STEPS, MIN_GEN_STEPS };

/** What the host knows about the current model, to range-check indices and vector lengths. */
export interface ValidationLimits {
  /** Number of samples: indices must be below it. */
  n?: number;
  /** Latent width: decode vectors must have exactly this length. */
  latentDim?: number;
  /** CVAE condition classes: a `condition` must be one of them (and is refused when absent). */
  conditions?: readonly string[];
}

const PROJECTIONS: readonly ProjectionMethod[] = ['none', 'pca', 'umap'];
const MODES: readonly InterpolationMode[] = ['linear', 'spherical'];
const COLOR_BY: readonly ColorBy[] = ['cluster', 'label', 'error', 'code'];
const PURPOSES: readonly SamplePurpose[] = ['inspect', 'hover'];
const CORRUPTIONS: readonly CorruptionMode[] = ['noise', 'mask'];
const isCondition = (v: unknown, limits: ValidationLimits): boolean => v === undefined || (typeof v === 'string' && (limits.conditions ?? []).includes(v));
const withCondition = (v: unknown): { condition?: string } => (typeof v === 'string' ? { condition: v } : {});

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isNum = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const isOneOf = <T extends string>(v: unknown, values: readonly T[]): v is T => typeof v === 'string' && (values as readonly string[]).includes(v);
const hasOnly = (o: Obj, keys: readonly string[]): boolean => Object.keys(o).every((k) => keys.includes(k));

function isIndex(v: unknown, limits: ValidationLimits): v is number {
  return isInt(v, 0, (limits.n ?? MAX_POINTS) - 1);
}

/** Validates a UI state object strictly (every field present and in range). */
export function parseUiState(raw: unknown, limits: ValidationLimits = {}): UiState | undefined {
  if (!isObj(raw)) return undefined;
  const keys = ['modelDir', 'colorBy', 'k', 'projection', 'dims', 'selection', 'errorQuantile', 'filterAnomalies', 'interpolationMode', 'interpolationSteps', 'tab', 'clusterMethod'];
  if (!hasOnly(raw, keys)) return undefined;
  const { modelDir, colorBy, k, projection, dims, selection, errorQuantile, filterAnomalies, interpolationMode, interpolationSteps, tab, clusterMethod } = raw;
  if (clusterMethod !== undefined && !isOneOf(clusterMethod, CLUSTER_METHODS)) return undefined;
  if (modelDir !== undefined && (typeof modelDir !== 'string' || modelDir.length > MAX_PATH)) return undefined;
  if (!isOneOf(colorBy, COLOR_BY) || !isInt(k, 0, MAX_K) || !isOneOf(projection, PROJECTIONS) || (dims !== 2 && dims !== 3)) return undefined;
  if (!Array.isArray(selection) || selection.length > MAX_SELECTION || !selection.every((i) => isIndex(i, limits))) return undefined;
  if (!isNum(errorQuantile, 0, 1) || typeof filterAnomalies !== 'boolean' || !isOneOf(interpolationMode, MODES)) return undefined;
  if (!isInt(interpolationSteps, 2, MAX_STEPS) || !isOneOf(tab, PANEL_TABS)) return undefined;
  return {
    ...(modelDir !== undefined ? { modelDir } : {}),
    colorBy, k, projection, dims, selection: [...selection], errorQuantile, filterAnomalies, interpolationMode, interpolationSteps, tab,
    ...(clusterMethod !== undefined ? { clusterMethod } : {}),
  };
}

/**
 * Returns the message if `raw` is a well-formed {@link WebviewToHost}, else `undefined`. Extra keys, unknown types,
 * non-integer or out-of-range indices, non-finite numbers and oversized arrays/strings are all rejected.
 * The returned object is a fresh copy holding only the known fields.
 */
export function parseWebviewMessage(raw: unknown, limits: ValidationLimits = {}): WebviewToHost | undefined {
  if (!isObj(raw) || typeof raw.type !== 'string') return undefined;
  const m = raw;
  switch (m.type) {
    case 'ready':
      return hasOnly(m, ['type']) ? { type: 'ready' } : undefined;
    case 'setProjection':
      if (!hasOnly(m, ['type', 'method', 'dims']) || !isOneOf(m.method, PROJECTIONS) || (m.dims !== 2 && m.dims !== 3)) return undefined;
      return { type: 'setProjection', method: m.method, dims: m.dims };
    case 'setK':
      if (!hasOnly(m, ['type', 'k', 'method']) || !isInt(m.k, 1, Math.min(MAX_K, limits.n ?? MAX_K))) return undefined;
      if (m.method !== undefined && !isOneOf(m.method, CLUSTER_METHODS)) return undefined;
      return { type: 'setK', k: m.k, ...(m.method !== undefined ? { method: m.method } : {}) };
    case 'suggestK':
      if (!hasOnly(m, ['type', 'kMin', 'kMax', 'method']) || !isInt(m.kMin, 2, MAX_K) || !isInt(m.kMax, m.kMin, MAX_K)) return undefined;
      if (m.method !== undefined && !isOneOf(m.method, CLUSTER_METHODS)) return undefined;
      return { type: 'suggestK', kMin: m.kMin, kMax: m.kMax, ...(m.method !== undefined ? { method: m.method } : {}) };
    case 'cancelAnalysis':
      return hasOnly(m, ['type']) ? { type: 'cancelAnalysis' } : undefined;
    case 'requestSample':
      if (!hasOnly(m, ['type', 'requestId', 'index', 'purpose']) || !isInt(m.requestId, 0, MAX_REQUEST_ID) || !isIndex(m.index, limits) || !isOneOf(m.purpose, PURPOSES)) return undefined;
      return { type: 'requestSample', requestId: m.requestId, index: m.index, purpose: m.purpose };
    case 'decodeLatent': {
      if (!hasOnly(m, ['type', 'requestId', 'latent', 'condition']) || !isInt(m.requestId, 0, MAX_REQUEST_ID) || !Array.isArray(m.latent)) return undefined;
      const len = m.latent.length;
      if (len === 0 || len > MAX_LATENT_DIM || (limits.latentDim !== undefined && len !== limits.latentDim)) return undefined;
      if (!m.latent.every((v) => isNum(v, -1e6, 1e6)) || !isCondition(m.condition, limits)) return undefined;
      return { type: 'decodeLatent', requestId: m.requestId, latent: [...(m.latent as number[])], ...withCondition(m.condition) };
    }
    case 'corrupt':
      if (!hasOnly(m, ['type', 'requestId', 'index', 'mode', 'level', 'seed']) || !isInt(m.requestId, 0, MAX_REQUEST_ID)) return undefined;
      if (!isIndex(m.index, limits) || !isOneOf(m.mode, CORRUPTIONS) || !isNum(m.level, 0, 1) || !isInt(m.seed, 0, MAX_REQUEST_ID)) return undefined;
      return { type: 'corrupt', requestId: m.requestId, index: m.index, mode: m.mode, level: m.level, seed: m.seed };
    case 'interpolate':
      if (!hasOnly(m, ['type', 'requestId', 'a', 'b', 'steps', 'mode']) || !isInt(m.requestId, 0, MAX_REQUEST_ID)) return undefined;
      if (!isIndex(m.a, limits) || !isIndex(m.b, limits) || !isInt(m.steps, 2, MAX_STEPS) || !isOneOf(m.mode, MODES)) return undefined;
      return { type: 'interpolate', requestId: m.requestId, a: m.a, b: m.b, steps: m.steps, mode: m.mode };
    case 'generate':
      return parseGenerate(m, limits);
    case 'reveal':
      if (!hasOnly(m, ['type', 'index']) || !isIndex(m.index, limits)) return undefined;
      return { type: 'reveal', index: m.index };
    case 'exportEmbeddings':
      if (!hasOnly(m, ['type', 'format']) || !isOneOf(m.format, EXPORT_FORMATS)) return undefined;
      return { type: 'exportEmbeddings', format: m.format };
    case 'savePlot': {
      if (!hasOnly(m, ['type', 'format', 'dataUrl']) || (m.format !== 'png' && m.format !== 'svg')) return undefined;
      const prefix = m.format === 'png' ? 'data:image/png;base64,' : 'data:image/svg+xml';
      if (typeof m.dataUrl !== 'string' || m.dataUrl.length > MAX_DATA_URL || !m.dataUrl.startsWith(prefix)) return undefined;
      return { type: 'savePlot', format: m.format, dataUrl: m.dataUrl };
    }
    case 'anomalies': {
      if (!hasOnly(m, ['type', 'requestId', 'method', 'anomalyLabels']) || !isInt(m.requestId, 0, MAX_REQUEST_ID)) return undefined;
      if (m.method !== undefined && !isOneOf(m.method, ANOMALY_SCORE_METHODS)) return undefined;
      const labels = m.anomalyLabels;
      if (labels !== undefined && (!Array.isArray(labels) || labels.length > MAX_ANOMALY_LABELS || !labels.every((l) => typeof l === 'string' && l.length <= MAX_LABEL_LENGTH))) return undefined;
      return { type: 'anomalies', requestId: m.requestId, ...(m.method !== undefined ? { method: m.method } : {}), ...(labels !== undefined ? { anomalyLabels: [...(labels as string[])] } : {}) };
    }
    case 'uiState': {
      if (!hasOnly(m, ['type', 'state'])) return undefined;
      const state = parseUiState(m.state, limits);
      return state ? { type: 'uiState', state } : undefined;
    }
    default:
      return undefined;
  }
}

function parseGenerate(m: Obj, limits: ValidationLimits): WebviewToHost | undefined {
  if (!isInt(m.requestId, 0, MAX_REQUEST_ID)) return undefined;
  const requestId = m.requestId;
  const maxDim = Math.min(limits.latentDim ?? MAX_LATENT_DIM, MAX_LATENT_DIM) - 1;
  const isSpan = (v: unknown): v is number => isNum(v, 0, MAX_GEN_SPAN) && v > 0;
  const isSteps = (v: unknown): v is number => isInt(v, MIN_GEN_STEPS, MAX_GEN_STEPS);
  if (m.base !== undefined && !isIndex(m.base, limits)) return undefined;
  if (!isCondition(m.condition, limits)) return undefined;
  const base = { ...(m.base === undefined ? {} : { base: m.base }), ...withCondition(m.condition) };
  switch (m.mode) {
    case 'grid':
      if (!hasOnly(m, ['type', 'requestId', 'mode', 'dimX', 'dimY', 'span', 'steps', 'base', 'condition'])) return undefined;
      if (!isInt(m.dimX, 0, maxDim) || !isInt(m.dimY, 0, maxDim) || m.dimX === m.dimY || !isSpan(m.span) || !isSteps(m.steps)) return undefined;
      if (m.steps * m.steps > MAX_GEN_GRID) return undefined;
      return { type: 'generate', requestId, mode: 'grid', dimX: m.dimX, dimY: m.dimY, span: m.span, steps: m.steps, ...base };
    case 'traversal':
      if (!hasOnly(m, ['type', 'requestId', 'mode', 'dim', 'span', 'steps', 'base', 'condition'])) return undefined;
      if (!isInt(m.dim, 0, maxDim) || !isSpan(m.span) || !isSteps(m.steps)) return undefined;
      return { type: 'generate', requestId, mode: 'traversal', dim: m.dim, span: m.span, steps: m.steps, ...base };
    case 'prior':
      if (!hasOnly(m, ['type', 'requestId', 'mode', 'count', 'seed', 'condition']) || !isInt(m.count, 1, MAX_GEN_COUNT) || !isInt(m.seed, 0, MAX_REQUEST_ID)) return undefined;
      return { type: 'generate', requestId, mode: 'prior', count: m.count, seed: m.seed, ...withCondition(m.condition) };
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Packing typed arrays (plain JS base64, so both Node and the browser use the same code)

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_LOOKUP = (() => {
  const t = new Uint8Array(128).fill(255);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Base64 of raw bytes (standard alphabet, padded). */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 8192;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    let s = '';
    let i = start;
    for (; i + 2 < end; i += 3) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
    }
    if (end - i === 1) {
      const v = bytes[i] << 16;
      s += B64[v >> 18] + B64[(v >> 12) & 63] + '==';
    } else if (end - i === 2) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
      s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

/** Inverse of {@link bytesToBase64}; throws on characters outside the alphabet. */
export function base64ToBytes(b64: string): Uint8Array {
  const clean = b64.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 128 ? B64_LOOKUP[c] : 255;
    if (v === 255) throw new Error(`invalid base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/** Packs a Float32Array / Int32Array as base64 of its bytes (little-endian on every platform VS Code runs on). */
export function packArray(a: Float32Array | Int32Array): PackedArray {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return { dtype: a instanceof Float32Array ? 'f32' : 'i32', length: a.length, b64: bytesToBase64(bytes) };
}

/** Unpacks a Float32Array; throws when the payload is not f32 or its length disagrees. */
export function unpackF32(p: PackedArray): Float32Array {
  if (p.dtype !== 'f32') throw new Error(`expected f32, got ${p.dtype}`);
  return new Float32Array(checkedBuffer(p));
}

/** Unpacks an Int32Array; throws when the payload is not i32 or its length disagrees. */
export function unpackI32(p: PackedArray): Int32Array {
  if (p.dtype !== 'i32') throw new Error(`expected i32, got ${p.dtype}`);
  return new Int32Array(checkedBuffer(p));
}

function checkedBuffer(p: PackedArray): ArrayBuffer {
  const bytes = base64ToBytes(p.b64);
  if (bytes.byteLength !== p.length * 4) throw new Error(`packed array: ${bytes.byteLength} bytes for ${p.length} elements`);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** Shared message-type lists, handy for tests and exhaustiveness checks. */
export const WEBVIEW_MESSAGE_TYPES: readonly WebviewToHost['type'][] = [
  'ready', 'setProjection', 'setK', 'suggestK', 'cancelAnalysis', 'requestSample', 'decodeLatent', 'interpolate', 'generate', 'corrupt', 'reveal', 'exportEmbeddings', 'savePlot', 'uiState', 'anomalies',
];
export { EXPORT_FORMATS };
export type { EpochRecord, TrainProgress, ExportFormat, InterpolationMode, ProjectionMethod, AnalysisProgress, ClusterMethod };
export { CLUSTER_METHODS };
