import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../../src/core/tf';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import { DEFAULT_MIN_IMPROVEMENT, DEFAULT_TRAIN_OPTIONS, PLATEAU_WINDOW, defaultTrainOptions, onPlateau, trainAutoencoder } from '../../../src/core/training/train';
import { lowRankData } from '../models/synthetic';

before(async () => {
  await tf.setBackend('cpu');
});

test('early stopping is on by default, with the plateau rule', () => {
  assert.ok(DEFAULT_TRAIN_OPTIONS.patience > 0);
  assert.equal(DEFAULT_TRAIN_OPTIONS.minImprovement, DEFAULT_MIN_IMPROVEMENT);
  const minImprovement: number = DEFAULT_MIN_IMPROVEMENT;
  assert.ok(minImprovement > 0 && minImprovement < 1);
});

test('onPlateau: a flattening curve stops, a steadily falling one does not', () => {
  // Geometric decay towards a floor: each epoch gains half of the previous one's gain.
  const flattening = Array.from({ length: 12 }, (_, e) => 1 + 0.5 ** e);
  const firstStop = flattening.findIndex((_, e) => onPlateau(flattening.slice(0, e + 1), 0.05));
  // Log-gains over the last 3 epochs vs the total: (ln(1 + 0.5^(e-3)) - ln(1 + 0.5^e)) / (ln 2 - ln(1 + 0.5^e)).
  const ratio = (e: number): number => (Math.log(1 + 0.5 ** (e - 3)) - Math.log(1 + 0.5 ** e)) / (Math.log(2) - Math.log(1 + 0.5 ** e));
  const expected = flattening.findIndex((_, e) => e > PLATEAU_WINDOW && ratio(e) < 0.05);
  assert.ok(expected > PLATEAU_WINDOW && expected < 12);
  assert.equal(firstStop, expected);
  // A loss that keeps halving every 2 epochs is never a plateau, however small it gets.
  const geometric = Array.from({ length: 40 }, (_, e) => 0.5 ** (e / 2));
  assert.ok(geometric.every((_, e) => !onPlateau(geometric.slice(0, e + 1), 0.05)), 'steady relative gains never plateau');
  // Off when minImprovement is 0, with too few epochs, or without any gain.
  assert.equal(onPlateau(flattening, 0), false);
  assert.equal(onPlateau(flattening.slice(0, PLATEAU_WINDOW), 0.5), false);
  assert.equal(onPlateau([1, 1, 1, 1, 1, 1], 0.05), false);
});

test('training stops at the first plateau epoch; minImprovement 0 runs every epoch', async () => {
  const n = 256;
  const dim = 12;
  const x = lowRankData(n, dim, 2, 21);
  const run = async (minImprovement: number): Promise<{ vals: number[]; stopped: boolean }> => {
    const model = createModel(defaultModelConfig('dense', [dim], { latentDim: 3, hidden: [16], seed: 1 }));
    try {
      const r = await trainAutoencoder(model, x, n, defaultTrainOptions({ epochs: 60, batchSize: 16, learningRate: 1e-2, validationSplit: 0.25, patience: 50, minImprovement, seed: 9 }));
      return { vals: r.history.map((h) => h.valLoss ?? NaN), stopped: r.stoppedEarly };
    } finally {
      model.dispose();
    }
  };
  const before = tf.memory().numTensors;
  const full = await run(0);
  assert.equal(full.vals.length, 60);
  assert.equal(full.stopped, false);
  const plateau = await run(DEFAULT_MIN_IMPROVEMENT);
  assert.ok(plateau.stopped, 'stopped on the plateau');
  const e = plateau.vals.length;
  assert.ok(e > PLATEAU_WINDOW && e < 60, `${e} epochs`);
  // Same seed: the same curve up to the stop, which is the first epoch the rule flags.
  assert.deepEqual(plateau.vals, full.vals.slice(0, e));
  const bestAfter = full.vals.map((_, i) => Math.min(...full.vals.slice(0, i + 1)));
  assert.equal(onPlateau(bestAfter.slice(0, e), DEFAULT_MIN_IMPROVEMENT), true);
  for (let k = 1; k < e; k++) assert.equal(onPlateau(bestAfter.slice(0, k), DEFAULT_MIN_IMPROVEMENT), false, `no plateau after ${k} epochs`);
  assert.equal(tf.memory().numTensors, before);
});
