import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/backend';
import { loadDataset } from '../../../src/core/data/index';
import { applyNormalizer, fitNormalizer } from '../../../src/core/data/normalize';
import { createModel, defaultModelConfig, isImageModel, isSequenceModel } from '../../../src/core/models/index';
import { createSequenceAutoencoder } from '../../../src/core/models/sequence';
import { stableName } from '../../../src/core/models/layers';
import type { ModelConfig } from '../../../src/core/models/types';
import type { Dataset } from '../../../src/core/data/dataset';
import { encode, reconstruct, reconstructionErrors } from '../../../src/core/inference';
import { rocAuc, topAnomalies } from '../../../src/core/analysis/anomaly';
import { trainAutoencoder } from '../../../src/core/training/train';
import { datasetSchema, loadModel, saveModel } from '../../../src/core/training/persistence';
import { mean } from './synthetic';

const FIXTURE = path.resolve(__dirname, '..', '..', 'fixtures', 'data', 'sines.csv');
const LENGTH = 32;
const STRIDE = 4;
/** Rows 301..303 of sines.csv hold the injected spike (see test/fixtures/data/makeSines.py). */
const SPIKE_ROWS = [301, 302, 303];

interface Windows {
  x: Float32Array;
  n: number;
  sampleShape: number[];
  /** Per window: does it contain a spike row? */
  anomalous: boolean[];
}

let windows: Windows;
let dataset: Dataset;

before(async () => {
  await tf.setBackend('cpu');
  const ds = await loadDataset(FIXTURE, { labelColumn: 'label', window: { length: LENGTH, stride: STRIDE } });
  dataset = ds;
  const norm = fitNormalizer(ds.features, ds.n, ds.dim, 'standard', true);
  windows = {
    x: applyNormalizer(norm, ds.features, ds.dim),
    n: ds.n,
    sampleShape: ds.sampleShape,
    anomalous: ds.refs.map((r) => SPIKE_ROWS.some((s) => s >= r.index && s < r.index + LENGTH)),
  };
});

function config(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return defaultModelConfig('sequence', windows.sampleShape, { seed: 3, ...overrides });
}

/** 15 epochs reach ~3% of the untrained error on normal windows; much longer starts to fit the spike itself. */
const TRAIN = { epochs: 15, batchSize: 16, learningRate: 3e-3, validationSplit: 0, patience: 0, seed: 5 };

test('defaults: latent 8, filters [16, 32], linear output, no dense hidden layers; kind helpers', () => {
  const c = config();
  assert.equal(c.kind, 'sequence');
  assert.deepEqual(c.sampleShape, [LENGTH, 2]);
  assert.equal(c.inputDim, LENGTH * 2);
  assert.equal(c.latentDim, 8);
  assert.deepEqual(c.convFilters, [16, 32]);
  assert.deepEqual(c.hidden, []);
  assert.equal(c.outputActivation, 'linear');
  assert.ok(isSequenceModel('sequence'));
  assert.ok(!isSequenceModel('conv'));
  assert.ok(!isImageModel('sequence'));
});

test('shapes, stable variable names and clear errors for bad window lengths', () => {
  const before = tf.memory().numTensors;
  const model = createModel(config());
  assert.deepEqual(model.variables.map(stableName), [
    'enc/conv0/W', 'enc/conv0/b', 'enc/conv1/W', 'enc/conv1/b', 'enc/0/W', 'enc/0/b', 'dec/0/W', 'dec/0/b',
    'dec/deconv0/W', 'dec/deconv0/b', 'dec/deconv1/W', 'dec/deconv1/b', 'dec/out/W', 'dec/out/b',
  ]);
  assert.deepEqual(model.variables[0].shape, [5, 2, 16]);
  assert.deepEqual(model.variables[4].shape, [(LENGTH / 4) * 32, 8]);
  const x = windows.x.subarray(0, 3 * 64);
  assert.equal(encode(model, x, 3).length, 3 * 8);
  assert.equal(reconstruct(model, x, 3).length, 3 * 64);
  model.dispose();
  // one channel ([steps] or [steps, 1]) and three blocks
  const single = createModel(defaultModelConfig('sequence', [16, 1], { convFilters: [4, 4, 4], latentDim: 2 }));
  assert.equal(reconstruct(single, new Float32Array(32).fill(0.5), 2).length, 32);
  single.dispose();
  assert.throws(() => createModel(defaultModelConfig('sequence', [30, 2])), /window length that is a multiple of 4, got 30/);
  assert.throws(() => createModel(defaultModelConfig('sequence', [16, 2], { convFilters: [4, 4, 4, 4, 4] })), /5 conv layers needs a window length that is a multiple of 32, got 16/);
  assert.throws(() => createSequenceAutoencoder(defaultModelConfig('sequence', [4, 4, 1])), /window sample shape \[steps, channels\]/);
  assert.equal(tf.memory().numTensors, before);
});

