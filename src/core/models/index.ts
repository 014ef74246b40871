/**
 * Model registry: `createModel(config)` builds any autoencoder kind from its serialisable config, and
 * `defaultModelConfig` picks sensible sizes from the data shape. `registerModel` adds or replaces a kind's factory.
 */
import type { Autoencoder, ModelConfig, ModelKind } from './types';
import { DEFAULT_SEED } from '../../common/defaults';
import { MODEL_KINDS, MODEL_KIND_TRAITS } from '../../common/modelKinds';
import { createDenseAutoencoder } from './dense';
import { createTiedAutoencoder } from './tied';
import { createDenoisingAutoencoder, DEFAULT_NOISE } from './denoising';
import { createSparseAutoencoder, DEFAULT_L1 } from './sparse';
import { createVae } from './vae';
import { createConvAutoencoder, DEFAULT_CONV_FILTERS } from './conv';
import { createSequenceAutoencoder, DEFAULT_SEQUENCE_FILTERS, DEFAULT_SEQUENCE_LATENT } from './sequence';
import { createStackedAutoencoder, DEFAULT_PRETRAIN_EPOCHS } from './stacked';
import { createCvae } from './cvae';
import { createVqVae, DEFAULT_CODEBOOK_SIZE, DEFAULT_COMMITMENT } from './vqvae';

export type ModelFactory = (config: ModelConfig) => Autoencoder;

const factories = new Map<ModelKind, ModelFactory>([
  ['dense', createDenseAutoencoder],
  ['tied', createTiedAutoencoder],
  ['denoising', createDenoisingAutoencoder],
  ['sparse', createSparseAutoencoder],
  ['vae', createVae],
  ['conv', createConvAutoencoder],
  ['sequence', createSequenceAutoencoder],
  ['stacked', createStackedAutoencoder],
  ['cvae', createCvae],
  ['vqvae', createVqVae],
]);

/** Registers (or replaces) the factory of a model kind. */
export function registerModel(kind: ModelKind, factory: ModelFactory): void {
  factories.set(kind, factory);
}

/** Kinds that currently have a factory. */
export function availableModelKinds(): ModelKind[] {
  return MODEL_KINDS.filter((k) => factories.has(k));
}

export { isModelKind } from '../../common/modelKinds';

/** Builds a fresh (untrained, seeded) model from its config. */
export function createModel(config: ModelConfig): Autoencoder {
  const factory = factories.get(config.kind);
  if (!factory) throw new Error(`model kind "${config.kind}" is not available (available: ${availableModelKinds().join(', ')})`);
  validateConfig(config);
  return factory(config);
}

/** True for kinds that need an image sample shape `[h, w, c]`. */
export function isImageModel(kind: ModelKind): boolean {
  return MODEL_KIND_TRAITS[kind].input === 'image';
}

/** True for kinds that need a sequence (sliding-window) sample shape `[steps, channels]`. */
export function isSequenceModel(kind: ModelKind): boolean {
  return MODEL_KIND_TRAITS[kind].input === 'sequence';
}

function validateConfig(config: ModelConfig): void {
  const product = config.sampleShape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(config.inputDim) || config.inputDim < 1) throw new Error(`inputDim must be a positive integer, got ${config.inputDim}`);
  if (product !== config.inputDim) throw new Error(`sampleShape [${config.sampleShape.join(', ')}] does not match inputDim ${config.inputDim}`);
  if (!Number.isInteger(config.latentDim) || config.latentDim < 1) throw new Error(`latentDim must be a positive integer, got ${config.latentDim}`);
  if (config.hidden.some((u) => !Number.isInteger(u) || u < 1)) throw new Error(`hidden sizes must be positive integers, got [${config.hidden.join(', ')}]`);
}

/**
 * Latent width for image data: about as many dimensions as the classes one expects to find (N2D's choice). Measured
 * in bench/cluster.ts (dense AE, default training, UMAP + GMM, k = 10): latent 10 vs 16 gave accuracy 0.636 vs 0.589
 * on Fashion-MNIST (10k) and 0.791 vs 0.725 on MNIST (10k), with reconstruction MSE 0.0148 vs 0.0136.
 */
export const DEFAULT_IMAGE_LATENT = 10;

/**
 * Tables with at least this many features get the image latent width, and below 256 features the hidden layers are
 * `[min(256, 2^ceil(log2 4d)), half of that]`. Measured on scikit-learn's 8x8 digits (1,797 x 64, default training,
 * UMAP + GMM, k = 10, three model seeds): latent 10 with [256, 128] gave accuracy 0.92 / 0.85 / 0.93, the previous
 * latent 8 with [128, 32] 0.79 (raw-pixel k-means: 0.79).
 */
export const WIDE_INPUT_FEATURES = 32;

