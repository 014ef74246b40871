/**
 * WorkerClient with the real training worker (bundled from source into a temp folder, as esbuild.mjs does; Node 20
 * worker threads cannot load a .ts entry through tsx): a CSV trained in the thread, then the explorer calls the
 * panel makes, whose results must survive the structured clone between threads.
 */
import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { WorkerClient } from '../../../src/extension/workerClient';

const dir = mkdtempSync(join(tmpdir(), 'le-real-worker-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('WorkerClient with the real training worker', () => {
  it('trains a CSV and answers embed / sample with each row\'s source line', async () => {
    const csv = join(dir, 'rows.csv');
    const lines = ['a,b,c,label,note'];
    for (let i = 0; i < 40; i++) lines.push(`${i % 3},${(i * 7) % 5},${i / 10},c${i % 2},${i % 4 === 0 ? 'odd one' : 'plain'}`);
    writeFileSync(csv, lines.join('\n') + '\n');
    const workerPath = join(dir, 'trainingWorker.js');
    await esbuild.build({ entryPoints: [resolve('src/worker/trainingWorker.ts')], outfile: workerPath, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['@tensorflow/tfjs-node'], logLevel: 'warning' });
    const client = new WorkerClient({ workerPath });
    try {
      await client.train({
        datasetPath: csv, loadOptions: { labelColumn: 'label' }, model: { kind: 'dense', latentDim: 2 }, train: { epochs: 2, seed: 1 }, outDir: join(dir, 'model'), backend: 'cpu',
      });
      const e = await client.embed();
      assert.equal(e.n, 40);
      assert.equal('refs' in e, false, 'the embedding leaves the source refs in the worker');
      assert.deepEqual((await client.sample(0)).ref, { file: csv, line: 2, index: 0 });
      assert.deepEqual((await client.sample(39)).ref, { file: csv, line: 41, index: 39 });
      assert.deepEqual(e.labels?.slice(0, 3), ['c0', 'c1', 'c0']);
      const s = await client.sample(5);
      assert.deepEqual(s.ref, { file: csv, line: 7, index: 5 });
      // Generated codes are computed in the worker, beside the codes: only the 3 rows come back.
      const g = await client.generate({ mode: 'traversal', dim: 1, span: 2, steps: 3, base: 5 });
      assert.deepEqual([g.rows, g.cols, g.latent.length, g.decoded.length], [1, 3, 6, 9]);
      assert.deepEqual(Array.from(g.latent.filter((_, i) => i % 2 === 0)), Array(3).fill(s.latent[0]));
      assert.deepEqual(g.decoded, await client.decode(g.latent, 3));
      // The text column comes back as metadata; rows in bulk; new codes placed in the view of the last projection.
      const note = e.metadata?.find((c) => c.name === 'note');
      assert.ok(note?.kind === 'category' && note.codes instanceof Int32Array);
      assert.equal(note.categories[note.codes[4]], 'odd one');
      const rows = await client.rows([5, 0]);
      assert.deepEqual(rows, Float32Array.from([...s.original, ...(await client.sample(0)).original]));
      const view = await client.project('pca', 2);
      const placed = await client.placeCodes(e.latent.slice(0, 6), 3);
      assert.deepEqual(placed, view.coords.slice(0, 6));
    } finally {
      client.dispose();
      await client.exited;
    }
  });
});
