import { tf } from '../src/core/tf';
import { initBackend } from '../src/core/backend/backend';
import { setComputeThreads } from '../src/core/backend/computePool';
import { createModel, defaultModelConfig } from '../src/core/models/index';
import { createAdam } from '../src/core/training/fusedAdam';
import { loadImages28 } from './util';
async function main(): Promise<void> {
  const threads = Number(process.argv[2] ?? '1');
  const batch = Number(process.argv[3] ?? '128');
  setComputeThreads(threads);
  await initBackend('wasm');
  const data = loadImages28(4096);
  const x = tf.tensor2d(data.x, [data.n, 784]);
  const model = createModel(defaultModelConfig('conv', [28, 28, 1], { convFilters: [16, 32], hidden: [], latentDim: 16, activation: 'relu', outputActivation: 'sigmoid', seed: 42 }));
  const opt = createAdam(1e-3);
  const step = (i: number): void => {
    const loss = tf.tidy(() => { const xb = x.slice([(i % 30) * batch, 0], [batch, 784]); return opt.minimize(() => model.loss(xb as tf.Tensor2D, 42 + i).total, true)!; });
    loss.dataSync(); loss.dispose();
  };
  for (let i = 0; i < 5; i++) step(i);
  const totals = new Map<string, number>();
  const t0 = performance.now();
  const N = 8;
  for (let i = 0; i < N; i++) {
    const p = await tf.profile(() => step(i));
    for (const k of p.kernels) totals.set(k.name, (totals.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  }
  const wall = (performance.now() - t0) / N;
  const sorted = [...totals].sort((a, b) => b[1] - a[1]);
  let sum = 0;
  for (const [, v] of sorted) sum += v / N;
  console.log(`threads ${threads} batch ${batch}: wall(profiled) ${wall.toFixed(2)} ms, kernels ${sum.toFixed(2)} ms`);
  for (const [k, v] of sorted.slice(0, 12)) console.log(`  ${k.padEnd(32)} ${(v / N).toFixed(3)}`);
  let t1 = performance.now();
  for (let i = 0; i < 5; i++) step(i);
  console.log(`unprofiled ${(performance.now() - t1) / 100} ms/step`);
  t1 = 0;
}
void main();
