import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePieces, overClusterCount } from '../../../src/core/analysis/componentMerge';
import { modularity } from '../../../src/core/analysis/modularity';
import { clusterWithMethod } from '../../../src/core/analysis/clusterPipeline';
import { scoreClustering } from '../../../src/core/analysis/clusterMetrics';
import { createNormalRng } from '../../../src/common/random';
import type { FuzzyGraph } from '../../../src/core/analysis/umapGraph';
import { graphOf } from './helpers';

/** `groups` cliques of `size` nodes (node i in group i % groups), consecutive groups joined by one weak edge. */
function cliques(groups: number, size: number): FuzzyGraph {
  const n = groups * size;
  const edges: [number, number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (i % groups === j % groups) edges.push([i, j, 1]);
  for (let g = 0; g + 1 < groups; g++) edges.push([g, g + 1, 0.2]);
  return graphOf(n, edges);
}

test('mergePieces: pieces of the same clique are joined, cliques stay apart', () => {
  const groups = 3;
  const size = 6;
  const g = cliques(groups, size);
  // Each clique cut into two pieces: piece = group + groups * (position within the group is in its first half ? 0 : 1).
  const pieces = Int32Array.from({ length: g.n }, (_, i) => (i % groups) + groups * (Math.floor(i / groups) < size / 2 ? 0 : 1));
  const clusterOf = mergePieces(g, pieces, 2 * groups, groups);
  const merged = pieces.map((p) => clusterOf[p]);
  for (let i = 0; i < g.n; i++) for (let j = 0; j < g.n; j++) assert.equal(merged[i] === merged[j], i % groups === j % groups, `${i} ${j}`);
  // Numbered by first appearance in node order.
  assert.deepEqual([...merged.slice(0, groups)], [0, 1, 2]);
  // The result is the clique partition, of higher modularity than the pieces.
  assert.ok(modularity(g, merged) > modularity(g, pieces));
  // Down to two clusters: two whole cliques are joined, none is split.
  const two = mergePieces(g, pieces, 2 * groups, 2);
  const byGroup = Array.from({ length: groups }, (_, c) => new Set(Array.from({ length: size }, (_, t) => two[pieces[c + groups * t]])));
  assert.ok(byGroup.every((s) => s.size === 1));
  assert.equal(new Set(byGroup.map((s) => [...s][0])).size, 2);
});

test('mergePieces: the pair with the largest modularity gain goes first, by hand', () => {
  // A path 0-1-2-3 with weights 3, 1, 3: joining {0},{1} or {2},{3} gains 2*3/14 - 2*3*4/196 each; {1},{2} gains less.
  const g = graphOf(4, [[0, 1, 3], [1, 2, 1], [2, 3, 3]]);
  const clusterOf = mergePieces(g, Int32Array.from([0, 1, 2, 3]), 4, 2);
  assert.deepEqual([...clusterOf], [0, 0, 1, 1]);
  // Already at most k pieces: each piece its own cluster.
  assert.deepEqual([...mergePieces(g, Int32Array.from([0, 1, 2, 3]), 4, 4)], [0, 1, 2, 3]);
  // Pieces nobody belongs to map to -1; unassigned nodes are left out.
  assert.deepEqual([...mergePieces(g, Int32Array.from([2, 2, -1, 0]), 4, 2)], [1, -1, 0, -1]);
  assert.throws(() => mergePieces(g, new Int32Array(3), 4, 2), RangeError);
});

test('overClusterCount: three pieces per cluster, at most one per point', () => {
  assert.equal(overClusterCount(10, 10_000), 30);
  assert.equal(overClusterCount(10, 12), 12);
  assert.equal(overClusterCount(1, 5), 3);
});

test('UMAP clustering of classes made of two sub-groups each: classes recovered, GMM probabilities summed per cluster', async () => {
  // Four classes far apart in 8 dimensions, each made of two overlapping sub-blobs: fitted with 12 pieces, which
  // must be joined back into the four classes.
  const rand = createNormalRng(5);
  const d = 8;
  const classes = 4;
  const n = 1600;
  const centres = Array.from({ length: classes }, () => Array.from({ length: d }, () => rand() * 12));
  const offsets = Array.from({ length: classes }, () => Array.from({ length: d }, () => rand() * 0.3));
  const x = new Float32Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    const side = (i >> 2) % 2 === 0 ? 1 : -1;
    truth[i] = c;
    for (let t = 0; t < d; t++) x[i * d + t] = centres[c][t] + side * offsets[c][t] + rand() * 0.4;
  }
  for (const method of ['umap-gmm', 'umap-kmeans'] as const) {
    const r = await clusterWithMethod(x, n, d, classes, { method, seed: 2, layouts: 1 });
    assert.equal(r.k, classes);
    assert.ok(scoreClustering(r.assignments, truth).accuracy > 0.98, method);
    assert.ok(r.assignments.every((a) => a >= 0 && a < classes));
    if (method === 'umap-gmm') {
      const prob = r.probabilities;
      assert.ok(prob);
      // The winner's summed posterior: at least 1/k, at most 1, and near 1 for most points of well separated classes.
      assert.ok(prob.every((p) => p >= 1 / classes - 1e-6 && p <= 1 + 1e-6));
      assert.ok(prob.filter((p) => p > 0.9).length > 0.9 * n);
    }
  }
});
