import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorRankText, featuresByError, zScores } from '../../../webview/tabular';
import { featureStats } from '../../../src/core/analysis/featureStats';
import { toPanelInfo } from '../../../src/extension/panel/payloads';
import { parseHostMessage } from '../../../src/shared/protocol';

test('feature statistics: per-column mean and population std, non-finite values skipped', () => {
  // Column 0 in units, column 1 in thousands, column 2 constant, column 3 with a NaN.
  const f = new Float32Array([1, 1000, 5, 1, 2, 3000, 5, Number.NaN, 3, 5000, 5, 3]);
  const s = featureStats(f, 3, 4);
  assert.deepEqual(s.mean, [2, 3000, 5, 2]);
  assert.ok(Math.abs(s.std[0] - Math.sqrt(2 / 3)) < 1e-9);
  assert.ok(Math.abs(s.std[1] - 2000 * Math.sqrt(2 / 3)) < 1e-6);
  assert.equal(s.std[2], 0);
  assert.equal(s.std[3], 1);
});

test('z-scores put a large feature on the scale of the others; ranking by error uses those units', () => {
  const stats = { mean: [2, 3000, 5], std: [0.5, 1000, 0] };
  assert.deepEqual(zScores([3, 4000, 6], stats), [2, 1, 1]);
  assert.deepEqual(zScores([3, 4000], stats), [3, 4000], 'mismatched widths stay raw');
  assert.deepEqual(zScores([1, 2, 3], undefined), [1, 2, 3]);
  // Raw error of "big" is 500 but only 0.5σ; "small" is off by 1 raw unit = 2σ.
  const ranked = featuresByError([3, 4000, 5], [2, 3500, 5], stats, ['small', 'big']);
  assert.deepEqual(ranked.map((r) => r.name), ['small', 'big', 'f2']);
  assert.deepEqual(ranked.map((r) => r.error), [2, 0.5, 0]);
  assert.equal(errorRankText(ranked, 2), 'worst reconstructed: small 2.00σ, big 0.50σ, …');
  assert.deepEqual(featuresByError([3, 4000, 5], [2, 3500, 5], undefined, []).map((r) => r.name), ['f1', 'f0', 'f2'], 'raw units without statistics');
});

test('the panel info carries the feature statistics and the webview accepts them only when they fit the width', () => {
  const info = {
    datasetName: 'wine', datasetPath: '/w.csv', format: 'csv' as const, kind: 'table' as const, n: 3, dim: 2, sampleShape: [2], columns: ['a', 'b'], backend: 'wasm', history: [],
    model: { kind: 'dense' as const, latentDim: 2 } as never, featureStats: { mean: [1, 2], std: [0.5, 3] },
  };
  const panel = toPanelInfo(info);
  assert.deepEqual(panel.featureStats, { mean: [1, 2], std: [0.5, 3] });
  const init = (pi: unknown): unknown => ({ type: 'init', info: pi, history: [], training: 'idle', uiState: { colorBy: 'label', k: 3, projection: 'pca', dims: 2, selection: [], errorQuantile: 0.95, filterAnomalies: false, interpolationMode: 'linear', interpolationSteps: 8, tab: 'point' } });
  const ok = parseHostMessage(init({ ...panel, hasPrior: false }));
  assert.ok(ok, 'well-formed init accepted');
  assert.equal(parseHostMessage(init({ ...panel, hasPrior: false, featureStats: { mean: [1], std: [1] } })), undefined);
  assert.equal(parseHostMessage(init({ ...panel, hasPrior: false, featureStats: { mean: [1, 2], std: [1] } })), undefined);
});
