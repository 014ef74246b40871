/**
 * The end-to-end training pipeline used by the CLI and the training worker:
 * load -> normalise -> build model -> train -> save -> encode everything -> write `embeddings.csv`.
 */
import { datasetBaseName } from './export/outputPaths';
import * as path from 'node:path';
import { tf } from './tf';
import type { Dataset, LoadOptions } from './data/dataset';
import { DatasetError } from './data/dataset';
import { SAMPLE_NAME, loadDataset, loadSampleDigits } from './data/index';
import type { NormalizationKind, Normalizer } from './data/normalize';
import { applyNormalizer, defaultNormalization, fitNormalizer } from './data/normalize';
import { embeddingsToCsv } from './export/embeddings';
import { codeIndices, encode, hasCodeIndices, reconstructionErrors } from './inference';
import { conditionClassesOf, datasetCondition, isConditional } from './models/cvae';
import { SMALL_IMAGE_SET, createModel, defaultModelConfig, isImageModel, isSequenceModel, isSmallImageSet } from './models/index';
import type { Autoencoder, ModelConfig, ModelKind } from './models/types';
import { datasetSchema, saveModel } from './training/persistence';
import { writeFileAtomic } from './export/atomicWrite';
import { defaultTrainOptions, splitIndices, trainAutoencoder } from './training/train';
import type { AnomalyCalibration } from './analysis/anomalyModel';
import { calibrateAnomalies } from './analysis/anomalyModel';
import { storeCalibration } from './analysis/anomalyReport';
import { idecFineTune } from './training/idec';
import type { TrainOptions, TrainProgress, TrainResult } from './training/types';

export const EMBEDDINGS_FILE = 'embeddings.csv';

export interface PipelineOptions {
  /** Dataset file or folder; undefined (and no `dataset`) = the sample digits (src/core/data/sample.ts). */
  datasetPath?: string;
  /** An already loaded dataset (wins over `datasetPath`). */
  dataset?: Dataset;
  loadOptions?: LoadOptions;
  /** Model kind plus any config overrides (sizes from `defaultModelConfig` otherwise). */
  model: Partial<ModelConfig> & { kind: ModelKind };
  train?: Partial<Omit<TrainOptions, 'onProgress' | 'signal'>>;
  /** Normalisation; default `defaultNormalization(dataset)`. */
  normalization?: { kind: NormalizationKind; perFeature: boolean };
  /** Output folder; default `defaultOutDir(datasetPath, kind)`. */
  outDir?: string;
  onProgress?: (p: TrainProgress) => void | Promise<void>;
  /** False-positive rate of the anomaly thresholds calibrated on the validation split (default DEFAULT_TARGET_FPR). */
  anomalyFpr?: number;
  /** Called once, after the model is built and before training, e.g. to encode a live embedding per epoch. */
  onModelReady?: (ctx: TrainingContext) => void;
  /** Called once the dataset is loaded, before training (e.g. to show the loader's warnings). */
  onDataset?: (dataset: Dataset) => void;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** After training: IDEC fine-tuning towards `k` clusters for `epochs` epochs (src/core/training/idec.ts). */
  idec?: { k: number; epochs: number; gamma?: number };
}

/** What `onModelReady` sees: the model being trained and the normalised data it trains on. */
export interface TrainingContext {
  model: Autoencoder;
  normalized: Float32Array;
  n: number;
  labels?: string[];
  /** Per-row condition vectors (CVAE). */
  condition?: Float32Array;
}

export interface PipelineResult {
  dataset: Dataset;
  model: Autoencoder;
  normalizer: Normalizer;
  /** Normalised features the model was trained on, `n x dim`. */
  normalized: Float32Array;
  result: TrainResult;
  /** `n x latentDim` codes. */
  embeddings: Float32Array;
  /** Per-sample reconstruction MSE (normalised units). */
  errors: Float32Array;
  /** Conditional models (CVAE): the one-hot condition of every sample, `n x conditionClasses.length`. */
  condition?: Float32Array;
  /** Anomaly reference statistics and thresholds (absent when training was cancelled). */
  anomaly?: AnomalyCalibration;
  outDir: string;
  /** Files written (none when training was cancelled). */
  files: string[];
  /** Backend the model was trained on. */
  backend: string;
}

