/**
 * Training throughput: tfjs (wasm backend + the project's kernel fixes) vs PyTorch (CPU, same thread count) on the
 * same autoencoders and the same data. Run: `npm run bench:train` (= `node --import tsx bench/train.ts`).
 *
 *   dense: 784-256-64-32 encoder, mirrored decoder, relu, sigmoid out, Adam 1e-3, MSE, batch 128
 *   conv:  28x28x1 -> conv 16 3x3 s2 -> conv 32 3x3 s2 -> dense 16 -> dense 1568 (relu) -> convT 32 s2 -> convT 16 s2
 *          -> conv 1 3x3 (sigmoid)   (src/core/models/conv.ts with convFilters [16, 32])
 *
 * Also times the dense model on stock wasm (fixes off) for context (stock wasm cannot train the conv AE at all). Env: BENCH_SCALE (default 1) scales batch counts.
 * The tfjs side trains the project's own models (src/core/models `createModel`, the loss `trainAutoencoder` minimises);
 * bench/torch_train.py builds the same layers in PyTorch.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../src/core/tf';
import { describeBackend, initBackend } from '../src/core/backend/backend';
import { registerWasmKernelFixes, unregisterWasmKernelFixes } from '../src/core/backend/wasmKernels';
import { formatTable, loadImages28, timeSteps } from './util';
import { createModel, defaultModelConfig } from '../src/core/models/index';
import { createAdam } from '../src/core/training/fusedAdam';
import type { Autoencoder } from '../src/core/models/types';

const BATCH = 128;
const N = 4096;
const SEED = 42;
const PYTHON = '/usr/bin/python3';

type ModelName = 'dense' | 'conv';

export interface TrainBenchRow {
  model: string;
  tfjsSamplesPerSec: number;
  torchSamplesPerSec?: number;
  ratio?: number;
}

export interface TrainBenchResult {
  backend: string;
  tfjsThreads: number;
  torchThreads?: number;
  data: string;
  rows: TrainBenchRow[];
  stockDenseSamplesPerSec: number;
}

/** Glorot-uniform kernels with a per-layer seed, so every run starts from the same weights. */
/** The project's own models, as the product trains them (src/core/models). */
function denseAe(): Autoencoder {
  return createModel(defaultModelConfig('dense', [784], { hidden: [256, 64], latentDim: 32, activation: 'relu', outputActivation: 'sigmoid', seed: SEED }));
}

function convAe(): Autoencoder {
  return createModel(defaultModelConfig('conv', [28, 28, 1], { convFilters: [16, 32], hidden: [], latentDim: 16, activation: 'relu', outputActivation: 'sigmoid', seed: SEED }));
}

async function tfjsSamplesPerSec(build: () => Autoencoder, x: tf.Tensor2D, warmup: number, batches: number): Promise<{ sps: number; first: number; last: number }> {
  const model = build();
  const opt = createAdam(1e-3); // what trainAutoencoder uses: tf.train.adam, fused per variable on wasm+fixes
  const perEpoch = Math.floor(x.shape[0] / BATCH);
  const losses: number[] = [];
  let before = 0;
  const secs = await timeSteps((i) => {
    if (i === warmup) before = tf.memory().numTensors; // after warmup: Adam's moments exist
    const loss = tf.tidy(() => {
      const xb = x.slice([(i % perEpoch) * BATCH, 0], [BATCH, 784]);
      return opt.minimize(() => model.loss(xb as tf.Tensor2D, SEED + i).total, true)!;
    });
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }, warmup, batches);
  const grew = tf.memory().numTensors - before;
  opt.dispose();
  model.dispose();
  if (grew > 0) console.warn(`warning: ${grew} tensors leaked during timed steps`);
  return { sps: (batches * BATCH) / secs, first: losses[warmup] ?? NaN, last: losses[losses.length - 1] };
}

interface TorchOut {
  samplesPerSec: number;
  threads: number;
  firstLoss: number;
  lastLoss: number;
  torch: string;
}

