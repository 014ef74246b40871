import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoolSlot, claimItem, closeJob, createControl, openJob, startPoolWorker, stopWorkers, workerLoopSource } from '../../../src/core/kernels/poolProtocol';
import { Slot as ComputeSlot } from '../../../src/core/kernels/computePool';
import { Slot as KmeansSlot } from '../../../src/core/kernels/kmeans/threadPool';

test('each pool lays its own slots out right after the protocol slots', () => {
  assert.equal(ComputeSlot.WorkerParts, PoolSlot.Count);
  assert.equal(KmeansSlot.Cfg, PoolSlot.Count);
});

/** Item i writes i * i + 1 into out[i], marking which thread ran it in by[i]; item `fail` throws in a worker. */
const SOURCE = workerLoopSource({
  spin: 10,
  prelude: 'const out = new Int32Array(workerData.out);\nconst by = new Int32Array(workerData.by);',
  job: `
    const items = ctrl[6], fail = ctrl[7];
    for (;;) {
      const i = claim();
      if (i >= items) break;
      if (i === fail) throw new Error('item ' + i);
      out[i] = i * i + 1;
      by[i] = index + 1;
    }`,
});

async function withWorkers(count: number, items: number, body: (ctrl: Int32Array, out: Int32Array, by: Int32Array) => void): Promise<void> {
  const ctrl = createControl(PoolSlot.Count + 2);
  const out = new Int32Array(new SharedArrayBuffer(items * 4));
  const by = new Int32Array(new SharedArrayBuffer(items * 4));
  const started = Array.from({ length: count }, (_, w) => startPoolWorker(SOURCE, ctrl, w, { out: out.buffer, by: by.buffer }));
  try {
    body(ctrl, out, by);
  } finally {
    stopWorkers(ctrl);
    for (const { port } of started) port.close();
    await Promise.all(started.map(({ worker }) => worker.terminate()));
  }
}

/** Runs one job of `items` items on this thread (thread mark -1) and `workers` workers. */
function runJob(ctrl: Int32Array, out: Int32Array, by: Int32Array, workers: number, items: number, fail: number): boolean {
  out.fill(0);
  by.fill(0);
  ctrl[6] = items;
  ctrl[7] = fail;
  openJob(ctrl, workers);
  // Leave the workers time to join: this thread claims slowly.
  for (;;) {
    const i = claimItem(ctrl);
    if (i >= items) break;
    const until = performance.now() + 0.2;
    while (performance.now() < until) { /* let the workers claim too */ }
    out[i] = i * i + 1;
    by[i] = -1;
  }
  return !closeJob(ctrl, 100, 50).failed;
}

test('a job runs every item exactly once over the caller and the workers, job after job', async () => {
  const items = 400;
  await withWorkers(2, items, (ctrl, out, by) => {
    let workerItems = 0;
    for (let job = 0; job < 5; job++) {
      assert.equal(runJob(ctrl, out, by, 2, items, -1), true);
      for (let i = 0; i < items; i++) assert.equal(out[i], i * i + 1, `job ${job}, item ${i}`);
      workerItems += by.filter((t) => t > 0).length;
      assert.equal(Atomics.load(ctrl, PoolSlot.Busy), 0);
    }
    assert.ok(workerItems > 0, 'the workers took part');
  });
});

test('workers past the job\'s worker count sit it out', async () => {
  await withWorkers(2, 300, (ctrl, out, by) => {
    for (let job = 0; job < 3; job++) {
      assert.equal(runJob(ctrl, out, by, 1, 300, -1), true);
      assert.ok(!by.includes(2), 'worker 1 ran an item');
    }
  });
});

test('a worker that throws is reported once by closeJob', async () => {
  const items = 300;
  await withWorkers(2, items, (ctrl, out, by) => {
    let failed = false;
    // The failing item may fall to this thread (which does not throw); retry until a worker claims it.
    for (let job = 0; job < 50 && !failed; job++) failed = !runJob(ctrl, out, by, 2, items, 1 + (job % (items - 1)));
    assert.equal(failed, true);
    assert.equal(Atomics.load(ctrl, PoolSlot.Failed), 0, 'the flag is cleared');
    assert.equal(runJob(ctrl, out, by, 2, items, -1), true);
  });
});
