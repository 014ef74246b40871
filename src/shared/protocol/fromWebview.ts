/**
 * Validation of what the webview sends. The webview is untrusted input: the host passes everything it receives
 * through {@link parseWebviewMessage}, which rejects unknown types, extra keys, wrong field types, out-of-range
 * indices and oversized payloads, and returns a fresh copy holding only the known fields.
 */
import { CLUSTER_METHODS } from '../../common/clusterMethods';
import { ANOMALY_SCORE_METHODS } from '../../common/anomalyMethods';
import type { ColorBy, CorruptionMode, InterpolationMode, ProjectionMethod, SamplePurpose, UiState, WebviewToHost } from './messages';
import { PANEL_TABS } from './messages';
import type { Obj } from './guards';
import { hasOnly, isInt, isNum, isObj, isOneOf } from './guards';
import {
  MAX_ANOMALY_LABELS, MAX_DATA_URL, MAX_GEN_COUNT, MAX_GEN_GRID, MAX_GEN_SPAN, MAX_GEN_STEPS, MAX_K, MAX_LABEL_LENGTH, MAX_LATENT_DIM, MAX_PATH, MAX_POINTS, MAX_ROWS_REQUEST,
  MAX_REQUEST_ID, MAX_SEED, MAX_SELECTION, MAX_STEPS, MIN_GEN_STEPS, MIN_STEPS,
} from './limits';

/** What the host knows about the current model, to range-check indices and vector lengths. */
export interface ValidationLimits {
  /** Number of samples: indices must be below it. */
  n?: number;
  /** Latent width: decode vectors must have exactly this length. */
  latentDim?: number;
  /** CVAE condition classes: a `condition` must be one of them (and is refused when absent). */
  conditions?: readonly string[];
}

export const PROJECTIONS: readonly ProjectionMethod[] = ['none', 'pca', 'umap'];
export const INTERPOLATION_MODES: readonly InterpolationMode[] = ['linear', 'spherical'];
import { EXPORT_FORMATS } from '../../common/exportFormats';

export { EXPORT_FORMATS };
const COLOR_BY: readonly ColorBy[] = ['cluster', 'label', 'error', 'code'];
const PURPOSES: readonly SamplePurpose[] = ['inspect', 'hover'];
const CORRUPTIONS: readonly CorruptionMode[] = ['noise', 'mask'];

const isCondition = (v: unknown, limits: ValidationLimits): boolean => v === undefined || (typeof v === 'string' && (limits.conditions ?? []).includes(v));
const withCondition = (v: unknown): { condition?: string } => (typeof v === 'string' ? { condition: v } : {});
const isIndex = (v: unknown, limits: ValidationLimits): v is number => isInt(v, 0, (limits.n ?? MAX_POINTS) - 1);
const isRequestId = (v: unknown): v is number => isInt(v, 0, MAX_REQUEST_ID);

/** Widest side pane a saved state may ask for (CSS pixels; wider than any screen). */
const MAX_SIDE_WIDTH = 10_000;

/** Validates a UI state object strictly (every field present and in range). */
export function parseUiState(raw: unknown, limits: ValidationLimits = {}): UiState | undefined {
  if (!isObj(raw)) return undefined;
  const keys = ['modelDir', 'colorBy', 'k', 'projection', 'dims', 'selection', 'errorQuantile', 'filterAnomalies', 'interpolationMode', 'interpolationSteps', 'tab', 'clusterMethod', 'sideWidth', 'sideCollapsed'];
  if (!hasOnly(raw, keys)) return undefined;
  const { modelDir, colorBy, k, projection, dims, selection, errorQuantile, filterAnomalies, interpolationMode, interpolationSteps, tab, clusterMethod, sideWidth, sideCollapsed } = raw;
  if (clusterMethod !== undefined && !isOneOf(clusterMethod, CLUSTER_METHODS)) return undefined;
  if (modelDir !== undefined && (typeof modelDir !== 'string' || modelDir.length > MAX_PATH)) return undefined;
  if (!isOneOf(colorBy, COLOR_BY) || !isInt(k, 0, MAX_K) || !isOneOf(projection, PROJECTIONS) || (dims !== 2 && dims !== 3)) return undefined;
  if (!Array.isArray(selection) || selection.length > MAX_SELECTION || !selection.every((i) => isIndex(i, limits))) return undefined;
  if (!isNum(errorQuantile, 0, 1) || typeof filterAnomalies !== 'boolean' || !isOneOf(interpolationMode, INTERPOLATION_MODES)) return undefined;
  if (!isInt(interpolationSteps, MIN_STEPS, MAX_STEPS) || !isOneOf(tab, PANEL_TABS)) return undefined;
  if ((sideWidth !== undefined && !isNum(sideWidth, 0, MAX_SIDE_WIDTH)) || (sideCollapsed !== undefined && typeof sideCollapsed !== 'boolean')) return undefined;
  return {
    ...(modelDir !== undefined ? { modelDir } : {}),
    colorBy, k, projection, dims, selection: [...selection], errorQuantile, filterAnomalies, interpolationMode, interpolationSteps, tab,
    ...(clusterMethod !== undefined ? { clusterMethod } : {}),
    ...(sideWidth !== undefined ? { sideWidth } : {}),
    ...(sideCollapsed !== undefined ? { sideCollapsed } : {}),
  };
}

