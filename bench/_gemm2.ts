import { tf } from '../src/core/tf';
import { initBackend } from '../src/core/backend/backend';
import { setComputeThreads, runParts } from '../src/core/backend/computePool';
import { compiledGemm } from '../src/core/backend/gemmRun';
async function main(): Promise<void> {
  await initBackend('wasm');
  const a = tf.randomUniform([128, 784]) as tf.Tensor2D;
  const w = tf.randomUniform([784, 256]) as tf.Tensor2D;
  const dy = tf.randomUniform([128, 256]) as tf.Tensor2D;
  const cases: [string, () => tf.Tensor][] = [['fwd 128x784x256', () => tf.matMul(a, w)], ['dW 784x256x128', () => tf.matMul(a, dy, true, false)], ['dx 128x784x256', () => tf.matMul(dy, w, false, true)]];
  const best = new Map<string, number>();
  for (let rep = 0; rep < 15; rep++) {
    for (const t of [1, 2]) {
      setComputeThreads(t);
      for (const [name, f] of cases) {
        for (let i = 0; i < 5; i++) f().dispose();
        const t0 = performance.now();
        for (let i = 0; i < 20; i++) f().dispose();
        const ms = (performance.now() - t0) / 20;
        const k = `${name} t${t}`;
        best.set(k, Math.min(best.get(k) ?? Infinity, ms));
      }
    }
  }
  for (const [k, v] of best) console.log(k.padEnd(24), v.toFixed(3), 'ms', (2 * 128 * 784 * 256 / v / 1e6).toFixed(1), 'GFLOP/s');
  // Hand-off cost: an empty-ish job (2 parts of a tiny GEMM).
  setComputeThreads(2);
  const mem = (tf.backend() as any).wasm.asm.memory as WebAssembly.Memory;
  const g = compiledGemm({ m: 4, n: 4, k: 4, transA: false, transB: false, bias: false, relu: false }, mem);
  const part = [{ module: g.module, fn: 'gemm' as const, args: [1024, 2048, 4096, 0] }];
  let bestJob = Infinity;
  for (let rep = 0; rep < 20; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) runParts(mem, [part, part]);
    bestJob = Math.min(bestJob, (performance.now() - t0) / 1000);
  }
  console.log('job round trip (2 parts)', (bestJob * 1000).toFixed(1), 'us');
}
void main();