function torchSamplesPerSec(dataFile: string, n: number, model: ModelName, threads: number, warmup: number, batches: number): TorchOut | string {
  const r = spawnSync(PYTHON, [join(__dirname, 'torch_train.py'), '--data', dataFile, '--n', String(n), '--model', model,
    '--threads', String(threads), '--batch', String(BATCH), '--warmup', String(warmup), '--batches', String(batches), '--seed', String(SEED)], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return `pytorch failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as TorchOut;
}

const fmt = (v: number | undefined, digits = 0): string => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

export async function runTrainBench(): Promise<TrainBenchResult> {
  const scale = Number(process.env.BENCH_SCALE ?? '1') || 1;
  const count = (b: number): number => Math.max(2, Math.round(b * scale));
  const info = await initBackend('wasm');
  console.log(`tfjs backend: ${describeBackend(info)}`);
  const threads = info.threads ?? 1;
  const data = loadImages28(N);
  console.log(`data: ${data.n} x 784 from ${data.source}; batch ${BATCH}`);
  const dir = mkdtempSync(join(tmpdir(), 'le-bench-'));
  const dataFile = join(dir, 'x.f32');
  writeFileSync(dataFile, Buffer.from(data.x.buffer, data.x.byteOffset, data.x.byteLength));
  const x = tf.tensor2d(data.x, [data.n, 784]);

  // Warm-up steps (both sides, not timed): the tfjs dense step settles after ~80 steps (~8.4 -> ~7.6 ms/step here;
  // not wasm tier-up: the same with --no-liftoff), so both sides are timed from step 100 on: steady state.
  const plan: { model: ModelName; build: () => Autoencoder; warmup: number; batches: number }[] = [
    { model: 'dense', build: denseAe, warmup: 100, batches: count(150) },
    { model: 'conv', build: convAe, warmup: 3, batches: count(40) },
  ];
  const rows: TrainBenchRow[] = [];
  let torchThreads: number | undefined;
  try {
    for (const p of plan) {
      const t = await tfjsSamplesPerSec(p.build, x, p.warmup, p.batches);
      console.log(`tfjs ${p.model}: ${fmt(t.sps)} samples/s = ${((1000 * BATCH) / t.sps).toFixed(1)} ms/step (loss ${t.first.toFixed(4)} -> ${t.last.toFixed(4)})`);
      const py = torchSamplesPerSec(dataFile, data.n, p.model, threads, p.warmup, Math.max(p.batches, count(60)));
      if (typeof py === 'string') {
        console.log(py);
        rows.push({ model: p.model, tfjsSamplesPerSec: t.sps });
      } else {
        torchThreads = py.threads;
        console.log(`torch ${py.torch} ${p.model}: ${fmt(py.samplesPerSec)} samples/s = ${((1000 * BATCH) / py.samplesPerSec).toFixed(1)} ms/step (loss ${py.firstLoss.toFixed(4)} -> ${py.lastLoss.toFixed(4)})`);
        rows.push({ model: p.model, tfjsSamplesPerSec: t.sps, torchSamplesPerSec: py.samplesPerSec, ratio: t.sps / py.samplesPerSec });
      }
    }
    // Context: the same dense model on stock wasm (transposed matmuls slow; conv cannot train at all without the fix).
    unregisterWasmKernelFixes();
    let stock: number;
    try {
      stock = (await tfjsSamplesPerSec(denseAe, x, 1, count(8))).sps;
    } finally {
      registerWasmKernelFixes();
    }
    const table = formatTable([
      ['model (batch 128, Adam)', 'tfjs wasm+fixes sps', 'pytorch cpu sps', 'tfjs/pytorch', 'goal'],
      ...rows.map((r) => [r.model, fmt(r.tfjsSamplesPerSec), fmt(r.torchSamplesPerSec), fmt(r.ratio, 2), r.ratio === undefined ? '-' : r.ratio >= 0.5 ? 'ok (>=0.5)' : 'BELOW 0.5']),
      ['dense, stock wasm (no fixes)', fmt(stock), '', fmt(rows[0].torchSamplesPerSec ? stock / rows[0].torchSamplesPerSec : undefined, 2), ''],
    ]);
    console.log(`\nthreads: tfjs ${threads}, pytorch ${torchThreads ?? '-'}\n${table}`);
    return { backend: describeBackend(info), tfjsThreads: threads, torchThreads, data: data.source, rows, stockDenseSamplesPerSec: stock };
  } finally {
    x.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runTrainBench().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