/**
 * `.latent/<dataset base name>-<kind>` in the dataset's folder (beside it for an image folder), so the model lands
 * next to its data whatever the working directory; the bundled MNIST default goes under the working directory.
 */
export function defaultOutDir(datasetPath: string | undefined, kind: ModelKind, cwd: string = process.cwd()): string {
  if (datasetPath === undefined) return path.resolve(cwd, '.latent', `${SAMPLE_NAME}-${kind}`);
  const abs = path.resolve(cwd, datasetPath);
  return path.join(path.dirname(abs), '.latent', `${datasetBaseName(abs)}-${kind}`);
}

/** The embeddings table of a dataset, in the one CSV layout every export uses (see `embeddingsToCsv`). */
export function embeddingsCsv(dataset: Dataset, embeddings: Float32Array, latentDim: number, errors: Float32Array, codes?: Int32Array): string {
  return embeddingsToCsv({ n: dataset.n, latentDim, latent: embeddings, errors, labels: dataset.labels, ids: dataset.ids, refs: dataset.refs, source: dataset.source, codes });
}

/**
 * Builds the model config for a dataset from the pipeline's model options. A conditional model (cvae) needs labels:
 * its `conditionClasses` are the dataset's sorted distinct labels unless the options name them.
 */
export function pipelineModelConfig(dataset: Dataset, model: PipelineOptions['model'], normalization: NormalizationKind, seed: number): ModelConfig {
  if (isImageModel(model.kind) && dataset.kind !== 'image') {
    throw new DatasetError(`a ${model.kind} model needs an image dataset, but this is a ${dataset.kind} dataset`, dataset.source);
  }
  if (isSequenceModel(model.kind) && dataset.kind !== 'sequence') {
    throw new DatasetError(`a ${model.kind} model needs time-series windows: load a table with a window (CLI: --window N), not a ${dataset.kind} dataset`, dataset.source);
  }
  const { kind, ...overrides } = model;
  const config = defaultModelConfig(
    kind,
    dataset.sampleShape,
    { outputActivation: normalization === 'minmax' ? 'sigmoid' : 'linear', ...overrides, seed: model.seed ?? seed },
    dataset.n,
  );
  if (isConditional(config)) {
    if (!dataset.labels || dataset.labels.length !== dataset.n) throw new DatasetError(`a ${kind} model needs a label column as its condition (the label step of the training form; CLI: --label NAME)`, dataset.source);
    if (!config.conditionClasses || config.conditionClasses.length === 0) config.conditionClasses = conditionClassesOf(dataset.labels);
  }
  return config;
}

/**
 * The training options for a dataset: the given ones, else SMALL_IMAGE_SET's batch size and plateau rule when the
 * model takes its default layers for such a set, else the training loop's defaults. `batchSize: 0` (automatic)
 * counts as not given.
 */
export function pipelineTrainOptions(dataset: Pick<Dataset, 'n' | 'sampleShape'>, model: PipelineOptions['model'], train: PipelineOptions['train'] = {}): TrainOptions {
  const given = Object.fromEntries(Object.entries(train).filter(([k, v]: [string, unknown]) => v !== undefined && !(k === 'batchSize' && v === 0)));
  const small = model.hidden === undefined && isSmallImageSet(model.kind, dataset.sampleShape, dataset.n);
  const sized: Partial<TrainOptions> = small ? { batchSize: SMALL_IMAGE_SET.batchSize, minImprovement: SMALL_IMAGE_SET.minImprovement } : {};
  return defaultTrainOptions({ ...sized, ...given });
}

