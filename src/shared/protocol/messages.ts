/**
 * The messages themselves: two discriminated unions keyed by `type`, {@link HostToWebview} and {@link WebviewToHost},
 * and the payloads they carry. Bulk arrays (codes, projections, errors, assignments, decoded samples) are typed
 * arrays: VS Code's `postMessage` carries their buffers as binary, with no text encoding on either side.
 */
import type {
  AnalysisProgress, AnomalyReport, ClusterMethod, ExplorerInfo, ExportFormat, GenerateMode, GenerateRequest, InterpolationMode, KSuggestion, ProjectionMethod, SampleDetail,
} from '../../core/explorer';
import type { EpochRecord, TrainProgress } from '../../core/training/types';
import type { AnomalyScoreMethod } from '../../core/analysis/anomalyScores';
import type { CorruptionMode } from '../../core/analysis/corruption';
import type { AnomalyEvent } from '../../core/analysis/timeEvents';
import type { MetadataColumn } from '../../core/data/metadata';

export type { AnalysisProgress, AnomalyScoreMethod, ClusterMethod, CorruptionMode, EpochRecord, ExportFormat, GenerateMode, GenerateRequest, InterpolationMode, ProjectionMethod, TrainProgress };

/** `code`: the VQ-VAE codebook entry of each point. */
export type ColorBy = 'cluster' | 'label' | 'error' | 'code';

export type PanelTab = 'point' | 'clusters' | 'interpolate' | 'generate' | 'anomalies' | 'training';
export const PANEL_TABS: readonly PanelTab[] = ['point', 'clusters', 'interpolate', 'generate', 'anomalies', 'training'];

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
  /** Side pane width in CSS pixels, as the user dragged it (absent: the stylesheet's default). */
  sideWidth?: number;
  /** Side pane hidden. */
  sideCollapsed?: boolean;
}

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
 * `columns` truncated to the first `MAX_COLUMNS`.
 */
export type PanelInfo = Pick<ExplorerInfo, 'datasetName' | 'datasetPath' | 'format' | 'kind' | 'n' | 'dim' | 'sampleShape' | 'columns' | 'labelName' | 'backend' | 'modelDir' | 'warnings' | 'classNames' | 'window' | 'featureStats'> & {
  modelKind: string;
  latentDim: number;
  /** CVAE: the condition classes (label values) the decoder accepts. */
  conditionClasses?: string[];
  /** VQ-VAE: number of codebook entries. */
  codebookSize?: number;
  /** The model has a prior to sample from (VAE, CVAE). */
  hasPrior: boolean;
  /** Label values the Anomalies tab counts as anomalies until the user chooses (empty: none). */
  anomalyLabels?: string[];
};

export interface EmbeddingPayload {
  n: number;
  latentDim: number;
  /** `n x latentDim`. */
  latent: Float32Array;
  /** `n` reconstruction errors. */
  errors: Float32Array;
  /** Distinct labels, and per sample the index into them (absent when the dataset has no labels). */
  labelNames?: string[];
  labelCodes?: Int32Array;
  /** VQ-VAE: `n` codebook indices. */
  codes?: Int32Array;
  /** Tables: the non-feature columns per sample, to colour, filter and search by. */
  metadata?: MetadataPayload[];
}

/** One non-feature column of a table: numbers (NaN = missing) or categories with a code per sample (-1 = missing). */
export type MetadataPayload = MetadataColumn;

export interface ProjectionPayload {
  method: ProjectionMethod;
  dims: 2 | 3;
  /** `n x dims`. */
  coords: Float32Array;
  explainedVariance?: number[];
}

export interface ClusterScoresPayload {
  accuracy: number;
  nmi: number;
  ari: number;
  classes: number;
  /** Cluster ids (-1 = noise), class names and `counts[cluster][class]`. */
  confusion: { clusters: number[]; classes: string[]; counts: number[][] };
}

export interface ClustersPayload {
  k: number;
  /** `n` cluster ids (-1 = noise). */
  assignments: Int32Array;
  /** `k x latentDim`. */
  centroids: Float32Array;
  sizes: number[];
  nearest: number[][];
  /** `k x dim`, data units. */
  decodedCentroids: Float32Array;
  inertia: number;
  /** Method used (absent: k-means on the codes). */
  method?: ClusterMethod;
  /** Noise points (assignment -1), DBSCAN / HDBSCAN. */
  noise?: number;
  /** `n`: probability of each point's cluster (GMM posterior, HDBSCAN strength). */
  probabilities?: Float32Array;
  /** Against the dataset's labels. */
  scores?: ClusterScoresPayload;
}

/** Elbow / silhouette scores of k (see `KSuggestion`). */
export type KSuggestionPayload = KSuggestion;

/** Which long computation a progress report or cancel belongs to. */
export type AnalysisTask = 'projection' | 'clusters' | 'kSuggestion';

/** One sample's detail with its source as file and line. */
export type SamplePayload = Omit<SampleDetail, 'ref'> & { file: string; line?: number };

export type TrainingStatus = 'idle' | 'training' | 'done' | 'failed';

/** Why a sample was requested (the inspector or a hover thumbnail). */
export type SamplePurpose = 'inspect' | 'hover';

/** One live frame of the embedding while training (see src/core/analysis/liveEmbedding.ts). */
export interface LiveEmbeddingPayload {
  epoch: number;
  epochs: number;
  stage?: string;
  /** Rows in the whole dataset. */
  total: number;
  /** Dataset row per point. */
  indices: Int32Array;
  /** `points x 2`. */
  coords: Float32Array;
  method: 'none' | 'pca';
  labelNames?: string[];
  /** Index into `labelNames` per point. */
  labelCodes?: Int32Array;
}

