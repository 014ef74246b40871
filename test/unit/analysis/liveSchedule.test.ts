import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLiveSchedule } from '../../../src/core/analysis/liveSchedule';
import type { TrainProgress } from '../../../src/core/training/types';

/**
 * Replays a training of `epochs` epochs of `batches` batches, `batchMs` each, through a schedule whose frames take
 * `frameMs` (added to the clock); returns the (epoch, phase, batch) of each frame and the time spent in frames.
 */
function replay(epochs: number, batches: number, batchMs: number, frameMs: number, opts = {}): { frames: [number, string, number][]; frameTime: number; total: number } {
  const s = createLiveSchedule(opts);
  const frames: [number, string, number][] = [];
  let now = 0;
  let frameTime = 0;
  const event = (p: TrainProgress): void => {
    if (s.due(p, now)) {
      s.sent(now, frameMs);
      now += frameMs;
      frameTime += frameMs;
      frames.push([p.epoch, p.phase, p.batch]);
    }
  };
  for (let e = 1; e <= epochs; e++) {
    for (let b = 1; b <= batches; b++) {
      now += batchMs;
      event({ phase: 'batch', epoch: e, epochs, batch: b, batches, loss: 1, parts: {}, samplesPerSec: 1 });
    }
    event({ phase: 'epoch', epoch: e, epochs, batch: batches, batches, loss: 1, parts: {}, samplesPerSec: 1 });
  }
  assert.equal(s.frames, frames.length);
  return { frames, frameTime, total: now };
}

test('the first live frame comes at the first batch, the last one at the end of the last epoch', () => {
  // A 60k-row epoch: 844 batches of 4 ms (3.4 s an epoch).
  const r = replay(5, 844, 4, 30);
  assert.deepEqual(r.frames[0], [1, 'batch', 1]);
  assert.deepEqual(r.frames[r.frames.length - 1], [5, 'epoch', 844]);
  // One per epoch at most, and none inside the last epoch.
  const epochs = r.frames.map((f) => f[0]);
  assert.equal(new Set(epochs).size, epochs.length);
  assert.ok(!r.frames.some(([e, phase]) => e === 5 && phase === 'batch'));
  assert.equal(r.frames.length, 5);
});

test('short epochs: at most one frame per epoch and minIntervalMs between frames', () => {
  // 2,000 rows: 29 batches of 3 ms (~90 ms an epoch), 20 epochs.
  const r = replay(20, 29, 3, 5);
  assert.ok(r.frames.length <= 20 && r.frames.length >= 5, `${r.frames.length} frames`);
  assert.deepEqual(r.frames[r.frames.length - 1], [20, 'epoch', 29]);
});

test('frames never take more than about 1/costFactor of the time, however slow they are', () => {
  for (const frameMs of [1, 20, 200, 1000]) {
    const r = replay(30, 50, 10, frameMs, { costFactor: 50 });
    // The first and the final frame are unconditional; the rest are spaced by 50x their cost.
    const budget = (r.total - r.frameTime) / 50 + 2 * frameMs;
    assert.ok(r.frameTime <= budget, `frames ${frameMs} ms: ${r.frameTime} ms of ${r.total} ms`);
  }
});

test('a single-epoch training gets its one frame at the end', () => {
  const r = replay(1, 100, 5, 10);
  assert.deepEqual(r.frames, [[1, 'epoch', 100]]);
});
