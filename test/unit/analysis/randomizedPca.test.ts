import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomizedPca, reduceRows } from '../../../src/core/analysis/randomizedPca';
import { fitPca, pcaTransform } from '../../../src/core/analysis/pca';
import { createNormalRng } from '../../../src/common/random';

/** `n x d` rows: three latent factors of scales 6, 4, 2 mixed into d features, plus noise 0.3, offset 1. */
function lowRank(n: number, d: number): Float32Array {
  const rand = createNormalRng(7);
  const mix = Array.from({ length: 3 }, () => Array.from({ length: d }, () => rand()));
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const f = [6 * rand(), 4 * rand(), 2 * rand()];
    for (let t = 0; t < d; t++) x[i * d + t] = 1 + f[0] * mix[0][t] + f[1] * mix[1][t] + f[2] * mix[2][t] + 0.3 * rand();
  }
  return x;
}

test('randomizedPca: the leading axes and projections of the exact PCA (up to sign)', async () => {
  const n = 1500;
  const d = 40;
  const x = lowRank(n, d);
  const exact = fitPca(x, n, d, 3);
  const approx = await randomizedPca(x, n, d, 3);
  assert.equal(approx.q, 3);
  for (let c = 0; c < 3; c++) {
    let dot = 0;
    for (let t = 0; t < d; t++) dot += exact.components[c * d + t] * approx.components[c * d + t];
    assert.ok(Math.abs(dot) > 0.999, `axis ${c}: |cos| ${Math.abs(dot)}`);
  }
  const want = pcaTransform(exact, x, n);
  const got = await reduceRows(x, n, d, 3);
  assert.equal(got.d, 3);
  for (let c = 0; c < 3; c++) {
    const sign = Math.sign(want[c] * got.data[c]) || 1;
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(want[i * 3 + c] - sign * got.data[i * 3 + c]));
    assert.ok(worst < 0.05, `component ${c}: ${worst}`);
  }
});

test('reduceRows: q capped by the features; sparse rows and always-zero features keep their distances', async () => {
  const n = 200;
  const d = 6;
  const x = lowRank(n, d);
  // Features 0 and 3 always zero (no variance: those axes come from the re-orthonormalisation), others sometimes.
  for (let i = 0; i < n * d; i += 3) x[i] = 0;
  for (let i = 1; i < n * d; i += 7) x[i] = 0;
  const r = await reduceRows(x, n, d, 50);
  assert.equal(r.d, 6);
  // All axes kept: an orthogonal change of basis of the centred rows, so pairwise distances are unchanged.
  for (const [i, j] of [[0, 1], [5, 77], [100, 199]]) {
    let dx = 0;
    let dr = 0;
    for (let t = 0; t < d; t++) dx += (x[i * d + t] - x[j * d + t]) ** 2;
    for (let t = 0; t < r.d; t++) dr += (r.data[i * r.d + t] - r.data[j * r.d + t]) ** 2;
    assert.ok(Math.abs(dx - dr) < 1e-3 * Math.max(1, dx), `${i}-${j}: ${dx} vs ${dr}`);
  }
});

test('reduceRows: a cancel (abort) is taken between passes and blocks of rows, before or while it runs', async () => {
  const n = 12_000;
  const d = 64;
  const x = lowRank(n, d);
  const isAbort = (e: unknown): boolean => e instanceof Error && e.name === 'AbortError';
  const before = new AbortController();
  before.abort();
  await assert.rejects(reduceRows(x, n, d, 10, { signal: before.signal }), isAbort);
  // Aborted from an event that can only run once the reduction yields to the event loop.
  const during = new AbortController();
  let passes = 0;
  const tick = (): void => {
    passes++;
    if (passes === 3) during.abort();
    else setImmediate(tick);
  };
  setImmediate(tick);
  await assert.rejects(reduceRows(x, n, d, 10, { signal: during.signal }), isAbort);
  const whole = await reduceRows(x, n, d, 10, { signal: new AbortController().signal });
  assert.equal(whole.data.length, n * 10);
});
