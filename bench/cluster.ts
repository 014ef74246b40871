/**
 * Clustering quality on Fashion-MNIST (10k test set, 10 classes): the project's dense autoencoder (784-256-64-16,
 * few epochs) -> k-means (k = 10) on the codes, and -> UMAP (2D) -> k-means, scored by Hungarian-matched accuracy
 * and ARI against the true classes; k-means on raw pixels as the baseline. Run: `npm run bench:cluster`.
 * Env: CLUSTER_N (default 10000), CLUSTER_EPOCHS (default 15). Takes a few minutes on 2 cores.
 */
import { existsSync } from 'node:fs';
import { tf } from '../src/core/tf';
import { describeBackend, initBackend } from '../src/core/backend/backend';
import { createModel, defaultModelConfig } from '../src/core/models/index';
import { defaultTrainOptions, trainAutoencoder } from '../src/core/training/train';
import { encode } from '../src/core/inference';
import { adjustedRandIndex, hungarianAccuracy, kmeans } from '../src/core/analysis/kmeans';
import { umapEmbed } from '../src/core/analysis/umap';
import { FASHION_DIR, formatTable, loadFashionTest } from './util';

const DIR = FASHION_DIR;
const N = Number(process.env.CLUSTER_N ?? 10000);
const EPOCHS = Number(process.env.CLUSTER_EPOCHS ?? 15);
const SEED = 42;
const K = 10;


interface Row {
  method: string;
  dims: number;
  seconds: number;
  acc: number;
  ari: number;
}

function score(method: string, data: Float32Array, n: number, d: number, y: Int32Array, extraSeconds: number): Row {
  const t0 = performance.now();
  const r = kmeans(data, n, d, { k: K, seed: SEED, nInit: 4 });
  const seconds = extraSeconds + (performance.now() - t0) / 1000;
  return { method, dims: d, seconds, acc: hungarianAccuracy(r.assignments, y), ari: adjustedRandIndex(r.assignments, y) };
}

async function main(): Promise<void> {
  if (!existsSync(`${DIR}/t10k-images-idx3-ubyte.gz`)) {
    console.error(`Fashion-MNIST not found under ${DIR} (Debian package dataset-fashion-mnist)`);
    process.exitCode = 1;
    return;
  }
  const info = await initBackend('auto');
  console.log(`Backend: ${describeBackend(info)}`);
  const { x, y, n } = loadFashionTest(N);
  const rows: Row[] = [];
  rows.push(score('k-means on raw pixels', x, n, 784, y, 0));

  const before = tf.memory().numTensors;
  const model = createModel(defaultModelConfig('dense', [28, 28, 1], { seed: SEED }));
  const latentDim = model.config.latentDim;
  let t0 = performance.now();
  const train = await trainAutoencoder(model, x, n, defaultTrainOptions({ epochs: EPOCHS, batchSize: 128, learningRate: 2e-3, validationSplit: 0, patience: 0, seed: SEED }));
  const codes = encode(model, x, n);
  const trainSeconds = (performance.now() - t0) / 1000;
  model.dispose();
  const last = train.history[train.history.length - 1];
  console.log(`AE ${model.config.kind} [${model.config.hidden.join(', ')}] -> ${latentDim}: ${train.history.length} epochs in ${trainSeconds.toFixed(1)} s, final loss ${last.loss.toPrecision(4)}`);
  rows.push(score('AE + k-means', codes, n, latentDim, y, trainSeconds));

  t0 = performance.now();
  const umap2 = umapEmbed(codes, n, latentDim, { nComponents: 2, nNeighbors: 15, minDist: 0, seed: SEED });
  rows.push(score('AE + UMAP(2D) + k-means', umap2, n, 2, y, trainSeconds + (performance.now() - t0) / 1000));
  if (tf.memory().numTensors !== before) console.error(`tensor leak: ${tf.memory().numTensors - before}`);

  console.log(`\nFashion-MNIST test set, first ${n} images, k = ${K} (best of 4 k-means++ restarts), seed ${SEED}`);
  console.log(
    formatTable([
      ['method', 'dims', 'accuracy', 'ARI', 'seconds'],
      ...rows.map((r) => [r.method, String(r.dims), r.acc.toFixed(3), r.ari.toFixed(3), r.seconds.toFixed(1)]),
    ]),
  );
}

void main();
