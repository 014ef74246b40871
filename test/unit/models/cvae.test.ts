/**
 * Conditional VAE on a labelled fixture where the class decides a fixed per-feature template and a shared rank-2
 * "style" varies within every class: x = sigmoid(template_c + A s), s ~ N(0, I).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../../src/core/tf';
import type { Dataset } from '../../../src/core/data/dataset';
import { DatasetError } from '../../../src/core/data/dataset';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import { conditionClassesOf, conditionMatrix, createCvae, mostFrequentClass, repeatedCondition } from '../../../src/core/models/cvae';
import type { ModelConfig } from '../../../src/core/models/types';
import { decode, encode, reconstructionErrors } from '../../../src/core/inference';
import { trainAutoencoder } from '../../../src/core/training/train';
import type { TrainOptions } from '../../../src/core/training/types';
import { runTrainingPipeline } from '../../../src/core/pipeline';
import { createNormalRng } from '../../../src/common/random';
import { mean } from './synthetic';

before(async () => {
  await tf.setBackend('cpu');
});

const D = 16;
const K = 3;
const PER_CLASS = 100;
const N = K * PER_CLASS;
const CLASSES = ['a', 'b', 'c'];

function labelledData(seed: number): { x: Float32Array; labels: string[] } {
  const rnd = createNormalRng(seed);
  const templates = Array.from({ length: K * D }, () => 2 * rnd());
  const A = Array.from({ length: D * 2 }, () => rnd());
  const x = new Float32Array(N * D);
  const labels: string[] = [];
  for (let i = 0; i < N; i++) {
    const c = i % K;
    labels.push(CLASSES[c]);
    const s = [rnd(), rnd()];
    for (let j = 0; j < D; j++) x[i * D + j] = 1 / (1 + Math.exp(-(templates[c * D + j] + A[j * 2] * s[0] + A[j * 2 + 1] * s[1])));
  }
  return { x, labels };
}

const { x: data, labels } = labelledData(21);
const condition = conditionMatrix(labels, CLASSES);
const TRAIN: TrainOptions = { epochs: 30, batchSize: 32, learningRate: 1e-2, validationSplit: 0, patience: 0, seed: 5 };

function config(overrides?: Partial<ModelConfig>): ModelConfig {
  return defaultModelConfig('cvae', [D], { latentDim: 2, hidden: [32], seed: 3, conditionClasses: CLASSES, ...overrides });
}

function classMean(c: number): Float32Array {
  const m = new Float32Array(D);
  for (let i = c; i < N; i += K) for (let j = 0; j < D; j++) m[j] += data[i * D + j] / PER_CLASS;
  return m;
}

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return Math.sqrt(s);
}

test('condition helpers: sorted classes, one-hot rows, clear errors', () => {
  assert.deepEqual(conditionClassesOf(['10', '2', '1', '2']), ['1', '2', '10']);
  assert.deepEqual(Array.from(conditionMatrix(['b', 'a', 'b'], ['a', 'b'])), [0, 1, 1, 0, 0, 1]);
  assert.throws(() => conditionMatrix(['z'], ['a', 'b']), RangeError);
  assert.throws(() => conditionMatrix(undefined, ['a']), /needs a label/);
  assert.deepEqual(Array.from(repeatedCondition(2, 3, 2)), [0, 0, 1, 0, 0, 1]);
  assert.equal(mostFrequentClass(['b', 'a', 'b'], ['a', 'b']), 'b');
  assert.equal(mostFrequentClass(['b', 'a'], ['a', 'b']), 'a');
});

test('cvae: needs condition classes and a condition on every call', () => {
  const before = tf.memory().numTensors;
  assert.throws(() => createCvae(config({ conditionClasses: undefined })), /conditionClasses/);
  assert.throws(() => createCvae(config({ conditionClasses: [] })), /conditionClasses/);
  const model = createModel(config());
  const x = tf.tensor2d(data.subarray(0, 4 * D), [4, D]);
  assert.throws(() => model.encode(x), /cvae encode needs a condition/);
  assert.throws(() => tf.tidy(() => model.loss(x, 1).total), /cvae loss needs a condition/);
  const z = tf.zeros<tf.Rank.R2>([4, 2]);
  assert.throws(() => model.decode(z), /cvae decode needs a condition/);
  const wrong = tf.zeros<tf.Rank.R2>([4, 2]);
  assert.throws(() => model.decode(z, wrong), /expected \[4, 3\]/);
  [x, z, wrong].forEach((t) => t.dispose());
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('cvae: trains well below its untrained loss, and the condition steers the decoder; no leaks', async () => {
  const before = tf.memory().numTensors;
  const model = createModel(config());
  const untrained = mean(reconstructionErrors(model, data, N, undefined, condition));
  const result = await trainAutoencoder(model, data, N, TRAIN, condition);
  const trained = mean(reconstructionErrors(model, data, N, undefined, condition));
  assert.ok(trained < 0.25 * untrained, `error ${trained} should be < a quarter of untrained ${untrained}`);
  const first = result.history[0];
  const last = result.history[result.history.length - 1];
  assert.ok(last.loss < first.loss, 'training loss decreases');
  assert.deepEqual(Object.keys(last.parts).sort(), ['kl', 'reconstruction']);
  assert.equal(encode(model, data, N, undefined, condition).length, N * 2);

  // The same codes decoded as different classes: clearly different, each nearest its own class mean.
  const count = 4;
  const z = Float32Array.from([0, 0, 0.5, -0.5, -1, 0.3, 0.8, 0.8]);
  const means = [0, 1, 2].map(classMean);
  const decoded = [0, 1, 2].map((c) => decode(model, z, count, undefined, repeatedCondition(c, K, count)));
  for (let r = 0; r < count; r++) {
    const rows = decoded.map((d) => d.subarray(r * D, r * D + D));
    for (let c = 0; c < K; c++) {
      const own = distance(rows[c], means[c]);
      for (let o = 0; o < K; o++) {
        if (o === c) continue;
        assert.ok(own < distance(rows[c], means[o]), `row ${r} decoded as ${c} is nearer class ${o}'s mean`);
        assert.ok(distance(rows[c], rows[o]) > 0.5, `row ${r}: conditions ${c} and ${o} decode almost the same`);
      }
    }
  }
  model.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});

test('cvae: seeded training is reproducible', async () => {
  const run = async (): Promise<{ losses: number[]; z: Float32Array }> => {
    const model = createModel(config());
    const r = await trainAutoencoder(model, data, N, { ...TRAIN, epochs: 3 }, condition);
    const z = encode(model, data, N, undefined, condition);
    model.dispose();
    return { losses: r.history.map((h) => h.loss), z };
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(a.z, b.z);
  const m1 = createModel(config());
  const m2 = createModel(config({ seed: 4 }));
  assert.notDeepEqual(encode(m1, data, N, undefined, condition), encode(m2, data, N, undefined, condition));
  m1.dispose();
  m2.dispose();
});

test('pipeline: a cvae on an unlabelled dataset is a clear DatasetError; labelled sets the classes and condition', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'le-cvae-'));
  try {
    const dataset: Dataset = {
      name: 'labelled',
      source: '/virtual/labelled.csv',
      format: 'csv',
      kind: 'table',
      n: N,
      dim: D,
      sampleShape: [D],
      features: data,
      columns: Array.from({ length: D }, (_, j) => `f${j}`),
      refs: Array.from({ length: N }, (_, i) => ({ file: '/virtual/labelled.csv', line: i + 2, index: i })),
    };
    await assert.rejects(
      runTrainingPipeline({ dataset, model: { kind: 'cvae' }, outDir: dir }),
      (e: unknown) => e instanceof DatasetError && /a cvae model needs a label column as its condition .*--label NAME/.test(e.message),
    );
    const before = tf.memory().numTensors;
    const r = await runTrainingPipeline({
      dataset: { ...dataset, labels, labelName: 'label' },
      model: { kind: 'cvae', latentDim: 2, hidden: [16] },
      train: { epochs: 2, batchSize: 64 },
      normalization: { kind: 'none', perFeature: false },
      outDir: dir,
    });
    assert.deepEqual(r.model.config.conditionClasses, CLASSES);
    assert.deepEqual(r.condition, condition);
    assert.deepEqual(r.embeddings, encode(r.model, r.normalized, N, undefined, condition));
    r.model.dispose();
    assert.equal(tf.memory().numTensors, before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
