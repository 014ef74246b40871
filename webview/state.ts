/**
 * Everything the panel knows, as one value, and the pure reducer that moves it on: host pushes (init, progress,
 * projections, clusters, ...) and user choices. No DOM here; the bootstrap renders what changed.
 */
import { DEFAULT_UI_STATE, parseUiState } from '../src/shared/protocol';
import type {
  AnalysisProgress, AnalysisTask, AnomalyPayload, AnomalyScoreMethod, ClustersPayload, CorruptionMode, EmbeddingPayload, EpochRecord, GenerateMode, HostPush,
  KSuggestionPayload, LiveEmbeddingPayload, PanelInfo, ProjectionPayload, ScoredPayload, TrainProgress, TrainingStatus, UiState,
} from '../src/shared/protocol';

/** Keep points whose value is one of `values` (categorical), or within [min, max] (numeric; a missing bound is open). */
export type ColumnFilter = { column: string; values: string[] } | { column: string; min?: number; max?: number };

/** Colour, filter and search by column (./metadata.ts): a colouring column, a filter and a search text. */
export interface MetaChoice {
  colorColumn?: string;
  filter?: ColumnFilter;
  search: string;
}

export const EMPTY_META: MetaChoice = { search: '' };

/** The loaded model's data as the host sent it. */
export interface ModelView {
  info: PanelInfo;
  embedding: EmbeddingPayload;
  projection: ProjectionPayload;
  clusters?: ClustersPayload;
}

/** The Anomalies tab: the chosen score and anomaly labels, and the host's latest answer. */
export interface AnomalyState {
  /** Undefined = the model's default score. */
  method?: AnomalyScoreMethod;
  /** Label values counted as anomalies (empty = none). */
  labels: string[];
  report?: AnomalyPayload;
  /** Key of the request in flight (method + labels), so one is not sent twice. */
  pending?: string;
}

/** The Generate tab's form. */
export interface GenerateForm {
  mode: GenerateMode;
  dimX: number;
  dimY: number;
  gridSpan: number;
  gridSteps: number;
  dim: number;
  span: number;
  steps: number;
  count: number;
  seed: number;
  /** Centre on the selected sample instead of the mean code. */
  useSelection: boolean;
  /** Spans in standard deviations of each latent dimension (else raw latent units). */
  stdUnits: boolean;
  /** CVAE: the class every generated / clicked latent point is decoded as. */
  condition?: string;
}

export const DEFAULT_GENERATE_FORM: GenerateForm = { mode: 'grid', dimX: 0, dimY: 1, gridSpan: 2, gridSteps: 8, dim: 0, span: 3, steps: 7, count: 16, seed: 0, useSelection: false, stdUnits: true };

/** The denoising / occlusion demo of the Point tab. */
export interface CorruptionForm {
  mode: CorruptionMode;
  /** Patch area / masked fraction, or noise std. */
  level: number;
  /** Bumped on every run, so each run damages differently. */
  seed: number;
}

export interface PanelState {
  ui: UiState;
  model?: ModelView;
  history: EpochRecord[];
  training: TrainingStatus;
  /** The latest training progress event. */
  progress?: TrainProgress;
  kSuggestion?: KSuggestionPayload;
  /** The long computation running in the host (UMAP, clustering, k curve). */
  analysis?: { task: AnalysisTask; progress: AnalysisProgress };
  /** The latest live frame while a training runs: the scatter shows it instead of the model's embedding. */
  live?: LiveEmbeddingPayload;
  anomaly: AnomalyState;
  /** Cluster drawn in full while the others fade. */
  emphasis?: number;
  generate: GenerateForm;
  corruption: CorruptionForm;
  /** Another file scored with the model, drawn over the training set. */
  scored?: ScoredPayload;
  /** Colour, filter and search by a label or metadata column. */
  meta: MetaChoice;
}

export type PanelAction =
  | { type: 'host'; message: HostPush }
  | { type: 'ui'; patch: Partial<UiState> }
  /** A point clicked: it becomes A (or B with `extend`, keeping A). */
  | { type: 'pick'; index: number; extend: boolean }
  | { type: 'toggleEmphasis'; cluster: number }
  | { type: 'anomalyChoice'; method?: AnomalyScoreMethod; labels?: string[] }
  | { type: 'anomalyRequested'; key: string }
  | { type: 'anomalyReport'; report: AnomalyPayload }
  | { type: 'anomalyFailed' }
  | { type: 'generateForm'; patch: Partial<GenerateForm> }
  | { type: 'corruptionForm'; patch: Partial<CorruptionForm> }
  /** The user removed the scored data from the plot. */
  | { type: 'clearScored' }
  /** Colour / filter / search by column changed. */
  | { type: 'meta'; meta: MetaChoice };

