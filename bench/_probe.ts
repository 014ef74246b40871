import { tf } from '../src/core/tf';
import { initBackend, describeBackend } from '../src/core/backend/backend';
import { setComputeThreads } from '../src/core/backend/computePool';
import { createModel, defaultModelConfig } from '../src/core/models/index';
import { createAdam } from '../src/core/training/fusedAdam';
import { loadImages28 } from './util';
async function main(): Promise<void> {
  const threads = Number(process.argv[2] ?? '1');
  const kind = process.argv[3] ?? 'dense';
  setComputeThreads(threads);
  const info = await initBackend('wasm');
  console.log(describeBackend(info));
  const data = loadImages28(4096);
  const x = tf.tensor2d(data.x, [data.n, 784]);
  const cfg = kind === 'dense' ? defaultModelConfig('dense', [784], { hidden: [256, 64], latentDim: 32, activation: 'relu', outputActivation: 'sigmoid', seed: 42 })
    : defaultModelConfig('conv', [28, 28, 1], { convFilters: [16, 32], hidden: [], latentDim: 16, activation: 'relu', outputActivation: 'sigmoid', seed: 42 });
  const model = createModel(cfg);
  const opt = createAdam(1e-3);
  const steps = kind === 'dense' ? 200 : 30;
  const warm = kind === 'dense' ? 100 : 3;
  let t0 = 0;
  let last = 0;
  for (let i = 0; i < steps + warm; i++) {
    if (i === warm) t0 = performance.now();
    const loss = tf.tidy(() => { const xb = x.slice([(i % 32) * 128, 0], [128, 784]); return opt.minimize(() => model.loss(xb as tf.Tensor2D, 42 + i).total, true)!; });
    last = loss.dataSync()[0];
    loss.dispose();
  }
  const ms = (performance.now() - t0) / steps;
  const w = model.variables.map((v) => Array.from(v.dataSync().slice(0, 3)));
  console.log(`threads ${threads} ${kind}: ${ms.toFixed(2)} ms/step, ${(128000 / ms).toFixed(0)} sps, loss ${last}, w ${JSON.stringify(w[0])} ${JSON.stringify(w[w.length - 1])}`);
}
void main();
