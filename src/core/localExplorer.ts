/**
 * The in-process `Explorer`: a trained autoencoder, its normaliser and the dataset, plus the analysis layer
 * (projection, k-means, interpolation) and the exporters. Used directly by the CLI and by the training worker,
 * which serves it to the extension host.
 *
 * Embeddings (codes and reconstruction errors of every sample) are computed once and cached; the last projection
 * and clustering are remembered so that `exportEmbeddings` includes them. Everything returned in data units goes
 * through `invertNormalizer`.
 *
 * Conditional models (CVAE) get each sample's one-hot label as its condition wherever the dataset is encoded or
 * reconstructed (embed, sample, interpolation endpoints). Free latent rows (`decode`) are decoded as one named class,
 * by default the dataset's most frequent one; decoded cluster centroids use the majority class of their members.
 */
import { tf } from './tf';
import type { Dataset, LoadOptions } from './data/dataset';
import { DatasetError } from './data/dataset';
import type { Normalizer } from './data/normalize';
import { applyNormalizer, invertNormalizer } from './data/normalize';
import type {
  AnomalyReport,
  AnalysisControl,
  ClusterMethod,
  ClusterOptions,
  ClusterResult,
  CorruptionResult,
  EmbeddingResult,
  ExportFormat,
  Explorer,
  ExplorerInfo,
  GenerateRequest,
  GenerateResult,
  InterpolationMode,
  KSuggestion,
  ProjectionMethod,
  ProjectionResult,
  SampleDetail,
} from './explorer';
import type { Autoencoder } from './models/types';
import { WIDE_INPUT_FEATURES } from './models/index';
import type { EpochRecord } from './training/types';
import type { PipelineResult } from './pipeline';
import { codeIndices, decode as decodeRows, encode as encodeRows, hasCodeIndices, reconstruct, reconstructionErrors } from './inference';
import { datasetCondition, isConditional, mostFrequentClass, repeatedCondition } from './models/cvae';
import { loadModel } from './training/persistence';
import { loadDataset, loadSampleDigits } from './data/index';
import { DEFAULT_CLUSTER_METHOD, UmapCache, clusterWithMethod, kCurve, methodUsesUmap, summariseClusters } from './analysis/clusterPipeline';
import { scoreClustering } from './analysis/clusterMetrics';
import { interpolate as interpolatePath } from './analysis/latentOps';
import { codeMoments, generatedCodes, meanCode } from './analysis/generate';
import { featureStats } from './analysis/featureStats';
import type { FeatureStats } from './analysis/featureStats';
import { project as projectLatent } from './analysis/projection';
import { exportEmbeddings as writeExport } from './export/index';
import { writeProjectorSprite } from './export/spriteFiles';
import type { CorruptionMode } from './analysis/corruption';
import { corruptSample } from './analysis/corruption';
import type { AnomalyCalibration } from './analysis/anomalyModel';
import { anomalyScores, availableScoreMethods, calibrateAnomalies } from './analysis/anomalyModel';
import type { AnomalyScoreMethod } from './analysis/anomalyScores';
import { buildAnomalyReport, loadCalibration } from './analysis/anomalyReport';
import { DEFAULT_TRAIN_OPTIONS, splitIndices } from './training/train';
import { placeCodes } from './placeCodes';

/** Members listed per cluster in `ClusterResult.nearest`. */
export const NEAREST_PER_CLUSTER = 8;

export interface LocalExplorerParts {
  model: Autoencoder;
  normalizer: Normalizer;
  dataset: Dataset;
  history: EpochRecord[];
  backend: string;
  modelDir?: string;
  /** Already normalised features (`n x dim`); computed from the dataset when absent. */
  normalized?: Float32Array;
  /** Already computed codes and errors (e.g. from the pipeline), to seed the embed cache. */
  embeddings?: Float32Array;
  errors?: Float32Array;
  /** Conditional models: the one-hot condition per sample (`n x classes`); built from the dataset labels when absent. */
  condition?: Float32Array;
  /** Anomaly calibration saved with the model; when absent it is fitted on this dataset on first use. */
  anomaly?: AnomalyCalibration;
  /**
   * The training split (validation fraction and seed) of the model, so a calibration fitted here holds out the same
   * rows; `heldOut` says whether this dataset is the one the model was trained on.
   */
  trainSplit?: { validationSplit: number; seed: number; heldOut: boolean };
}