/** The state of a fresh webview; `saved` is what `vscode.getState()` returned (checked, ignored when malformed). */
export function initialState(saved: unknown): PanelState {
  return {
    ui: { ...DEFAULT_UI_STATE, ...(parseUiState(saved) ?? {}) },
    history: [],
    training: 'idle',
    anomaly: { labels: [] },
    generate: { ...DEFAULT_GENERATE_FORM },
    corruption: { mode: 'mask', level: 0.25, seed: 0 },
    meta: EMPTY_META,
  };
}

/** Selection after clicking point `i`: A and B, newest first, or B replaced when `extend` (shift-click). */
export function selectionAfterPick(selection: readonly number[], i: number, extend: boolean): number[] {
  if (extend && selection.length > 0) return [selection[0], i];
  return [i, ...selection.filter((s) => s !== i)].slice(0, 2);
}

export function reduce(state: PanelState, action: PanelAction): PanelState {
  switch (action.type) {
    case 'host':
      return reduceHost(state, action.message);
    case 'ui':
      return { ...state, ui: { ...state.ui, ...action.patch } };
    case 'pick':
      return { ...state, ui: { ...state.ui, selection: selectionAfterPick(state.ui.selection, action.index, action.extend) } };
    case 'toggleEmphasis': {
      const { emphasis: _drop, ...rest } = state;
      return state.emphasis === action.cluster ? rest : { ...rest, emphasis: action.cluster };
    }
    case 'anomalyChoice':
      return { ...state, anomaly: { ...state.anomaly, ...(action.method !== undefined ? { method: action.method } : {}), ...(action.labels !== undefined ? { labels: action.labels } : {}) } };
    case 'anomalyRequested':
      return { ...state, anomaly: { ...state.anomaly, pending: action.key } };
    case 'anomalyReport': {
      const { pending: _done, ...anomaly } = state.anomaly;
      return { ...state, anomaly: { ...anomaly, report: action.report, method: anomaly.method ?? action.report.method } };
    }
    case 'anomalyFailed': {
      const { pending: _done, ...anomaly } = state.anomaly;
      return { ...state, anomaly };
    }
    case 'generateForm':
      return { ...state, generate: { ...state.generate, ...action.patch } };
    case 'corruptionForm':
      return { ...state, corruption: { ...state.corruption, ...action.patch } };
    case 'clearScored':
      return withoutScored(state);
    case 'meta':
      return { ...state, meta: action.meta };
  }
}

function withoutScored(state: PanelState): PanelState {
  const { scored: _cleared, ...rest } = state;
  return rest;
}

function reduceHost(state: PanelState, m: HostPush): PanelState {
  switch (m.type) {
    case 'init':
      return reduceInit(state, m);
    case 'trainingEmbedding':
      return { ...state, training: 'training', live: m.embedding };
    case 'trainingProgress': {
      const p = m.progress;
      let history = state.history;
      if (p.phase === 'epoch') {
        // A new run starts at epoch 1: the old curve goes.
        history = history.filter((r) => p.epoch !== 1 && r.epoch !== p.epoch);
        history.push({ epoch: p.epoch, loss: p.loss, parts: p.parts, seconds: 0, ...(p.valLoss !== undefined ? { valLoss: p.valLoss } : {}), ...(p.stage ? { stage: p.stage } : {}) });
      }
      return { ...state, training: 'training', progress: p, history };
    }
    case 'trainingStatus': {
      const { live: _ended, ...rest } = state;
      return m.status === 'training' ? { ...state, training: m.status } : { ...rest, training: m.status };
    }
    case 'projection': {
      if (!state.model || state.live) return state;
      // Scored points were placed in the old view; the host sends them again placed in the new one.
      const { scored: _placedInOldView, ...rest } = state;
      return { ...rest, model: { ...state.model, projection: m.projection } };
    }
    case 'clusters':
      return withClusters(state, m.clusters);
    case 'kSuggestion':
      return { ...state, kSuggestion: m.suggestion };
    case 'analysisProgress': {
      const { analysis: _ended, ...rest } = state;
      return m.progress ? { ...state, analysis: { task: m.task, progress: m.progress } } : rest;
    }
    case 'scored':
      return m.scored ? { ...state, scored: m.scored } : withoutScored(state);
    case 'saved':
    case 'error':
      return state;
  }
}

/** New clusters: the emphasis goes, and k follows (density methods find their own). */
function withClusters(state: PanelState, clusters: ClustersPayload): PanelState {
  if (!state.model) return state;
  const { emphasis: _reset, ...rest } = state;
  return { ...rest, model: { ...state.model, clusters }, ui: state.ui.k === clusters.k ? state.ui : { ...state.ui, k: clusters.k } };
}

