import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modularity } from '../../../src/core/analysis/modularity';
import { UmapCache, clusterWithMethod } from '../../../src/core/analysis/clusterPipeline';
import { gaussianBlobs, graphOf } from './helpers';

test('modularity: two triangles joined by one edge, by hand', () => {
  // Degrees 2,2,3 | 3,2,2 (sum 14); 6 of 7 edges inside. Split: 12/14 - 2 (7/14)^2 = 5/14. One community: 0.
  const g = graphOf(6, [[0, 1, 1], [1, 2, 1], [0, 2, 1], [3, 4, 1], [4, 5, 1], [3, 5, 1], [2, 3, 1]]);
  assert.ok(Math.abs(modularity(g, Int32Array.from([0, 0, 0, 1, 1, 1])) - 5 / 14) < 1e-12);
  assert.ok(Math.abs(modularity(g, new Int32Array(6))) < 1e-12);
  // Cutting across the triangles scores below the natural split.
  assert.ok(modularity(g, Int32Array.from([0, 1, 0, 1, 0, 1])) < 0);
  // Unassigned nodes (negative) and their edges are left out: the second triangle alone is one community.
  assert.ok(Math.abs(modularity(g, Int32Array.from([-1, -1, -1, 0, 0, 0]))) < 1e-12);
  assert.throws(() => modularity(g, new Int32Array(5)), RangeError);
});

test('modularity: weights count', () => {
  // A heavy edge inside community 0 raises its share of the weight inside.
  const light = graphOf(4, [[0, 1, 1], [2, 3, 1], [1, 2, 1]]);
  const heavy = graphOf(4, [[0, 1, 5], [2, 3, 1], [1, 2, 1]]);
  const split = Int32Array.from([0, 0, 1, 1]);
  assert.notEqual(modularity(light, split), modularity(heavy, split));
  assert.ok(modularity(heavy, split) > 0);
});

test('UMAP clustering with several layouts keeps the one of highest modularity, one progress bar over all', async () => {
  const b = gaussianBlobs(900, 12, 6, 2.2, 5);
  const cache = new UmapCache(b.x, b.n, b.d);
  const graph = await cache.graph();
  const one = await clusterWithMethod(b.x, b.n, b.d, 6, { method: 'umap-kmeans', seed: 2, layouts: 1 }, cache);
  const layout: number[] = [];
  let total = 0;
  const three = await clusterWithMethod(b.x, b.n, b.d, 6, {
    method: 'umap-kmeans',
    seed: 2,
    layouts: 3,
    onProgress: (p) => {
      if (p.stage !== 'layout') return;
      layout.push(p.done);
      total = p.total;
    },
  }, cache);
  assert.ok(modularity(graph, three.assignments) >= modularity(graph, one.assignments));
  // Layout 0 is the seed's own (cached from the first call, so no progress); layouts 1 and 2 run after it.
  assert.ok(layout.length > 0);
  assert.deepEqual(layout, [...layout].sort((x, y) => x - y));
  assert.ok(layout[0] > total / 3 - 1 && layout.at(-1) === total, `${layout[0]}..${layout.at(-1)} of ${total}`);
  const again = await clusterWithMethod(b.x, b.n, b.d, 6, { method: 'umap-kmeans', seed: 2, layouts: 3 });
  assert.deepEqual(again.assignments, three.assignments);
});

test('UMAP clustering of one or two points: one cluster, the graph of one point has no edges', async () => {
  for (const n of [1, 2]) {
    const r = await clusterWithMethod(Float32Array.from({ length: n * 3 }, (_, i) => i), n, 3, 1, { method: 'umap-gmm' });
    assert.deepEqual(Array.from(r.assignments), new Array<number>(n).fill(0));
  }
  const g = await new UmapCache(new Float32Array(3), 1, 3).graph();
  assert.equal(g.head.length, 0);
});
