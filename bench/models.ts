/**
 * Every autoencoder kind side by side, pythae-style: each model of `MODEL_KINDS` is built with `defaultModelConfig`
 * (latent 16, seed 42), trained with `trainAutoencoder` on the first N images of the Fashion-MNIST test set (t10k) and
 * scored on the next H images (held out, never trained on):
 *
 * - samples/s: training throughput reported by `trainAutoencoder` (stacked: pretraining stages included);
 * - MSE: mean over held-out samples of `reconstructionErrors` = mean over pixels of (x - decode(encode(x)))^2;
 * - KL (vae, cvae): mean over held-out samples of KL(q(z|x) || N(0, I)), the model's `kl` loss part;
 * - perplexity / usage (vqvae): exp(-sum_k p_k log p_k) of the held-out code-index histogram p, and the fraction of
 *   the K codebook entries used at least once;
 * - k-means accuracy: k-means (k = 10, best of 4 k-means++ restarts) on the held-out latent codes, scored against the
 *   true classes by Hungarian-matched accuracy;
 * - seconds: build + train + all held-out evaluation of that model.
 *
 * Run: `npm run bench:models`. Env: MODELS_N (training samples, default 5000), MODELS_HELDOUT (default 1000),
 * MODELS_EPOCHS (default 8), MODELS_CONV_N / MODELS_CONV_EPOCHS (conv is ~7x slower per sample than the dense
 * models on wasm; default the same N and epochs, which keeps the whole bench near 2.5 minutes on 2 cores; lower them
 * for quick runs), MODELS_KINDS (comma-separated subset, default all). Writes the table as JSON to
 * artifacts/bench-models.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tf } from '../src/core/tf';
import { describeBackend, initBackend } from '../src/core/backend/backend';
import { createModel, defaultModelConfig, isModelKind } from '../src/core/models/index';
import { MODEL_KINDS } from '../src/core/models/types';
import type { Autoencoder, ModelConfig, ModelKind } from '../src/core/models/types';
import { conditionClassesOf, conditionMatrix } from '../src/core/models/cvae';
import { FINE_TUNE_STAGE, defaultTrainOptions, trainAutoencoder } from '../src/core/training/train';
import { codeIndices, encode, reconstructionErrors } from '../src/core/inference';
import { kmeans } from '../src/core/analysis/kmeans';
import { hungarianAccuracy } from '../src/core/analysis/labelAgreement';
import { FASHION_DIR, formatTable, loadFashionTest } from './util';

const DIR = FASHION_DIR;
const OUT = 'artifacts/bench-models.json';
const N = Number(process.env.MODELS_N ?? 5000);
const HELDOUT = Number(process.env.MODELS_HELDOUT ?? 1000);
const EPOCHS = Number(process.env.MODELS_EPOCHS ?? 8);
const CONV_N = Number(process.env.MODELS_CONV_N ?? N);
const CONV_EPOCHS = Number(process.env.MODELS_CONV_EPOCHS ?? EPOCHS);
const SEED = 42;
const LATENT = 16;
const K = 10;
const BATCH = 128;
const LEARNING_RATE = 2e-3;


/** Rows `[from, to)` of a row-major matrix of width `d` (a view, no copy). */
function rows(x: Float32Array, d: number, from: number, to: number): Float32Array {
  return x.subarray(from * d, to * d);
}

interface Row {
  kind: ModelKind;
  sampleShape: number[];
  trainSamples: number;
  /** End-to-end epochs run (stacked: the fine-tune stage). */
  epochs: number;
  /** Stacked: epochs of greedy pretraining, summed over its stages. */
  pretrainEpochs?: number;
  samplesPerSec: number;
  finalTrainLoss: number;
  mse: number;
  kl?: number;
  perplexity?: number;
  codeUsage?: number;
  kmeansAccuracy: number;
  seconds: number;
}

