import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anomalyMask, emphasisMask, errorThreshold, hoverLines, labelRanks, labelText, liveColors, packRgba, parseColor, pointColors } from '../../../webview/colors';
import type { Swatches } from '../../../webview/colors';
import { ramp } from '../../../webview/theme';
import { clusters, init, stateAfter } from './fixtures';

const sw: Swatches = { palette: [[255, 0, 0], [0, 255, 0]], accent: [0, 0, 255], muted: [9, 9, 9] };
const red = packRgba(255, 0, 0), green = packRgba(0, 255, 0), blue = packRgba(0, 0, 255), grey = packRgba(9, 9, 9);

test('colours and css parsing', () => {
  assert.equal(packRgba(1, 2, 3), (255 * 2 ** 24) + (3 << 16) + (2 << 8) + 1);
  assert.deepEqual(parseColor('#0f8'), [0, 255, 136]);
  assert.deepEqual(parseColor(' #102030 '), [16, 32, 48]);
  assert.deepEqual(parseColor('#10203040'), [16, 32, 48]);
  assert.deepEqual(parseColor('rgba(1, 2, 3, 0.5)'), [1, 2, 3]);
  assert.deepEqual(parseColor('var(--x)'), [128, 128, 128]);
  assert.deepEqual(ramp(-1), ramp(0));
  assert.deepEqual(ramp(0), [68, 1, 84]);
  assert.ok(ramp(1)[0] > 250 && ramp(1)[1] > 228);
});

test('by label / code / cluster the palette cycles; noise is muted; the legend names the groups', () => {
  const model = stateAfter(init({ codes: [5, 5, 5, 2, 2, 0], clusters: clusters([0, 1, -1, 2, 0, 1], 1) })).model;
  assert.ok(model);
  const byLabel = pointColors(model, 'label', sw);
  assert.deepEqual(Array.from(byLabel.colors), [red, red, green, green, red, red]);
  assert.deepEqual(byLabel.legend.map((e) => e.label), ['a', 'b', 'c']);
  const byCode = pointColors(model, 'code', sw);
  assert.deepEqual(Array.from(byCode.colors), [green, green, green, red, red, red]);
  assert.deepEqual(byCode.legend.map((e) => e.label), ['code 5 (3)', 'code 2 (2)', 'code 0 (1)'], 'most used first');
  const byCluster = pointColors(model, 'cluster', sw);
  assert.deepEqual(Array.from(byCluster.colors), [red, green, grey, red, red, green]);
  assert.deepEqual(byCluster.legend.map((e) => e.label), ['cluster 0 (2)', 'cluster 1 (2)', 'cluster 2 (1)', 'noise (1)']);
});

test('by error the ramp runs from the lowest to the highest log error; unknown choices fall back', () => {
  const model = stateAfter(init({ labels: false })).model;
  assert.ok(model);
  const byError = pointColors(model, 'error', sw);
  const [r0, g0, b0] = ramp(0), [r1, g1, b1] = ramp(1);
  assert.equal(byError.colors[0], packRgba(r0, g0, b0));
  assert.equal(byError.colors[5], packRgba(r1, g1, b1));
  // No labels, no codes, no clusters: one colour.
  for (const by of ['label', 'code', 'cluster'] as const) assert.deepEqual(Array.from(pointColors(model, by, sw).colors), Array(6).fill(blue), by);
});

test('live frames colour by their labels', () => {
  const frame = { epoch: 1, epochs: 2, total: 9, method: 'none' as const, indices: Int32Array.from([0, 1, 2]), coords: new Float32Array(6), labelNames: ['x', 'y'], labelCodes: Int32Array.from([1, 0, 1]) };
  assert.deepEqual(Array.from(liveColors(frame, sw).colors), [green, red, green]);
  const { labelNames: _n, labelCodes: _c, ...plain } = frame;
  assert.deepEqual(Array.from(liveColors(plain, sw).colors), [blue, blue, blue]);
});

test('a label keeps its colour whatever order the labels arrive in; the legend is sorted (numbers by value) and names classes', () => {
  assert.deepEqual(Array.from(labelRanks(['10', '2', '1'])), [2, 1, 0]);
  assert.deepEqual(Array.from(labelRanks(['b', 'a'])), [1, 0]);
  const pal: Swatches = { ...sw, palette: [[1, 0, 0], [2, 0, 0], [3, 0, 0]] };
  const frame = (names: string[], codes: number[]) => ({ epoch: 1, epochs: 2, total: 9, method: 'none' as const, indices: Int32Array.from(codes.map((_, i) => i)), coords: new Float32Array(codes.length * 2), labelNames: names, labelCodes: Int32Array.from(codes) });
  // Same samples (labels 10, 2, 1), dictionaries in different orders: same colour per sample.
  const first = liveColors(frame(['10', '2', '1'], [0, 1, 2]), pal);
  const second = liveColors(frame(['1', '2', '10'], [2, 1, 0]), pal);
  assert.deepEqual(Array.from(first.colors), Array.from(second.colors));
  assert.deepEqual(first.legend.map((e) => e.label), ['1', '2', '10']);
  const named = liveColors(frame(['1', '0'], [0, 1]), pal, { 0: 'T-shirt', 1: 'Trouser' });
  assert.deepEqual(named.legend.map((e) => e.label), ['0 · T-shirt', '1 · Trouser']);
  assert.equal(labelText('x', {}), 'x');
});

test('anomaly filter: the report\'s threshold when it covers the points, else the error quantile; emphasis picks one cluster', () => {
  const state = stateAfter(init({ clusters: clusters([0, 1, 0, 1, 0, 1]) }));
  const model = state.model;
  assert.ok(model);
  assert.equal(anomalyMask(model, state.anomaly, false, 0.5), undefined);
  assert.equal(errorThreshold(Float32Array.from([5, 1, 3, 2, 4, 6]), 0.5), 4);
  assert.deepEqual(Array.from(anomalyMask(model, state.anomaly, true, 0.5) ?? []), [0, 0, 0, 1, 1, 1], 'errors 1..6, at or above the median 4');
  const report = { method: 'knn' as const, methods: ['knn' as const], defaultMethod: 'knn' as const, scores: Float32Array.from([9, 0, 9, 0, 2, 1]), threshold: 2, targetFpr: 0.05, expectedFpr: 0.05, calibrationRows: 6, heldOut: false, flagged: 2 };
  assert.deepEqual(Array.from(anomalyMask(model, { labels: [], report }, true, 0.5) ?? []), [1, 0, 1, 0, 0, 0], 'strictly above the threshold');
  assert.deepEqual(Array.from(emphasisMask(model, 1) ?? []), [0, 1, 0, 1, 0, 1]);
  assert.equal(emphasisMask(model, undefined), undefined);
});

test('hover lines: id, label and cluster; error; the first codes', () => {
  const model = stateAfter(init({ clusters: clusters([0, 1, 0, 1, 0, 1]) })).model;
  assert.ok(model);
  assert.deepEqual(hoverLines(model, 3), ['#3 · b · cluster 1', 'error 4.00', 'z = [0.60, 0.70]']);
});
