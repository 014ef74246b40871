import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tf } from '../../../src/core/tf';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import type { ModelConfig, ModelKind } from '../../../src/core/models/types';
import { decode, encode } from '../../../src/core/inference';
import { DEFAULT_TRAIN_OPTIONS, LARGE_TRAINING_SET, autoBatchSize, defaultTrainOptions, splitIndices, trainAutoencoder } from '../../../src/core/training/train';
import type { TrainOptions, TrainProgress } from '../../../src/core/training/types';
import { loadModel, saveModel } from '../../../src/core/training/persistence';
import { blobImages, lowRankData } from '../models/synthetic';

before(async () => {
  await tf.setBackend('cpu');
});

const N = 128;
const DIM = 12;
const x = lowRankData(N, DIM, 2, 21);

function cfg(kind: ModelKind = 'dense', seed = 1): ModelConfig {
  return defaultModelConfig(kind, [DIM], { latentDim: 3, hidden: [16], seed });
}
function opts(over: Partial<TrainOptions> = {}): TrainOptions {
  return defaultTrainOptions({ epochs: 3, batchSize: 16, learningRate: 1e-2, validationSplit: 0.25, patience: 0, seed: 9, ...over });
}

async function trainedEmbedding(kind: ModelKind, modelSeed: number, trainSeed: number): Promise<Float32Array> {
  const model = createModel(cfg(kind, modelSeed));
  await trainAutoencoder(model, x, N, opts({ seed: trainSeed }));
  const z = encode(model, x, N);
  model.dispose();
  return z;
}

test('same seed gives bit-identical embeddings; a different seed differs (dense, denoising, vae)', async () => {
  const before = tf.memory().numTensors;
  for (const kind of ['dense', 'denoising', 'vae'] as const) {
    const a = await trainedEmbedding(kind, 1, 9);
    const b = await trainedEmbedding(kind, 1, 9);
    assert.deepEqual(a, b, `${kind} is reproducible`);
    assert.notDeepEqual(a, await trainedEmbedding(kind, 1, 10), `${kind}: train seed matters`);
    assert.notDeepEqual(a, await trainedEmbedding(kind, 2, 9), `${kind}: model seed matters`);
  }
  assert.equal(tf.memory().numTensors, before);
});

test('validation split is seeded, disjoint and complete', () => {
  const a = splitIndices(100, 0.2, 3);
  assert.equal(a.val.length, 20);
  assert.equal(a.train.length, 80);
  assert.deepEqual(new Set([...a.train, ...a.val]).size, 100);
  assert.deepEqual(splitIndices(100, 0.2, 3), a);
  assert.notDeepEqual(splitIndices(100, 0.2, 4).val, a.val);
  assert.equal(splitIndices(100, 0, 3).val.length, 0);
});

