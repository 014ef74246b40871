import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventText, eventWindows, thinSeries } from '../../../webview/tabs/anomalyViews';
import { toAnomalyPayload } from '../../../src/extension/panel/payloads';
import type { AnomalyReport } from '../../../src/core/explorer';

const event = { rank: 2, startRow: 16, endRow: 56, firstWindow: 2, lastWindow: 5, windows: 4, peakWindow: 3, score: 0.5 };

test('an event lists its windows and its rows', () => {
  assert.deepEqual(eventWindows(event), [2, 3, 4, 5]);
  assert.equal(eventText(event), '#2 rows 16–55 · 4 windows · peak 0.500 (window 3)');
});

test('thinning the score series keeps every burst peak and skips rows without a value', () => {
  const v = new Float32Array(20_000).fill(0.1);
  v[12_345] = 9;
  v[7] = Number.NaN;
  const { x, y } = thinSeries(v, 1000);
  assert.ok(x.length <= 1000 && x.length >= 999);
  assert.ok(y.includes(9));
  assert.equal(x[y.indexOf(9)], 12_345);
  const short = thinSeries(new Float32Array([1, Number.NaN, 3]));
  assert.deepEqual(short, { x: [0, 2], y: [1, 3] });
});

test('the anomaly payload of a sequence model carries the score over time and merged events', () => {
  // Windows of 8 rows every 4: windows 3..5 overlap (one burst), window 9 is a second, weaker one.
  const scores = new Float32Array(12).fill(0.1);
  scores[3] = 2; scores[4] = 3; scores[5] = 2; scores[9] = 1.5;
  const report: AnomalyReport = { method: 'mse', methods: ['mse'], defaultMethod: 'mse', scores, threshold: 1, targetFpr: 0.05, expectedFpr: 0.05, calibrationRows: 12, heldOut: false, flagged: 4 };
  const p = toAnomalyPayload(report, { length: 8, stride: 4 });
  assert.ok(p.timeline);
  assert.equal(p.timeline.rowScores.length, 11 * 4 + 8);
  assert.equal(p.timeline.rowScores[20], 3);
  assert.deepEqual(p.timeline.events.map((e) => [e.rank, e.firstWindow, e.lastWindow, e.peakWindow]), [[1, 3, 5, 4], [2, 9, 9, 9]]);
  assert.equal(toAnomalyPayload(report).timeline, undefined);
});
