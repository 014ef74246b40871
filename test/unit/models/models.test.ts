import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { DEFAULT_IMAGE_LATENT, SMALL_IMAGE_SET, availableModelKinds, createModel, defaultModelConfig, isImageModel, isSmallImageSet } from '../../../src/core/models/index';
import type { ModelConfig, ModelKind } from '../../../src/core/models/types';
import { TRAINABLE_MODEL_KINDS } from '../../../src/core/models/types';
import { encode, decode, reconstruct, reconstructionErrors } from '../../../src/core/inference';
import { trainAutoencoder } from '../../../src/core/training/train';
import { blobImages, lowRankData, mean } from './synthetic';

before(async () => {
  await tf.setBackend('cpu');
});

const N = 256;
const DIM = 16;
const table = lowRankData(N, DIM, 3, 7);
const IMG = 8;
const N_IMG = 128;
const images = blobImages(N_IMG, IMG, 11);

/** MSE of always predicting the per-feature mean: an autoencoder that learned anything beats it. */
function meanPredictorError(x: Float32Array, n: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * d + j];
    m /= n;
    for (let i = 0; i < n; i++) s += (x[i * d + j] - m) ** 2;
  }
  return s / (n * d);
}

function configFor(kind: ModelKind): ModelConfig {
  if (kind === 'conv') return defaultModelConfig('conv', [IMG, IMG, 1], { latentDim: 6, convFilters: [8, 16], seed: 3 });
  return defaultModelConfig(kind, [DIM], { latentDim: 4, hidden: [32], seed: 3 });
}

for (const kind of ['dense', 'tied', 'denoising', 'sparse', 'vae', 'conv'] as const) {
  test(`${kind}: training cuts the reconstruction error below half the untrained error, without leaks`, async () => {
    const before = tf.memory().numTensors;
    const config = configFor(kind);
    const conv = kind === 'conv';
    const x = conv ? images : table;
    const n = conv ? N_IMG : N;
    const model = createModel(config);
    const untrained = mean(reconstructionErrors(model, x, n));
    const result = await trainAutoencoder(model, x, n, {
      epochs: conv ? 10 : 25,
      batchSize: conv ? 16 : 32,
      learningRate: conv ? 3e-3 : 1e-2,
      validationSplit: 0,
      patience: 0,
      seed: 5,
    });
    const trained = mean(reconstructionErrors(model, x, n));
    assert.ok(trained < 0.5 * untrained, `${kind}: error ${trained} should be < half of untrained ${untrained}`);
    const baseline = meanPredictorError(x, n, config.inputDim);
    assert.ok(trained < (conv ? 0.8 : 0.5) * baseline, `${kind}: error ${trained} should beat the mean predictor ${baseline}`);
    assert.ok(result.history.length > 0 && result.history.every((h) => Number.isFinite(h.loss)));
    assert.ok(result.history[result.history.length - 1].loss < result.history[0].loss, 'training loss decreases');
    const z = encode(model, x, n);
    assert.equal(z.length, n * config.latentDim);
    assert.equal(decode(model, z, n).length, n * config.inputDim);
    assert.equal(reconstruct(model, x, n).length, n * config.inputDim);
    model.dispose();
    assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  });
}

