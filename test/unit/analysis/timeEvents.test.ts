import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coveredRows, mergeAnomalousWindows, rowScoreSeries, windowRows } from '../../../src/core/analysis/timeEvents';
import { windowCount } from '../../../src/core/data/windows';

describe('time-series anomaly events', () => {
  it('maps windows to the rows they cover', () => {
    assert.deepEqual(windowRows(0, { length: 32, stride: 8 }), { start: 0, end: 32 });
    assert.deepEqual(windowRows(3, { length: 32, stride: 8 }), { start: 24, end: 56 });
    assert.equal(coveredRows(windowCount(200, 16, 8), { length: 16, stride: 8 }), 200);
    assert.equal(coveredRows(windowCount(203, 16, 8), { length: 16, stride: 8 }), 200);
    assert.equal(coveredRows(0, { length: 16, stride: 8 }), 0);
  });

  it('merges overlapping flagged windows into one event scored by its peak, and ranks events', () => {
    const window = { length: 4, stride: 2 };
    // windows 1-3 overlap (rows 2..10), window 7 alone (rows 14..18), window 10 alone (rows 20..24)
    const scores = [0, 2, 5, 3, 0, 0, 0, 9, 0, 0, 1.5];
    const events = mergeAnomalousWindows(scores, 1, window);
    assert.deepEqual(events.map((e) => [e.rank, e.startRow, e.endRow, e.windows, e.peakWindow, e.score]), [
      [1, 14, 18, 1, 7, 9],
      [2, 2, 10, 3, 2, 5],
      [3, 20, 24, 1, 10, 1.5],
    ]);
    assert.deepEqual([events[1].firstWindow, events[1].lastWindow], [1, 3]);
  });

  it('merges flagged windows with a gap between them when their rows still overlap or touch', () => {
    // length 8, stride 2: windows 0 and 3 cover rows 0..8 and 6..14 (overlap); windows 0 and 4 touch at row 8
    assert.equal(mergeAnomalousWindows([5, 0, 0, 6], 1, { length: 8, stride: 2 }).length, 1);
    assert.equal(mergeAnomalousWindows([5, 0, 0, 0, 6], 1, { length: 8, stride: 2 }).length, 1);
    assert.equal(mergeAnomalousWindows([5, 0, 0, 0, 0, 6], 1, { length: 8, stride: 2 }).length, 2);
  });

  it('finds each planted burst once in a sliding-window score series', () => {
    const rows = 2000;
    const window = { length: 32, stride: 8 };
    const bursts = [[150, 170], [600, 640], [900, 905], [1300, 1340], [1800, 1820]];
    const n = windowCount(rows, window.length, window.stride);
    const scores = new Float32Array(n);
    for (let w = 0; w < n; w++) {
      const { start, end } = windowRows(w, window);
      // score: fraction of the window inside a burst, scaled by the burst's index (so events rank differently)
      bursts.forEach(([a, b], k) => {
        const overlap = Math.max(0, Math.min(end, b) - Math.max(start, a));
        scores[w] += (overlap / window.length) * (k + 1);
      });
    }
    const events = mergeAnomalousWindows(scores, 0.05, window);
    assert.equal(events.length, bursts.length);
    for (const [a, b] of bursts) assert.equal(events.filter((e) => e.startRow <= a && e.endRow >= b).length, 1, `burst ${a}-${b} is in exactly one event`);
    assert.deepEqual(events.map((e) => e.rank), [1, 2, 3, 4, 5]);
    for (let i = 1; i < events.length; i++) assert.ok(events[i - 1].score >= events[i].score);
    // the top windows, unmerged, repeat the strongest bursts
    const topWindows = Array.from(scores.keys()).sort((x, y) => scores[y] - scores[x]).slice(0, 5);
    const burstsInTop = new Set(topWindows.map((w) => events.find((e) => w >= e.firstWindow && w <= e.lastWindow)!.rank));
    assert.ok(burstsInTop.size < 5, `the 5 top windows cover ${burstsInTop.size} bursts`);
  });

  it('returns no events when nothing is above the threshold (NaN never counts)', () => {
    assert.deepEqual(mergeAnomalousWindows([0.1, Number.NaN, 0.2], 0.5, { length: 2, stride: 1 }), []);
  });

  it('spreads window scores over rows by max or mean; rows in no window are NaN', () => {
    const window = { length: 4, stride: 2 };
    const scores = [1, 3, 2];
    const max = rowScoreSeries(scores, window, 'max', 10);
    const mean = rowScoreSeries(scores, window, 'mean', 10);
    // rows 0-1: w0; 2-3: w0,w1; 4-5: w1,w2; 6-7: w2; 8-9: none
    assert.deepEqual(Array.from(max.subarray(0, 8)), [1, 1, 3, 3, 3, 3, 2, 2]);
    assert.deepEqual(Array.from(mean.subarray(0, 8)), [1, 1, 2, 2, 2.5, 2.5, 2, 2]);
    assert.ok(Number.isNaN(max[8]) && Number.isNaN(mean[9]));
    assert.equal(rowScoreSeries(scores, window).length, 8);
  });
});
