import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { MAX_SPRITE_SIDE, encodePng, spriteImage } from '../../../src/core/export/sprite';
import { writeProjectorSprite } from '../../../src/core/export/spriteFiles';

test('encodePng writes a PNG that a decoder reads back pixel for pixel', () => {
  const rgba = new Uint8Array(3 * 2 * 4).map((_, i) => (i * 37) % 256);
  const png = PNG.sync.read(Buffer.from(encodePng(rgba, 3, 2)));
  assert.equal(png.width, 3);
  assert.equal(png.height, 2);
  assert.deepEqual(Array.from(png.data), Array.from(rgba));
  assert.throws(() => encodePng(rgba, 4, 2), /RGBA/);
});

test('the sprite tiles n grey images row-major in a ceil(sqrt n) square, scaled to 0..255, unused tiles transparent', () => {
  // 5 images of 2 x 3 pixels; image s is filled with the value s (0..4).
  const n = 5, h = 2, w = 3;
  const features = new Float32Array(n * h * w).map((_, i) => Math.floor(i / (h * w)));
  const s = spriteImage(features, n, [h, w]);
  assert.ok(s);
  assert.equal(s.side, 3);
  assert.deepEqual(s.tile, [w, h]);
  const png = PNG.sync.read(Buffer.from(s.png));
  assert.equal(png.width, 3 * w);
  assert.equal(png.height, 3 * h);
  const px = (x: number, y: number): number[] => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4));
  assert.deepEqual(px(0, 0), [0, 0, 0, 255]);
  assert.deepEqual(px(w * 2 + 1, 1), [128, 128, 128, 255], 'image 2 in the third tile of row 0');
  assert.deepEqual(px(w, h), [255, 255, 255, 255], 'image 4 in the second tile of row 1');
  assert.deepEqual(px(w * 2, h), [0, 0, 0, 0], 'tile 5 is unused');
  assert.equal(spriteImage(new Float32Array(0), 0, [h, w]), undefined);
  const big = Math.ceil(MAX_SPRITE_SIDE / 28) + 1;
  assert.equal(spriteImage(new Float32Array(28 * 28), big * big, [28, 28]), undefined, 'too large for the Projector');
});

test('the sprite and the Projector config are written beside the vectors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sprite-'));
  try {
    const files = writeProjectorSprite(join(dir, 'emb.tsv'), join(dir, 'emb.metadata.tsv'), new Float32Array(4 * 4).fill(1), 4, [2, 2], false);
    assert.deepEqual(files, [join(dir, 'emb.sprite.png'), join(dir, 'emb.projector_config.pbtxt')]);
    const config = readFileSync(files[1], 'utf8');
    assert.match(config, /tensor_path: "emb.tsv"/);
    assert.match(config, /metadata_path: "emb.metadata.tsv"/);
    assert.match(config, /image_path: "emb.sprite.png"/);
    assert.equal((config.match(/single_image_dim: 2/g) ?? []).length, 2);
    assert.throws(() => writeProjectorSprite(join(dir, 'emb.tsv'), undefined, new Float32Array(4), 1, [2, 2], false), /exists/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
