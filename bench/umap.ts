/**
 * Fast UMAP against plain umap-js and pynndescent, on 60,000 x 16 "codes": the Fashion-MNIST train images projected
 * to 16 dimensions by PCA (fitted on a 5,000-image sample), a stand-in for an autoencoder's codes with the same shape.
 *
 * - kNN stage (k = 14 + the point itself): the exact wasm-GEMM search (src/core/analysis/knn.ts) against
 *   pynndescent's NN-descent (Python, /usr/bin/python3) and umap-js's own NN-descent, recall against exact;
 * - whole 2D embedding: fast UMAP on all 60,000 points (target <= 20 s on the 2-core machine), and fast UMAP vs
 *   plain umap-js on the first UMAP_JS_N points (default 10,000: umap-js on 60,000 takes ~6 minutes), both with
 *   their default epochs, with trustworthiness (k = 15) on a seeded 2,000-point sample of each embedding.
 *
 * Run: `npm run bench:umap`. Env: UMAP_N (default 60000), UMAP_JS_N (default 10000, 0 skips umap-js).
 * The machine may be shared: compare the ratios measured in the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UMAP } from 'umap-js';
import { exactKnn, knnRecall } from '../src/core/analysis/knn';
import type { KnnResult } from '../src/core/analysis/knn';
import { fastUmap } from '../src/core/analysis/fastUmap';
import { fitPca, pcaTransform } from '../src/core/analysis/pca';
import { trustworthiness } from '../src/core/analysis/clusterMetrics';
import { decodeNpy, writeNpy } from '../src/core/export/npy';
import { createRng, shuffledIndices } from '../src/common/random';
import { FASHION_DIR, formatTable } from './util';

const N = Number(process.env.UMAP_N ?? 60000);
const JS_N = Number(process.env.UMAP_JS_N ?? 10000);
const D = 16;
const K = 14;
const TRUST_SAMPLE = 2000;

function codes(n: number): Float32Array {
  const images = gunzipSync(readFileSync(`${FASHION_DIR}/train-images-idx3-ubyte.gz`));
  const count = Math.min(n, images.readUInt32BE(4));
  const x = new Float32Array(count * 784);
  for (let i = 0; i < x.length; i++) x[i] = images[16 + i] / 255;
  const sample = shuffledIndices(count, 1).slice(0, Math.min(5000, count));
  const xs = new Float32Array(sample.length * 784);
  sample.forEach((r, i) => xs.set(x.subarray(r * 784, r * 784 + 784), i * 784));
  return pcaTransform(fitPca(xs, sample.length, 784, D), x, count);
}

const seconds = (t0: number): number => (performance.now() - t0) / 1000;

/** Trustworthiness on a seeded sample of rows. */
function trust(x: Float32Array, d: number, y: Float32Array, dy: number, n: number): number {
  const idx = shuffledIndices(n, 7).slice(0, Math.min(TRUST_SAMPLE, n));
  const xs = new Float32Array(idx.length * d);
  const ys = new Float32Array(idx.length * dy);
  idx.forEach((r, i) => {
    xs.set(x.subarray(r * d, r * d + d), i * d);
    ys.set(y.subarray(r * dy, r * dy + dy), i * dy);
  });
  return trustworthiness(xs, d, ys, dy, idx.length, 15);
}

function pynndescent(x: Float32Array, n: number, dir: string): { knn: KnnResult; seconds: number } | string {
  const inFile = path.join(dir, 'x.npy');
  const outFile = path.join(dir, 'knn.npy');
  writeNpy(inFile, x, n, D, true);
  try {
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'knn_pynndescent.py'), inFile, String(K), outFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const { data } = decodeNpy(readFileSync(outFile));
    return { knn: { n, k: K, indices: Int32Array.from(data), distances: new Float32Array(n * K) }, seconds: Number(out.trim().split('\n').pop()) };
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
}

