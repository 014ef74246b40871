/**
 * The autoencoder kinds and what each needs or offers, for every layer that must know without loading tfjs (the
 * CLI's flags, the training form, the panel, the webview). The factories live in src/core/models.
 */

export const MODEL_KINDS = ['dense', 'tied', 'denoising', 'sparse', 'vae', 'conv', 'cvae', 'stacked', 'vqvae', 'sequence'] as const;

export type ModelKind = (typeof MODEL_KINDS)[number];

export interface ModelKindTraits {
  /** The sample shape it trains on: any vector, an image `[h, w, c]`, or a window of a time series `[steps, channels]`. */
  input: 'vector' | 'image' | 'sequence';
  /** Has a Gaussian prior to sample new codes from (VAE family). */
  prior: boolean;
  /** Encodes and decodes with a class condition (the dataset's labels). */
  conditional: boolean;
  /** Maps each sample to one of a codebook's entries. */
  discreteCodes: boolean;
}

const PLAIN: ModelKindTraits = { input: 'vector', prior: false, conditional: false, discreteCodes: false };

export const MODEL_KIND_TRAITS: Readonly<Record<ModelKind, ModelKindTraits>> = {
  dense: PLAIN,
  tied: PLAIN,
  denoising: PLAIN,
  sparse: PLAIN,
  stacked: PLAIN,
  vae: { ...PLAIN, prior: true },
  cvae: { ...PLAIN, prior: true, conditional: true },
  vqvae: { ...PLAIN, discreteCodes: true },
  conv: { ...PLAIN, input: 'image' },
  sequence: { ...PLAIN, input: 'sequence' },
};

/** Type guard for user-supplied kind strings. */
export function isModelKind(value: unknown): value is ModelKind {
  return typeof value === 'string' && (MODEL_KINDS as readonly string[]).includes(value);
}