export class LocalExplorer implements Explorer {
  private readonly model: Autoencoder;
  private readonly normalizer: Normalizer;
  private readonly dataset: Dataset;
  private readonly history: EpochRecord[];
  private readonly backend: string;
  private readonly modelDir?: string;
  private readonly normalized: Float32Array;
  /** Conditional models only: `n x classes` one-hot condition of every sample. */
  private readonly condition?: Float32Array;
  private embedding?: EmbeddingResult;
  private anomaly?: AnomalyCalibration;
  private readonly trainSplit: { validationSplit: number; seed: number; heldOut: boolean };
  private readonly anomalyScoreCache = new Map<AnomalyScoreMethod, Float32Array>();
  private featureStatsCache: FeatureStats | undefined;
  private lastProjection?: ProjectionResult;
  private lastCluster?: ClusterResult;
  /** The anomaly scores last asked for (exports carry them). */
  private lastAnomaly?: { method: string; scores: Float32Array; threshold: number };
  private umapSpace?: UmapCache;
  private disposed = false;

  constructor(parts: LocalExplorerParts) {
    const { model, dataset } = parts;
    if (dataset.dim !== model.config.inputDim) {
      throw new DatasetError(`dataset has ${dataset.dim} features per sample but the model expects ${model.config.inputDim}`, dataset.source);
    }
    this.model = model;
    this.normalizer = parts.normalizer;
    this.dataset = dataset;
    this.history = parts.history;
    this.backend = parts.backend;
    this.modelDir = parts.modelDir;
    this.normalized = parts.normalized ?? applyNormalizer(parts.normalizer, dataset.features, dataset.dim);
    if (isConditional(model.config)) {
      const classes = model.config.conditionClasses ?? [];
      this.condition = parts.condition ?? datasetCondition(dataset, model.config) ?? new Float32Array(0);
      if (this.condition.length !== dataset.n * classes.length) {
        throw new DatasetError(`condition has ${this.condition.length} values, expected ${dataset.n} x ${classes.length}`, dataset.source);
      }
    }
    if (parts.embeddings && parts.errors) this.embedding = this.embeddingOf(parts.embeddings, parts.errors);
    this.anomaly = parts.anomaly;
    this.trainSplit = parts.trainSplit ?? { validationSplit: DEFAULT_TRAIN_OPTIONS.validationSplit, seed: DEFAULT_TRAIN_OPTIONS.seed, heldOut: false };
  }

  /** An explorer over a pipeline run's model, data and embeddings (takes ownership of the model). */
  static fromPipeline(result: PipelineResult): LocalExplorer {
    return new LocalExplorer({
      model: result.model,
      normalizer: result.normalizer,
      dataset: result.dataset,
      history: result.result.history,
      backend: result.backend,
      modelDir: result.files.length > 0 ? result.outDir : undefined,
      normalized: result.normalized,
      embeddings: result.embeddings,
      errors: result.errors,
      condition: result.condition,
      anomaly: result.anomaly,
    });
  }

