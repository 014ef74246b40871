import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../../src/core/tf';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import { stableName } from '../../../src/core/models/layers';
import type { Autoencoder, ModelConfig } from '../../../src/core/models/types';
import { DEFAULT_CODEBOOK_SIZE, DEFAULT_COMMITMENT, stopGradient } from '../../../src/core/models/vqvae';
import { encode, reconstructionErrors } from '../../../src/core/inference';
import { trainAutoencoder } from '../../../src/core/training/train';
import type { TrainOptions } from '../../../src/core/training/types';
import { loadModel, saveModel } from '../../../src/core/training/persistence';
import { createNormalRng, createRng } from '../../../src/common/random';
import { mean } from './synthetic';

before(async () => {
  await tf.setBackend('cpu');
});

const N = 256;
const DIM = 16;
const CLUSTERS = 4;
const NOISE = 0.05;

/** `n x dim` rows around `clusters` random centres in [0, 1]^dim (row i in cluster i mod clusters), noise sd `noise`. */
function clusteredData(n: number, dim: number, clusters: number, noise: number, seed: number): Float32Array {
  const rand = createRng(seed);
  const normal = createNormalRng(seed + 1);
  const centres = Array.from({ length: clusters * dim }, () => rand());
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) x[i * dim + j] = Math.min(1, Math.max(0, centres[(i % clusters) * dim + j] + noise * normal()));
  }
  return x;
}

const data = clusteredData(N, DIM, CLUSTERS, NOISE, 7);
const TRAIN: TrainOptions = { epochs: 30, batchSize: 32, learningRate: 1e-2, validationSplit: 0, patience: 0, seed: 5 };

function config(overrides?: Partial<ModelConfig>): ModelConfig {
  return defaultModelConfig('vqvae', [DIM], { latentDim: 4, hidden: [32], codebookSize: 16, seed: 3, ...overrides });
}

function codeIndicesOf(model: Autoencoder, x: Float32Array, n: number): Int32Array {
  const t = tf.tidy(() => model.codeIndices?.(tf.tensor2d(x, [n, model.config.inputDim])));
  assert.ok(t, 'vqvae implements codeIndices');
  assert.equal(t.dtype, 'int32');
  const out = t.dataSync() as Int32Array;
  t.dispose();
  return out;
}

test('stopGradient passes values through and blocks gradients', () => {
  const before = tf.memory().numTensors;
  const x = tf.tensor1d([1, -2, 3]);
  const y = stopGradient(x);
  assert.deepEqual(Array.from(y.dataSync()), [1, -2, 3]);
  // d/dx sum(sg(x) * x) = sg(x) = x (the sg factor contributes nothing); d/dx sum(sg(x)) = 0.
  const g1 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(stopGradient(t), t)))(x);
  assert.deepEqual(Array.from(g1.dataSync()), [1, -2, 3]);
  const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(stopGradient(t), 5)))(x);
  assert.deepEqual(Array.from(g2.dataSync()), [0, 0, 0]);
  // Straight-through: x + sg(f(x) - x) has value f(x) and gradient 1.
  const u = tf.tensor1d([0.4, 1.7]);
  const straight = (t: tf.Tensor): tf.Tensor => tf.add(t, stopGradient(tf.sub(tf.round(t), t)));
  const forward = tf.tidy(() => Array.from(straight(u).dataSync()));
  assert.deepEqual(forward, [0, 2]);
  const st = tf.grad((t: tf.Tensor) => tf.sum(straight(t)))(u);
  assert.deepEqual(Array.from(st.dataSync()), [1, 1]);
  [x, y, g1, g2, u, st].forEach((t) => t.dispose());
  assert.equal(tf.memory().numTensors, before);
});

test('defaults, stable variable names and codebook shape', () => {
  const before = tf.memory().numTensors;
  const d = defaultModelConfig('vqvae', [DIM]);
  assert.equal(d.codebookSize, DEFAULT_CODEBOOK_SIZE);
  assert.equal(d.commitmentCost, DEFAULT_COMMITMENT);
  assert.equal(DEFAULT_CODEBOOK_SIZE, 32);
  assert.equal(DEFAULT_COMMITMENT, 0.25);
  const model = createModel(config());
  const names = model.variables.map(stableName);
  assert.deepEqual(names, ['enc/0/W', 'enc/0/b', 'enc/1/W', 'enc/1/b', 'dec/0/W', 'dec/0/b', 'dec/1/W', 'dec/1/b', 'codebook']);
  const codebook = model.variables[names.indexOf('codebook')];
  assert.deepEqual(codebook.shape, [16, 4]);
  const values = codebook.dataSync();
  assert.ok(values.every((v) => Math.abs(v) <= 1 / 16), 'codebook starts in U(-1/K, 1/K)');
  assert.ok(new Set(values).size > 1);
  model.dispose();
  assert.throws(() => createModel(config({ codebookSize: 0 })), /codebookSize/);
  assert.equal(tf.memory().numTensors, before);
});

