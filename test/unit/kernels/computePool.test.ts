import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/backend';
import { computePoolWorkerParts, computePoolWorkers, computeThreads, runParts, setComputeThreads, shutdownComputePool } from '../../../src/core/kernels/computePool';
import { GEMM_SPLIT_MIN_FMAS, PACK_SPLIT_MIN_FLOATS, compiledGemm, gemmSplit, packedGemmSplit, runPack } from '../../../src/core/kernels/gemmRun';
import type { GemmSpec } from '../../../src/core/kernels/gemm';
import { gemmPacksB } from '../../../src/core/kernels/gemm';
import { wasmConvGemmStats } from '../../../src/core/kernels/conv/convGemm';
import { wasmGemmFma } from '../../../src/core/kernels/gemmRun';
import { createModel, defaultModelConfig } from '../../../src/core/models/index';
import { trainAutoencoder } from '../../../src/core/training/train';
import { defaultTrainOptions } from '../../../src/core/training/train';
import { randomData } from './helpers';

let initialThreads = 0;

before(async () => {
  initialThreads = computeThreads();
  const info = await initBackend('wasm');
  assert.equal(info.name, 'wasm');
});

after(async () => {
  setComputeThreads(0);
  assert.ok(initialThreads >= 1);
});

/** Bytes of a float array, for bit-exact comparisons (NaN-safe). */
function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

function assertSameBits(a: Float32Array, b: Float32Array, label: string): void {
  assert.equal(a.length, b.length, `${label}: length`);
  const x = bits(a);
  const y = bits(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) assert.fail(`${label}: element ${i} differs (${a[i]} vs ${b[i]})`);
}

/** Shapes above the split threshold: tall, short-and-wide (column split), K over one pass (512), odd edges. */
const GEMM_SHAPES: [m: number, n: number, k: number][] = [
  [130, 36, 120],
  [128, 256, 64],
  [5, 260, 600],
  [1, 1000, 600],
  [9, 16, 3700],
  [67, 12, 700],
  [3, 44, 4000],
  [260, 8, 256],
];

test('generated GEMM (and its B packing) split over 1, 2 and 3 threads gives bit-identical results, every layout', () => {
  const memory = new WebAssembly.Memory({ initial: 512, maximum: 65536, shared: true });
  const f32 = (off: number, n: number): Float32Array => new Float32Array(memory.buffer, off, n);
  let splits = 0;
  let cases = 0;
  let packSplits = 0;
  for (const [si, [m, n, k]] of GEMM_SHAPES.entries()) {
    for (const transA of [false, true]) {
      for (const transB of k % 4 === 0 ? [false, true] : [false]) {
        for (const mode of ['plain', 'bias-relu', 'accumulate'] as const) {
          for (const fma of [false, wasmGemmFma()]) {
            const spec: GemmSpec = { m, n, k, transA, transB, bias: mode === 'bias-relu', relu: mode === 'bias-relu', accumulate: mode === 'accumulate', fma };
            assert.ok(m * n * k >= GEMM_SPLIT_MIN_FMAS, 'shape splits');
            const aOff = 0;
            const bOff = aOff + m * k * 4;
            const packOff = bOff + k * n * 4;
            const biasOff = packOff + k * n * 4;
            const cOff = biasOff + n * 4;
            const seed = 1000 * si + cases;
            f32(aOff, m * k).set(randomData(m * k, seed));
            f32(bOff, k * n).set(randomData(k * n, seed + 1));
            f32(biasOff, n).set(randomData(n, seed + 2));
            const c0 = randomData(m * n, seed + 3);
            const whole = compiledGemm(spec, memory).exports;
            let b = bOff;
            if (gemmPacksB(spec)) {
              whole.pack!(bOff, packOff);
              b = packOff;
              // The pool's packing, in column blocks, writes the same panels.
              const panels = f32(packOff, k * n).slice();
              for (const threads of [2, 3]) {
                setComputeThreads(threads);
                f32(packOff, k * n).fill(NaN);
                runPack(spec, memory, bOff, packOff, threads);
                assertSameBits(f32(packOff, k * n), panels, `pack ${JSON.stringify(spec)} on ${threads} threads`);
                if (k * n >= PACK_SPLIT_MIN_FLOATS) packSplits++;
              }
            }
            const o = { a: aOff, b, c: cOff, bias: spec.bias ? biasOff : 0 };
            let reference: Float32Array | undefined;
            for (const threads of [1, 2, 3]) {
              setComputeThreads(threads);
              f32(cOff, m * n).set(c0);
              const parts = gemmSplit(spec, memory, o, threads);
              if (threads === 1) assert.equal(parts.length, 1);
              else {
                assert.ok(parts.length > 1, `${JSON.stringify(spec)} splits over ${threads} threads`);
                splits++;
              }
              runParts(memory, parts);
              const c = f32(cOff, m * n).slice();
              if (reference === undefined) reference = c;
              else assertSameBits(c, reference, `${JSON.stringify(spec)} on ${threads} threads`);
            }
            cases++;
          }
        }
      }
    }
  }
  assert.ok(cases >= 48 && splits === 2 * cases, `${cases} cases, ${splits} splits`);
  assert.ok(packSplits >= 8, `${packSplits} split packs`);
  assert.ok(computePoolWorkers() >= 2, 'workers started');
  assert.ok(computePoolWorkerParts() > 0, 'workers ran parts');
});