  /**
   * Loads a saved model (weights + sidecar) and its dataset: `datasetPath` when given, else the source recorded in
   * the sidecar (for the shipped sample digits, the first `n` of them as the sidecar records; the file's location
   * changes with every installation, so it is not taken from the sidecar).
   */
  static async load(modelDir: string, datasetPath?: string, loadOptions?: LoadOptions): Promise<LocalExplorer> {
    const { model, sidecar } = await loadModel(modelDir);
    try {
      const schema = sidecar.dataset;
      let dataset: Dataset;
      if (datasetPath === undefined && schema.format === 'sample') {
        dataset = await loadSampleDigits(schema.n !== undefined ? { maxRows: schema.n } : {});
      } else {
        const options: LoadOptions = { ...schema.choices, ...loadOptions };
        if (options.labelColumn === undefined && schema.labelName !== undefined && ['csv', 'tsv', 'json', 'jsonl'].includes(schema.format)) {
          options.labelColumn = schema.labelName;
        }
        if (options.window === undefined && schema.window) options.window = schema.window;
        if (options.classNames === undefined && schema.classNames) options.classNames = schema.classNames;
        if (schema.kind === 'image' && schema.sampleShape.length === 3 && options.imageSize === undefined) {
          options.imageSize = [schema.sampleShape[0], schema.sampleShape[1]];
          if (options.grayscale === undefined) options.grayscale = schema.sampleShape[2] === 1;
        }
        dataset = await loadDataset(datasetPath ?? schema.source, options);
      }
      const anomaly = loadCalibration(sidecar.anomaly, model.config.inputDim, model.config.latentDim);
      const sameData = datasetPath === undefined && dataset.n === (schema.n ?? dataset.n);
      const trainSplit = {
        validationSplit: sidecar.train?.validationSplit ?? DEFAULT_TRAIN_OPTIONS.validationSplit,
        seed: sidecar.train?.seed ?? DEFAULT_TRAIN_OPTIONS.seed,
        heldOut: sameData,
      };
      return new LocalExplorer({ model, normalizer: sidecar.normalizer, dataset, history: sidecar.history, backend: tf.getBackend(), modelDir, anomaly, trainSplit });
    } catch (e) {
      model.dispose();
      throw e;
    }
  }

  info(): ExplorerInfo {
    const ds = this.dataset;
    return {
      datasetName: ds.name,
      datasetPath: ds.source,
      format: ds.format,
      kind: ds.kind,
      n: ds.n,
      dim: ds.dim,
      sampleShape: [...ds.sampleShape],
      columns: [...ds.columns],
      labelName: ds.labelName,
      ...(ds.classNames ? { classNames: { ...ds.classNames } } : {}),
      ...(ds.window ? { window: { ...ds.window } } : {}),
      model: this.model.config,
      backend: this.backend,
      history: this.history,
      modelDir: this.modelDir,
      ...(ds.warnings && ds.warnings.length > 0 ? { warnings: [...ds.warnings] } : {}),
      ...(ds.kind === 'table' ? { featureStats: (this.featureStatsCache ??= featureStats(ds.features, ds.n, ds.dim)) } : {}),
    };
  }

  /** Adds notes about how the data was read (shown with the loader's own warnings in `info().warnings`). */
  addWarnings(warnings: readonly string[]): void {
    this.dataset.warnings = [...(this.dataset.warnings ?? []), ...warnings];
  }

  async embed(): Promise<EmbeddingResult> {
    this.checkAlive();
    if (!this.embedding) {
      const n = this.dataset.n;
      const c = this.condition;
      this.embedding = this.embeddingOf(
        encodeRows(this.model, this.normalized, n, undefined, c),
        reconstructionErrors(this.model, this.normalized, n, undefined, c),
      );
    }
    return this.embedding;
  }

  async project(method: ProjectionMethod, dims: 2 | 3, seed = 0, control?: AnalysisControl): Promise<ProjectionResult> {
    const e = await this.embed();
    const p = await projectLatent(e.latent, e.n, e.latentDim, method, dims, seed, { onProgress: control?.onProgress, signal: control?.signal });
    this.lastProjection = p;
    return p;
  }