function umapJsKnn(x: Float32Array, n: number): { knn: KnnResult; seconds: number } {
  const rows = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * D, i * D + D)));
  const u = new UMAP({ nNeighbors: K + 1, random: createRng(0) }) as unknown as { nearestNeighbors(x: number[][]): { knnIndices: number[][] } };
  const t0 = performance.now();
  const r = u.nearestNeighbors(rows);
  const secs = seconds(t0);
  const indices = new Int32Array(n * K);
  r.knnIndices.forEach((row, i) => row.filter((j) => j !== i).slice(0, K).forEach((j, a) => (indices[i * K + a] = j)));
  return { knn: { n, k: K, indices, distances: new Float32Array(n * K) }, seconds: secs };
}

async function main(): Promise<void> {
  if (!existsSync(`${FASHION_DIR}/train-images-idx3-ubyte.gz`)) {
    console.error(`Fashion-MNIST not found under ${FASHION_DIR} (Debian package dataset-fashion-mnist)`);
    process.exitCode = 1;
    return;
  }
  const x = codes(N);
  const n = x.length / D;
  console.log(`${n} x ${D} codes (Fashion-MNIST train, PCA 16); machine may be shared: compare ratios within this run`);
  const dir = mkdtempSync(path.join(tmpdir(), 'le-bench-umap-'));
  try {
    // kNN stage.
    let t0 = performance.now();
    const exact = await exactKnn(x, n, D, K);
    const exactSeconds = seconds(t0);
    const knnRows: string[][] = [['kNN (k = 14)', 'seconds', 'recall vs exact', 'time / exact']];
    knnRows.push(['exact, wasm GEMM (ours)', exactSeconds.toFixed(2), '1.0000', '1.00']);
    const py = pynndescent(x, n, dir);
    if (typeof py === 'string') knnRows.push(['pynndescent (NN-descent)', 'failed', py, '']);
    else knnRows.push(['pynndescent (NN-descent)', py.seconds.toFixed(2), knnRecall(py.knn, exact).toFixed(4), (py.seconds / exactSeconds).toFixed(2)]);
    const jsN = Math.min(JS_N, n);
    if (jsN > K + 1) {
      const sub = x.subarray(0, jsN * D);
      t0 = performance.now();
      const exactSub = await exactKnn(sub, jsN, D, K);
      const exactSubSeconds = seconds(t0);
      const js = umapJsKnn(sub, jsN);
      knnRows.push([`umap-js NN-descent (first ${jsN})`, js.seconds.toFixed(2), knnRecall(js.knn, exactSub).toFixed(4), `${(js.seconds / exactSubSeconds).toFixed(2)} (vs exact on ${jsN})`]);
    }
    console.log(`\n${formatTable(knnRows)}`);

    // Whole embedding.
    const rows: string[][] = [['2D embedding', 'points', 'seconds', 'trustworthiness (k=15)']];
    t0 = performance.now();
    const full = await fastUmap(x, n, D, { nComponents: 2, seed: 0 });
    const fullSeconds = seconds(t0);
    rows.push(['fast UMAP (ours)', String(n), fullSeconds.toFixed(1), trust(x, D, full, 2, n).toFixed(4)]);
    if (jsN > K + 1) {
      const sub = x.subarray(0, jsN * D);
      t0 = performance.now();
      const ours = await fastUmap(sub, jsN, D, { nComponents: 2, seed: 0 });
      const oursSeconds = seconds(t0);
      rows.push(['fast UMAP (ours)', String(jsN), oursSeconds.toFixed(1), trust(sub, D, ours, 2, jsN).toFixed(4)]);
      const rowsJs = Array.from({ length: jsN }, (_, i) => Array.from(sub.subarray(i * D, i * D + D)));
      t0 = performance.now();
      const emb = new UMAP({ nComponents: 2, random: createRng(0) }).fit(rowsJs);
      const jsSeconds = seconds(t0);
      const flat = Float32Array.from(emb.flat());
      rows.push(['plain umap-js', String(jsN), jsSeconds.toFixed(1), trust(sub, D, flat, 2, jsN).toFixed(4)]);
      rows.push([`speed-up on ${jsN}`, '', `${(jsSeconds / oursSeconds).toFixed(1)}x`, '']);
    }
    console.log(`\n${formatTable(rows)}`);
    console.log(`\n${n} x ${D} -> 2D in ${fullSeconds.toFixed(1)} s (target <= 20 s on the 2-core machine)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
