/**
 * The panel's logic without VS Code: turns validated webview messages into Explorer calls and answers with
 * {@link HostToWebview} messages. `LatentPanel` wires it to a real WebviewPanel; unit tests drive it with fakes.
 */
import type { AnalysisControl, Explorer, ExplorerInfo, GenerateRequest, KSuggestion, SampleDetail } from '../../core/explorer';
import { defaultExportPath } from '../../core/export/outputPaths';
import { subsetCsv, subsetNpy } from '../../core/export/subset';
import type { SubsetRow } from '../../core/export/subset';
import { DEFAULT_CLUSTER_METHOD, methodNeedsK } from '../../common/clusterMethods';
import type { ClusterMethod } from '../../common/clusterMethods';
import { EXPORT_FORMAT_INFO } from '../../common/exportFormats';
import { recordEpoch } from '../../common/trainingHistory';
import { DEFAULT_SEED } from '../../common/defaults';
import type { EpochRecord, TrainProgress } from '../../core/training/types';
import type { EpochEmbedding } from '../../worker/protocol';
import { defaultAnomalyLabels } from '../../core/analysis/anomalyReport';
import { DEFAULT_UI_STATE, K_CURVE_RANGE, parseUiState, parseWebviewMessage } from '../../shared/protocol';
import { ModelUiStates, modelKey, startingUiState } from './modelUiState';
import type { UiStateStore } from './modelUiState';
import type { AnalysisTask, HostToWebview, LiveEmbeddingPayload, TrainingStatus, UiState, WebviewToHost } from '../../shared/protocol';
import type { ScoredData } from './scoredData';
import { sameModelDir, toScoredPayload } from './scoredData';
import { own, toAnomalyPayload, toClustersPayload, toEmbeddingPayload, toKPayload, toLivePayload, toPanelInfo, toProjectionPayload, toSamplePayload } from './payloads';

/** What the controller needs from its surroundings (VS Code in production, fakes in tests). */
export interface PanelHost {
  post(message: HostToWebview): void;
  /** Opens `file` in an editor at 1-based `line`; with `sample`, shows that sample (a preview for binary data). */
  reveal(file: string, line?: number, sample?: { detail: SampleDetail; info: ExplorerInfo }): Promise<void>;
  /** Save dialog; undefined when cancelled. */
  pickSavePath(defaultName: string, filters: Record<string, string[]>): Promise<string | undefined>;
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  /** Starts the normal training (its form) on the dataset file `path`; absent where training is not offered. */
  trainOn?(path: string): Promise<void>;
  /** Files written by an export or a plot save (the host offers to open or reveal them). */
  saved?(files: string[]): void;
  /** Where each model's UI state is kept between panels and sessions (none: only this panel's). */
  uiStates?: UiStateStore;
  log(message: string): void;
}


/** Largest dataset whose first view is UMAP (the fast UMAP lays out 60,000 points in ~20 s on 2 cores); above: PCA. */
export const UMAP_AUTO_MAX_N = 100_000;
/** Initial k: the number of label classes when there are 2..30 of them, else undefined (use the k curve). */
export function labelClassCount(labels: string[] | undefined): number | undefined {
  if (!labels) return undefined;
  const classes = new Set(labels).size;
  return classes >= K_CURVE_RANGE[0] && classes <= K_CURVE_RANGE[1] ? classes : undefined;
}