  /**
   * Clusters the codes with `options.method` (default: the recommended UMAP + Gaussian mixture pipeline); centroids
   * are the member means in latent space, also decoded to data units. Scored against the labels when there are some.
   */
  async cluster(k: number, seed = 0, options: ClusterOptions = {}, control?: AnalysisControl): Promise<ClusterResult> {
    const e = await this.embed();
    const method = options.method ?? DEFAULT_CLUSTER_METHOD;
    const r = await clusterWithMethod(e.latent, e.n, e.latentDim, k, { ...options, method, seed, onProgress: control?.onProgress, signal: control?.signal }, this.umapCache(e));
    const summary = summariseClusters(e.latent, e.n, e.latentDim, r.assignments, r.k, NEAREST_PER_CLUSTER);
    const labels = this.dataset.labels;
    const result: ClusterResult = {
      k: r.k,
      assignments: r.assignments,
      centroids: summary.centroids,
      inertia: summary.inertia,
      sizes: summary.sizes,
      nearest: summary.nearest,
      decodedCentroids: r.k > 0 ? this.decodeWith(summary.centroids, r.k, this.clusterConditions(r.assignments, r.k)) : new Float32Array(0),
      method,
      noise: r.noise,
      ...(r.probabilities ? { probabilities: r.probabilities } : {}),
      ...(labels ? { scores: scoreClustering(r.assignments, labels) } : {}),
    };
    this.lastCluster = result;
    return result;
  }

  async suggestK(kMin: number, kMax: number, seed = 0, method: ClusterMethod = DEFAULT_CLUSTER_METHOD, control?: AnalysisControl): Promise<KSuggestion> {
    const e = await this.embed();
    const umap = methodUsesUmap(method);
    const space = umap ? await this.umapCache(e).get(seed, control?.onProgress, control?.signal) : e.latent;
    const dims = umap ? space.length / e.n : e.latentDim;
    const c = await kCurve(space, e.n, dims, kMin, kMax, { seed, signal: control?.signal, onProgress: control?.onProgress });
    return { ks: c.ks, inertias: c.inertias, silhouettes: c.silhouettes, best: c.best, elbow: c.elbow, space: umap ? 'umap' : 'latent' };
  }

  /**
   * The UMAP clustering space of the codes, computed once per seed; for wide inputs (images, tables of
   * WIDE_INPUT_FEATURES+ features) their graph is joined with the normalised inputs' one (see `UmapCache`: it helped on
   * every image set measured, and lowered a narrow synthetic table's).
   */
  private umapCache(e: EmbeddingResult): UmapCache {
    this.umapSpace ??= new UmapCache(e.latent, e.n, e.latentDim, this.dataset.dim >= WIDE_INPUT_FEATURES ? { data: this.normalized, d: this.dataset.dim } : undefined);
    return this.umapSpace;
  }

  async placeCodes(latent: Float32Array, count: number): Promise<Float32Array> {
    const view = this.lastProjection;
    if (!view) throw new Error('No view to place codes in yet: project the embedding first.');
    const e = await this.embed();
    return placeCodes({ latent: e.latent, n: e.n, d: e.latentDim }, view, latent, count);
  }

  async rows(indices: readonly number[]): Promise<Float32Array> {
    const ds = this.dataset;
    const d = ds.dim;
    const out = new Float32Array(indices.length * d);
    indices.forEach((index, k) => {
      if (!Number.isInteger(index) || index < 0 || index >= ds.n) throw new RangeError(`sample index ${index} out of range 0..${ds.n - 1}`);
      out.set(ds.features.subarray(index * d, index * d + d), k * d);
    });
    return out;
  }

  async sample(index: number): Promise<SampleDetail> {
    const ds = this.dataset;
    if (!Number.isInteger(index) || index < 0 || index >= ds.n) throw new RangeError(`sample index ${index} out of range 0..${ds.n - 1}`);
    const e = await this.embed();
    const d = ds.dim;
    const row = this.normalized.subarray(index * d, index * d + d);
    return {
      index,
      original: ds.features.slice(index * d, index * d + d),
      reconstruction: invertNormalizer(this.normalizer, reconstruct(this.model, Float32Array.from(row), 1, undefined, this.conditionOf(index, 1)), d),
      error: e.errors[index],
      latent: e.latent.slice(index * e.latentDim, (index + 1) * e.latentDim),
      label: ds.labels?.[index],
      ref: ds.refs[index],
    };
  }

