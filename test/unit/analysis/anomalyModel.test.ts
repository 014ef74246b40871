/**
 * Anomaly scoring with trained models on planted data: off-manifold rows rank on top, the VAE's negative ELBO is
 * finite and larger for them, thresholds give the requested false-positive rate on the calibration rows, no tensors
 * leak, and the same seed gives the same calibration and scores.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { createRng } from '../../../src/common/random';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import type { Autoencoder, ModelKind } from '../../../src/core/models/types';
import { splitIndices, trainAutoencoder } from '../../../src/core/training/train';
import { rocAuc } from '../../../src/core/analysis/anomaly';
import { anomalyScores, availableScoreMethods, calibrateAnomalies, gatherRows } from '../../../src/core/analysis/anomalyModel';
import type { AnomalyCalibration } from '../../../src/core/analysis/anomalyModel';
import { loadCalibration, storeCalibration } from '../../../src/core/analysis/anomalyReport';
import { lowRankData } from '../models/synthetic';

const DIM = 16;
const N = 400;
const OUT = 40;

/** Normal rows on a rank-2 manifold, then off-manifold rows (uniform in (0, 1)). */
function planted(): { train: Float32Array; test: Float32Array; isOut: boolean[] } {
  // Fresh normal rows from the same manifold: lowRankData with the same seed draws the same matrix A, then new codes.
  const all = lowRankData(N + 200, DIM, 2, 5);
  const train = all.slice(0, N * DIM);
  const normalTest = all.slice(N * DIM);
  const rand = createRng(9);
  const outliers = Float32Array.from({ length: OUT * DIM }, () => rand());
  return { train, test: new Float32Array([...normalTest, ...outliers]), isOut: Array.from({ length: 200 + OUT }, (_, i) => i >= 200) };
}

async function trained(kind: ModelKind, x: Float32Array): Promise<Autoencoder> {
  const model = createModel(defaultModelConfig(kind, [DIM], { latentDim: 2, hidden: [16], outputActivation: 'sigmoid', seed: 3 }));
  await trainAutoencoder(model, x, N, { epochs: 40, batchSize: 32, learningRate: 0.01, validationSplit: 0.2, patience: 0, seed: 3 });
  return model;
}

const data = planted();
let dense: Autoencoder;
let vae: Autoencoder;

before(async () => {
  await tf.setBackend('cpu');
  dense = await trained('dense', data.train);
  vae = await trained('vae', data.train);
});

function calibrate(model: Autoencoder): AnomalyCalibration {
  const split = splitIndices(N, 0.2, 3);
  return calibrateAnomalies(model, data.train, N, { trainRows: split.train, calibrationRows: split.val, targetFpr: 0.1, seed: 3 });
}

test('reconstruction scores (mse, smoothed, zscore, combined) rank off-manifold rows on top', () => {
  const cal = calibrate(dense);
  const scores = anomalyScores(dense, cal, data.test, data.isOut.length, ['mse', 'smoothed', 'zscore', 'combined']);
  for (const m of ['mse', 'smoothed', 'zscore', 'combined'] as const) {
    const auc = rocAuc(scores[m] as Float32Array, data.isOut);
    assert.ok(auc > 0.9, `${m}: AUROC ${auc}`);
  }
  assert.deepEqual(availableScoreMethods(dense), ['mse', 'smoothed', 'zscore', 'knn', 'mahalanobis', 'combined']);
  assert.throws(() => anomalyScores(dense, cal, data.test, data.isOut.length, ['elbo']), /not available/);
});

test('VAE negative ELBO is finite and larger for outliers', () => {
  const cal = calibrate(vae);
  assert.ok(availableScoreMethods(vae).includes('elbo'));
  const elbo = anomalyScores(vae, cal, data.test, data.isOut.length, ['elbo']).elbo as Float32Array;
  assert.ok(elbo.every(Number.isFinite));
  const meanOf = (out: boolean): number => {
    const v = Array.from(elbo).filter((_, i) => data.isOut[i] === out);
    return v.reduce((s, q) => s + q, 0) / v.length;
  };
  assert.ok(meanOf(true) > meanOf(false), `outliers ${meanOf(true)} vs normal ${meanOf(false)}`);
  assert.ok(rocAuc(elbo, data.isOut) > 0.8, `ELBO AUROC ${rocAuc(elbo, data.isOut)}`);
});

test('thresholds give the requested false-positive rate on the held-out calibration rows', () => {
  for (const model of [dense, vae]) {
    const cal = calibrate(model);
    const split = splitIndices(N, 0.2, 3);
    assert.equal(cal.calibrationRows, split.val.length);
    assert.ok(cal.heldOut);
    const methods = availableScoreMethods(model);
    const scores = anomalyScores(model, cal, gatherRows(data.train, DIM, split.val), split.val.length, methods);
    for (const m of methods) {
      const t = cal.thresholds[m];
      assert.ok(t, `${m} has a threshold`);
      const above = (scores[m] as Float32Array).reduce((c, s) => c + (s > t.threshold ? 1 : 0), 0) / split.val.length;
      assert.ok(Math.abs(above - t.expectedFpr) < 1e-9, `${model.config.kind} ${m}: ${above} vs ${t.expectedFpr}`);
      assert.ok(t.expectedFpr <= 0.1 && t.expectedFpr >= 0.1 - 1 / split.val.length - 1e-9, `${m}: expected FPR ${t.expectedFpr}`);
    }
  }
});

test('calibration survives the sidecar form, and the wrong model shape is refused', () => {
  const cal = calibrate(dense);
  const back = loadCalibration(JSON.parse(JSON.stringify(storeCalibration(cal))), DIM, 2);
  assert.ok(back);
  const a = anomalyScores(dense, cal, data.test, data.isOut.length, ['combined', 'knn']);
  const b = anomalyScores(dense, back, data.test, data.isOut.length, ['combined', 'knn']);
  assert.deepEqual(Array.from(b.combined as Float32Array), Array.from(a.combined as Float32Array));
  assert.deepEqual(Array.from(b.knn as Float32Array), Array.from(a.knn as Float32Array));
  assert.equal(loadCalibration(JSON.parse(JSON.stringify(storeCalibration(cal))), DIM + 1, 2), undefined);
  assert.equal(loadCalibration({ reference: {} }, DIM, 2), undefined);
});

test('no tensors leak, and the same seed gives the same calibration and scores', async () => {
  const before = tf.memory().numTensors;
  const run = (m: Autoencoder): { cal: string; scores: number[][] } => {
    const cal = calibrate(m);
    const s = anomalyScores(m, cal, data.test, data.isOut.length, availableScoreMethods(m));
    return { cal: JSON.stringify(storeCalibration(cal)), scores: Object.values(s).map((v) => Array.from(v)) };
  };
  const first = run(vae);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  const again = await trained('vae', data.train);
  try {
    assert.deepEqual(run(again), first);
  } finally {
    again.dispose();
  }
});