/** The projection to use: raw codes when they already fit in `dims`, else the requested method (PCA by default). */
export function chooseProjection(latentDim: number, dims: 2 | 3, method: UiState['projection']): { method: UiState['projection']; dims: 2 | 3 } {
  const d: 2 | 3 = latentDim < 3 ? 2 : dims;
  if (latentDim <= d) return { method: 'none', dims: d };
  return { method: method === 'none' ? 'pca' : method, dims: d };
}

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class PanelController {
  private explorer: Explorer | undefined;
  private ready = false;
  private training: TrainingStatus = 'idle';
  private history: EpochRecord[] = [];
  private uiState: UiState;
  private n = 0;
  private latentDim = 0;
  private conditions: string[] = [];
  /** Bumped whenever the model changes, so answers computed for an old model are dropped. */
  private generation = 0;
  /** Latest live embedding of the running training. */
  private liveFrame: LiveEmbeddingPayload | undefined;
  /** The running projection / clustering / k curve, which `cancelAnalysis` aborts. */
  private analysis: AbortController | undefined;
  /** The controller of the latest `init`; a newer init aborts it and an aborted init stays silent. */
  private initAbort: AbortController | undefined;
  /** The model (see modelKey) the UI state belongs to. */
  private stateKey: string | undefined;
  private readonly uiStates: ModelUiStates | undefined;
  /** The latest full `init`, re-sent as is when the webview is re-created (switching back to the panel) while its view still holds. */
  private lastInit: { generation: number; key: string; message: Extract<HostToWebview, { type: 'init' }> } | undefined;
  /** Data scored with the model, drawn over its training set (placed in the view after each init and projection). */
  private scored: ScoredData | undefined;
  /** The webview holds a view of the current model (init sent), so scored data can be placed in it. */
  private viewShown = false;

  constructor(private readonly host: PanelHost, initialState?: unknown) {
    this.uiState = parseUiState(initialState) ?? { ...DEFAULT_UI_STATE };
    this.stateKey = this.uiState.modelDir;
    this.uiStates = host.uiStates ? new ModelUiStates(host.uiStates) : undefined;
  }

  /** What an `init` was computed for: projection, dimensions, k and clustering method. */
  private viewKey(): string {
    const u = this.uiState;
    return `${u.projection}/${u.dims}/${u.k}/${u.clusterMethod ?? ''}`;
  }

  /** Keeps the UI state as the current model's. */
  private rememberUi(): void {
    if (this.stateKey !== undefined) this.uiStates?.save(this.stateKey, this.uiState);
  }

  get state(): UiState { return this.uiState; }
  get hasExplorer(): boolean { return this.explorer !== undefined; }
  /** The model and dataset shown (undefined before a model arrives). */
  get modelInfo(): ExplorerInfo | undefined { return this.explorer?.info(); }

  /**
   * Draws `data` (scored with the model in `data.modelDir`) over the training set: now when the panel shows that
   * model's view, else once it does. Replaces earlier scored data.
   */
  showScored(data: ScoredData): void {
    this.scored = data;
    void this.postScored();
  }

  /** Places the scored data in the current view and sends it (nothing when it belongs to another model). */
  private async postScored(): Promise<void> {
    const ex = this.explorer;
    const s = this.scored;
    if (!ex || !s || !this.ready || !this.viewShown || !sameModelDir(ex.info().modelDir, s.modelDir)) return;
    const gen = this.generation;
    try {
      const coords = s.count > 0 ? await ex.placeCodes(s.latent, s.count) : new Float32Array(0);
      if (gen === this.generation && this.scored === s) this.post({ type: 'scored', scored: toScoredPayload(s, coords) });
    } catch (e) {
      this.host.log(`latent panel: placing ${s.name} failed: ${errorMessage(e)}`);
      this.post({ type: 'error', message: `Could not draw ${s.name} over the training set: ${errorMessage(e)}` });
    }
  }

  /** A new model to explore (after training or restore); re-sends `init` when the webview is up. */
  setExplorer(explorer: Explorer): void {
    this.explorer = explorer;
    this.generation++;
    const info = explorer.info();
    this.n = info.n;
    this.latentDim = info.model.latentDim;
    this.conditions = info.model.conditionClasses ?? [];
    // Another model: its own saved UI state, or a clean one (no k, selection or history of the previous model).
    const key = modelKey(info);
    const otherModel = key !== this.stateKey;
    if (otherModel) {
      this.uiState = startingUiState(this.uiState, this.uiStates?.load(key), info.modelDir);
      this.stateKey = key;
    } else if (info.modelDir) this.uiState = { ...this.uiState, modelDir: info.modelDir };
    if (info.history.length) this.history = [...info.history];
    else if (otherModel && this.training !== 'training') this.history = [];
    if (this.training === 'training') this.training = 'done';
    this.liveFrame = undefined;
    this.viewShown = false;
    if (this.scored && !sameModelDir(info.modelDir, this.scored.modelDir)) this.scored = undefined;
    if (this.ready) void this.sendInit();
  }

  /** Training progress from the runner; epoch events extend the loss history. */
  trainingProgress(p: TrainProgress): void {
    if (this.training !== 'training') {
      this.training = 'training';
      this.liveFrame = undefined;
      if (p.epoch === 1 && p.phase === 'batch' && p.batch <= 1) this.history = [];
      this.post({ type: 'trainingStatus', status: 'training' });
    }
    if (p.phase === 'epoch') {
      this.history = recordEpoch(this.history, p);
    }
    this.post({ type: 'trainingProgress', progress: p });
  }

  /** The embedding after an epoch; only the latest frame is kept (re-sent on `ready`). */
  trainingEmbedding(e: EpochEmbedding): void {
    this.liveFrame = toLivePayload(e);
    this.post({ type: 'trainingEmbedding', embedding: this.liveFrame });
  }

  /** Training ended without a model (failure or cancel). */
  trainingStatus(status: TrainingStatus, message?: string): void {
    this.training = status;
    if (status !== 'training') this.liveFrame = undefined;
    this.post({ type: 'trainingStatus', status, ...(message ? { message } : {}) });
  }

  /** Entry point for everything the webview posts: validated, then dispatched; malformed messages are logged and dropped. */
  async handleRaw(raw: unknown): Promise<void> {
    const msg = parseWebviewMessage(raw, this.explorer ? { n: this.n, latentDim: this.latentDim, conditions: this.conditions } : {});
    if (!msg) {
      this.host.log(`latent panel: dropped malformed webview message ${safePreview(raw)}`);
      return;
    }
    try {
      await this.handle(msg);
    } catch (e) {
      const requestId = 'requestId' in msg ? msg.requestId : undefined;
      this.host.log(`latent panel: ${msg.type} failed: ${errorMessage(e)}`);
      this.post({ type: 'error', message: errorMessage(e), ...(requestId !== undefined ? { requestId } : {}) });
    }
  }

  private post(m: HostToWebview): void {
    // A new projection or clustering outdates the saved init.
    if (m.type === 'projection' || m.type === 'clusters' || m.type === 'kSuggestion') this.lastInit = undefined;
    this.host.post(m);
  }

  private method(requested?: ClusterMethod): ClusterMethod {
    return requested ?? this.uiState.clusterMethod ?? DEFAULT_CLUSTER_METHOD;
  }

  /**
   * Runs a long explorer call with progress messages under `ac` (default a fresh controller): starting it aborts the
   * previous one unless that is the same controller (the steps of one `init` share theirs), and `cancelAnalysis`
   * aborts it. A controller that is already aborted runs nothing.
   */
  private async withAnalysis<T>(task: AnalysisTask, run: (control: AnalysisControl) => Promise<T>, ac = new AbortController()): Promise<T> {
    if (ac.signal.aborted) throw ac.signal.reason ?? new Error('cancelled');
    if (this.analysis !== ac) this.analysis?.abort();
    this.analysis = ac;
    let last = 0;
    const onProgress: AnalysisControl['onProgress'] = (progress) => {
      const now = Date.now();
      if (now - last < 100 && progress.done < progress.total) return;
      last = now;
      this.post({ type: 'analysisProgress', task, progress });
    };
    try {
      return await run({ onProgress, signal: ac.signal });
    } finally {
      if (this.analysis === ac) this.analysis = undefined;
      this.post({ type: 'analysisProgress', task });
    }
  }

  private async handle(msg: WebviewToHost): Promise<void> {
    if (msg.type === 'ready') { this.ready = true; await this.sendInit(); return; }
    if (msg.type === 'uiState') { this.uiState = { ...msg.state, ...(this.uiState.modelDir ? { modelDir: this.uiState.modelDir } : {}) }; this.rememberUi(); return; }
    if (msg.type === 'cancelAnalysis') { this.analysis?.abort(); return; }
    if (msg.type === 'clearScored') { this.scored = undefined; return; }
    const ex = this.explorer;
    if (!ex) throw new Error('No model loaded yet.');
    const gen = this.generation;
    const current = (): boolean => gen === this.generation;
    switch (msg.type) {
      case 'setProjection': {
        const choice = chooseProjection(this.latentDim, msg.dims, msg.method);
        const p = await this.withAnalysis('projection', (control) => ex.project(choice.method, choice.dims, DEFAULT_SEED, control));
        if (current()) {
          this.post({ type: 'projection', projection: toProjectionPayload(p) });
          await this.postScored();
        }
        return;
      }
      case 'anomalies': {
        const r = await ex.anomalies(msg.method, msg.anomalyLabels);
        if (current()) this.post({ type: 'anomalies', requestId: msg.requestId, report: toAnomalyPayload(r, ex.info().window) });
        return;
      }
      case 'setK': {
        const method = this.method(msg.method);
        this.uiState = { ...this.uiState, clusterMethod: method };
        const c = await this.withAnalysis('clusters', (control) => ex.cluster(msg.k, DEFAULT_SEED, { method }, control));
        if (current()) this.post({ type: 'clusters', clusters: toClustersPayload(c) });
        return;
      }
      case 'suggestK': {
        const method = this.method(msg.method);
        const s = await this.withAnalysis('kSuggestion', (control) => ex.suggestK(msg.kMin, Math.min(msg.kMax, Math.max(msg.kMin, this.n - 1)), DEFAULT_SEED, method, control));
        if (current()) this.post({ type: 'kSuggestion', suggestion: toKPayload(s) });
        return;
      }
      case 'requestSample': {
        const s = await ex.sample(msg.index);
        if (current()) this.post({ type: 'sample', requestId: msg.requestId, purpose: msg.purpose, sample: toSamplePayload(s) });
        return;
      }
      case 'requestRows': {
        const values = await ex.rows(msg.indices);
        if (current()) this.post({ type: 'rows', requestId: msg.requestId, indices: msg.indices, values: own(values) });
        return;
      }
      case 'decodeLatent': {
        const values = await ex.decode(Float32Array.from(msg.latent), 1, msg.condition);
        if (current()) this.post({ type: 'decoded', requestId: msg.requestId, latent: msg.latent, values: own(values) });
        return;
      }
      case 'interpolate': {
        const r = await ex.interpolate(msg.a, msg.b, msg.steps, msg.mode);
        if (current()) this.post({ type: 'interpolation', requestId: msg.requestId, a: msg.a, b: msg.b, steps: msg.steps, mode: msg.mode, decoded: own(r.decoded), latent: own(r.latent) });
        return;
      }
      case 'generate': {
        const g = await ex.generate(generateRequest(msg));
        if (current()) this.post({ type: 'generated', requestId: msg.requestId, mode: g.mode, rows: g.rows, cols: g.cols, latent: own(g.latent), decoded: own(g.decoded) });
        return;
      }
      case 'corrupt': {
        const r = await ex.corrupt(msg.index, msg.mode, msg.level, msg.seed);
        if (current()) {
          this.post({
            type: 'corrupted', requestId: msg.requestId, index: msg.index, mode: msg.mode, level: msg.level,
            corrupted: own(r.corrupted), reconstruction: own(r.reconstruction), error: r.error,
          });
        }
        return;
      }
      case 'reveal': {
        const s = await ex.sample(msg.index);
        await this.host.reveal(s.ref.file, s.ref.line, { detail: s, info: ex.info() });
        return;
      }
      case 'exportEmbeddings': {
        const { ext, label } = EXPORT_FORMAT_INFO[msg.format];
        const info = ex.info();
        const path = await this.host.pickSavePath(defaultExportPath(info, msg.format), { [label]: [ext] });
        if (!path) return;
        const files = await ex.exportEmbeddings(path, msg.format, true);
        this.post({ type: 'saved', files });
        this.host.saved?.(files);
        return;
      }
      case 'savePlot': {
        const path = await this.host.pickSavePath(`latent-plot.${msg.format}`, { [msg.format.toUpperCase()]: [msg.format] });
        if (!path) return;
        await this.host.writeFile(path, dataUrlToBytes(msg.dataUrl));
        this.post({ type: 'saved', files: [path] });
        this.host.saved?.([path]);
        return;
      }
      case 'trainOnSelection':
        await this.trainOnSelection(ex, msg.indices);
        return;
      case 'saveSelection': {
        const path = await this.host.pickSavePath('latent-selection.csv', { CSV: ['csv'] });
        if (!path) return;
        await this.host.writeFile(path, new TextEncoder().encode(msg.csv));
        this.post({ type: 'saved', files: [path] });
        this.host.saved?.([path]);
        return;
      }
    }
  }

  /** Writes the selected samples as a dataset file (tables: CSV, images: NPY) and hands it to the training. */
  private async trainOnSelection(ex: Explorer, indices: readonly number[]): Promise<void> {
    const info = ex.info();
    const trainOn = this.host.trainOn?.bind(this.host);
    if (!trainOn) throw new Error('Training is not available here.');
    if (info.kind === 'sequence') throw new Error('Training on a selection needs samples that stand alone (a table or images); the windows of a time series overlap.');
    const table = info.kind === 'table';
    const ext = table ? 'csv' : 'npy';
    const path = await this.host.pickSavePath(`${info.datasetName}-selection-${indices.length}.${ext}`, { [table ? 'CSV' : 'NumPy array']: [ext] });
    if (!path) return;
    const rows: SubsetRow[] = [];
    for (const i of indices) {
      const s = await ex.sample(i);
      rows.push({ values: s.original, ...(s.label !== undefined ? { label: s.label } : {}) });
    }
    await this.host.writeFile(path, table ? new TextEncoder().encode(subsetCsv(info.columns, info.labelName, rows)) : subsetNpy(info.sampleShape, rows));
    this.post({ type: 'saved', files: [path] });
    await trainOn(path);
  }

  /**
   * Sends the full state. The view is UMAP up to UMAP_AUTO_MAX_N points (PCA above, or when chosen). Clusters use the
   * persisted k and method (default: the recommended pipeline); the first time, k is the number of label classes
   * when the dataset has 2..30, else the best silhouette of the k curve over 2..30 (capped by n).
   */
  private async sendInit(): Promise<void> {
    const ex = this.explorer;
    const gen = this.generation;
    if (!ex) {
      this.post({ type: 'init', history: this.history, training: this.training, uiState: this.uiState, ...(this.training === 'training' && this.liveFrame ? { live: this.liveFrame } : {}) });
      return;
    }
    this.initAbort?.abort();
    const ac = new AbortController();
    this.initAbort = ac;
    const cached = this.lastInit;
    if (cached && cached.generation === gen && cached.key === this.viewKey() && this.training !== 'training') {
      this.post({ ...cached.message, uiState: this.uiState, history: cached.message.history.length >= this.history.length ? cached.message.history : this.history });
      await this.postScored();
      return;
    }
    try {
      const info = ex.info();
      const embedding = await ex.embed();
      const wanted = this.uiState.projection === 'umap' && info.n > UMAP_AUTO_MAX_N ? 'pca' : this.uiState.projection;
      const choice = chooseProjection(info.model.latentDim, this.uiState.dims, wanted);
      const projection = await this.withAnalysis('projection', (control) => ex.project(choice.method, choice.dims, DEFAULT_SEED, control), ac);
      let kSuggestion: KSuggestion | undefined;
      let k = this.uiState.k;
      const method = this.method();
      if (!(k >= 1 && k <= Math.min(info.n, 64))) {
        const kMax = Math.min(K_CURVE_RANGE[1], info.n - 1);
        const classes = labelClassCount(embedding.labels);
        if (classes !== undefined && classes <= info.n) k = classes;
        else if (kMax >= 2 && methodNeedsK(method)) {
          kSuggestion = await this.withAnalysis('kSuggestion', (control) => ex.suggestK(K_CURVE_RANGE[0], kMax, DEFAULT_SEED, method, control), ac);
          k = kSuggestion.best;
        } else k = Math.max(1, Math.min(2, info.n));
      }
      const clusters = await this.withAnalysis('clusters', (control) => ex.cluster(k, DEFAULT_SEED, { method }, control), ac);
      if (gen !== this.generation) return;
      this.uiState = { ...this.uiState, k, clusterMethod: method, projection: choice.method === 'none' ? this.uiState.projection : choice.method, dims: choice.dims };
      this.rememberUi();
      const payload = toEmbeddingPayload(embedding);
      const message: Extract<HostToWebview, { type: 'init' }> = {
        type: 'init', info: { ...toPanelInfo(info), anomalyLabels: defaultAnomalyLabels(payload.labelNames ?? []) }, embedding: payload, projection: toProjectionPayload(projection),
        clusters: toClustersPayload(clusters), ...(kSuggestion ? { kSuggestion: toKPayload(kSuggestion) } : {}),
        history: this.history.length ? this.history : info.history, training: this.training === 'training' ? 'training' : 'done', uiState: this.uiState,
      };
      this.lastInit = { generation: gen, key: this.viewKey(), message };
      this.post(message);
      this.viewShown = true;
      await this.postScored();
    } catch (e) {
      if (gen !== this.generation || (ac.signal.aborted && this.initAbort !== ac)) return; // superseded by a newer init
      this.host.log(`latent panel: init failed: ${errorMessage(e)}`);
      this.post({ type: 'error', message: `Could not load the model: ${errorMessage(e)}` });
    }
  }
}

