import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import { defaultTrainOptions, trainAutoencoder } from '../../../src/core/training/train';
import { idecFineTune, softAssign, targetDistribution } from '../../../src/core/training/idec';
import { adjustedRandIndex } from '../../../src/core/analysis/labelAgreement';
import { gaussianBlobs } from '../analysis/helpers';

before(async () => {
  await tf.setBackend('cpu');
});

test('soft assignments are Student t rows summing to 1; the target distribution sharpens them', () => {
  const before = tf.memory().numTensors;
  const z = tf.tensor2d([[0, 0], [1, 0], [4, 4]]);
  const mu = tf.tensor2d([[0, 0], [4, 4]]);
  const q = softAssign(z, mu);
  const qv = q.arraySync();
  // Point 0 sits on centre 0: kernel 1 vs 1 / (1 + 32).
  assert.ok(Math.abs(qv[0][0] - 1 / (1 + 1 / 33)) < 1e-6);
  for (const row of qv) assert.ok(Math.abs(row[0] + row[1] - 1) < 1e-6);
  const pt = targetDistribution(q);
  const p = pt.arraySync();
  for (let i = 0; i < 3; i++) {
    assert.ok(Math.abs(p[i][0] + p[i][1] - 1) < 1e-6);
    assert.ok(Math.max(...p[i]) >= Math.max(...qv[i]) - 1e-9, 'p is sharper than q');
  }
  tf.dispose([z, mu, q, pt]);
  assert.equal(tf.memory().numTensors, before);
});

test('IDEC fine-tuning keeps planted clusters, is seeded and leaks no tensors', async () => {
  const b = gaussianBlobs(240, 12, 3, 0.4, 5, 2);
  // Squash into [0, 1] for the sigmoid decoder.
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of b.x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const x = b.x.map((v) => (v - lo) / (hi - lo));
  const before = tf.memory().numTensors;
  const run = async (): Promise<Int32Array> => {
    const model = createModel(defaultModelConfig('dense', [12], { latentDim: 2, hidden: [16], seed: 3 }));
    await trainAutoencoder(model, x, b.n, defaultTrainOptions({ epochs: 15, batchSize: 32, learningRate: 1e-2, validationSplit: 0, patience: 0, seed: 1 }));
    const epochs: number[] = [];
    const r = await idecFineTune(model, x, b.n, { k: 3, epochs: 3, seed: 2, batchSize: 64, onEpoch: (e, l) => {
      epochs.push(e);
      assert.ok(Number.isFinite(l.reconstruction) && Number.isFinite(l.kl) && l.kl >= 0);
    } });
    assert.deepEqual(epochs, [1, 2, 3]);
    assert.equal(r.centers.length, 3 * 2);
    model.dispose();
    return r.assignments;
  };
  const a1 = await run();
  const a2 = await run();
  assert.deepEqual(a1, a2);
  assert.ok(adjustedRandIndex(a1, b.truth) > 0.9, `ARI ${adjustedRandIndex(a1, b.truth)}`);
  assert.equal(tf.memory().numTensors, before);
});