/** Whether `info` describes another model than the one shown (then nothing of the old one's state carries over). */
export function isOtherModel(state: PanelState, info: PanelInfo | undefined): boolean {
  const shown = state.model?.info;
  return info !== undefined && shown !== undefined && (shown.modelDir !== info.modelDir || shown.datasetPath !== info.datasetPath || shown.modelKind !== info.modelKind);
}

function reduceInit(state: PanelState, m: Extract<HostPush, { type: 'init' }>): PanelState {
  const other = isOtherModel(state, m.info);
  // Another model: the host's state for it is the whole truth (its own k, selection, method); the pane layout stays.
  const layout = { ...(state.ui.sideWidth !== undefined ? { sideWidth: state.ui.sideWidth } : {}), ...(state.ui.sideCollapsed !== undefined ? { sideCollapsed: state.ui.sideCollapsed } : {}) };
  const ui: UiState = other ? { ...m.uiState, ...layout } : { ...state.ui, ...m.uiState, selection: state.ui.selection.length ? state.ui.selection : m.uiState.selection };
  // Another model: its suggestion and any data scored with the old one go.
  const { kSuggestion: _previous, scored: _scored, ...kept } = state;
  const base: PanelState = { ...(other ? { ...kept, meta: EMPTY_META } : state), ui, history: m.history, training: m.training, ...(m.kSuggestion ? { kSuggestion: m.kSuggestion } : {}) };
  if (!m.info || !m.embedding || !m.projection) {
    const { live: _replaced, ...rest } = base;
    return m.live && m.training === 'training' ? { ...rest, live: m.live } : rest;
  }
  const info = m.info;
  const e = m.embedding;
  const hadCodes = state.model?.embedding.codes !== undefined;
  const { live: _ended, model: _old, emphasis: _reset, ...rest } = base;
  let colorBy = ui.colorBy;
  if ((colorBy === 'label' && !e.labelNames) || (colorBy === 'code' && !e.codes)) colorBy = 'cluster';
  // A VQ-VAE arriving: colour by codebook entry (the user can switch back).
  if (e.codes && !hadCodes && colorBy === 'cluster') colorBy = 'code';
  const classes = info.conditionClasses;
  const { condition: previous, ...form } = state.generate;
  const condition = classes?.includes(previous ?? '') ? previous : classes?.[0];
  const next: PanelState = {
    ...rest,
    model: { info, embedding: e, projection: m.projection },
    ui: { ...ui, colorBy, selection: ui.selection.filter((i) => i < e.n) },
    anomaly: { labels: info.anomalyLabels ?? [] },
    generate: condition !== undefined ? { ...form, condition } : form,
  };
  return m.clusters ? withClusters(next, m.clusters) : next;
}

/** The header line: dataset, size, model, view and backend. */
export function describe(state: PanelState): string {
  const model = state.model;
  if (!model) return state.training === 'training' ? 'Training…' : 'Waiting for a model…';
  const i = model.info;
  const p = model.projection;
  const view = p.method === 'none' ? 'latent space' : p.method.toUpperCase();
  const codes = model.embedding.codes ? ` · ${new Set(model.embedding.codes).size}/${i.codebookSize ?? '?'} codes used` : '';
  return `${i.datasetName} · ${i.n.toLocaleString()} samples · ${i.modelKind} AE, latent ${i.latentDim}${codes} · ${view} ${p.dims}D · ${i.backend}`;
}

/** The header line during a live training frame. */
export function liveDescription(f: LiveEmbeddingPayload): string {
  const count = f.indices.length;
  const sample = count < f.total ? `${count.toLocaleString()} of ${f.total.toLocaleString()} samples` : `${count.toLocaleString()} samples`;
  return `Live embedding · ${f.stage ? `${f.stage} · ` : ''}epoch ${f.epoch}/${f.epochs} · ${sample} · ${f.method === 'pca' ? 'PCA' : 'latent space'}`;
}

/** The CVAE condition every clicked or generated latent point is decoded as (none for other models). */
export function conditionOf(state: PanelState): { condition?: string } {
  return state.model?.info.conditionClasses && state.generate.condition !== undefined ? { condition: state.generate.condition } : {};
}

/** Notifies `listener` after every action that changed the state. */
export class Store {
  private value: PanelState;

  constructor(initial: PanelState, private readonly listener: (next: PanelState, previous: PanelState, action: PanelAction) => void) {
    this.value = initial;
  }

  get state(): PanelState {
    return this.value;
  }

  dispatch(action: PanelAction): void {
    const previous = this.value;
    this.value = reduce(previous, action);
    if (this.value !== previous) this.listener(this.value, previous, action);
  }
}