/** The explorer's request of a validated `generate` message (its own fields only). */
function generateRequest(m: Extract<WebviewToHost, { type: 'generate' }>): GenerateRequest {
  const condition = m.condition !== undefined ? { condition: m.condition } : {};
  switch (m.mode) {
    case 'grid':
      return { mode: 'grid', dimX: m.dimX, dimY: m.dimY, span: m.span, steps: m.steps, ...(m.base !== undefined ? { base: m.base } : {}), ...condition };
    case 'traversal':
      return { mode: 'traversal', dim: m.dim, span: m.span, steps: m.steps, ...(m.base !== undefined ? { base: m.base } : {}), ...condition };
    case 'prior':
      return { mode: 'prior', count: m.count, seed: m.seed, ...condition };
  }
}

/** Bytes of a `data:` URL (base64 or percent-encoded). */
export function dataUrlToBytes(url: string): Uint8Array {
  const comma = url.indexOf(',');
  const meta = url.slice(0, comma);
  const body = url.slice(comma + 1);
  if (meta.endsWith(';base64')) return new Uint8Array(Buffer.from(body, 'base64'));
  return new Uint8Array(Buffer.from(decodeURIComponent(body), 'utf8'));
}

function safePreview(raw: unknown): string {
  try {
    // undefined for undefined, functions and symbols, whatever the declared type says
    const s = JSON.stringify(raw) as string | undefined;
    return s === undefined ? String(raw) : s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return '(unserialisable)';
  }
}