  async corrupt(index: number, mode: CorruptionMode, level: number, seed: number): Promise<CorruptionResult> {
    this.checkAlive();
    const ds = this.dataset;
    if (!Number.isInteger(index) || index < 0 || index >= ds.n) throw new RangeError(`sample index ${index} out of range 0..${ds.n - 1}`);
    const d = ds.dim;
    const clean = this.normalized.subarray(index * d, index * d + d);
    const damaged = corruptSample(clean, ds.sampleShape, mode, level, seed);
    const rec = reconstruct(this.model, damaged, 1, undefined, this.conditionOf(index, 1));
    let sq = 0;
    for (let j = 0; j < d; j++) sq += (rec[j] - clean[j]) ** 2;
    return { corrupted: invertNormalizer(this.normalizer, damaged, d), reconstruction: invertNormalizer(this.normalizer, rec, d), error: sq / d };
  }

  /**
   * Decodes latent rows to data units. A conditional model decodes every row as class `condition` (default: the
   * dataset's most frequent class; an unknown class name is a RangeError); other models ignore `condition`.
   */
  async decode(latent: Float32Array, count: number, condition?: string): Promise<Float32Array> {
    this.checkAlive();
    const { latentDim } = this.model.config;
    if (latent.length !== count * latentDim) throw new RangeError(`decode: expected ${count} x ${latentDim} values, got ${latent.length}`);
    return this.decodeWith(latent, count, this.namedCondition(condition, count));
  }

  async interpolate(a: number, b: number, steps: number, mode: InterpolationMode): Promise<{ latent: Float32Array; decoded: Float32Array }> {
    const e = await this.embed();
    for (const i of [a, b]) if (!Number.isInteger(i) || i < 0 || i >= e.n) throw new RangeError(`sample index ${i} out of range 0..${e.n - 1}`);
    const d = e.latentDim;
    const latent = interpolatePath(e.latent.subarray(a * d, a * d + d), e.latent.subarray(b * d, b * d + d), steps, mode);
    this.checkAlive();
    return { latent, decoded: this.decodeWith(latent, steps, this.conditionOf(a, steps)) };
  }

