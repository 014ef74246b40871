import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScoredPayload } from '../../../src/shared/protocol';
import { scoredFits, scoredFlags, scoredHoverLines, scoredLegendText } from '../../../webview/scored';
import { reduce } from '../../../webview/state';
import { init, stateAfter } from './fixtures';

const scored: ScoredPayload = { name: 'new.csv', n: 4, dims: 2, coords: new Float32Array(8), scores: Float32Array.from([0.5, 2, 1, 3]), threshold: 1, method: 'mse' };

test('scored points above the training threshold are flagged; at the threshold is normal', () => {
  assert.deepEqual(Array.from(scoredFlags(scored)), [0, 1, 0, 1]);
  assert.match(scoredLegendText(scored), /new\.csv: 4 scored, 2 \(50\.0%\) above the threshold/);
  const [head, detail] = scoredHoverLines(scored, 1);
  assert.match(head, /#1 · anomalous/);
  assert.match(detail, /mse score 2\.000 vs threshold 1\.000 \(×2\.00\)/);
  assert.match(scoredHoverLines(scored, 2)[0], /normal/);
});

test('scored data lives in the state until cleared, a new view or another model', () => {
  const s = stateAfter(init(), { type: 'scored', scored });
  assert.equal(s.scored, scored);
  assert.ok(s.model);
  assert.ok(scoredFits(scored, s.model));
  assert.equal(reduce(s, { type: 'clearScored' }).scored, undefined);
  assert.equal(reduce(s, { type: 'host', message: { type: 'scored' } }).scored, undefined);
  const reprojected = reduce(s, { type: 'host', message: { type: 'projection', projection: { method: 'pca', dims: 2, coords: new Float32Array(12) } } });
  assert.equal(reprojected.scored, undefined, 'placed in the old view: the host sends it again');
  assert.equal(reduce(s, { type: 'host', message: init() }).scored, scored, 'the same model again keeps it');
  const other = init({ info: { datasetPath: '/other.csv' } });
  assert.equal(reduce(s, { type: 'host', message: other }).scored, undefined, 'another model drops it');
  assert.ok(!scoredFits({ ...scored, dims: 3, coords: new Float32Array(12) }, s.model), 'a 3D placement does not fit a 2D view');
});
