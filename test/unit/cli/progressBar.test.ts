import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar, formatProgress } from '../../../src/cli/progressBar';
import type { TrainProgress } from '../../../src/core/training/types';

function p(over: Partial<TrainProgress>): TrainProgress {
  return { phase: 'batch', epoch: 1, epochs: 2, batch: 1, batches: 4, loss: 0.5, parts: { reconstruction: 0.5 }, samplesPerSec: 1234, ...over };
}

test('plain (non-TTY) output: one line per epoch with loss, val loss and speed', () => {
  const out: string[] = [];
  const bar = new ProgressBar({ write: (s: string) => out.push(s) });
  bar.update(p({}));
  bar.update(p({ batch: 4 }));
  bar.update(p({ phase: 'epoch', batch: 4, valLoss: 0.25 }));
  bar.finish();
  assert.equal(out.length, 1);
  assert.match(out[0], /^epoch 1\/2 batch 4\/4 loss 0\.5000 val 0\.2500 1234 samples\/s\n$/);
});

test('TTY output redraws one line in place and shows loss parts', () => {
  const out: string[] = [];
  const bar = new ProgressBar({ write: (s: string) => out.push(s), isTTY: true, columns: 120 }, 0);
  bar.update(p({ parts: { reconstruction: 0.4, kl: 0.1 } }));
  bar.update(p({ batch: 2, parts: { reconstruction: 0.4, kl: 0.1 } }));
  assert.ok(out.every((s) => s.startsWith('\r[')));
  assert.match(out[1], /kl 0\.1000/);
  bar.finish();
  assert.equal(out[out.length - 1], '\n');
  assert.match(formatProgress(p({ stage: 'fine-tune' })), /^fine-tune epoch 1\/2/);
});