test('loss parts are reported per kind', () => {
  const before = tf.memory().numTensors;
  const expected: Record<string, string[]> = { dense: ['reconstruction'], sparse: ['reconstruction', 'l1'], vae: ['reconstruction', 'kl'] };
  for (const [kind, parts] of Object.entries(expected)) {
    const model = createModel(configFor(kind as ModelKind));
    tf.tidy(() => {
      const lp = model.loss(tf.tensor2d(table.subarray(0, 8 * DIM), [8, DIM]), 1);
      assert.deepEqual(Object.keys(lp.parts).sort(), [...parts].sort());
      assert.equal(lp.total.shape.length, 0);
    });
    model.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
});

test('tied model shares weights: decoder has biases only', () => {
  const dense = createModel(configFor('dense'));
  const tied = createModel(configFor('tied'));
  const count = (vs: tf.Variable[]): number => vs.reduce((s, v) => s + v.size, 0);
  assert.ok(count(tied.variables) < count(dense.variables));
  const names = tied.variables.map((v) => v.name.slice(v.name.indexOf('/') + 1));
  assert.ok(names.filter((n) => n.startsWith('dec/')).every((n) => n.endsWith('/b')));
  dense.dispose();
  tied.dispose();
});

test('denoising corruption depends on the seed and never touches encode', () => {
  const model = createModel(configFor('denoising'));
  const x = tf.tensor2d(table.subarray(0, 16 * DIM), [16, DIM]);
  const l = (seed: number): number => tf.tidy(() => model.loss(x, seed).total.dataSync()[0]);
  assert.equal(l(1), l(1));
  assert.notEqual(l(1), l(2));
  const e1 = tf.tidy(() => Array.from(model.encode(x).dataSync()));
  const e2 = tf.tidy(() => Array.from(model.encode(x).dataSync()));
  assert.deepEqual(e1, e2);
  x.dispose();
  model.dispose();
});

test('vae encode is the deterministic mean; masking noise variant trains', () => {
  const vae = createModel(configFor('vae'));
  const a = encode(vae, table, N);
  const b = encode(vae, table, N);
  assert.deepEqual(a, b);
  vae.dispose();
  const masking = createModel({ ...configFor('denoising'), noise: { type: 'masking', level: 0.5 } });
  const x = tf.tensor2d(table.subarray(0, 4 * DIM), [4, DIM]);
  assert.ok(tf.tidy(() => model0(masking.loss(x, 3).total)) > 0);
  x.dispose();
  masking.dispose();
});

function model0(s: tf.Scalar): number {
  return s.dataSync()[0];
}

test('conv handles image sizes not divisible by 4 (crop) and channels', () => {
  const before = tf.memory().numTensors;
  for (const shape of [[10, 10, 1], [28, 28, 1], [7, 9, 3]]) {
    const config = defaultModelConfig('conv', shape, { latentDim: 3, convFilters: [4, 8] });
    const model = createModel(config);
    const x = new Float32Array(2 * config.inputDim).fill(0.5);
    assert.equal(reconstruct(model, x, 2).length, 2 * config.inputDim);
    model.dispose();
  }
  assert.throws(() => createModel(defaultModelConfig('conv', [12])), /image sample shape/);
  assert.equal(tf.memory().numTensors, before);
});

test('defaults: sensible sizes, overrides win, image kind detection', () => {
  const t = defaultModelConfig('dense', [10]);
  assert.equal(t.inputDim, 10);
  assert.equal(t.latentDim, 5);
  assert.ok(t.hidden.every((h) => h > t.latentDim));
  const img = defaultModelConfig('dense', [28, 28, 1]);
  assert.equal(img.latentDim, DEFAULT_IMAGE_LATENT);
  assert.deepEqual(img.hidden, [256, 64]);
  assert.equal(defaultModelConfig('vae', [784], { latentDim: 2 }).latentDim, 2);
  assert.equal(defaultModelConfig('vae', [784], { latentDim: undefined }).latentDim, DEFAULT_IMAGE_LATENT);
  assert.ok(isImageModel('conv'));
  assert.ok(!isImageModel('dense'));
  assert.throws(() => createModel({ ...t, inputDim: 11 }), /does not match/);
});

test('defaults: the wider layers only for dense models of image sets within the small-set row range', () => {
  const hidden = (kind: ModelKind, shape: number[], rows?: number): number[] => defaultModelConfig(kind, shape, undefined, rows).hidden;
  assert.deepEqual(hidden('dense', [28, 28, 1], 10_000), [...SMALL_IMAGE_SET.hidden]);
  assert.deepEqual(hidden('dense', [784], SMALL_IMAGE_SET.minRows), [...SMALL_IMAGE_SET.hidden]);
  assert.deepEqual(hidden('dense', [784], SMALL_IMAGE_SET.maxRows), [...SMALL_IMAGE_SET.hidden]);
  assert.deepEqual(hidden('dense', [28, 28, 1], SMALL_IMAGE_SET.maxRows + 1), [256, 64]);
  assert.deepEqual(hidden('dense', [28, 28, 1], SMALL_IMAGE_SET.minRows - 1), [256, 64]);
  assert.deepEqual(hidden('dense', [28, 28, 1]), [256, 64]);
  assert.deepEqual(hidden('vae', [28, 28, 1], 10_000), [256, 64]);
  assert.deepEqual(hidden('dense', [64], 10_000), hidden('dense', [64]));
  assert.deepEqual(defaultModelConfig('dense', [784], { hidden: [32] }, 10_000).hidden, [32]);
  assert.ok(isSmallImageSet('dense', [28, 28, 1], 10_000));
  assert.ok(!isSmallImageSet('dense', [28, 28, 1], undefined));
});

test('same seed gives identical initial weights; different seeds differ', () => {
  const a = createModel(configFor('dense'));
  const b = createModel(configFor('dense'));
  const c = createModel({ ...configFor('dense'), seed: 4 });
  const x8 = table.subarray(0, 8 * DIM);
  assert.deepEqual(encode(a, x8, 8), encode(b, x8, 8));
  assert.notDeepEqual(encode(a, x8, 8), encode(c, x8, 8));
  [a, b, c].forEach((m) => m.dispose());
});

test('the UI list of trainable kinds is exactly the registry of factories', () => {
  assert.deepEqual([...availableModelKinds()].sort(), [...TRAINABLE_MODEL_KINDS].sort());
});
