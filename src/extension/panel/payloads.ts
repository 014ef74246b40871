/**
 * Explorer results as the panel's protocol payloads. Bulk arrays go as typed arrays (VS Code's `postMessage`
 * carries their buffers as binary); an array that is a view into a larger buffer is copied first, because the whole
 * underlying buffer would travel otherwise.
 */
import type { AnomalyReport, ClusterResult, EmbeddingResult, ExplorerInfo, KSuggestion, ProjectionResult, SampleDetail } from '../../core/explorer';
import type { EpochEmbedding } from '../../worker/protocol';
import { encodeLabelPayload } from '../../common/labelCodes';
import { hasPrior } from '../../core/analysis/generate';
import { mergeAnomalousWindows, rowScoreSeries } from '../../core/analysis/timeEvents';
import type { WindowSpec } from '../../core/data/dataset';
import { MAX_COLUMNS } from '../../shared/protocol';
import type {
  AnomalyPayload, ClustersPayload, EmbeddingPayload, KSuggestionPayload, LiveEmbeddingPayload, PanelInfo, ProjectionPayload, SamplePayload,
} from '../../shared/protocol';

/** Ranked events sent to the panel at most (the strongest). */
export const MAX_EVENTS = 200;

/** `a` itself when it spans its whole buffer, else a compact copy. */
export function own(a: Float32Array): Float32Array;
export function own(a: Int32Array): Int32Array;
export function own(a: Float32Array | Int32Array): Float32Array | Int32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer ? a : a.slice();
}

export function toPanelInfo(info: ExplorerInfo): PanelInfo {
  return {
    datasetName: info.datasetName, datasetPath: info.datasetPath, format: info.format, kind: info.kind, n: info.n, dim: info.dim,
    sampleShape: [...info.sampleShape], columns: info.columns.slice(0, MAX_COLUMNS),
    ...(info.labelName !== undefined ? { labelName: info.labelName } : {}),
    modelKind: info.model.kind, latentDim: info.model.latentDim, hasPrior: hasPrior(info.model.kind), backend: info.backend,
    ...(info.model.conditionClasses?.length ? { conditionClasses: [...info.model.conditionClasses] } : {}),
    ...(info.model.kind === 'vqvae' && info.model.codebookSize ? { codebookSize: info.model.codebookSize } : {}),
    ...(info.modelDir !== undefined ? { modelDir: info.modelDir } : {}),
    ...(info.window ? { window: { length: info.window.length, stride: info.window.stride } } : {}),
    ...(info.featureStats && info.featureStats.mean.length <= MAX_COLUMNS ? { featureStats: { mean: [...info.featureStats.mean], std: [...info.featureStats.std] } } : {}),
    ...(info.warnings && info.warnings.length > 0 ? { warnings: info.warnings.slice(0, 50) } : {}),
    ...(info.classNames && Object.keys(info.classNames).length > 0 ? { classNames: { ...info.classNames } } : {}),
  };
}

/** Codes and errors, labels as a dictionary plus one code per sample, VQ-VAE codebook indices. */
export function toEmbeddingPayload(e: EmbeddingResult): EmbeddingPayload {
  return {
    n: e.n, latentDim: e.latentDim, latent: own(e.latent), errors: own(e.errors),
    ...(e.labels ? encodeLabelPayload(e.labels) : {}),
    ...(e.codes ? { codes: own(e.codes) } : {}),
    ...(e.metadata ? { metadata: e.metadata.map((c) => (c.kind === 'number' ? { ...c, values: own(c.values) } : { ...c, categories: [...c.categories], codes: own(c.codes) })) } : {}),
  };
}

export function toProjectionPayload(p: ProjectionResult): ProjectionPayload {
  return { method: p.method, dims: p.dims, coords: own(p.coords), ...(p.explainedVariance ? { explainedVariance: p.explainedVariance } : {}) };
}

export function toLivePayload(e: EpochEmbedding): LiveEmbeddingPayload {
  return {
    epoch: e.epoch, epochs: e.epochs, total: e.total, method: e.method, indices: own(e.indices), coords: own(e.coords),
    ...(e.stage !== undefined ? { stage: e.stage } : {}),
    ...(e.labelNames && e.labelCodes ? { labelNames: e.labelNames, labelCodes: own(e.labelCodes) } : {}),
  };
}

export function toClustersPayload(c: ClusterResult): ClustersPayload {
  return {
    k: c.k, assignments: own(c.assignments), centroids: own(c.centroids), sizes: [...c.sizes],
    nearest: c.nearest.map((m) => m.slice(0, 20)), decodedCentroids: own(c.decodedCentroids), inertia: c.inertia,
    ...(c.method ? { method: c.method } : {}),
    ...(c.noise ? { noise: c.noise } : {}),
    ...(c.probabilities ? { probabilities: own(c.probabilities) } : {}),
    ...(c.scores ? { scores: { accuracy: c.scores.accuracy, nmi: c.scores.nmi, ari: c.scores.ari, classes: c.scores.classes, confusion: c.scores.confusion } } : {}),
  };
}

/** The report; with the sliding `window` of a sequence model, also its score over time and merged events. */
export function toAnomalyPayload(r: AnomalyReport, window?: WindowSpec): AnomalyPayload {
  const scores = own(r.scores);
  if (!window) return { ...r, scores };
  return { ...r, scores, timeline: { rowScores: rowScoreSeries(scores, window), events: mergeAnomalousWindows(scores, r.threshold, window).slice(0, MAX_EVENTS) } };
}

export function toKPayload(s: KSuggestion): KSuggestionPayload {
  return {
    ks: s.ks, inertias: s.inertias, silhouettes: s.silhouettes, best: s.best,
    ...(s.elbow !== undefined ? { elbow: s.elbow } : {}), ...(s.space ? { space: s.space } : {}),
  };
}

export function toSamplePayload(s: SampleDetail): SamplePayload {
  return {
    index: s.index, original: own(s.original), reconstruction: own(s.reconstruction), error: s.error, latent: own(s.latent),
    ...(s.label !== undefined ? { label: s.label } : {}), file: s.ref.file, ...(s.ref.line !== undefined ? { line: s.ref.line } : {}),
  };
}