/** Sample shape of a kind on 28x28 images: conv an image, sequence 28 rows of 28 channels, the rest flat pixels. */
function sampleShapeOf(kind: ModelKind): number[] {
  if (kind === 'conv') return [28, 28, 1];
  if (kind === 'sequence') return [28, 28];
  return [784];
}

/** Mean over `n` rows of the model's `kl` loss part (the per-batch mean, weighted by batch size), in batches. */
function meanKl(model: Autoencoder, x: Float32Array, n: number, condition: Float32Array | undefined): number {
  const d = model.config.inputDim;
  const c = condition ? condition.length / n : 0;
  let sum = 0;
  for (let from = 0, b = 0; from < n; from += 256, b++) {
    const to = Math.min(n, from + 256);
    const kl = tf.tidy(() => {
      const xb = tf.tensor2d(rows(x, d, from, to), [to - from, d]);
      const cb = condition ? tf.tensor2d(rows(condition, c, from, to), [to - from, c]) : undefined;
      const parts: Partial<Record<string, tf.Scalar>> = model.loss(xb, SEED + b, cb).parts; // only some kinds have kl
      const part = parts.kl;
      if (!part) throw new Error(`${model.config.kind} has no kl loss part`);
      return part;
    });
    sum += kl.dataSync()[0] * (to - from);
    kl.dispose();
  }
  return sum / n;
}

/** Perplexity exp(H(p)) of the code-index histogram and the fraction of the `size` codes used. */
function codeStats(indices: Int32Array, size: number): { perplexity: number; usage: number } {
  const counts = new Float64Array(size);
  for (const i of indices) counts[i]++;
  let entropy = 0;
  let used = 0;
  for (const c of counts) {
    if (c === 0) continue;
    used++;
    const p = c / indices.length;
    entropy -= p * Math.log(p);
  }
  return { perplexity: Math.exp(entropy), usage: used / size };
}

/** Trains and scores one kind. */
async function benchKind(
  kind: ModelKind,
  data: { x: Float32Array; y: Int32Array },
  nTrain: number,
  epochs: number,
  heldFrom: number,
  nHeld: number,
  classes: string[],
  condition: Float32Array,
): Promise<Row> {
  const t0 = performance.now();
  const sampleShape = sampleShapeOf(kind);
  const overrides: Partial<ModelConfig> = { seed: SEED, latentDim: LATENT };
  if (kind === 'cvae') overrides.conditionClasses = classes;
  const model = createModel(defaultModelConfig(kind, sampleShape, overrides));
  try {
    const k = classes.length;
    const conditional = kind === 'cvae';
    const trainCond = conditional ? rows(condition, k, 0, nTrain) : undefined;
    const heldCond = conditional ? rows(condition, k, heldFrom, heldFrom + nHeld) : undefined;
    const xTrain = rows(data.x, 784, 0, nTrain);
    const xHeld = rows(data.x, 784, heldFrom, heldFrom + nHeld);
    const yHeld = data.y.subarray(heldFrom, heldFrom + nHeld);
    const opts = defaultTrainOptions({ epochs, batchSize: BATCH, learningRate: LEARNING_RATE, validationSplit: 0, patience: 0, seed: SEED });
    const train = await trainAutoencoder(model, xTrain, nTrain, opts, trainCond);
    const errors = reconstructionErrors(model, xHeld, nHeld, undefined, heldCond);
    const mse = errors.reduce((a, b) => a + b, 0) / nHeld;
    const codes = encode(model, xHeld, nHeld, undefined, heldCond);
    const clusters = kmeans(codes, nHeld, model.config.latentDim, { k: K, seed: SEED, nInit: 4 });
    const row: Row = {
      kind,
      sampleShape,
      trainSamples: nTrain,
      epochs: train.history.filter((h) => h.stage === undefined || h.stage === FINE_TUNE_STAGE).length,
      samplesPerSec: train.samplesPerSec,
      finalTrainLoss: train.history[train.history.length - 1]?.loss ?? NaN,
      mse,
      kmeansAccuracy: hungarianAccuracy(clusters.assignments, yHeld),
      seconds: 0,
    };
    if (train.stages) row.pretrainEpochs = train.stages.filter((st) => st.name !== FINE_TUNE_STAGE).reduce((a, st) => a + st.epochs, 0);
    if (kind === 'vae' || kind === 'cvae') row.kl = meanKl(model, xHeld, nHeld, heldCond);
    if (model.codeIndices) {
      const stats = codeStats(codeIndices(model, xHeld, nHeld), model.config.codebookSize ?? 1);
      row.perplexity = stats.perplexity;
      row.codeUsage = stats.usage;
    }
    row.seconds = (performance.now() - t0) / 1000;
    return row;
  } finally {
    model.dispose();
  }
}