test('packing B inside a column-split product (one job) gives the panels and the product of packing first, bit for bit', () => {
  const memory = new WebAssembly.Memory({ initial: 512, maximum: 65536, shared: true });
  const f32 = (off: number, n: number): Float32Array => new Float32Array(memory.buffer, off, n);
  let fused = 0;
  let notFused = 0;
  // The dense autoencoder's wide products (forward and input gradient, batch 128) and the test shapes above.
  const shapes: [number, number, number][] = [[128, 256, 784], [128, 784, 256], [256, 784, 128], ...GEMM_SHAPES];
  for (const [si, [m, n, k]] of shapes.entries()) {
    for (const transA of [false, true]) {
      for (const transB of k % 4 === 0 ? [false, true] : [false]) {
        const spec: GemmSpec = { m, n, k, transA, transB, bias: true, relu: true, fma: wasmGemmFma(), packB: true };
        const [aOff, bOff] = [0, m * k * 4];
        const packOff = bOff + k * n * 4;
        const biasOff = packOff + k * n * 4;
        const cOff = biasOff + n * 4;
        f32(aOff, m * k).set(randomData(m * k, 50 + si));
        f32(bOff, k * n).set(randomData(k * n, 60 + si));
        f32(biasOff, n).set(randomData(n, 70 + si));
        const o = { a: aOff, b: packOff, c: cOff, bias: biasOff };
        const whole = compiledGemm(spec, memory).exports;
        whole.pack!(bOff, packOff);
        const panels = f32(packOff, k * n).slice();
        whole.gemm(o.a, o.b, o.c, o.bias);
        const product = f32(cOff, m * n).slice();
        assert.equal(packedGemmSplit(spec, memory, bOff, o, 1), undefined, 'one thread: no split');
        for (const threads of [2, 3]) {
          setComputeThreads(threads);
          const parts = packedGemmSplit(spec, memory, bOff, o, threads);
          if (parts === undefined) {
            // Split by rows: B is packed first. The autoencoder's wide products always split by columns.
            assert.ok(si >= 3, `${JSON.stringify(spec)} on ${threads} threads packs inside the product`);
            notFused++;
            continue;
          }
          assert.ok(parts.length > 1 && parts.every((p) => p.length === 2 && p[0].fn === 'pack' && p[1].fn === 'gemm'));
          f32(packOff, k * n).fill(NaN);
          f32(cOff, m * n).fill(NaN);
          runParts(memory, parts);
          assertSameBits(f32(packOff, k * n), panels, `panels ${JSON.stringify(spec)} on ${threads} threads`);
          assertSameBits(f32(cOff, m * n), product, `product ${JSON.stringify(spec)} on ${threads} threads`);
          fused++;
        }
      }
    }
  }
  assert.ok(fused >= 24 && notFused >= 4, `${fused} fused, ${notFused} packed first`);
});