test('different seeds give different initial weights', () => {
  const a = createModel(config());
  const b = createModel(config({ seed: 4 }));
  const x8 = windows.x.subarray(0, 8 * 64);
  assert.notDeepEqual(encode(a, x8, 8), encode(b, x8, 8));
  a.dispose();
  b.dispose();
});

/** Loss and gradients of every variable for the first 8 windows, on the current backend. */
function lossAndGrads(): Float32Array[] {
  const model = createModel(config());
  const out = tf.tidy(() => {
    const xb = tf.tensor2d(windows.x.subarray(0, 8 * 64), [8, 64]);
    const { value, grads } = tf.variableGrads(() => model.loss(xb, 1).total, model.variables);
    return [value.dataSync() as Float32Array, ...model.variables.map((v) => grads[v.name].dataSync() as Float32Array)];
  });
  model.dispose();
  return out;
}

test('wasm backend: loss and gradients (conv1d, 1D transposed conv) match the cpu backend', async () => {
  const before = tf.memory().numTensors;
  const cpu = lossAndGrads();
  const info = await initBackend('wasm');
  assert.equal(info.name, 'wasm');
  const beforeWasm = tf.memory().numTensors;
  const wasm = lossAndGrads();
  assert.equal(tf.memory().numTensors, beforeWasm);
  assert.equal(cpu.length, wasm.length);
  cpu.forEach((c, k) => {
    const scale = Math.max(1e-3, ...Array.from(c, Math.abs));
    const diff = Math.max(...Array.from(c, (v, i) => Math.abs(v - wasm[k][i])));
    assert.ok(diff <= 1e-3 * scale, `tensor ${k}: max diff ${diff} (scale ${scale})`);
  });
  assert.equal(before, beforeWasm);
});

test('wasm backend: trains on the sines windows, error far below untrained, spike windows ranked first, seeded, no leaks', async () => {
  assert.equal(tf.getBackend(), 'wasm');
  const before = tf.memory().numTensors;
  const { x, n, anomalous } = windows;
  const model = createModel(config());
  const untrained = mean(reconstructionErrors(model, x, n));
  const result = await trainAutoencoder(model, x, n, TRAIN);
  const errors = reconstructionErrors(model, x, n);
  const normalErrors = errors.filter((_, i) => !anomalous[i]);
  assert.ok(mean(normalErrors) < 0.1 * untrained, `normal windows: error ${mean(normalErrors)} should be < 1/10 of untrained ${untrained}`);
  assert.ok(result.history.every((h) => Number.isFinite(h.loss)));
  assert.ok(result.history[result.history.length - 1].loss < 0.2 * result.history[0].loss, 'training loss falls');

  assert.equal(anomalous.filter(Boolean).length, 8, 'windows starting at rows 272..300 contain the spike');
  const auc = rocAuc(errors, anomalous);
  assert.ok(auc > 0.98, `ROC-AUC of reconstruction error for the spike windows: ${auc}`);
  const top = topAnomalies(errors, 6);
  assert.ok(top.every((i) => anomalous[i]), `top 6 windows ${top.join(', ')} all contain the spike`);

  // same seed, same data: identical errors
  const again = createModel(config());
  await trainAutoencoder(again, x, n, TRAIN);
  assert.deepEqual(reconstructionErrors(again, x, n), errors);
  again.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});

test('save/load round trip: same outputs, the sidecar records the window', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'le-seq-'));
  const before = tf.memory().numTensors;
  try {
    const model = createModel(config());
    const norm = fitNormalizer(dataset.features, dataset.n, dataset.dim, 'standard', true);
    await saveModel(dir, model, { normalizer: norm, dataset: datasetSchema(dataset), history: [], backend: tf.getBackend() });
    const { model: loaded, sidecar } = await loadModel(dir);
    assert.deepEqual(sidecar.dataset.window, { length: LENGTH, stride: STRIDE });
    assert.deepEqual(sidecar.dataset.sampleShape, [LENGTH, 2]);
    const x8 = windows.x.subarray(0, 8 * 64);
    assert.deepEqual(reconstruct(loaded, x8, 8), reconstruct(model, x8, 8));
    model.dispose();
    loaded.dispose();
    assert.equal(tf.memory().numTensors, before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
