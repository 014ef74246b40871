/**
 * The in-process `Explorer`: a trained autoencoder, its normaliser and the dataset, plus the analysis layer
 * (projection, k-means, interpolation) and the exporters. Used directly by the CLI and by the training worker,
 * which serves it to the extension host.
 *
 * Embeddings (codes and reconstruction errors of every sample) are computed once and cached; the last projection
 * and clustering are remembered so that `exportEmbeddings` includes them. Everything returned in data units goes
 * through `invertNormalizer`.
 */
import { tf } from './tf';
import type { Dataset, LoadOptions } from './data/dataset';
import { DatasetError } from './data/dataset';
import type { Normalizer } from './data/normalize';
import { applyNormalizer, invertNormalizer } from './data/normalize';
import type {
  ClusterResult,
  EmbeddingResult,
  ExportFormat,
  Explorer,
  ExplorerInfo,
  InterpolationMode,
  KSuggestion,
  ProjectionMethod,
  ProjectionResult,
  SampleDetail,
} from './explorer';
import type { Autoencoder } from './models/types';
import type { EpochRecord } from './training/types';
import type { PipelineResult } from './pipeline';
import { decode as decodeRows, encode as encodeRows, reconstruct, reconstructionErrors } from './inference';
import { loadModel } from './training/persistence';
import { loadDataset, loadMnistPackage } from './data/index';
import { clusterSummary, kmeans, suggestK } from './analysis/kmeans';
import { interpolate as interpolatePath } from './analysis/latentOps';
import { project as projectLatent } from './analysis/projection';
import { exportEmbeddings as writeExport } from './export/index';

/** Samples per digit when reloading a model trained on the bundled MNIST digits (= pipeline's DEFAULT_PER_DIGIT). */
const MNIST_PER_DIGIT = 200;

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
}

export class LocalExplorer implements Explorer {
  private readonly model: Autoencoder;
  private readonly normalizer: Normalizer;
  private readonly dataset: Dataset;
  private readonly history: EpochRecord[];
  private readonly backend: string;
  private readonly modelDir?: string;
  private readonly normalized: Float32Array;
  private embedding?: EmbeddingResult;
  private lastProjection?: ProjectionResult;
  private lastCluster?: ClusterResult;
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
    if (parts.embeddings && parts.errors) this.embedding = this.embeddingOf(parts.embeddings, parts.errors);
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
    });
  }

  /**
   * Loads a saved model (weights + sidecar) and its dataset: `datasetPath` when given, else the source recorded in
   * the sidecar (the bundled MNIST digits for `mnist-package`).
   */
  static async load(modelDir: string, datasetPath?: string, loadOptions?: LoadOptions): Promise<LocalExplorer> {
    const { model, sidecar } = await loadModel(modelDir);
    try {
      const schema = sidecar.dataset;
      let dataset: Dataset;
      if (datasetPath === undefined && schema.format === 'mnist-package') {
        dataset = await loadMnistPackage({ perDigit: MNIST_PER_DIGIT });
      } else {
        const options: LoadOptions = { ...loadOptions };
        if (options.labelColumn === undefined && schema.labelName !== undefined && ['csv', 'tsv', 'json', 'jsonl'].includes(schema.format)) {
          options.labelColumn = schema.labelName;
        }
        if (schema.kind === 'image' && schema.sampleShape.length === 3 && options.imageSize === undefined) {
          options.imageSize = [schema.sampleShape[0], schema.sampleShape[1]];
          if (options.grayscale === undefined) options.grayscale = schema.sampleShape[2] === 1;
        }
        dataset = await loadDataset(datasetPath ?? schema.source, options);
      }
      return new LocalExplorer({ model, normalizer: sidecar.normalizer, dataset, history: sidecar.history, backend: tf.getBackend(), modelDir });
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
      model: this.model.config,
      backend: this.backend,
      history: this.history,
      modelDir: this.modelDir,
    };
  }

  async embed(): Promise<EmbeddingResult> {
    this.checkAlive();
    if (!this.embedding) {
      const n = this.dataset.n;
      this.embedding = this.embeddingOf(encodeRows(this.model, this.normalized, n), reconstructionErrors(this.model, this.normalized, n));
    }
    return this.embedding;
  }

  async project(method: ProjectionMethod, dims: 2 | 3, seed = 0): Promise<ProjectionResult> {
    const e = await this.embed();
    const p = projectLatent(e.latent, e.n, e.latentDim, method, dims, seed);
    this.lastProjection = p;
    return p;
  }

  /** K-means on the codes; centroids are also decoded to data units. */
  async cluster(k: number, seed = 0): Promise<ClusterResult> {
    const e = await this.embed();
    const r = kmeans(e.latent, e.n, e.latentDim, { k, seed });
    const summary = clusterSummary(e.latent, e.n, e.latentDim, r.assignments, r.centroids, k, NEAREST_PER_CLUSTER);
    const result: ClusterResult = {
      k,
      assignments: r.assignments,
      centroids: r.centroids,
      inertia: r.inertia,
      sizes: summary.sizes,
      nearest: summary.nearest,
      decodedCentroids: await this.decode(r.centroids, k),
    };
    this.lastCluster = result;
    return result;
  }

  async suggestK(kMin: number, kMax: number, seed = 0): Promise<KSuggestion> {
    const e = await this.embed();
    return suggestK(e.latent, e.n, e.latentDim, kMin, kMax, { seed });
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
      reconstruction: invertNormalizer(this.normalizer, reconstruct(this.model, Float32Array.from(row), 1), d),
      error: e.errors[index],
      latent: e.latent.slice(index * e.latentDim, (index + 1) * e.latentDim),
      label: ds.labels?.[index],
      ref: ds.refs[index],
    };
  }

  async decode(latent: Float32Array, count: number): Promise<Float32Array> {
    this.checkAlive();
    const { latentDim } = this.model.config;
    if (latent.length !== count * latentDim) throw new RangeError(`decode: expected ${count} x ${latentDim} values, got ${latent.length}`);
    return invertNormalizer(this.normalizer, decodeRows(this.model, latent, count), this.dataset.dim);
  }

  async interpolate(a: number, b: number, steps: number, mode: InterpolationMode): Promise<{ latent: Float32Array; decoded: Float32Array }> {
    const e = await this.embed();
    for (const i of [a, b]) if (!Number.isInteger(i) || i < 0 || i >= e.n) throw new RangeError(`sample index ${i} out of range 0..${e.n - 1}`);
    const d = e.latentDim;
    const latent = interpolatePath(e.latent.subarray(a * d, a * d + d), e.latent.subarray(b * d, b * d + d), steps, mode);
    return { latent, decoded: await this.decode(latent, steps) };
  }

  /** Writes codes + errors + labels + sources, and the last clustering and (2D/3D) projection when computed. */
  async exportEmbeddings(path: string, format: ExportFormat, overwrite: boolean): Promise<string[]> {
    const e = await this.embed();
    return writeExport(path, format, { ...e, clusters: this.lastCluster?.assignments, projection: this.lastProjection }, overwrite);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }

  private embeddingOf(latent: Float32Array, errors: Float32Array): EmbeddingResult {
    return { n: this.dataset.n, latentDim: this.model.config.latentDim, latent, errors, labels: this.dataset.labels, refs: this.dataset.refs };
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('explorer is disposed');
  }
}