/** A dense and a conv autoencoder trained for a few epochs on `threads` threads: every weight, bit for bit. */
async function trainedWeights(kind: 'dense' | 'conv', threads: number): Promise<Float32Array[]> {
  setComputeThreads(threads);
  const conv = kind === 'conv';
  const shape = conv ? [12, 12, 1] : [48];
  const dim = shape.reduce((p, q) => p * q, 1);
  const n = conv ? 96 : 400;
  const x = Float32Array.from(randomData(n * dim, 7), (v) => 1 / (1 + Math.exp(-v)));
  const model = createModel(defaultModelConfig(kind, shape, conv
    ? { convFilters: [8, 16], hidden: [], latentDim: 4, activation: 'relu', outputActivation: 'sigmoid', seed: 3 }
    : { hidden: [256, 128], latentDim: 8, activation: 'relu', outputActivation: 'sigmoid', seed: 3 }));
  try {
    await trainAutoencoder(model, x, n, defaultTrainOptions({ epochs: 2, batchSize: 48, seed: 5, patience: 0 }));
    return model.variables.map((v) => v.dataSync() as Float32Array);
  } finally {
    model.dispose();
  }
}

test('training with the same seed gives the same weights on 1, 2 and 3 threads (dense and conv), no leaks', async () => {
  const before = tf.memory().numTensors;
  wasmConvGemmStats(true);
  for (const kind of ['dense', 'conv'] as const) {
    const one = await trainedWeights(kind, 1);
    for (const threads of [2, 3]) {
      const w = await trainedWeights(kind, threads);
      assert.equal(w.length, one.length);
      w.forEach((v, i) => assertSameBits(v, one[i], `${kind} variable ${i} on ${threads} threads`));
    }
  }
  const stats = wasmConvGemmStats();
  assert.ok(stats.forward > 0 && stats.filter > 0 && stats.input > 0, `conv GEMM paths ran: ${JSON.stringify(stats)}`);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('shutdownComputePool stops every worker; a later job starts a new pool', async () => {
  setComputeThreads(3);
  const a = tf.randomUniform([96, 256], 0, 1, 'float32', 1);
  const b = tf.randomUniform([256, 128], 0, 1, 'float32', 2);
  const first = tf.matMul(a, b);
  assert.ok(computePoolWorkers() >= 2);
  await shutdownComputePool();
  assert.equal(computePoolWorkers(), 0);
  const second = tf.matMul(a, b);
  assert.ok(computePoolWorkers() >= 2, 'pool restarted');
  assertSameBits(second.dataSync() as Float32Array, first.dataSync() as Float32Array, 'after restart');
  tf.dispose([a, b, first, second]);
  await shutdownComputePool();
});

test('a process that used the pool exits on its own (workers never keep it alive)', () => {
  const root = join(__dirname, '..', '..', '..');
  const script = [
    "const { initBackend } = require('./src/core/backend/backend');",
    "const { setComputeThreads, computePoolWorkers } = require('./src/core/kernels/computePool');",
    "const { tf } = require('./src/core/tf');",
    '(async () => {',
    "  setComputeThreads(2); await initBackend('wasm');",
    '  const y = tf.matMul(tf.ones([128, 256]), tf.ones([256, 64]));',
    "  console.log('sum', y.sum().dataSync()[0], 'workers', computePoolWorkers());",
    '})();',
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, `child did not exit: ${String(r.error)}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /sum 2097152 workers 1/);
});
