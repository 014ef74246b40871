import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../../src/common/random';
import { densityImage } from '../../../webview/scatter/density';
import { computeBounds, containsBounds, dataToScreen, fitView, projector, screenToData, unionBounds } from '../../../webview/scatter/geometry';
import type { Camera } from '../../../webview/scatter/geometry';
import { buildScreenGrid, pickNearest } from '../../../webview/scatter/screenGrid';
import { packRgba } from '../../../webview/colors';
import { pointSize, rasterPoints } from '../../../webview/scatter/raster';

test('fitted 2D view puts every point inside the plot, and screen <-> data round-trips', () => {
  const rng = createRng(5);
  const n = 300;
  const coords = Float32Array.from({ length: 2 * n }, () => rng() * 40 - 7);
  const b = computeBounds(coords, n, 2);
  const cam: Camera = { view: fitView(b, 2, 640, 360), width: 640, height: 360, yaw: 0, pitch: 0 };
  const project = projector(2, b, cam);
  const p = new Float32Array(2);
  for (let i = 0; i < n; i++) {
    project(coords, i, p);
    assert.ok(p[0] >= 0 && p[0] <= 640 && p[1] >= 0 && p[1] <= 360, `point ${i} at ${p[0]},${p[1]}`);
    const [x, y] = screenToData(cam, p[0], p[1]);
    assert.ok(Math.abs(x - coords[2 * i]) < 1e-3 && Math.abs(y - coords[2 * i + 1]) < 1e-3);
    const [sx, sy] = dataToScreen(cam, coords[2 * i], coords[2 * i + 1]);
    assert.ok(Math.abs(sx - p[0]) < 1e-3 && Math.abs(sy - p[1]) < 1e-3);
  }
});

test('3D projection is a rotation: distances from the centre are kept (orthographic, no yaw/pitch scaling)', () => {
  const coords = Float32Array.from([1, 0, 0, -1, 0, 0, 0, 2, 0, 0, 0, 3, 0, -2, 0, 0, 0, -3]);
  const b = computeBounds(coords, 6, 3);
  const cam: Camera = { view: { cx: 0, cy: 0, scale: 1 }, width: 0, height: 0, yaw: 0, pitch: 0 };
  const p = new Float32Array(2);
  projector(3, b, cam)(coords, 2, p);
  assert.deepEqual([p[0], p[1]], [0, -2]); // y up on screen
  // A quarter turn of yaw brings z onto the screen's x axis.
  projector(3, b, { ...cam, yaw: Math.PI / 2 })(coords, 3, p);
  assert.ok(Math.abs(p[0] - 3) < 1e-6 && Math.abs(p[1]) < 1e-6);
});

test('screen grid picks the nearest point within the radius, and nothing beyond it', () => {
  const rng = createRng(9);
  const n = 2000;
  const sx = Float32Array.from({ length: n }, () => rng() * 500);
  const sy = Float32Array.from({ length: n }, () => rng() * 300);
  sx[7] = NaN; sy[7] = NaN;
  const g = buildScreenGrid(sx, sy, n, 500, 300);
  for (let q = 0; q < 200; q++) {
    const px = rng() * 500, py = rng() * 300, r = 1 + rng() * 10;
    let want: number | undefined;
    let best = r * r;
    for (let i = 0; i < n; i++) {
      const d = (sx[i] - px) ** 2 + (sy[i] - py) ** 2;
      if (d <= best) { best = d; want = i; }
    }
    const got = pickNearest(g, sx, sy, px, py, r);
    assert.equal(got === undefined ? undefined : (sx[got] - px) ** 2 + (sy[got] - py) ** 2, want === undefined ? undefined : best);
  }
});

test('density image: mean colour per bin, opacity rises with the count, masked points left out', () => {
  const red = packRgba(200, 0, 0), blue = packRgba(0, 0, 200);
  // 10 points stacked at (0, 0) (half red, half blue), one at (1, 1), one masked at (1, 0).
  const pts = [...Array.from({ length: 10 }, () => [0, 0]), [1, 1], [1, 0]].flat();
  const coords = Float32Array.from(pts);
  const colors = Uint32Array.from({ length: 12 }, (_, i) => (i < 5 ? red : blue));
  const mask = Uint8Array.from({ length: 12 }, (_, i) => (i === 11 ? 0 : 1));
  const img = densityImage(coords, 12, colors, mask, computeBounds(coords, 12, 2), 8);
  const at = (x: number, y: number): number => img.pixels[y * 8 + x];
  const dense = at(0, 7), sparse = at(7, 0);
  assert.equal(dense & 255, 100);
  assert.equal((dense >>> 16) & 255, 100);
  assert.equal(dense >>> 24, 255);
  assert.ok(sparse >>> 24 > 0 && sparse >>> 24 < 255);
  assert.equal(at(7, 7), 0, 'the masked point is not binned');
  assert.equal(img.pixels.filter((v) => v !== 0).length, 2);
});

test('a view fitted to points and far markers shows both', () => {
  const points = computeBounds(Float32Array.from([0, 0, 1, 1]), 2, 2);
  const markers = computeBounds(Float32Array.from([0.5, 0.5, 9, -4]), 2, 2);
  assert.ok(!containsBounds(points, markers));
  const both = unionBounds(points, markers);
  assert.ok(containsBounds(both, points) && containsBounds(both, markers));
  const cam: Camera = { view: fitView(both, 2, 300, 200), width: 300, height: 200, yaw: 0, pitch: 0 };
  for (const [x, y] of [[0, 0], [1, 1], [9, -4]]) {
    const [sx, sy] = dataToScreen(cam, x, y);
    assert.ok(sx >= 0 && sx <= 300 && sy >= 0 && sy <= 200, `${x},${y} at ${sx},${sy}`);
  }
});

test('raster: squares in the point colour, faded points under emphasised ones, masked points hidden and unpositioned', () => {
  const W = 20, H = 10;
  const buf = new Uint32Array(W * H);
  // Three points in css pixels = device pixels (dpr 1); 0 and 1 overlap.
  const coords = Float32Array.from([5, 5, 6, 5, 15, 5]);
  const project = (c: Float32Array, i: number, out: Float32Array): void => { out[0] = c[2 * i]; out[1] = c[2 * i + 1]; };
  const colors = Uint32Array.from([packRgba(255, 0, 0), packRgba(0, 255, 0), packRgba(0, 0, 255)]);
  const screenX = new Float32Array(3), screenY = new Float32Array(3);
  const drawn = rasterPoints({
    buf, width: W, height: H, dpr: 1, coords, project, n: 3, colors, screenX, screenY,
    mask: Uint8Array.from([1, 1, 0]), emphasis: Uint8Array.from([1, 0, 1]),
  });
  assert.equal(drawn, 2);
  assert.equal(pointSize(3, 1), 4);
  assert.equal(buf[5 * W + 5], colors[0], 'the emphasised point is drawn over the faded one');
  assert.equal(buf[5 * W + 7] >>> 24, 0x38, 'the faded point shows where it is not covered');
  assert.equal(buf[5 * W + 15], 0, 'the masked point is not drawn');
  assert.ok(Number.isNaN(screenX[2]) && screenX[0] === 5 && screenY[1] === 5);
});
