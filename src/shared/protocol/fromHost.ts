/**
 * Checks of what the host sends, so the webview never trusts a cast: {@link parseHostMessage} returns a
 * {@link HostToWebview} only when every field has the declared kind (typed arrays included) and the bulk arrays'
 * lengths agree with each other. Each payload's checker lists every key of its type (the compiler enforces that),
 * and unknown keys are refused, so a host/webview drift shows up as a dropped message instead of a broken view.
 */
import { CLUSTER_METHODS } from '../../common/clusterMethods';
import { ANOMALY_SCORE_METHODS } from '../../common/anomalyMethods';
import type {
  AnalysisProgress, AnomalyPayload, ClusterScoresPayload, ClustersPayload, EmbeddingPayload, EpochRecord, GenerateMode, HostToWebview, KSuggestionPayload,
  LiveEmbeddingPayload, MetadataPayload, PanelInfo, ProjectionPayload, SamplePayload, ScoredPayload, TrainProgress, TrainingStatus,
} from './messages';
import { HOST_MESSAGE_TYPES } from './messages';
import { hasOnly, isInt, isObj, isOneOf, isString } from './guards';
import { PROJECTIONS, INTERPOLATION_MODES, parseUiState } from './fromWebview';

type Check = (v: unknown) => boolean;
type Guard<T> = (v: unknown) => v is T;

const opt = (c: Check): Check => (v) => v === undefined || c(v);
const num: Check = (v) => typeof v === 'number';
const int = (min = 0): Check => (v) => isInt(v, min, Number.MAX_SAFE_INTEGER);
const bool: Check = (v) => typeof v === 'boolean';
const str: Check = isString;
const lit = (value: string): Check => (v) => v === value;
const oneOf = (values: readonly string[]): Check => (v) => isOneOf(v, values);
const arrayOf = (c: Check): Check => (v) => Array.isArray(v) && v.every(c);
const recordOf = (c: Check): Check => (v) => isObj(v) && Object.values(v).every(c);
const f32: Check = (v) => v instanceof Float32Array;
const i32: Check = (v) => v instanceof Int32Array;
const strings = arrayOf(str);
/** Label value -> display name. */
const isNameMap: Check = (v) => isObj(v) && Object.values(v).every(isString);
const numbers = arrayOf(num);

/** An object with exactly the keys of `fields` (absent optional ones allowed), each passing its check, then `extra`. */
function shape<T>(fields: { readonly [K in keyof T]-?: Check }, extra?: (v: T) => boolean): Guard<T> {
  const checks = Object.entries<Check>(fields);
  const keys = checks.map(([k]) => k);
  return (v: unknown): v is T => isObj(v) && hasOnly(v, keys) && checks.every(([k, c]) => c(v[k])) && (extra === undefined || extra(v as T));
}

const DATASET_FORMATS: readonly PanelInfo['format'][] = ['csv', 'tsv', 'json', 'jsonl', 'npy', 'npz', 'idx', 'images', 'parquet', 'arrow', 'sample'];
const DATASET_KINDS: readonly PanelInfo['kind'][] = ['table', 'image', 'sequence'];
const STATUSES: readonly TrainingStatus[] = ['idle', 'training', 'done', 'failed'];
const STAGES: readonly AnalysisProgress['stage'][] = ['knn', 'graph', 'layout', 'cluster'];
const GENERATE_MODES: readonly GenerateMode[] = ['grid', 'traversal', 'prior'];

const isPanelInfo = shape<PanelInfo>({
  datasetName: str, datasetPath: str, format: oneOf(DATASET_FORMATS), kind: oneOf(DATASET_KINDS), n: int(), dim: int(1), sampleShape: arrayOf(int(1)),
  columns: strings, labelName: opt(str), backend: str, modelDir: opt(str), warnings: opt(strings), modelKind: str, latentDim: int(1),
  conditionClasses: opt(strings), codebookSize: opt(int(1)), hasPrior: bool, anomalyLabels: opt(strings), classNames: opt(isNameMap),
  window: opt(shape<NonNullable<PanelInfo['window']>>({ length: int(1), stride: int(1) })),
  featureStats: opt(shape<NonNullable<PanelInfo['featureStats']>>({ mean: numbers, std: numbers }, (f) => f.mean.length === f.std.length)),
}, (i) => i.featureStats === undefined || i.featureStats.mean.length === i.dim);

