/**
 * The real training worker (bundled from source as esbuild.mjs does): progress reaches the host at most
 * PROGRESS_MESSAGES_PER_SECOND times a second with the last epoch delivered, and a saved model reopened over new data
 * without the training data's label column scores it against the saved threshold.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import type { TrainProgress } from '../../../src/core/training/types';
import { PROGRESS_MESSAGES_PER_SECOND } from '../../../src/core/throttle';
import { WorkerClient } from '../../../src/extension/workerClient';

const dir = mkdtempSync(join(tmpdir(), 'le-worker-scoring-'));
const workerPath = join(dir, 'trainingWorker.js');
after(() => rmSync(dir, { recursive: true, force: true }));
before(async () => {
  await esbuild.build({ entryPoints: [resolve('src/worker/trainingWorker.ts')], outfile: workerPath, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['@tensorflow/tfjs-node'], logLevel: 'warning' });
});

function csv(file: string, n: number, label: boolean, odd: (i: number) => boolean): void {
  const lines = [label ? 'a,b,c,d,kind' : 'a,b,c,d'];
  for (let i = 0; i < n; i++) {
    const t = ((i * 37) % 101) / 101;
    const row = odd(i) ? [1 - t, t, 1 - t, t] : [t, t / 2, t, t / 2];
    lines.push([...row.map((v) => v.toFixed(4)), ...(label ? ['normal'] : [])].join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

describe('training worker: progress rate and scoring new data', () => {
  it('sends at most the progress rate and delivers the last epoch', async () => {
    const data = join(dir, 'train.csv');
    csv(data, 600, true, () => false);
    const client = new WorkerClient({ workerPath });
    const received: { p: TrainProgress; at: number }[] = [];
    try {
      const t0 = performance.now();
      const summary = await client.train({
        datasetPath: data, loadOptions: { labelColumn: 'kind' }, model: { kind: 'dense', latentDim: 2 }, train: { epochs: 60, seed: 1, batchSize: 16, patience: 0, learningRate: 0.01 },
        outDir: join(dir, 'model'), backend: 'cpu',
      }, (p) => received.push({ p, at: performance.now() }));
      const seconds = (performance.now() - t0) / 1000;
      const last = received.at(-1)!.p;
      assert.deepEqual([last.phase, last.epoch], ['epoch', summary.history.length], 'the last progress is the last epoch');
      assert.ok(received.length <= seconds * PROGRESS_MESSAGES_PER_SECOND + 2, `${received.length} messages in ${seconds.toFixed(1)} s`);
      assert.ok(received.length >= 2, `${received.length} messages`);
    } finally {
      client.dispose();
      await client.exited;
    }
  });

  it('reopens a saved model over new data lacking the label column and scores it against the saved threshold', async () => {
    const fresh = join(dir, 'new.csv');
    const odd = (i: number): boolean => i % 10 === 4;
    csv(fresh, 100, false, odd);
    const client = new WorkerClient({ workerPath });
    try {
      const s = await client.load(join(dir, 'model'), 'cpu', { datasetPath: fresh });
      assert.equal(s.info.n, 100);
      assert.equal(s.info.datasetPath, fresh);
      assert.ok(s.info.warnings?.some((w) => /label column "kind" is not in this data/.test(w)), String(s.info.warnings));
      const report = await client.anomalies('mse');
      const flagged = Array.from(report.scores, (v) => v > report.threshold);
      assert.ok(flagged.filter((f, i) => f && odd(i)).length >= 8, 'the off-pattern rows are flagged');
      assert.ok(flagged.filter((f, i) => f && !odd(i)).length <= 9, 'few normal rows are flagged');
    } finally {
      client.dispose();
      await client.exited;
    }
  });
});