export async function runTrainingPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  const log = opts.log ?? ((): void => undefined);
  const dataset =
    opts.dataset ??
    (opts.datasetPath === undefined
      ? await loadSampleDigits(opts.loadOptions?.maxRows !== undefined ? { maxRows: opts.loadOptions.maxRows } : {})
      : await loadDataset(opts.datasetPath, opts.loadOptions));
  opts.onDataset?.(dataset);
  if (dataset.n < 2) throw new DatasetError(`need at least 2 samples to train, found ${dataset.n}`, dataset.source);
  log(`dataset ${dataset.name}: ${dataset.n} samples x ${dataset.dim} features (${dataset.format}, ${dataset.kind})`);

  const norm = opts.normalization ?? defaultNormalization(dataset);
  const normalizer = fitNormalizer(dataset.features, dataset.n, dataset.dim, norm.kind, norm.perFeature);
  const normalized = applyNormalizer(normalizer, dataset.features, dataset.dim);

  const train = pipelineTrainOptions(dataset, opts.model, opts.train);
  const config = pipelineModelConfig(dataset, opts.model, norm.kind, train.seed);
  const backend = tf.getBackend();
  const outDir = path.resolve(opts.outDir ?? defaultOutDir(opts.datasetPath ?? opts.dataset?.source, config.kind));
  log(`model ${config.kind}: input ${config.inputDim}, hidden [${config.hidden.join(', ')}], latent ${config.latentDim}; backend ${backend}`);

  const condition = datasetCondition(dataset, config);
  if (config.conditionClasses && condition) log(`conditioned on ${config.conditionClasses.length} classes of ${dataset.labelName ?? 'the label'}`);
  const model = createModel(config);
  try {
    opts.onModelReady?.({ model, normalized, n: dataset.n, labels: dataset.labels, condition });
    const result = await trainAutoencoder(model, normalized, dataset.n, { ...train, onProgress: opts.onProgress, signal: opts.signal }, condition);
    if (opts.idec && !result.cancelled) {
      if (condition) throw new Error('IDEC fine-tuning does not apply to conditional models');
      const { k, epochs, gamma } = opts.idec;
      log(`IDEC fine-tuning: ${k} clusters, ${epochs} epochs`);
      await idecFineTune(model, normalized, dataset.n, { k, epochs, gamma, seed: train.seed, signal: opts.signal, onEpoch: (e, l) => log(`IDEC epoch ${e}/${epochs}: reconstruction ${l.reconstruction.toPrecision(4)}, KL ${l.kl.toPrecision(4)}`) });
    }
    const embeddings = encode(model, normalized, dataset.n, undefined, condition);
    const errors = reconstructionErrors(model, normalized, dataset.n, undefined, condition);
    const files: string[] = [];
    let anomaly: AnomalyCalibration | undefined;
    if (result.cancelled) {
      log('training cancelled: nothing saved');
    } else {
      const split = splitIndices(dataset.n, train.validationSplit, train.seed);
      anomaly = calibrateAnomalies(model, normalized, dataset.n, { trainRows: split.train, calibrationRows: split.val, targetFpr: opts.anomalyFpr, condition, seed: train.seed });
      const extra = { normalizer, dataset: datasetSchema(dataset, opts.loadOptions ?? {}), history: result.history, backend, train, anomaly: storeCalibration(anomaly) };
      files.push(...(await saveModel(outDir, model, extra)));
      const csv = path.join(outDir, EMBEDDINGS_FILE);
      const codes = hasCodeIndices(model) ? codeIndices(model, normalized, dataset.n) : undefined;
      writeFileAtomic(csv, embeddingsCsv(dataset, embeddings, config.latentDim, errors, codes), true);
      files.push(csv);
      log(`saved model and embeddings to ${outDir}`);
    }
    const out: PipelineResult = { dataset, model, normalizer, normalized, result, embeddings, errors, outDir, files, backend };
    if (condition) out.condition = condition;
    if (anomaly) out.anomaly = anomaly;
    return out;
  } catch (e) {
    model.dispose();
    throw e;
  }
}
