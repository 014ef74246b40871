import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tf } from '../../../src/core/tf';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import type { Autoencoder, ModelConfig } from '../../../src/core/models/types';
import { stableName } from '../../../src/core/models/layers';
import { DEFAULT_PRETRAIN_EPOCHS } from '../../../src/core/models/stacked';
import { encode, reconstructionErrors } from '../../../src/core/inference';
import { FINE_TUNE_STAGE, defaultTrainOptions, trainAutoencoder } from '../../../src/core/training/train';
import type { TrainOptions, TrainProgress } from '../../../src/core/training/types';
import { loadModel, saveModel } from '../../../src/core/training/persistence';
import { lowRankData, mean } from './synthetic';

before(async () => {
  await tf.setBackend('cpu');
});

const N = 192;
const DIM = 16;
const x = lowRankData(N, DIM, 3, 7);
const PRE = 4;
const STAGES = ['pretrain layer 1', 'pretrain layer 2', 'pretrain layer 3', FINE_TUNE_STAGE];

function cfg(over: Partial<ModelConfig> = {}): ModelConfig {
  return defaultModelConfig('stacked', [DIM], { hidden: [12, 8], latentDim: 4, pretrainEpochs: PRE, seed: 3, ...over });
}
function opts(over: Partial<TrainOptions> = {}): TrainOptions {
  return defaultTrainOptions({ epochs: 6, batchSize: 32, learningRate: 1e-2, validationSplit: 0.25, patience: 0, seed: 9, ...over });
}
function snapshot(model: Autoencoder): Float32Array[] {
  return model.variables.map((v) => v.dataSync().slice() as Float32Array);
}
/** Mean of one pretraining stage's loss over all rows. */
function stageLoss(model: Autoencoder, stage: number): number {
  return tf.tidy(() => model.pretrainStages![stage].loss(tf.tensor2d(x, [N, DIM]), 0).total.dataSync()[0]);
}