const META_ROLES: readonly MetadataPayload['role'][] = ['id', 'time', 'ignored', 'dropped'];
type NumberColumn = Extract<MetadataPayload, { kind: 'number' }>;
type CategoryColumn = Extract<MetadataPayload, { kind: 'category' }>;
const isNumberColumn = shape<NumberColumn>({ name: str, role: oneOf(META_ROLES), kind: lit('number'), values: f32 });
const isCategoryColumn = shape<CategoryColumn>(
  { name: str, role: oneOf(META_ROLES), kind: lit('category'), categories: strings, codes: i32 },
  (c) => c.codes.every((code) => code >= -1 && code < c.categories.length),
);
const isMetadata = (v: unknown): v is MetadataPayload => isNumberColumn(v) || isCategoryColumn(v);
const metadataLength = (c: MetadataPayload): number => (c.kind === 'number' ? c.values.length : c.codes.length);

const isEmbedding = shape<EmbeddingPayload>(
  { n: int(), latentDim: int(1), latent: f32, errors: f32, labelNames: opt(strings), labelCodes: opt(i32), codes: opt(i32), metadata: opt(arrayOf(isMetadata)) },
  (e) => e.latent.length === e.n * e.latentDim && e.errors.length === e.n && (e.labelNames === undefined) === (e.labelCodes === undefined)
    && (e.labelCodes === undefined || e.labelCodes.length === e.n) && (e.codes === undefined || e.codes.length === e.n)
    && (e.metadata === undefined || e.metadata.every((c) => metadataLength(c) === e.n)),
);

const isProjection = shape<ProjectionPayload>(
  { method: oneOf(PROJECTIONS), dims: (v) => v === 2 || v === 3, coords: f32, explainedVariance: opt(numbers) },
  (p) => p.coords.length % p.dims === 0,
);

const isScores = shape<ClusterScoresPayload>({
  accuracy: num, nmi: num, ari: num, classes: int(),
  confusion: shape<ClusterScoresPayload['confusion']>({ clusters: numbers, classes: strings, counts: arrayOf(numbers) }),
});

const isClusters = shape<ClustersPayload>(
  {
    k: int(), assignments: i32, centroids: f32, sizes: numbers, nearest: arrayOf(numbers), decodedCentroids: f32, inertia: num,
    method: opt(oneOf(CLUSTER_METHODS)), noise: opt(int()), probabilities: opt(f32), scores: opt(isScores),
  },
  (c) => c.sizes.length === c.k && c.nearest.length === c.k && (c.probabilities === undefined || c.probabilities.length === c.assignments.length),
);

const isKSuggestion = shape<KSuggestionPayload>({ ks: numbers, inertias: numbers, silhouettes: numbers, best: int(), elbow: opt(int()), space: opt(oneOf(['latent', 'umap'])) });

const isLive = shape<LiveEmbeddingPayload>(
  { epoch: int(), epochs: int(), stage: opt(str), total: int(), indices: i32, coords: f32, method: oneOf(['none', 'pca']), labelNames: opt(strings), labelCodes: opt(i32) },
  (f) => f.coords.length === 2 * f.indices.length && (f.labelCodes === undefined || f.labelCodes.length === f.indices.length),
);

const isEpochRecord = shape<EpochRecord>({ epoch: int(), loss: num, valLoss: opt(num), parts: recordOf(num), seconds: num, stage: opt(str) });

const isProgress = shape<TrainProgress>({
  phase: oneOf(['batch', 'epoch']), epoch: int(), epochs: int(), batch: int(), batches: int(), loss: num, parts: recordOf(num), valLoss: opt(num),
  samplesPerSec: num, stage: opt(str), stageEpoch: opt(int()), stageEpochs: opt(int()),
});

const isAnalysisProgress = shape<AnalysisProgress>({ stage: oneOf(STAGES), done: num, total: num });

const isSample = shape<SamplePayload>({ index: int(), original: f32, reconstruction: f32, error: num, latent: f32, label: opt(str), file: str, line: opt(int()) });

type Evaluation = NonNullable<AnomalyPayload['evaluation']>;
const isEvaluation = shape<Evaluation>({
  anomalyLabels: strings, positives: int(), negatives: int(), truePositives: int(), falsePositives: int(), precision: num, recall: num, falsePositiveRate: num,
  auroc: num, roc: shape<Evaluation['roc']>({ fpr: numbers, tpr: numbers }),
});

const isAnomalyReport = shape<AnomalyPayload>({
  method: oneOf(ANOMALY_SCORE_METHODS), methods: arrayOf(oneOf(ANOMALY_SCORE_METHODS)), defaultMethod: oneOf(ANOMALY_SCORE_METHODS), scores: f32, threshold: num,
  targetFpr: num, expectedFpr: num, calibrationRows: int(), heldOut: bool, flagged: int(), evaluation: opt(isEvaluation),
  timeline: opt(shape<NonNullable<AnomalyPayload['timeline']>>({
    rowScores: f32,
    events: arrayOf(shape<NonNullable<AnomalyPayload['timeline']>['events'][number]>({
      rank: int(1), startRow: int(), endRow: int(), firstWindow: int(), lastWindow: int(), windows: int(1), peakWindow: int(), score: num,
    })),
  })),
});

