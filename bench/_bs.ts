import { tf } from '../src/core/tf';
import { initBackend } from '../src/core/backend/backend';
import { setComputeThreads } from '../src/core/backend/computePool';
import { createModel, defaultModelConfig } from '../src/core/models/index';
import { createAdam } from '../src/core/training/fusedAdam';
import { loadImages28 } from './util';
async function main(): Promise<void> {
  setComputeThreads(Number(process.argv[2] ?? '1'));
  await initBackend('wasm');
  const data = loadImages28(4096);
  const x = tf.tensor2d(data.x, [data.n, 784]);
  for (const batch of [64, 128, 256]) {
    const model = createModel(defaultModelConfig('dense', [784], { hidden: [256, 64], latentDim: 16, activation: 'relu', outputActivation: 'sigmoid', seed: 42 }));
    const opt = createAdam(1e-3);
    const step = (i: number): void => {
      const loss = tf.tidy(() => { const xb = x.slice([(i % 16) * batch, 0], [batch, 784]); return opt.minimize(() => model.loss(xb as tf.Tensor2D, 42 + i).total, true)!; });
      loss.dataSync(); loss.dispose();
    };
    for (let i = 0; i < 60; i++) step(i);
    let best = Infinity;
    for (let r = 0; r < 30; r++) { const t0 = performance.now(); for (let i = 0; i < 10; i++) step(i); best = Math.min(best, (performance.now() - t0) / 10); }
    console.log(`batch ${batch}: best ${best.toFixed(2)} ms/step = ${(batch * 1000 / best).toFixed(0)} sps`);
    model.dispose(); opt.dispose();
  }
}
void main();