test('defaults and structure: one stage per layer pair, its variables are enc/i and the mirror dec/(L-1-i)', () => {
  const before = tf.memory().numTensors;
  assert.equal(defaultModelConfig('stacked', [DIM]).pretrainEpochs, DEFAULT_PRETRAIN_EPOCHS);
  const model = createModel(cfg());
  const stages = model.pretrainStages ?? [];
  assert.deepEqual(stages.map((s) => s.name), STAGES.slice(0, 3));
  stages.forEach((s, i) => {
    assert.deepEqual(s.variables.map(stableName), [`enc/${i}/W`, `enc/${i}/b`, `dec/${2 - i}/W`, `dec/${2 - i}/b`]);
    assert.ok(s.variables.every((v) => model.variables.includes(v)), 'stage variables are the model variables');
  });
  // The stage losses cover every variable exactly once.
  assert.equal(new Set(stages.flatMap((s) => s.variables)).size, model.variables.length);
  // Other kinds have no pretraining stages.
  const dense = createModel(defaultModelConfig('dense', [DIM], { hidden: [12, 8], latentDim: 4 }));
  assert.equal(dense.pretrainStages, undefined);
  dense.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('each pretraining stage changes only its own variables and lowers its own loss; fine-tuning then beats the untrained model', async () => {
  const before = tf.memory().numTensors;
  const model = createModel(cfg());
  const stageVars = model.pretrainStages!.map((s) => new Set(s.variables));
  const untrained = mean(reconstructionErrors(model, x, N));
  const snaps: Float32Array[][] = [snapshot(model)];
  // Stage k's loss just before stage k ran (after stage k-1) and just after.
  const lossBefore: number[] = [stageLoss(model, 0)];
  const lossAfter: number[] = [];
  const result = await trainAutoencoder(model, x, N, opts({
    epochs: 25,
    onProgress: (p) => {
      if (p.phase !== 'epoch' || p.stageEpoch !== p.stageEpochs) return;
      snaps.push(snapshot(model));
      const k = STAGES.indexOf(p.stage as string);
      if (k < 3) lossAfter.push(stageLoss(model, k));
      if (k < 2) lossBefore.push(stageLoss(model, k + 1));
    },
  }));
  assert.equal(snaps.length, 5, 'a snapshot after each of the 4 stages');
  for (let k = 0; k < 3; k++) {
    model.variables.forEach((v, j) => {
      const same = snaps[k][j].every((a, i) => a === snaps[k + 1][j][i]);
      if (stageVars[k].has(v)) assert.ok(!same, `${STAGES[k]} updates ${stableName(v)}`);
      else assert.ok(same, `${STAGES[k]} leaves ${stableName(v)} bit-identical`);
    });
    assert.ok(lossAfter[k] < 0.7 * lossBefore[k], `${STAGES[k]}: loss ${lossAfter[k]} falls well below ${lossBefore[k]}`);
    const records = result.history.filter((h) => h.stage === STAGES[k]);
    assert.equal(records.length, PRE);
    assert.ok(records[PRE - 1].loss < records[0].loss, `${STAGES[k]}: training loss decreases`);
    assert.ok(records.every((h) => h.valLoss !== undefined && Number.isFinite(h.valLoss)), 'validation loss per stage epoch');
  }
  model.variables.forEach((v, j) => assert.ok(!snaps[3][j].every((a, i) => a === snaps[4][j][i]), `fine-tune updates ${stableName(v)}`));
  const trained = mean(reconstructionErrors(model, x, N));
  assert.ok(trained < 0.3 * untrained, `error ${trained} is well below untrained ${untrained}`);
  assert.deepEqual(result.stages?.map((s) => [s.name, s.epochs]), STAGES.map((s, k) => [s, k < 3 ? PRE : 25]));
  assert.ok(result.stages.every((s) => Number.isFinite(s.finalLoss) && Number.isFinite(s.finalValLoss)));
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('progress: stages in order, global epoch numbers, epochs = total of all stages, history labelled', async () => {
  const before = tf.memory().numTensors;
  const model = createModel(cfg());
  const events: TrainProgress[] = [];
  const result = await trainAutoencoder(model, x, N, opts({ onProgress: (p) => void events.push(p) }));
  const total = 3 * PRE + 6;
  const order = events.map((e) => e.stage).filter((s, i, a) => i === 0 || s !== a[i - 1]);
  assert.deepEqual(order, STAGES);
  assert.ok(events.every((e) => e.epochs === total));
  const epochEvents = events.filter((e) => e.phase === 'epoch');
  assert.deepEqual(epochEvents.map((e) => e.epoch), Array.from({ length: total }, (_, i) => i + 1));
  assert.deepEqual(epochEvents.map((e) => e.stageEpoch), [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6]);
  assert.equal(epochEvents[epochEvents.length - 1].epoch, epochEvents[epochEvents.length - 1].epochs, 'progress ends at 100%');
  assert.deepEqual(result.history.map((h) => [h.epoch, h.stage]), epochEvents.map((e) => [e.epoch, e.stage]));
  assert.deepEqual(result.history.map((h) => h.valLoss), epochEvents.map((e) => e.valLoss));
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('pretrainEpochs 0 skips pretraining; other kinds get no stage labels or summaries', async () => {
  const before = tf.memory().numTensors;
  const model = createModel(cfg({ pretrainEpochs: 0 }));
  const r = await trainAutoencoder(model, x, N, opts({ epochs: 2 }));
  assert.deepEqual(r.history.map((h) => [h.epoch, h.stage]), [[1, FINE_TUNE_STAGE], [2, FINE_TUNE_STAGE]]);
  assert.deepEqual(r.stages?.map((s) => s.name), [FINE_TUNE_STAGE]);
  model.dispose();
  await assert.rejects(async () => {
    const bad = createModel(cfg({ pretrainEpochs: -1 }));
    try {
      await trainAutoencoder(bad, x, N, opts());
    } finally {
      bad.dispose();
    }
  }, /pretrainEpochs must be a non-negative integer/);
  const dense = createModel(defaultModelConfig('dense', [DIM], { hidden: [12, 8], latentDim: 4 }));
  const events: TrainProgress[] = [];
  const d = await trainAutoencoder(dense, x, N, opts({ epochs: 2, onProgress: (p) => void events.push(p) }));
  assert.equal(d.stages, undefined);
  assert.ok(d.history.every((h) => !('stage' in h)) && events.every((e) => !('stage' in e) && !('stageEpoch' in e)));
  dense.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('cancelling during pretraining stops every later stage, without leaks', async () => {
  const before = tf.memory().numTensors;
  const model = createModel(cfg());
  const initial = snapshot(model);
  const ctl = new AbortController();
  const stagesSeen: string[] = [];
  let after = 0;
  const result = await trainAutoencoder(model, x, N, opts({
    signal: ctl.signal,
    onProgress: (p) => {
      if (ctl.signal.aborted) after++;
      if (stagesSeen[stagesSeen.length - 1] !== p.stage) stagesSeen.push(p.stage as string);
      if (p.phase === 'batch' && p.stage === 'pretrain layer 2' && p.stageEpoch === 2 && p.batch === 2) ctl.abort();
    },
  }));
  assert.equal(result.cancelled, true);
  assert.equal(after, 0, 'no event after the abort');
  assert.deepEqual(stagesSeen, STAGES.slice(0, 2));
  assert.deepEqual(result.history.map((h) => h.stage), [...Array.from({ length: PRE }, () => STAGES[0]), STAGES[1]]);
  assert.deepEqual(result.stages?.map((s) => [s.name, s.epochs]), [[STAGES[0], PRE], [STAGES[1], 1]]);
  const third = new Set(model.pretrainStages![2].variables);
  model.variables.forEach((v, j) => {
    if (third.has(v)) assert.deepEqual(v.dataSync(), initial[j], `${stableName(v)} untouched`);
  });
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('early stopping applies to fine-tuning only', async () => {
  const before = tf.memory().numTensors;
  const model = createModel(cfg());
  const r = await trainAutoencoder(model, x, N, opts({ epochs: 40, learningRate: 0.05, patience: 1 }));
  const s = r.stages ?? [];
  assert.deepEqual(s.slice(0, 3).map((st) => st.epochs), [PRE, PRE, PRE], 'pretraining always runs its epochs');
  assert.equal(s[3].name, FINE_TUNE_STAGE);
  assert.equal(r.stoppedEarly, s[3].epochs < 40);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('seeded runs are bit-identical; the training seed matters', async () => {
  const before = tf.memory().numTensors;
  const run = async (seed: number): Promise<Float32Array> => {
    const model = createModel(cfg());
    await trainAutoencoder(model, x, N, opts({ epochs: 2, seed }));
    const z = encode(model, x, N);
    model.dispose();
    return z;
  };
  const a = await run(9);
  assert.deepEqual(await run(9), a);
  assert.notDeepEqual(await run(10), a);
  assert.equal(tf.memory().numTensors, before);
});

test('save -> load keeps the stacked model (same encode, config with pretrainEpochs)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'le-stacked-'));
  try {
    const before = tf.memory().numTensors;
    const config = cfg();
    const model = createModel(config);
    const result = await trainAutoencoder(model, x, N, opts({ epochs: 1 }));
    const out = path.join(dir, 'model');
    const normalizer = { kind: 'minmax' as const, perFeature: false, offset: [0], scale: [1] };
    const schema = { name: 't', source: '/t.csv', format: 'csv' as const, kind: 'table' as const, sampleShape: config.sampleShape, columns: [] };
    await saveModel(out, model, { normalizer, dataset: schema, history: result.history, backend: 'cpu' });
    const loaded = await loadModel(out);
    assert.deepEqual(loaded.model.config, config);
    assert.deepEqual(loaded.sidecar.history, result.history);
    assert.deepEqual(encode(loaded.model, x, N), encode(model, x, N));
    model.dispose();
    loaded.model.dispose();
    assert.equal(tf.memory().numTensors, before);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
