/**
 * WorkerClient against a scripted fake worker (a real worker_threads thread speaking the protocol), so the host-side
 * behaviour is tested without tfjs: errors keep DatasetError's location, crashes reject instead of throwing, cancel
 * stops a cooperative worker and terminates a stuck one within the grace period, explorer calls round-trip.
 */
import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, WorkerClient } from '../../../src/extension/workerClient';
import { WorkerError } from '../../../src/worker/protocol';
import type { TrainRequest } from '../../../src/worker/protocol';

const dir = mkdtempSync(join(tmpdir(), 'le-worker-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The fake worker: behaviour chosen by the dataset path of the train request. */
const FAKE = `
const { parentPort, workerData } = require('node:worker_threads');
const flag = new Int32Array(workerData.cancelFlag);
const summary = (cancelled) => ({ info: { n: 3 }, cancelled, stoppedEarly: false, history: [], outDir: '/o', files: [], seconds: 0, samplesPerSec: 0, backend: 'fake' });
parentPort.on('message', async (m) => {
  if (m.type === 'train') {
    const p = m.request.datasetPath;
    if (p === 'dataset-error') parentPort.postMessage({ type: 'error', id: m.id, error: { name: 'DatasetError', message: 'd.csv, row 3, column "b": bad', detail: 'bad', file: 'd.csv', row: 3, column: 'b' } });
    else if (p === 'throw') setImmediate(() => { throw new Error('boom'); });
    else if (p === 'exit') process.exit(5);
    else if (p === 'stuck') { for (;;) {} }
    else if (p === 'cooperative') {
      for (let b = 1; ; b++) {
        if (Atomics.load(flag, 0) === 1) { parentPort.postMessage({ type: 'done', id: m.id, summary: summary(true) }); return; }
        parentPort.postMessage({ type: 'progress', id: m.id, progress: { phase: 'batch', epoch: 1, epochs: 1, batch: b, batches: 1e9, loss: 1, parts: {}, samplesPerSec: 1 } });
        const t = Date.now(); while (Date.now() - t < 5) {}
      }
    } else parentPort.postMessage({ type: 'done', id: m.id, summary: summary(false) });
  } else if (m.type === 'call' && m.method === 'decode') {
    const [latent, count] = m.args;
    parentPort.postMessage({ type: 'result', id: m.id, method: 'decode', value: latent.map((v) => v * 2 + count) });
  } else if (m.type === 'dispose') parentPort.close();
});
`;
const fakePath = join(dir, 'fakeWorker.cjs');
writeFileSync(fakePath, FAKE);

const request = (datasetPath: string): TrainRequest => ({
  datasetPath, loadOptions: {}, model: { kind: 'dense' }, train: { epochs: 1, seed: 1 }, outDir: '/o', backend: 'cpu',
});

function client(): WorkerClient {
  return new WorkerClient({ workerPath: fakePath, cancelGraceMs: 500 });
}

describe('WorkerClient', () => {
  it('rejects with a WorkerError that keeps DatasetError file/row/column', async () => {
    const c = client();
    const err = await c.train(request('dataset-error')).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof WorkerError);
    assert.equal(err.isDatasetError, true);
    assert.deepEqual([err.file, err.row, err.column, err.detail], ['d.csv', 3, 'b', 'bad']);
    c.dispose();
    assert.equal(await c.exited, 0);
  });

  for (const [mode, pattern] of [['throw', /crashed: boom/], ['exit', /code 5/]] as const) {
    it(`turns a worker crash (${mode}) into a rejected promise`, async () => {
      const c = client();
      await assert.rejects(c.train(request(mode)), pattern);
      await c.exited;
      assert.equal(c.alive, false);
      await assert.rejects(c.embed(), /not running/);
    });
  }

  it('stops a cooperative worker through the shared cancel flag', async () => {
    const c = client();
    let progress = 0;
    const training = c.train(request('cooperative'), () => progress++);
    while (progress < 3) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    assert.equal(await c.cancel(), 'stopped');
    const summary = await training;
    assert.equal(summary.cancelled, true);
    assert.ok(performance.now() - t0 < 500, 'stopped before the grace period ran out');
    c.dispose();
    await c.exited;
  });

  it('terminates a worker that does not stop within the grace period', async () => {
    const c = client();
    const training = c.train(request('stuck'));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    assert.equal(await c.cancel(), 'terminated');
    const ms = performance.now() - t0;
    await assert.rejects(training, CancelledError);
    assert.ok(ms >= 450 && ms < 1500, `terminated after the 500 ms grace period (${ms.toFixed(0)} ms)`);
    assert.equal(c.alive, false);
  });

  it('round-trips explorer calls with typed arrays and reports idle cancel', async () => {
    const c = client();
    await c.train(request('ok'));
    assert.equal(c.info().n, 3);
    const out = await c.decode(new Float32Array([1, 2, 3]), 1);
    assert.ok(out instanceof Float32Array);
    assert.deepEqual([...out], [3, 5, 7]);
    assert.equal(await c.cancel(), 'idle');
    c.dispose();
    assert.equal(await c.exited, 0);
  });
});