test('loss parts: reporting parts carry no gradient, the total reaches every variable', () => {
  const before = tf.memory().numTensors;
  const model = createModel(config());
  const x = tf.tensor2d(data.subarray(0, 32 * DIM), [32, DIM]);
  tf.tidy(() => {
    const lp = model.loss(x, 1);
    assert.deepEqual(Object.keys(lp.parts).sort(), ['codebook', 'commitment', 'perplexity', 'reconstruction', 'usage']);
    const perplexity = lp.parts.perplexity.dataSync()[0];
    const usage = lp.parts.usage.dataSync()[0];
    assert.ok(perplexity >= 1 && perplexity <= 16, `perplexity ${perplexity} in [1, K]`);
    assert.ok(usage > 0 && usage <= 1, `usage ${usage} in (0, 1]`);
    const parts = lp.parts;
    const expected = parts.reconstruction.dataSync()[0] + parts.codebook.dataSync()[0] + DEFAULT_COMMITMENT * parts.commitment.dataSync()[0];
    assert.ok(Math.abs(lp.total.dataSync()[0] - expected) < 1e-5, 'total = reconstruction + codebook + beta * commitment');
  });
  const norms = (f: () => tf.Scalar): Record<string, number> =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(f, model.variables);
      return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k.slice(k.indexOf('/') + 1), tf.sum(tf.abs(g)).dataSync()[0]]));
    });
  for (const part of ['perplexity', 'usage']) {
    const g = norms(() => model.loss(x, 1).parts[part]);
    assert.ok(Object.values(g).every((v) => v === 0), `${part} has no gradient: ${JSON.stringify(g)}`);
  }
  const total = norms(() => model.loss(x, 1).total);
  for (const name of ['enc/0/W', 'enc/1/W', 'dec/0/W', 'dec/1/W', 'codebook']) assert.ok(total[name] > 0, `${name} gets a gradient`);
  // The codebook gets its gradient from the codebook term only (straight-through stops the reconstruction path).
  const recon = norms(() => model.loss(x, 1).parts.reconstruction);
  assert.equal(recon.codebook, 0);
  assert.ok(recon['enc/0/W'] > 0, 'reconstruction reaches the encoder through the straight-through estimator');
  x.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('trains on clustered data: error falls, several codes used, perplexity > 1, no leaks', async () => {
  const before = tf.memory().numTensors;
  const model = createModel(config());
  const untrained = mean(reconstructionErrors(model, data, N));
  const result = await trainAutoencoder(model, data, N, TRAIN);
  const trained = mean(reconstructionErrors(model, data, N));
  assert.ok(trained < 0.2 * untrained, `error ${trained} should be < 0.2 x untrained ${untrained}`);
  assert.ok(trained < 4 * NOISE * NOISE, `error ${trained} should approach the noise variance ${NOISE * NOISE}`);
  const last = result.history[result.history.length - 1];
  assert.ok(last.loss < 0.2 * result.history[0].loss);
  assert.ok(last.parts.perplexity > 1, `perplexity ${last.parts.perplexity} > 1`);
  assert.ok(last.parts.usage > 1 / 16, `usage ${last.parts.usage} > one code`);
  assert.ok(last.parts.codebook < result.history[0].parts.codebook, 'codebook loss falls');

  const idx = codeIndicesOf(model, data, N);
  const used = new Set(idx);
  assert.ok(used.size >= 2, `more than one code used (${used.size})`);
  // Rows of one cluster share a code, and different clusters do not collapse onto one code.
  const clusterCodes = new Set(Array.from({ length: CLUSTERS }, (_, c) => idx[c]));
  assert.equal(clusterCodes.size, CLUSTERS, `clusters map to distinct codes: ${[...clusterCodes].join(',')}`);

  // encode returns the quantised code: the codebook row of each point's index.
  const z = encode(model, data, N);
  const codebook = model.variables.find((v) => stableName(v) === 'codebook');
  assert.ok(codebook);
  const c = codebook.dataSync();
  const D = model.config.latentDim;
  for (let i = 0; i < N; i += 17) {
    assert.deepEqual(Array.from(z.subarray(i * D, (i + 1) * D)), Array.from(c.subarray(idx[i] * D, (idx[i] + 1) * D)));
  }
  model.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors leak across train + encode + codeIndices');
});

test('seeded runs give identical embeddings; decode works on any latent row', async () => {
  const run = async (): Promise<{ z: Float32Array; decoded: Float32Array }> => {
    const model = createModel(config());
    await trainAutoencoder(model, data, N, { ...TRAIN, epochs: 5, validationSplit: 0.1, patience: 2 });
    const z = encode(model, data, N);
    const decoded = tf.tidy(() => model.decode(tf.tensor2d([[0.1, -0.2, 0.3, 0.05]])).dataSync() as Float32Array);
    model.dispose();
    return { z, decoded };
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a.z, b.z);
  assert.deepEqual(a.decoded, b.decoded);
  assert.equal(a.decoded.length, DIM);
});

test('save + load round trip gives identical encode output and code indices', async () => {
  const before = tf.memory().numTensors;
  const dir = await mkdtemp(join(tmpdir(), 'vqvae-'));
  try {
    const model = createModel(config());
    const result = await trainAutoencoder(model, data, N, { ...TRAIN, epochs: 3 });
    await saveModel(dir, model, {
      normalizer: { kind: 'none', perFeature: false, offset: [0], scale: [1] },
      dataset: { name: 'clusters', source: 'synthetic', format: 'csv', kind: 'table', sampleShape: [DIM], columns: [] },
      history: result.history,
      backend: tf.getBackend(),
    });
    const { model: loaded, sidecar } = await loadModel(dir);
    assert.equal(sidecar.config.kind, 'vqvae');
    assert.equal(loaded.config.codebookSize, 16);
    assert.deepEqual(encode(loaded, data, N), encode(model, data, N));
    assert.deepEqual(codeIndicesOf(loaded, data, N), codeIndicesOf(model, data, N));
    model.dispose();
    loaded.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(tf.memory().numTensors, before);
});