/**
 * Returns the message if `raw` is a well-formed {@link WebviewToHost}, else `undefined`. Extra keys, unknown types,
 * non-integer or out-of-range indices, non-finite numbers and oversized arrays/strings are all rejected.
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
    case 'clearScored':
      return hasOnly(m, ['type']) ? { type: 'clearScored' } : undefined;
    case 'requestSample':
      if (!hasOnly(m, ['type', 'requestId', 'index', 'purpose']) || !isRequestId(m.requestId) || !isIndex(m.index, limits) || !isOneOf(m.purpose, PURPOSES)) return undefined;
      return { type: 'requestSample', requestId: m.requestId, index: m.index, purpose: m.purpose };
    case 'requestRows': {
      if (!hasOnly(m, ['type', 'requestId', 'indices']) || !isRequestId(m.requestId) || !Array.isArray(m.indices)) return undefined;
      const indices: unknown[] = m.indices;
      if (indices.length === 0 || indices.length > MAX_ROWS_REQUEST || !indices.every((v) => isIndex(v, limits))) return undefined;
      return { type: 'requestRows', requestId: m.requestId, indices: [...indices] };
    }
    case 'decodeLatent': {
      if (!hasOnly(m, ['type', 'requestId', 'latent', 'condition']) || !isRequestId(m.requestId) || !Array.isArray(m.latent)) return undefined;
      const latent: unknown[] = m.latent;
      if (latent.length === 0 || latent.length > MAX_LATENT_DIM || (limits.latentDim !== undefined && latent.length !== limits.latentDim)) return undefined;
      if (!latent.every((v) => isNum(v, -1e6, 1e6)) || !isCondition(m.condition, limits)) return undefined;
      return { type: 'decodeLatent', requestId: m.requestId, latent: [...latent], ...withCondition(m.condition) };
    }
    case 'corrupt':
      if (!hasOnly(m, ['type', 'requestId', 'index', 'mode', 'level', 'seed']) || !isRequestId(m.requestId)) return undefined;
      if (!isIndex(m.index, limits) || !isOneOf(m.mode, CORRUPTIONS) || !isNum(m.level, 0, 1) || !isInt(m.seed, 0, MAX_SEED)) return undefined;
      return { type: 'corrupt', requestId: m.requestId, index: m.index, mode: m.mode, level: m.level, seed: m.seed };
    case 'interpolate':
      if (!hasOnly(m, ['type', 'requestId', 'a', 'b', 'steps', 'mode']) || !isRequestId(m.requestId)) return undefined;
      if (!isIndex(m.a, limits) || !isIndex(m.b, limits) || !isInt(m.steps, MIN_STEPS, MAX_STEPS) || !isOneOf(m.mode, INTERPOLATION_MODES)) return undefined;
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
    case 'saveSelection':
      if (!hasOnly(m, ['type', 'csv']) || typeof m.csv !== 'string' || m.csv.length === 0 || m.csv.length > MAX_DATA_URL) return undefined;
      return { type: 'saveSelection', csv: m.csv };
    case 'trainOnSelection': {
      if (!hasOnly(m, ['type', 'indices']) || !Array.isArray(m.indices)) return undefined;
      const indices: unknown[] = m.indices;
      if (indices.length < 2 || indices.length > (limits.n ?? MAX_POINTS)) return undefined;
      if (!indices.every((v, k) => isIndex(v, limits) && (k === 0 || v > (indices[k - 1] as number)))) return undefined;
      return { type: 'trainOnSelection', indices: indices as number[] };
    }
    case 'anomalies': {
      if (!hasOnly(m, ['type', 'requestId', 'method', 'anomalyLabels']) || !isRequestId(m.requestId)) return undefined;
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
  if (!isRequestId(m.requestId)) return undefined;
  const requestId = m.requestId;
  const maxDim = Math.min(limits.latentDim ?? MAX_LATENT_DIM, MAX_LATENT_DIM) - 1;
  const isSpan = (v: unknown): v is number => isNum(v, 0, MAX_GEN_SPAN) && v > 0;
  const isSteps = (v: unknown): v is number => isInt(v, MIN_GEN_STEPS, MAX_GEN_STEPS);
  if (m.base !== undefined && !isIndex(m.base, limits)) return undefined;
  if (!isCondition(m.condition, limits)) return undefined;
  if (m.unit !== undefined && m.unit !== 'std') return undefined;
  const base = { ...(m.base === undefined ? {} : { base: m.base }), ...withCondition(m.condition), ...(m.unit === 'std' ? { unit: 'std' as const } : {}) };
  switch (m.mode) {
    case 'grid':
      if (!hasOnly(m, ['type', 'requestId', 'mode', 'dimX', 'dimY', 'span', 'steps', 'base', 'condition', 'unit'])) return undefined;
      if (!isInt(m.dimX, 0, maxDim) || !isInt(m.dimY, 0, maxDim) || m.dimX === m.dimY || !isSpan(m.span) || !isSteps(m.steps)) return undefined;
      if (m.steps * m.steps > MAX_GEN_GRID) return undefined;
      return { type: 'generate', requestId, mode: 'grid', dimX: m.dimX, dimY: m.dimY, span: m.span, steps: m.steps, ...base };
    case 'traversal':
      if (!hasOnly(m, ['type', 'requestId', 'mode', 'dim', 'span', 'steps', 'base', 'condition', 'unit'])) return undefined;
      if (!isInt(m.dim, 0, maxDim) || !isSpan(m.span) || !isSteps(m.steps)) return undefined;
      return { type: 'generate', requestId, mode: 'traversal', dim: m.dim, span: m.span, steps: m.steps, ...base };
    case 'prior':
      if (!hasOnly(m, ['type', 'requestId', 'mode', 'count', 'seed', 'condition']) || m.unit !== undefined || !isInt(m.count, 1, MAX_GEN_COUNT) || !isInt(m.seed, 0, MAX_SEED)) return undefined;
      return { type: 'generate', requestId, mode: 'prior', count: m.count, seed: m.seed, ...withCondition(m.condition) };
    default:
      return undefined;
  }
}