  /**
   * Generated codes (grid / traversal around a sample's code or the mean code, prior draws) decoded, for a CVAE as
   * class `request.condition` (default: the most frequent class).
   */
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    // Prior draws need no codes; grids and traversals start from a sample's code or the mean code.
    const e = request.mode === 'prior' ? undefined : await this.embed();
    this.checkAlive();
    const codes = generatedCodes(request, this.model.config, (base) => {
      if (!e) throw new Error('generate: no embedding');
      if (base === undefined) return meanCode(e.latent, e.n, e.latentDim);
      if (!Number.isInteger(base) || base < 0 || base >= e.n) throw new RangeError(`sample index ${base} out of range 0..${e.n - 1}`);
      return e.latent.slice(base * e.latentDim, (base + 1) * e.latentDim);
    }, () => {
      if (!e) throw new Error('generate: no embedding');
      return codeMoments(e.latent, e.n, e.latentDim);
    });
    const count = codes.rows * codes.cols;
    return { mode: request.mode, ...codes, decoded: this.decodeWith(codes.latent, count, this.namedCondition(request.condition, count)) };
  }

  /**
   * Writes codes + errors + labels + sources, and the last clustering, (2D/3D) projection and anomaly scores (with
   * their threshold) when computed.
   */
  async exportEmbeddings(path: string, format: ExportFormat, overwrite: boolean): Promise<string[]> {
    const e = await this.embed();
    const files = writeExport(path, format, { ...e, refs: this.dataset.refs, ids: this.dataset.ids, classNames: this.dataset.classNames, source: this.dataset.source, clusters: this.lastCluster?.assignments, projection: this.lastProjection, anomaly: this.lastAnomaly }, overwrite);
    const ds = this.dataset;
    return format === 'tsv-projector' && ds.kind === 'image' ? [...files, ...writeProjectorSprite(files[0], files[1], ds.features, ds.n, ds.sampleShape, overwrite)] : files;
  }

  async anomalies(method?: AnomalyScoreMethod, anomalyLabels?: string[]): Promise<AnomalyReport> {
    this.checkAlive();
    const calibration = this.anomalyCalibration();
    const methods = availableScoreMethods(this.model);
    const m = method ?? calibration.defaultMethod;
    if (!methods.includes(m)) throw new RangeError(`score "${m}" is not available for a ${this.model.config.kind} model (available: ${methods.join(', ')})`);
    let scores = this.anomalyScoreCache.get(m);
    if (!scores) {
      const fresh = anomalyScores(this.model, calibration, this.normalized, this.dataset.n, [m], this.condition)[m];
      if (!fresh) throw new Error(`score "${m}" was not computed`);
      this.anomalyScoreCache.set(m, fresh);
      scores = fresh;
    }
    const report = buildAnomalyReport(calibration, m, methods, scores, this.dataset.labels, anomalyLabels);
    this.lastAnomaly = { method: m, scores, threshold: report.threshold };
    return report;
  }

  /** The saved calibration, or one fitted on this dataset's training split (held-out rows = its validation split). */
  private anomalyCalibration(): AnomalyCalibration {
    if (!this.anomaly) {
      const { validationSplit, seed, heldOut } = this.trainSplit;
      const split = splitIndices(this.dataset.n, validationSplit, seed);
      const calibration = calibrateAnomalies(this.model, this.normalized, this.dataset.n, { trainRows: split.train, calibrationRows: split.val, condition: this.condition, seed });
      this.anomaly = { ...calibration, heldOut: calibration.heldOut && heldOut };
    }
    return this.anomaly;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }

  private embeddingOf(latent: Float32Array, errors: Float32Array): EmbeddingResult {
    const result: EmbeddingResult = { n: this.dataset.n, latentDim: this.model.config.latentDim, latent, errors, labels: this.dataset.labels };
    if (hasCodeIndices(this.model)) result.codes = codeIndices(this.model, this.normalized, this.dataset.n);
    const n = this.dataset.n;
    const metadata = this.dataset.metadata?.filter((c) => (c.kind === 'number' ? c.values.length : c.codes.length) === n);
    if (metadata && metadata.length > 0) result.metadata = metadata;
    return result;
  }

  /** `count` latent rows decoded (with optional per-row condition) and denormalised. */
  private decodeWith(latent: Float32Array, count: number, condition: Float32Array | undefined): Float32Array {
    return invertNormalizer(this.normalizer, decodeRows(this.model, latent, count, undefined, condition), this.dataset.dim);
  }

  /** Conditional models: `count` copies of sample `index`'s condition row; undefined otherwise. */
  private conditionOf(index: number, count: number): Float32Array | undefined {
    if (!this.condition) return undefined;
    const k = this.condition.length / this.dataset.n;
    const out = new Float32Array(count * k);
    for (let i = 0; i < count; i++) out.set(this.condition.subarray(index * k, index * k + k), i * k);
    return out;
  }

  /** Conditional models: `count` rows of the named class (default the most frequent class); undefined otherwise. */
  private namedCondition(name: string | undefined, count: number): Float32Array | undefined {
    if (!this.condition) return undefined;
    const classes = this.model.config.conditionClasses ?? [];
    const cls = name ?? mostFrequentClass(this.dataset.labels, classes);
    const index = classes.indexOf(cls);
    if (index < 0) throw new RangeError(`unknown condition "${cls}": the model's classes are ${classes.join(', ')}`);
    return repeatedCondition(index, classes.length, count);
  }

  /** Conditional models: per cluster, the condition of the most frequent class among its members. */
  private clusterConditions(assignments: Int32Array, k: number): Float32Array | undefined {
    if (!this.condition) return undefined;
    const classes = this.model.config.conditionClasses ?? [];
    const out = new Float32Array(k * classes.length);
    for (let j = 0; j < k; j++) {
      const members = (this.dataset.labels ?? []).filter((_, i) => assignments[i] === j);
      const index = classes.indexOf(mostFrequentClass(members.length > 0 ? members : this.dataset.labels, classes));
      out[j * classes.length + index] = 1;
    }
    return out;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('explorer is disposed');
  }
}
