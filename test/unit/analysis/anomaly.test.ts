import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anomalyThreshold, histogram, percentile, rocAuc, topAnomalies } from '../../../src/core/analysis/anomaly';

test('percentile and thresholds', () => {
  const e = Float32Array.from({ length: 101 }, (_, i) => i);
  assert.equal(percentile(e, 95), 95);
  assert.equal(percentile([1, 2], 50), 1.5);
  assert.equal(anomalyThreshold(e), 95);
  assert.equal(anomalyThreshold(e, { method: 'max-train', trainErrors: [0.1, 0.7, 0.3] }), 0.7);
  assert.throws(() => anomalyThreshold(e, { method: 'max-train' }));
});

test('topAnomalies, largest first', () => {
  assert.deepEqual(topAnomalies([0.1, 0.9, 0.5, 0.9, 0.2], 3), [1, 3, 2]);
});

test('rocAuc: perfect, inverted, ties and a known mixed value', () => {
  assert.equal(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true]), 1);
  assert.equal(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true]), 0);
  assert.equal(rocAuc([0.5, 0.5, 0.5, 0.5], [false, true, false, true]), 0.5);
  // Pairs (pos, neg): pos scores {0.4, 0.9}, neg {0.1, 0.5}: 3 of 4 pairs ordered -> 0.75.
  assert.equal(rocAuc([0.4, 0.9, 0.1, 0.5], [true, true, false, false]), 0.75);
});

test('histogram counts every value once', () => {
  const h = histogram([0, 0.1, 0.5, 0.99, 1], 4);
  assert.deepEqual(h.counts, [2, 0, 1, 2]);
  assert.equal(h.edges.length, 5);
  assert.equal(h.edges[4], 1);
});
