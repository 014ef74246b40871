import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ROWS_REQUEST } from '../../../src/shared/protocol';
import { visiblePoints } from '../../../webview/scatter/thumbnails';
import { RowImageCache, rowBatches } from '../../../webview/thumbnailCache';

test('visible points: only those on screen (hidden ones skipped), none past the limit', () => {
  const sx = Float32Array.from([10, -5, 50, NaN, 99, 120]);
  const sy = Float32Array.from([10, 10, 200, 10, 0, 5]);
  assert.deepEqual(visiblePoints(sx, sy, 6, 100, 100, 10), [0, 4]);
  assert.deepEqual(visiblePoints(sx, sy, 6, 100, 100, 10, 25), [0, 1, 4, 5], 'a margin keeps thumbnails that overlap the edge');
  assert.equal(visiblePoints(sx, sy, 6, 100, 100, 1), undefined, 'more on screen than the limit: plain points');
  assert.deepEqual(visiblePoints(sx, sy, 6, 100, 100, 2), [0, 4]);
});

test('row batches: every index once, in order, within the row and value budgets', () => {
  const indices = Array.from({ length: 700 }, (_, i) => 3 * i);
  for (const [dim, budget] of [[784, 1 << 20], [150_528, 1 << 20], [4, 10], [2_000_000, 1 << 20]]) {
    const batches = rowBatches(indices, dim, budget);
    assert.deepEqual(batches.flat(), indices);
    for (const b of batches) {
      assert.ok(b.length >= 1 && b.length <= MAX_ROWS_REQUEST);
      assert.ok(b.length === 1 || b.length * dim <= budget, `${b.length} rows of ${dim}`);
    }
  }
});

test('row image cache: fetches only what is missing, in bulk, keeps at most its capacity, retries after a failure', async () => {
  const dim = 3;
  const asked: number[][] = [];
  let fail = false;
  let ready = 0;
  const fetchRows = async (indices: number[]): Promise<Float32Array> => {
    asked.push(indices);
    if (fail) throw new Error('host error');
    return Float32Array.from(indices.flatMap((i) => [i, i + 0.5, -i]));
  };
  const cache = new RowImageCache(fetchRows, (v) => Array.from(v), dim, () => { ready++; }, 4);
  cache.want([5, 6, 7]);
  cache.want([6, 7]); // on their way: not asked twice
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(asked, [[5, 6, 7]]);
  assert.equal(ready, 1);
  assert.deepEqual(cache.get(6), [6, 6.5, -6]);
  cache.want([5, 8, 9]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(asked[1], [8, 9]);
  assert.equal(cache.size, 4, 'capacity bound');
  // 5, 6, 7 came first and 6 was read since: 5 is the least recently used.
  assert.equal(cache.get(5), undefined, 'the least recently used went first');
  assert.deepEqual(cache.get(6), [6, 6.5, -6], 'a recently read one stays');
  assert.deepEqual(cache.get(7), [7, 7.5, -7]);
  fail = true;
  cache.want([1]);
  await new Promise((r) => setImmediate(r));
  fail = false;
  cache.want([1]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(asked.slice(2), [[1], [1]]);
  assert.deepEqual(cache.get(1), [1, 1.5, -1]);
});