/** Kinds to run: `MODELS_KINDS` (comma-separated) or every kind. */
function selectedKinds(): ModelKind[] {
  const raw = process.env.MODELS_KINDS;
  if (!raw) return [...MODEL_KINDS];
  const kinds = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const bad = kinds.filter((s) => !isModelKind(s));
  if (bad.length > 0) throw new Error(`MODELS_KINDS: unknown kind(s) ${bad.join(', ')} (known: ${MODEL_KINDS.join(', ')})`);
  return kinds as ModelKind[];
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined ? '-' : v.toFixed(digits);
}

async function main(): Promise<void> {
  if (!existsSync(`${DIR}/t10k-images-idx3-ubyte.gz`)) {
    console.error(`Fashion-MNIST not found under ${DIR} (Debian package dataset-fashion-mnist)`);
    process.exitCode = 1;
    return;
  }
  const kinds = selectedKinds();
  const info = await initBackend('auto');
  const backend = describeBackend(info);
  console.log(`Backend: ${backend}`);
  const all = loadFashionTest(N + HELDOUT);
  const nTrain = Math.min(N, all.n - 1);
  const nHeld = Math.min(HELDOUT, all.n - nTrain);
  const heldFrom = nTrain;
  const labels = Array.from(all.y, String);
  const classes = conditionClassesOf(labels);
  const condition = conditionMatrix(labels, classes);
  const convN = Math.min(CONV_N, nTrain);
  const convReduced = convN !== nTrain || CONV_EPOCHS !== EPOCHS;
  const dataLine =
    `Data: Fashion-MNIST test set (t10k, ${classes.length} classes): train on images 0..${nTrain - 1}, score on the ` +
    `held-out images ${heldFrom}..${heldFrom + nHeld - 1}; ${EPOCHS} epochs${convReduced ? ` (conv*: ${convN} samples, ${CONV_EPOCHS} epochs)` : ''}, ` +
    `batch ${BATCH}, Adam lr ${LEARNING_RATE}, no early stopping, latent ${LATENT}, seed ${SEED}`;
  console.log(dataLine);

  // Baselines on the held-out set: k-means on raw pixels, and the MSE of always predicting the mean training image.
  const xHeld = rows(all.x, 784, heldFrom, heldFrom + nHeld);
  const yHeld = all.y.subarray(heldFrom, heldFrom + nHeld);
  const rawAcc = hungarianAccuracy(kmeans(xHeld, nHeld, 784, { k: K, seed: SEED, nInit: 4 }).assignments, yHeld);
  const meanImage = new Float64Array(784);
  for (let i = 0; i < nTrain * 784; i++) meanImage[i % 784] += all.x[i] / nTrain;
  let meanMse = 0;
  for (let i = 0; i < nHeld * 784; i++) meanMse += (xHeld[i] - meanImage[i % 784]) ** 2;
  meanMse /= nHeld * 784;

  const before = tf.memory().numTensors;
  const results: Row[] = [];
  const leaks: string[] = [];
  for (const kind of kinds) {
    const conv = kind === 'conv';
    const n = conv ? convN : nTrain;
    const epochs = conv ? CONV_EPOCHS : EPOCHS;
    const row = await benchKind(kind, all, n, epochs, heldFrom, nHeld, classes, condition);
    results.push(row);
    const now = tf.memory().numTensors;
    if (now !== before) leaks.push(`${kind}: ${now - before} tensors`);
    console.error(`  ${kind}: ${row.seconds.toFixed(1)} s, MSE ${row.mse.toFixed(4)}, k-means acc ${row.kmeansAccuracy.toFixed(3)}${now !== before ? `, WARNING: ${now - before} tensors leaked` : ''}`);
  }

  const header = ['model', 'input', 'train n x ep', 'samples/s', 'MSE', 'KL', 'perplexity', 'usage', 'kmeans acc', 'seconds'];
  const table = formatTable([
    header,
    ...results.map((r) => [
      r.kind,
      `[${r.sampleShape.join('x')}]`,
      `${r.trainSamples} x ${r.epochs}${r.kind === 'conv' && convReduced ? '*' : ''}${r.pretrainEpochs ? ` (+${r.pretrainEpochs} pre)` : ''}`,
      r.samplesPerSec.toFixed(0),
      r.mse.toFixed(4),
      fmt(r.kl, 2),
      fmt(r.perplexity, 1),
      fmt(r.codeUsage, 2),
      r.kmeansAccuracy.toFixed(3),
      r.seconds.toFixed(1),
    ]),
  ]);
  console.log(`\n${table}\n`);
  const notes = [
    `Baselines on the same held-out images: k-means on raw pixels (784 dims) acc ${rawAcc.toFixed(3)}; MSE of predicting the mean training image ${meanMse.toFixed(4)}.`,
    `MSE: held-out mean over samples and pixels of (x - decode(encode(x)))^2 (VAEs decode the mean code); KL: held-out mean KL(q(z|x) || N(0, I)) in nats; kmeans acc: k = ${K}, best of 4 k-means++ restarts on the held-out codes, Hungarian-matched to the true classes.`,
    convReduced
      ? `* conv is several times slower than the dense models on the wasm backend, so it trains on ${convN} samples for ${CONV_EPOCHS} epochs here (MODELS_CONV_N / MODELS_CONV_EPOCHS): its numbers are not directly comparable.`
      : 'conv trains on the same samples and epochs as the others, at a much lower samples/s (3x3 convolutions on the single-threaded wasm backend).',
    'sequence reads each image as a sequence of 28 rows (time steps) with 28 channels (the pixels of a row).',
    'stacked: "+P pre" = epochs of greedy layer-wise pretraining (config.pretrainEpochs per layer pair) before the listed fine-tune epochs; its samples/s and seconds include them.',
    "cvae's latent is label-free by design (the class is given to encoder and decoder as a one-hot condition, so z codes only within-class style): low k-means accuracy is expected; its MSE uses the true condition.",
    'vqvae codes are discrete (each held-out image maps to one of the codebook entries), so k-means clusters at most that many distinct points; perplexity = exp(entropy of the held-out code histogram), usage = fraction of codebook entries used.',
    'Timings are noisy: other processes (tests, other benches) may share the 2 cores.',
  ];
  for (const note of notes) console.log(`- ${note}`);
  if (leaks.length > 0) console.log(`WARNING: tf.memory().numTensors grew across models: ${leaks.join('; ')}`);

  mkdirSync('artifacts', { recursive: true });
  const json = {
    backend,
    data: dataLine,
    heldOut: nHeld,
    baselines: { rawPixelKmeansAccuracy: rawAcc, meanImageMse: meanMse },
    rows: results,
    notes,
    tensorLeaks: leaks,
    date: new Date().toISOString(),
  };
  writeFileSync(OUT, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`Wrote ${OUT}`);
}

void main();
