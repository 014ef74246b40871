/** Corruptions for the denoising / occlusion demo: what they damage, how much, and that they are seeded. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corruptSample } from '../../../src/core/analysis/corruption';

const image = (h: number, w: number, c: number): Float32Array => Float32Array.from({ length: h * w * c }, (_, i) => 0.5 + 0.4 * Math.sin(i));

test('noise: level 0 is the identity; the added noise has std ~ level; same seed, same noise', () => {
  const x = image(28, 28, 1);
  assert.deepEqual(corruptSample(x, [28, 28, 1], 'noise', 0, 1), x);
  const y = corruptSample(x, [28, 28, 1], 'noise', 0.3, 7);
  let s2 = 0;
  for (let i = 0; i < x.length; i++) s2 += (y[i] - x[i]) ** 2;
  const std = Math.sqrt(s2 / x.length);
  assert.ok(Math.abs(std - 0.3) < 0.03, `noise std ${std}`);
  assert.deepEqual(corruptSample(x, [28, 28, 1], 'noise', 0.3, 7), y);
  assert.notDeepEqual(corruptSample(x, [28, 28, 1], 'noise', 0.3, 8), y);
});

test('mask on an image: one square patch of ~level of the area, every channel, set to the darkest value', () => {
  const [h, w, c] = [20, 30, 3];
  const x = image(h, w, c);
  const lo = Math.min(...x);
  const y = corruptSample(x, [h, w, c], 'mask', 0.25, 3);
  const changed: [number, number][] = [];
  for (let r = 0; r < h; r++) {
    for (let col = 0; col < w; col++) {
      const px = [0, 1, 2].map((ch) => y[(r * w + col) * c + ch]);
      if (px.some((v, ch) => v !== x[(r * w + col) * c + ch])) {
        assert.ok(px.every((v) => v === lo), 'a masked pixel is masked in every channel');
        changed.push([r, col]);
      }
    }
  }
  const side = Math.round(Math.sqrt(0.25) * Math.min(h, w));
  const rows = new Set(changed.map(([r]) => r)), cols = new Set(changed.map(([, col]) => col));
  assert.ok(rows.size === side && cols.size === side, `a ${side} x ${side} square, got ${rows.size} x ${cols.size}`);
  assert.ok(changed.length >= side * side - side, 'the square is filled (pixels already at the minimum may not change)');
  assert.notDeepEqual(corruptSample(x, [h, w, c], 'mask', 0.25, 4), y, 'the patch moves with the seed');
});

test('mask on a table masks round(level * d) features; bad levels are refused', () => {
  const x = Float32Array.from({ length: 40 }, (_, i) => i + 1);
  const y = corruptSample(x, [40], 'mask', 0.25, 1);
  assert.equal(y.filter((v, i) => v !== x[i]).length, 10);
  assert.ok(y.every((v, i) => v === x[i] || v === 1));
  assert.throws(() => corruptSample(x, [40], 'mask', 1.5, 1), RangeError);
  assert.throws(() => corruptSample(x, [40], 'noise', -0.1, 1), RangeError);
});
