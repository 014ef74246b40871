import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pipelineTrainOptions } from '../../../src/core/pipeline';
import { SMALL_IMAGE_SET } from '../../../src/core/models/index';
import { DEFAULT_TRAIN_OPTIONS } from '../../../src/core/training/train';
import type { ModelKind } from '../../../src/core/models/types';

const images = (n: number): { n: number; sampleShape: number[] } => ({ n, sampleShape: [28, 28, 1] });

test('a small image set with default layers trains with its own batch size and without the plateau rule', () => {
  const t = pipelineTrainOptions(images(10_000), { kind: 'dense' });
  assert.equal(t.batchSize, SMALL_IMAGE_SET.batchSize);
  assert.equal(t.minImprovement, SMALL_IMAGE_SET.minImprovement);
  assert.equal(t.epochs, DEFAULT_TRAIN_OPTIONS.epochs);
  // An automatic batch size (0, as the extension's setting sends it) and unset values keep the small-set choices.
  const auto = pipelineTrainOptions(images(10_000), { kind: 'dense' }, { batchSize: 0, minImprovement: undefined, epochs: 7 });
  assert.equal(auto.batchSize, SMALL_IMAGE_SET.batchSize);
  assert.equal(auto.minImprovement, SMALL_IMAGE_SET.minImprovement);
  assert.equal(auto.epochs, 7);
});

test('given options win; other sets, kinds and explicit layers keep the training defaults', () => {
  const given = pipelineTrainOptions(images(10_000), { kind: 'dense' }, { batchSize: 32, minImprovement: 0.1 });
  assert.equal(given.batchSize, 32);
  assert.equal(given.minImprovement, 0.1);
  const cases: [{ n: number; sampleShape: number[] }, { kind: ModelKind; hidden?: number[] }][] = [
    [images(60_000), { kind: 'dense' }],
    [images(1_000), { kind: 'dense' }],
    [images(10_000), { kind: 'vae' }],
    [images(10_000), { kind: 'dense', hidden: [256, 64] }],
    [{ n: 10_000, sampleShape: [64] }, { kind: 'dense' }],
  ];
  for (const [data, model] of cases) {
    const t = pipelineTrainOptions(data, model);
    assert.equal(t.batchSize, DEFAULT_TRAIN_OPTIONS.batchSize, `${data.n} x ${data.sampleShape.join('x')} ${model.kind}`);
    assert.equal(t.minImprovement, DEFAULT_TRAIN_OPTIONS.minImprovement);
  }
});
