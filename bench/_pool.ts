import { setComputeThreads, runParts } from '../src/core/backend/computePool';
import { compiledGemm } from '../src/core/backend/gemmRun';
const mem = new WebAssembly.Memory({ initial: 1024, maximum: 65536, shared: true });
const spec = { m: 64, n: 256, k: 784, transA: false, transB: false, bias: false, relu: false, fma: false, packB: true };
const g = compiledGemm(spec, mem);
const part = (c: number) => [{ module: g.module, fn: 'gemm' as const, args: [0, 1 << 20, (4 << 20) + c * 65536 * 4, 0] }];
setComputeThreads(2);
for (let rep = 0; rep < 5; rep++) {
  let t0 = performance.now();
  for (let i = 0; i < 200; i++) runParts(mem, [part(0)]);
  const one = (performance.now() - t0) / 200;
  t0 = performance.now();
  for (let i = 0; i < 200; i++) runParts(mem, [part(0), part(1)]);
  const two = (performance.now() - t0) / 200;
  t0 = performance.now();
  for (let i = 0; i < 200; i++) { g.exports.gemm(0, 1 << 20, 4 << 20, 0); }
  const direct = (performance.now() - t0) / 200;
  console.log(`1 part ${one.toFixed(3)} ms, 2 parts ${two.toFixed(3)} ms, direct ${direct.toFixed(3)}`);
}
