// Draws the extension's icon (media/icon.png, 128 x 128): an autoencoder's hourglass (encoder and decoder
// trapezoids meeting at a narrow code) over three coloured clusters of latent points. Seeded, so the file is
// reproducible. Usage: node scripts/makeIcon.mjs
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

const S = 128;
const png = new PNG({ width: S, height: S });
const px = (x, y, [r, g, b], a = 1) => {
  if (x < 0 || y < 0 || x >= S || y >= S) return;
  const i = (y * S + x) * 4;
  png.data[i] = Math.round(png.data[i] * (1 - a) + r * a);
  png.data[i + 1] = Math.round(png.data[i + 1] * (1 - a) + g * a);
  png.data[i + 2] = Math.round(png.data[i + 2] * (1 - a) + b * a);
};
// Rounded-square background with a vertical gradient; outside the corners stays transparent.
for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
  const r = 22, cx = Math.min(Math.max(x, r), S - 1 - r), cy = Math.min(Math.max(y, r), S - 1 - r);
  const d = Math.hypot(x - cx, y - cy);
  const i = (y * S + x) * 4;
  if (d > r + 0.5) { png.data[i + 3] = 0; continue; }
  const t = y / S;
  png.data[i] = Math.round(28 + 10 * t); png.data[i + 1] = Math.round(32 + 8 * t); png.data[i + 2] = Math.round(58 + 22 * t);
  png.data[i + 3] = Math.round(255 * Math.min(1, r + 0.5 - d + 0.5));
}
// The hourglass: encoder (wide -> narrow) and decoder (narrow -> wide), translucent.
const hour = [120, 170, 255];
for (let y = 14; y < 114; y++) {
  const half = 6 + 38 * Math.abs(y - 64) / 50;
  for (let x = Math.floor(64 - half); x <= Math.ceil(64 + half); x++) px(x, y, hour, 0.16);
}
// Seeded clusters of latent points.
let s = 7;
const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-9)) * Math.cos(2 * Math.PI * rnd());
const dot = (x0, y0, col, rad) => {
  for (let y = Math.floor(y0 - rad - 1); y <= y0 + rad + 1; y++) for (let x = Math.floor(x0 - rad - 1); x <= x0 + rad + 1; x++) {
    const a = Math.max(0, Math.min(1, rad + 0.5 - Math.hypot(x - x0, y - y0)));
    if (a > 0) px(x, y, col, a);
  }
};
const clusters = [[40, 44, [255, 138, 101]], [88, 40, [129, 212, 250]], [64, 90, [174, 234, 126]]];
for (const [cx, cy, col] of clusters) for (let k = 0; k < 16; k++) dot(cx + 8 * gauss(), cy + 8 * gauss(), col, 3.2);
// The code: one bright point at the waist.
dot(64, 64, [255, 255, 255], 5);
writeFileSync(new URL('../media/icon.png', import.meta.url), PNG.sync.write(png));
console.log('wrote media/icon.png');
