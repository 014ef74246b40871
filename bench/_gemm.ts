import { tf } from '../src/core/tf';
import { initBackend } from '../src/core/backend/backend';
import { setComputeThreads } from '../src/core/backend/computePool';
async function main(): Promise<void> {
  await initBackend('wasm');
  const a = tf.randomUniform([128, 784]) as tf.Tensor2D;
  const w = tf.randomUniform([784, 256]) as tf.Tensor2D;
  const dy = tf.randomUniform([128, 256]) as tf.Tensor2D;
  const run = (t: number): number[] => {
    setComputeThreads(t);
    const out: number[] = [];
    for (const [name, f] of [['fwd', () => tf.matMul(a, w)], ['dW', () => tf.matMul(a, dy, true, false)], ['dx', () => tf.matMul(dy, w, false, true)]] as const) {
      for (let i = 0; i < 20; i++) f().dispose();
      const t0 = performance.now();
      const n = 200;
      for (let i = 0; i < n; i++) f().dispose();
      out.push((performance.now() - t0) / n);
      void name;
    }
    return out;
  };
  for (let rep = 0; rep < 3; rep++) for (const t of [1, 2]) console.log(t, run(t).map((v) => v.toFixed(3)).join(' '));
}
void main();