test('progress: batch and epoch events, 1-based, valLoss on epochs; history matches', async () => {
  const before = tf.memory().numTensors;
  const model = createModel(cfg());
  const events: TrainProgress[] = [];
  const result = await trainAutoencoder(model, x, N, opts({ onProgress: async (p) => void events.push(p) }));
  const batches = Math.ceil(96 / 16);
  assert.equal(events.filter((e) => e.phase === 'batch').length, 3 * batches);
  const epochs = events.filter((e) => e.phase === 'epoch');
  assert.deepEqual(epochs.map((e) => e.epoch), [1, 2, 3]);
  assert.ok(epochs.every((e) => e.valLoss !== undefined && e.batches === batches && e.samplesPerSec > 0));
  assert.deepEqual(result.history.map((h) => h.valLoss), epochs.map((e) => e.valLoss));
  assert.ok(events.every((e) => 'reconstruction' in e.parts));
  assert.equal(result.cancelled, false);
  assert.equal(result.stoppedEarly, false);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('early stopping stops when validation stops improving and restores the best weights', async () => {
  const before = tf.memory().numTensors;
  const model = createModel(cfg());
  // A high learning rate makes the validation loss bounce, so patience 1 triggers well before 40 epochs.
  const result = await trainAutoencoder(model, x, N, opts({ epochs: 40, learningRate: 0.05, patience: 1 }));
  assert.equal(result.stoppedEarly, true);
  assert.ok(result.history.length < 40);
  const vals = result.history.map((h) => h.valLoss as number);
  const bestVal = Math.min(...vals);
  assert.ok(vals[vals.length - 1] > bestVal, 'the last epoch was not the best');
  assert.ok(vals[0] > 2 * bestVal, 'it did learn before stopping');
  // Restored weights reproduce the best validation loss: evaluate on the same split.
  const { val } = splitIndices(N, 0.25, 9);
  const xv = new Float32Array(val.length * DIM);
  val.forEach((r, i) => xv.set(x.subarray(r * DIM, r * DIM + DIM), i * DIM));
  const restored = tf.tidy(() => model.loss(tf.tensor2d(xv, [val.length, DIM]), 0).total.dataSync()[0]);
  assert.ok(Math.abs(restored - bestVal) < 1e-5, `restored val loss ${restored} equals best ${bestVal}`);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('an abort signal cancels within one batch, mid-epoch, without leaks', async () => {
  const before = tf.memory().numTensors;
  const model = createModel(cfg());
  const ctl = new AbortController();
  let batchesRun = 0;
  const result = await trainAutoencoder(model, x, N, opts({
    epochs: 50,
    signal: ctl.signal,
    onProgress: (p) => {
      if (p.phase !== 'batch') return;
      batchesRun++;
      if (p.epoch === 2 && p.batch === 2) ctl.abort();
    },
  }));
  assert.equal(result.cancelled, true);
  assert.equal(batchesRun, 6 + 2, 'no batch ran after the abort');
  assert.equal(result.history.length, 1);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('bad inputs are rejected with clear messages', async () => {
  const model = createModel(cfg());
  await assert.rejects(trainAutoencoder(model, x.subarray(0, 10), N, opts()), /expected n x inputDim/);
  await assert.rejects(trainAutoencoder(model, x, N, opts({ epochs: 0 })), /invalid training options/);
  model.dispose();
});

for (const kind of ['vae', 'tied', 'conv'] as const) {
  test(`${kind}: save -> load gives identical encode/decode, files only inside the folder, no leaks`, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'le-save-'));
    try {
      const before = tf.memory().numTensors;
      const conv = kind === 'conv';
      const data = conv ? blobImages(32, 8, 2) : x;
      const n = conv ? 32 : N;
      const config = conv ? defaultModelConfig('conv', [8, 8, 1], { latentDim: 4, convFilters: [4, 8], seed: 5 }) : cfg(kind, 5);
      const model = createModel(config);
      const result = await trainAutoencoder(model, data, n, opts({ epochs: 1 }));
      const out = path.join(dir, 'model');
      const normalizer = { kind: 'minmax' as const, perFeature: false, offset: [0], scale: [1] };
      const schema = { name: 't', source: '/t.csv', format: 'csv' as const, kind: 'table' as const, sampleShape: config.sampleShape, columns: [] };
      const files = await saveModel(out, model, { normalizer, dataset: schema, history: result.history, backend: 'cpu' });
      assert.deepEqual((await readdir(out)).sort(), ['latent-explorer.json', 'model.json', 'weights.bin']);
      assert.deepEqual((await readdir(dir)), ['model']);
      assert.ok(files.every((f) => f.startsWith(out)));
      const json = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')) as { format: string; weightsManifest: { paths: string[]; weights: { name: string }[] }[] };
      assert.equal(json.format, 'latent-explorer');
      assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
      assert.ok(json.weightsManifest[0].weights.some((w: { name: string }) => w.name === 'enc/0/W'));

      const loaded = await loadModel(out);
      assert.deepEqual(loaded.model.config, config);
      assert.deepEqual(loaded.sidecar.normalizer, normalizer);
      assert.deepEqual(loaded.sidecar.history, result.history);
      assert.equal(loaded.sidecar.backend, 'cpu');
      const z = encode(model, data, n);
      assert.deepEqual(encode(loaded.model, data, n), z);
      assert.deepEqual(decode(loaded.model, z, n), decode(model, z, n));
      model.dispose();
      loaded.model.dispose();
      assert.equal(tf.memory().numTensors, before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('loading a folder without a model fails clearly', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'le-empty-'));
  try {
    await assert.rejects(loadModel(dir), /model\.json: not found/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('batch size 0 (the default) is automatic: 64 rows per step, 128 from LARGE_TRAINING_SET training rows', async () => {
  assert.equal(DEFAULT_TRAIN_OPTIONS.batchSize, 0);
  assert.deepEqual([autoBatchSize(LARGE_TRAINING_SET - 1), autoBatchSize(LARGE_TRAINING_SET)], [64, 128]);
  const batchesOf = async (n: number, batchSize: number): Promise<number> => {
    const data = lowRankData(n, 4, 2, 5);
    const model = createModel(defaultModelConfig('dense', [4], { latentDim: 2, hidden: [4], seed: 1 }));
    let batches = 0;
    await trainAutoencoder(model, data, n, defaultTrainOptions({ epochs: 1, batchSize, validationSplit: 0, patience: 0, onProgress: (p) => { batches = p.batches; } }));
    model.dispose();
    return batches;
  };
  assert.equal(await batchesOf(640, 0), 10);
  assert.equal(await batchesOf(640, 32), 20);
  assert.equal(await batchesOf(LARGE_TRAINING_SET, 0), LARGE_TRAINING_SET / 128);
});
