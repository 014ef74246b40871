import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNormalRng } from '../../../src/common/random';
import { project } from '../../../src/core/analysis/projection';
import { placeCodes } from '../../../src/core/placeCodes';

/** `perGroup` codes around each of `groups` centres in `d` dimensions, and the centres. */
function groups(count: number, perGroup: number, d: number, seed: number): { latent: Float32Array; centres: number[][] } {
  const normal = createNormalRng(seed);
  const centres = Array.from({ length: count }, () => Array.from({ length: d }, () => 8 * normal()));
  const latent = new Float32Array(count * perGroup * d);
  for (let g = 0; g < count; g++) for (let i = 0; i < perGroup; i++) for (let t = 0; t < d; t++) latent[(g * perGroup + i) * d + t] = centres[g][t] + normal();
  return { latent, centres };
}

test('PCA view: the training codes placed again land exactly on their own view positions', async () => {
  const { latent } = groups(3, 50, 6, 1);
  for (const dims of [2, 3] as const) {
    const view = await project(latent, 150, 6, 'pca', dims);
    const placed = placeCodes({ latent, n: 150, d: 6 }, view, latent.slice(0, 20 * 6), 20);
    assert.equal(placed.length, 20 * dims);
    for (let v = 0; v < placed.length; v++) assert.ok(Math.abs(placed[v] - view.coords[v]) < 1e-4, `coordinate ${v}`);
  }
});

test('codes view (latent of 2 or 3 dims): new codes are their own positions, zero-padded to the view', async () => {
  const { latent } = groups(2, 10, 2, 2);
  const view = await project(latent, 20, 2, 'none', 3);
  assert.equal(view.dims, 3);
  const placed = placeCodes({ latent, n: 20, d: 2 }, view, Float32Array.from([1.5, -2]), 1);
  assert.deepEqual(Array.from(placed), [1.5, -2, 0]);
});

test('UMAP-like view: new codes land among the view positions of their own group, and between groups when between', () => {
  const perGroup = 60, d = 5;
  const { latent, centres } = groups(3, perGroup, d, 3);
  // A non-linear view: each group at its own spot on a circle, members scattered around it.
  const normal = createNormalRng(4);
  const spot = [[0, 10], [-9, -5], [9, -5]];
  const coords = new Float32Array(3 * perGroup * 2);
  for (let g = 0; g < 3; g++) for (let i = 0; i < perGroup; i++) { coords[(g * perGroup + i) * 2] = spot[g][0] + normal(); coords[(g * perGroup + i) * 2 + 1] = spot[g][1] + normal(); }
  const view = { method: 'umap' as const, dims: 2 as const, coords };
  const train = { latent, n: 3 * perGroup, d };
  // Fresh draws of each group.
  const fresh = groups(3, 8, d, 3); // same seed: same centres
  assert.deepEqual(fresh.centres, centres);
  const rng = createNormalRng(11);
  for (let v = 0; v < fresh.latent.length; v++) fresh.latent[v] += 0.1 * rng();
  const placed = placeCodes(train, view, fresh.latent, 24);
  for (let q = 0; q < 24; q++) {
    const g = Math.floor(q / 8);
    const dist = spot.map(([x, y]) => Math.hypot(placed[2 * q] - x, placed[2 * q + 1] - y));
    assert.equal(dist.indexOf(Math.min(...dist)), g, `code ${q} of group ${g} placed at ${placed[2 * q]},${placed[2 * q + 1]}`);
    assert.ok(dist[g] < 3);
  }
  // Halfway between groups 1 and 2 in latent space: its neighbours come from both, so it lands between their spots.
  const mid = Float32Array.from(centres[1].map((c, t) => (c + centres[2][t]) / 2));
  const [mx, my] = placeCodes(train, view, mid, 1, 2 * perGroup);
  assert.ok(mx > -9 && mx < 9 && Math.abs(my + 5) < 3, `between the spots: ${mx},${my}`);
});

test('placement refuses codes of the wrong width and a view of another set', async () => {
  const { latent } = groups(2, 10, 4, 5);
  const view = await project(latent, 20, 4, 'pca', 2);
  assert.throws(() => placeCodes({ latent, n: 20, d: 4 }, view, new Float32Array(3), 1), RangeError);
  assert.throws(() => placeCodes({ latent, n: 19, d: 4 }, view, new Float32Array(4), 1), RangeError);
});
