import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/backend';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import { reconstructionErrors } from '../../../src/core/inference';
import { trainAutoencoder } from '../../../src/core/training/train';
import { blobImages, lowRankData, mean } from '../models/synthetic';

before(async () => {
  const info = await initBackend('wasm');
  assert.equal(info.name, 'wasm');
});

test('wasm: dense and conv (gradient kernels via the wasm fixes) train without leaks', async () => {
  assert.equal(tf.getBackend(), 'wasm');
  const before = tf.memory().numTensors;
  const cases = [
    { config: defaultModelConfig('dense', [16], { latentDim: 4, hidden: [32], seed: 3 }), x: lowRankData(256, 16, 3, 7), n: 256, lr: 1e-2, epochs: 20 },
    { config: defaultModelConfig('conv', [8, 8, 1], { latentDim: 6, convFilters: [4, 8], seed: 3 }), x: blobImages(128, 8, 11), n: 128, lr: 3e-3, epochs: 10 },
  ];
  for (const c of cases) {
    const model = createModel(c.config);
    const untrained = mean(reconstructionErrors(model, c.x, c.n));
    const r = await trainAutoencoder(model, c.x, c.n, { epochs: c.epochs, batchSize: 16, learningRate: c.lr, validationSplit: 0, patience: 0, seed: 5 });
    const trained = mean(reconstructionErrors(model, c.x, c.n));
    assert.ok(trained < 0.5 * untrained, `${c.config.kind} on wasm: ${trained} vs untrained ${untrained}`);
    assert.ok(r.history.every((h) => Number.isFinite(h.loss)));
    model.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
});
