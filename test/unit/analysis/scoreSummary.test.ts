import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeScoreSummary, eventsToCsv, rowScoresToCsv, summariseScores } from '../../../src/core/analysis/scoreSummary';
import type { AnomalyReport } from '../../../src/core/explorer';

function report(scores: number[], threshold: number): AnomalyReport {
  return {
    method: 'mse', methods: ['mse'], defaultMethod: 'mse', scores: Float32Array.from(scores), threshold, targetFpr: 0.01, expectedFpr: 0.01,
    calibrationRows: 10, heldOut: true, flagged: scores.filter((s) => s > threshold).length,
  };
}

describe('score summaries', () => {
  it('counts flagged samples and lists the highest scores with their source', () => {
    const r = report([0.1, 0.9, 0.2, 0.7, Number.NaN, 0.3], 0.5);
    const refs = Array.from({ length: 6 }, (_, i) => ({ file: '/d.csv', line: i + 2, index: i }));
    const sum = summariseScores(r, { refs, labels: ['a', 'b', 'c', 'd', 'e', 'f'], top: 3 });
    assert.equal(sum.n, 6);
    assert.equal(sum.flagged, 2);
    assert.equal(sum.maxScore, Math.fround(0.9));
    assert.deepEqual(sum.top.map((t) => [t.index, t.label, t.ref?.line]), [[1, 'b', 3], [3, 'd', 5], [5, 'f', 7]]);
    assert.equal(sum.events, undefined);
    assert.match(describeScoreSummary(sum), /^Scored 6 samples by mse: 2 \(33\.3%\) above the threshold 0\.5000/);
  });

  it('merges the flagged windows of a time series into events, as text and CSV', () => {
    const window = { length: 4, stride: 2 };
    const r = report([0, 2, 3, 0, 0, 0, 5, 0], 1);
    const refs = Array.from({ length: 8 }, (_, w) => ({ file: '/s.csv', line: 2 + 2 * w, index: 2 * w }));
    const sum = summariseScores(r, { window, refs });
    assert.deepEqual(sum.events?.map((e) => [e.rank, e.startRow, e.endRow]), [[1, 12, 16], [2, 2, 8]]);
    assert.match(describeScoreSummary(sum), /2 events .*\n {2}#1 rows 12-15, 1 window, peak 5\.000 at window 6\n {2}#2 rows 2-7, 2 windows/);
    const csv = eventsToCsv(sum.events, refs).trim().split('\n');
    assert.equal(csv[0], 'rank,start_row,end_row,windows,first_window,last_window,peak_window,score,source_line');
    assert.equal(csv[1], '1,12,16,1,6,6,6,5,14');
    assert.equal(csv[2], '2,2,8,2,1,2,2,3,4');
  });

  it('writes the per-row score series with the threshold applied', () => {
    const rows = rowScoresToCsv([1, 3], 2, { length: 2, stride: 1 }).trim().split('\n');
    assert.deepEqual(rows, ['row,score_max,score_mean,anomalous', '0,1,1,0', '1,3,2,1', '2,3,3,1']);
  });
});