/**
 * Dense autoencoders of image sets (256+ features) from `minRows` to `maxRows` rows get N2D's wider layers
 * (McConville et al. 2020) and train with batches of `batchSize` until early stopping's patience runs out (no plateau
 * rule). Measured in bench/cluster.ts (UMAP + GMM, k = 10, two model seeds): MNIST 10k 0.957 / 0.952 where [256, 64]
 * gave 0.926, Fashion-MNIST 10k 0.55-0.63 either way (mean of three runs 0.597 vs 0.606); 10k images train in ~55 s
 * instead of ~8-16 s, so larger sets keep [256, 64] (60k images would take ~5 minutes), and so do smaller ones
 * (unmeasured there, with few steps an epoch). The same layers trained 18-19 epochs at batch 256 with the plateau rule
 * gave only 0.934 / 0.916.
 */
export const SMALL_IMAGE_SET = { minRows: 4096, maxRows: 12_000, hidden: [500, 500, 2000], batchSize: 128, minImprovement: 0 } as const;

/** Whether a model of `kind` for `rows` samples of `sampleShape` gets SMALL_IMAGE_SET's layers and training by default. */
export function isSmallImageSet(kind: ModelKind, sampleShape: readonly number[], rows: number | undefined): boolean {
  return kind === 'dense' && isImageShape(sampleShape) && rows !== undefined && rows >= SMALL_IMAGE_SET.minRows && rows <= SMALL_IMAGE_SET.maxRows;
}

/** Samples sized for image defaults: height x width x channels, or 256+ features. */
function isImageShape(sampleShape: readonly number[]): boolean {
  return sampleShape.length === 3 || sampleShape.reduce((a, b) => a * b, 1) >= 256;
}

/**
 * Sensible defaults for a kind and data shape. Hidden widths shrink from the input towards the code: for an input of
 * d features, `[256, 64]` from 256 features up, else `[min(256, 2^ceil(log2 4d)), half]`, dropping layers not wider
 * than the code; latent DEFAULT_IMAGE_LATENT for images (d >= 256 or a conv model) and tables of at least
 * WIDE_INPUT_FEATURES features, else 8 (capped at d / 2); SMALL_IMAGE_SET's layers when `rows` (the dataset's
 * samples, when known) make it one. `overrides` win (undefined values are ignored).
 */
export function defaultModelConfig(kind: ModelKind, sampleShape: number[], overrides?: Partial<ModelConfig>, rows?: number): ModelConfig {
  const inputDim = sampleShape.reduce((a, b) => a * b, 1);
  const image = isImageModel(kind) || isImageShape(sampleShape);
  const wide = image || inputDim >= WIDE_INPUT_FEATURES;
  const latentDim = Math.max(1, Math.min(wide ? DEFAULT_IMAGE_LATENT : 8, Math.max(2, Math.floor(inputDim / 2))));
  let hidden: number[];
  if (kind === 'conv' || kind === 'sequence') hidden = [];
  else if (isSmallImageSet(kind, sampleShape, rows)) hidden = [...SMALL_IMAGE_SET.hidden];
  else if (inputDim >= 256) hidden = [256, 64];
  else {
    const first = Math.min(256, Math.max(16, 2 ** Math.ceil(Math.log2(inputDim * 4))));
    hidden = [first, Math.max(latentDim * 2, Math.floor(first / 2))].filter((u, i, a) => u > latentDim && (i === 0 || u < a[i - 1]));
  }
  const base: ModelConfig = {
    kind,
    inputDim,
    sampleShape: [...sampleShape],
    latentDim,
    hidden,
    activation: 'relu',
    outputActivation: 'sigmoid',
    seed: DEFAULT_SEED,
  };
  if (kind === 'denoising') base.noise = { ...DEFAULT_NOISE };
  if (kind === 'sparse') base.l1 = DEFAULT_L1;
  if (kind === 'vae' || kind === 'cvae') base.beta = 1;
  if (kind === 'conv') base.convFilters = [...DEFAULT_CONV_FILTERS];
  if (kind === 'sequence') {
    base.latentDim = DEFAULT_SEQUENCE_LATENT;
    base.convFilters = [...DEFAULT_SEQUENCE_FILTERS];
    base.outputActivation = 'linear';
  }
  if (kind === 'stacked') base.pretrainEpochs = DEFAULT_PRETRAIN_EPOCHS;
  if (kind === 'vqvae') { base.codebookSize = DEFAULT_CODEBOOK_SIZE; base.commitmentCost = DEFAULT_COMMITMENT; }
  const clean = Object.fromEntries(Object.entries(overrides ?? {}).filter(([, v]: [string, unknown]) => v !== undefined)) as Partial<ModelConfig>;
  return { ...base, ...clean, kind, inputDim, sampleShape: clean.sampleShape ?? base.sampleShape };
}
