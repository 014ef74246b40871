/**
 * What a live consumer of training progress costs: the real training worker (bundled from source as esbuild.mjs does)
 * trains the same seeded dense autoencoder twice on the same data, once with a host that ignores progress and once
 * with a host that does `BENCH_REDRAW_MS` (default 40) of synchronous work per progress message, standing in for the
 * panel redrawing its charts on the same cores. Prints the throughput of both, their ratio and the progress
 * messages a second (at most PROGRESS_MESSAGES_PER_SECOND, src/core/throttle.ts). Run: `npm run bench:progress`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { createNormalRng } from '../src/common/random';
import { PROGRESS_MESSAGES_PER_SECOND } from '../src/core/throttle';
import { WorkerClient } from '../src/extension/workerClient';

const REDRAW_MS = Number(process.env.BENCH_REDRAW_MS ?? 40);
const ROWS = Number(process.env.BENCH_ROWS ?? 20000);
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 4);

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* a redraw's worth of work on the host thread */ }
}

async function run(workerPath: string, csv: string, dir: string, consume: boolean): Promise<{ samplesPerSec: number; messages: number; seconds: number }> {
  const client = new WorkerClient({ workerPath });
  let messages = 0;
  try {
    const t0 = performance.now();
    const s = await client.train({
      datasetPath: csv, loadOptions: {}, model: { kind: 'dense', latentDim: 8 }, train: { epochs: EPOCHS, seed: 1, batchSize: 32, patience: 0 },
      outDir: join(dir, consume ? 'with' : 'without'), backend: 'wasm',
    }, () => {
      messages++;
      if (consume) busy(REDRAW_MS);
    });
    const seconds = (performance.now() - t0) / 1000;
    return { samplesPerSec: s.samplesPerSec, messages, seconds };
  } finally {
    client.dispose();
    await client.exited;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'le-bench-progress-'));
  try {
    const workerPath = join(dir, 'trainingWorker.js');
    await esbuild.build({ entryPoints: [resolve('src/worker/trainingWorker.ts')], outfile: workerPath, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['@tensorflow/tfjs-node'], logLevel: 'warning' });
    // The wasm backend's binaries sit beside the bundle, as in dist/.
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      writeFileSync(join(dir, f), await import('node:fs').then((fs) => fs.readFileSync(join(resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist'), f))));
    }
    const normal = createNormalRng(5);
    const lines = [Array.from({ length: 32 }, (_, j) => `f${j}`).join(',')];
    for (let i = 0; i < ROWS; i++) lines.push(Array.from({ length: 32 }, () => normal().toFixed(3)).join(','));
    const csv = join(dir, 'data.csv');
    writeFileSync(csv, lines.join('\n') + '\n');
    // Alternating order, twice each, so warm-up and machine noise fall on both sides.
    const without: number[] = [];
    const withConsumer: number[] = [];
    let rate = 0;
    for (const consume of [false, true, true, false]) {
      const r = await run(workerPath, csv, dir, consume);
      (consume ? withConsumer : without).push(r.samplesPerSec);
      if (consume) rate = Math.max(rate, r.messages / r.seconds);
      console.log(`${consume ? 'with a consumer   ' : 'without a consumer'}: ${Math.round(r.samplesPerSec)} samples/s, ${r.messages} progress messages in ${r.seconds.toFixed(1)} s`);
    }
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    console.log(`throughput with a consumer doing ${REDRAW_MS} ms per message / without: ${(mean(withConsumer) / mean(without)).toFixed(3)}`);
    console.log(`progress messages a second (limit ${PROGRESS_MESSAGES_PER_SECOND}): ${rate.toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
