import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxPolygon, csvField, nearestNeighbours, pointInPolygon, pointsInPolygon, selectionCsv, selectionStats } from '../../../webview/selection';
import type { EmbeddingPayload } from '../../../src/shared/protocol';
import { createRng } from '../../../src/common/random';

test('point in polygon: convex, concave and outside', () => {
  const square = boxPolygon([0, 0], [10, 10]);
  assert.ok(pointInPolygon(5, 5, square));
  assert.ok(!pointInPolygon(11, 5, square));
  assert.ok(!pointInPolygon(5, -1, square));
  // A U shape: the notch (5, 8) is outside, the arms inside.
  const u: [number, number][] = [[0, 0], [10, 0], [10, 10], [7, 10], [7, 3], [3, 3], [3, 10], [0, 10]];
  assert.ok(!pointInPolygon(5, 8, u));
  assert.ok(pointInPolygon(1, 8, u));
  assert.ok(pointInPolygon(8, 8, u));
  assert.ok(pointInPolygon(5, 1, u));
});

test('points in a lasso: hidden points are never selected, order is increasing', () => {
  const rng = createRng(3);
  const pts = Array.from({ length: 500 }, () => [rng() * 100, rng() * 100] as [number, number]);
  const hidden = new Set([1, 2, 3]);
  const screenOf = (i: number): [number, number] | undefined => (hidden.has(i) ? undefined : pts[i]);
  const tri: [number, number][] = [[0, 0], [100, 0], [0, 100]];
  const got = pointsInPolygon(pts.length, screenOf, tri);
  const want = pts.map((p, i) => [p, i] as const).filter(([p, i]) => !hidden.has(i) && p[0] + p[1] < 100).map(([, i]) => i);
  assert.deepEqual(got, want);
  assert.ok(got.length > 150 && got.length < 350);
  assert.deepEqual(pointsInPolygon(pts.length, screenOf, [[0, 0], [1, 1]]), []);
});

const embedding = (): EmbeddingPayload => ({
  n: 6, latentDim: 2,
  latent: new Float32Array([0, 0, 1, 0, 0, 3, 10, 10, 0.5, 0.2, -1, -1]),
  errors: new Float32Array([1, 2, 3, 4, 5, 6]),
  labelNames: ['cat', 'dog, "big"'],
  labelCodes: new Int32Array([0, 1, 1, 0, 1, 1]),
});

test('selection statistics: count, sorted label histogram, mean error vs overall', () => {
  const s = selectionStats(embedding(), [1, 2, 3]);
  assert.equal(s.count, 3);
  assert.equal(s.meanError, 3);
  assert.equal(s.overallMeanError, 3.5);
  assert.deepEqual(s.labels, [{ label: 'dog, "big"', count: 2 }, { label: 'cat', count: 1 }]);
  const empty = selectionStats(embedding(), []);
  assert.ok(Number.isNaN(empty.meanError));
  assert.deepEqual(empty.labels, []);
  const { labelNames: _n, labelCodes: _c, ...unlabelled } = embedding();
  assert.deepEqual(selectionStats(unlabelled, [0]).labels, []);
});

test('selection CSV: header, quoted labels, projected and latent columns', () => {
  const proj = { coords: new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), dims: 2 as const };
  const csv = selectionCsv(embedding(), proj, [2, 4]);
  const lines = csv.trimEnd().split('\n');
  assert.equal(lines[0], 'index,label,error,p0,p1,z0,z1');
  assert.equal(lines[1], '2,"dog, ""big""",3,4,5,0,3');
  assert.equal(lines.length, 3);
  assert.equal(csvField('plain'), 'plain');
});

test('nearest neighbours in latent space match a full sort', () => {
  const rng = createRng(7);
  const n = 300, d = 5;
  const latent = new Float32Array(n * d).map(() => rng() * 2 - 1);
  const q = 17;
  const dist = (i: number): number => Math.hypot(...Array.from({ length: d }, (_, j) => latent[i * d + j] - latent[q * d + j]));
  const want = Array.from({ length: n }, (_, i) => i).filter((i) => i !== q).sort((a, b) => dist(a) - dist(b)).slice(0, 8);
  const got = nearestNeighbours(latent, d, q, 8);
  assert.deepEqual(got.map((g) => g.index), want);
  for (const g of got) assert.ok(Math.abs(g.distance - dist(g.index)) < 1e-5);
  assert.deepEqual(nearestNeighbours(embedding().latent, 2, 0, 2).map((g) => g.index), [4, 1]);
});
