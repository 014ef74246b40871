/**
 * Loading a large CSV: time and peak memory of `loadDataset` (streamed into typed arrays) against a reference measured
 * in the same run: papaparse's streaming parser writing the same cells into one preallocated Float32Array.
 *
 *   npm run bench:load                  (256 MiB CSV)
 *   LOAD_MB=2048 npm run bench:load     (the 2 GB case)
 *
 * Each side runs in its own child process; peak memory is the process's high-water resident set (VmHWM) minus its
 * resident set just before loading, reported as a multiple of the float32 feature matrix (the target is under ~1.5x).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Papa from 'papaparse';
import { loadDataset } from '../src/core/data/index';

const COLS = 16;

function rssKb(field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function generate(file: string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  out.write(`${Array.from({ length: COLS }, (_, j) => `c${j}`).join(',')},label\n`);
  let written = 0;
  let rows = 0;
  let buf = '';
  while (written < bytes) {
    const i = rows++;
    const cells: string[] = [];
    for (let j = 0; j < COLS; j++) cells.push(String(((i * (j + 3)) % 1009) / 8 - 40));
    buf += `${cells.join(',')},k${i % 5}\n`;
    if (buf.length >= 1 << 20) {
      written += buf.length;
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  await new Promise<void>((r) => out.end(buf, () => r()));
  return rows;
}

async function child(mode: string, file: string): Promise<void> {
  const base = rssKb('VmRSS');
  const t0 = performance.now();
  let n = 0;
  let matrixBytes = 0;
  if (mode === 'ours') {
    const ds = await loadDataset(file);
    n = ds.n;
    matrixBytes = ds.features.byteLength;
  } else {
    const rows = Number(process.argv[5]);
    const f = new Float32Array(rows * COLS);
    matrixBytes = f.byteLength;
    await new Promise<void>((resolve) => {
      let r = -1;
      Papa.parse(createReadStream(file) as unknown as File, {
        step: (res: { data: string[] }) => {
          if (r >= 0 && res.data.length > COLS) for (let j = 0; j < COLS; j++) f[r * COLS + j] = Number(res.data[j]);
          r++;
        },
        complete: () => resolve(),
      });
      n = rows;
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ n, seconds, matrixBytes, extraKb: rssKb('VmHWM') - base }));
}

async function main(): Promise<void> {
  const mb = Number(process.env.LOAD_MB ?? 256);
  const dir = mkdtempSync(path.join(tmpdir(), 'le-bench-load-'));
  const file = path.join(dir, 'big.csv');
  try {
    const rows = await generate(file, mb * 2 ** 20);
    const size = statSync(file).size;
    process.stdout.write(`CSV ${(size / 2 ** 20).toFixed(0)} MiB, ${rows} rows x ${COLS} numeric columns + a text label (machine may be shared)\n`);
    const results: Record<string, { n: number; seconds: number; matrixBytes: number; extraKb: number }> = {};
    for (const mode of ['papaparse', 'ours']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, 'child', mode, file, String(rows)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
      results[mode] = JSON.parse(r.stdout) as (typeof results)[string];
      const x = results[mode];
      process.stdout.write(`${mode.padEnd(10)} ${x.seconds.toFixed(2)} s (${(size / 2 ** 20 / x.seconds).toFixed(1)} MiB/s), peak memory ${((x.extraKb * 1024) / x.matrixBytes).toFixed(2)}x the float32 matrix (${(x.matrixBytes / 2 ** 20).toFixed(0)} MiB)\n`);
    }
    process.stdout.write(`time ratio ours / papaparse (which only parses numbers, no checks): ${(results.ours.seconds / results.papaparse.seconds).toFixed(2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') void child(process.argv[3], process.argv[4]);
else void main();