/** Anomaly scores of every sample by one method and the model's calibrated threshold. */
export type AnomalyPayload = AnomalyReport & {
  /**
   * Sequence models: the score over time (per source row, the highest score of the windows covering it) and the
   * flagged windows merged into ranked events (src/core/analysis/timeEvents.ts).
   */
  timeline?: { rowScores: Float32Array; events: AnomalyEvent[] };
};

/**
 * Another file scored with the model ("Score with Latent Explorer Model…"), drawn over the training set: its points
 * placed in the current view (src/core/placeCodes.ts) and their anomaly scores against the model's threshold.
 */
export interface ScoredPayload {
  /** The scored file's name. */
  name: string;
  n: number;
  dims: 2 | 3;
  /** `n x dims`, in the view's coordinates. */
  coords: Float32Array;
  /** `n` anomaly scores by `method`; above `threshold` (calibrated on the training data) is anomalous. */
  scores: Float32Array;
  threshold: number;
  method: AnomalyScoreMethod;
}

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
  /** The original rows of `indices` (answer to `requestRows`): `indices.length x dim` values, data units. */
  | { type: 'rows'; requestId: number; indices: number[]; values: Float32Array }
  /** Decoded latent point (answer to `decodeLatent`). */
  | { type: 'decoded'; requestId: number; latent: number[]; values: Float32Array }
  /** Decoded interpolation path (answer to `interpolate`): `steps x dim` values. */
  | { type: 'interpolation'; requestId: number; a: number; b: number; steps: number; mode: InterpolationMode; decoded: Float32Array; latent: Float32Array }
  /** Decoded generated codes (answer to `generate`): `rows x cols` outputs, row-major; `latent` is `rows*cols x latentDim`, `decoded` `rows*cols x dim`. */
  | { type: 'generated'; requestId: number; mode: GenerateMode; rows: number; cols: number; latent: Float32Array; decoded: Float32Array }
  /** A corrupted sample and the model's reconstruction of it (answer to `corrupt`), data units. */
  | { type: 'corrupted'; requestId: number; index: number; mode: CorruptionMode; level: number; corrupted: Float32Array; reconstruction: Float32Array; error: number }
  /** Anomaly scores and threshold (answer to `anomalies`). */
  | { type: 'anomalies'; requestId: number; report: AnomalyPayload }
  /** A save finished. */
  | { type: 'saved'; files: string[] }
  /** Scored data to draw over the training set (after `init`, and again when the view changes); absent: cleared. */
  | { type: 'scored'; scored?: ScoredPayload }
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
  /** Fetch the original rows of samples `indices` in one answer (thumbnails drawn on the zoomed scatter). */
  | { type: 'requestRows'; requestId: number; indices: number[] }
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
  /** Ask for a path and save the region selection as CSV (built by the webview from the data it holds). */
  | { type: 'saveSelection'; csv: string }
  /** Write the selected samples (increasing indices) as a dataset file and train a new model on it. */
  | { type: 'trainOnSelection'; indices: number[] }
  /** The user removed the scored data from the plot (the host stops re-sending it). */
  | { type: 'clearScored' }
  /** UI state changed (the host keeps the latest for re-`init` and the serializer). */
  | { type: 'uiState'; state: UiState }
  /** Anomaly scores by `method` (default: the model's), evaluated against the label values `anomalyLabels` when given. */
  | { type: 'anomalies'; requestId: number; method?: AnomalyScoreMethod; anomalyLabels?: string[] };

/** The webview messages the host answers with one reply carrying the same `requestId` (or an `error` with it). */
export type WebviewRequest = Extract<WebviewToHost, { requestId: number }>;
/** Messages that answer a {@link WebviewRequest}. */
export type HostReply = Extract<HostToWebview, { requestId: number }>;
/** Messages the host pushes on its own (or as the answer to a notification such as `setK`). */
export type HostPush = Exclude<HostToWebview, HostReply>;

/** True for the messages that answer a request (an `error` is a push even when it names one). */
export const isHostReply = (m: HostToWebview): m is HostReply => m.type !== 'error' && 'requestId' in m;

/** The reply type of each request type. */
export const REPLY_TYPE = {
  requestSample: 'sample',
  requestRows: 'rows',
  decodeLatent: 'decoded',
  corrupt: 'corrupted',
  interpolate: 'interpolation',
  generate: 'generated',
  anomalies: 'anomalies',
} as const satisfies Record<WebviewRequest['type'], HostReply['type']>;

/** The reply to request `R`. */
export type ReplyTo<R extends WebviewRequest> = Extract<HostReply, { type: (typeof REPLY_TYPE)[R['type']] }>;

/** Every webview message type, handy for tests and exhaustiveness checks. */
export const WEBVIEW_MESSAGE_TYPES: readonly WebviewToHost['type'][] = [
  'ready', 'setProjection', 'setK', 'suggestK', 'cancelAnalysis', 'requestSample', 'decodeLatent', 'interpolate', 'generate', 'corrupt', 'reveal', 'exportEmbeddings', 'savePlot', 'uiState', 'anomalies', 'saveSelection', 'trainOnSelection', 'requestRows', 'clearScored',
];

/** Every host message type. */
export const HOST_MESSAGE_TYPES: readonly HostToWebview['type'][] = [
  'init', 'trainingProgress', 'trainingEmbedding', 'trainingStatus', 'projection', 'clusters', 'kSuggestion', 'analysisProgress', 'sample', 'decoded', 'interpolation', 'generated', 'corrupted', 'anomalies', 'saved', 'error', 'rows', 'scored',
];