const isScored = shape<ScoredPayload>(
  { name: str, n: int(), dims: (v) => v === 2 || v === 3, coords: f32, scores: f32, threshold: num, method: oneOf(ANOMALY_SCORE_METHODS) },
  (s) => s.coords.length === s.n * s.dims && s.scores.length === s.n,
);

type Message<K extends HostToWebview['type']> = Extract<HostToWebview, { type: K }>;
const requestId = int();

const MESSAGES: { readonly [K in HostToWebview['type']]: Guard<Message<K>> } = {
  init: shape<Message<'init'>>({
    type: lit('init'), info: opt(isPanelInfo), embedding: opt(isEmbedding), projection: opt(isProjection), clusters: opt(isClusters), kSuggestion: opt(isKSuggestion),
    history: arrayOf(isEpochRecord), training: oneOf(STATUSES), uiState: (v) => parseUiState(v) !== undefined, live: opt(isLive),
  }, (m) => m.info === undefined || m.embedding === undefined || m.info.latentDim === m.embedding.latentDim),
  trainingProgress: shape<Message<'trainingProgress'>>({ type: lit('trainingProgress'), progress: isProgress }),
  trainingEmbedding: shape<Message<'trainingEmbedding'>>({ type: lit('trainingEmbedding'), embedding: isLive }),
  trainingStatus: shape<Message<'trainingStatus'>>({ type: lit('trainingStatus'), status: oneOf(STATUSES), message: opt(str) }),
  projection: shape<Message<'projection'>>({ type: lit('projection'), projection: isProjection }),
  clusters: shape<Message<'clusters'>>({ type: lit('clusters'), clusters: isClusters }),
  kSuggestion: shape<Message<'kSuggestion'>>({ type: lit('kSuggestion'), suggestion: isKSuggestion }),
  analysisProgress: shape<Message<'analysisProgress'>>({ type: lit('analysisProgress'), task: oneOf(['projection', 'clusters', 'kSuggestion']), progress: opt(isAnalysisProgress) }),
  sample: shape<Message<'sample'>>({ type: lit('sample'), requestId, purpose: oneOf(['inspect', 'hover']), sample: isSample }),
  rows: shape<Message<'rows'>>(
    { type: lit('rows'), requestId, indices: arrayOf(int()), values: f32 },
    (m) => m.indices.length > 0 && m.values.length % m.indices.length === 0,
  ),
  decoded: shape<Message<'decoded'>>({ type: lit('decoded'), requestId, latent: numbers, values: f32 }),
  interpolation: shape<Message<'interpolation'>>(
    { type: lit('interpolation'), requestId, a: int(), b: int(), steps: int(2), mode: oneOf(INTERPOLATION_MODES), decoded: f32, latent: f32 },
    (m) => m.decoded.length % m.steps === 0 && m.latent.length % m.steps === 0,
  ),
  generated: shape<Message<'generated'>>(
    { type: lit('generated'), requestId, mode: oneOf(GENERATE_MODES), rows: int(1), cols: int(1), latent: f32, decoded: f32 },
    (m) => m.decoded.length % (m.rows * m.cols) === 0 && m.latent.length % (m.rows * m.cols) === 0,
  ),
  corrupted: shape<Message<'corrupted'>>({ type: lit('corrupted'), requestId, index: int(), mode: oneOf(['noise', 'mask']), level: num, corrupted: f32, reconstruction: f32, error: num }),
  anomalies: shape<Message<'anomalies'>>({ type: lit('anomalies'), requestId, report: isAnomalyReport }),
  scored: shape<Message<'scored'>>({ type: lit('scored'), scored: opt(isScored) }),
  saved: shape<Message<'saved'>>({ type: lit('saved'), files: strings }),
  error: shape<Message<'error'>>({ type: lit('error'), message: str, requestId: opt(requestId) }),
};

/** The message if `raw` is a well-formed {@link HostToWebview}, else `undefined`. */
export function parseHostMessage(raw: unknown): HostToWebview | undefined {
  if (!isObj(raw) || !isOneOf(raw.type, HOST_MESSAGE_TYPES)) return undefined;
  const check: Guard<HostToWebview> = MESSAGES[raw.type];
  return check(raw) ? raw : undefined;
}
