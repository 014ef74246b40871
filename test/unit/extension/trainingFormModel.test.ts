import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SMALL_IMAGE_SET, defaultModelConfig } from '../../../src/core/models/index';
import { DEFAULT_TRAIN_OPTIONS } from '../../../src/core/training/train';
import type { InspectReport } from '../../../src/core/data/inspect';
import {
  advancedDefaults, detectedLines, formSteps, hiddenBySize, latentDefault, parseFraction, parseHidden, parsePositive, previewRows, stepLabel,
} from '../../../src/extension/trainingFormModel';

describe('training form logic', () => {
  it('counts its steps from the kind: the last step is always the start step', () => {
    assert.deepEqual(formSteps('dense'), ['data', 'kind', 'latent', 'epochs', 'seed', 'start']);
    assert.deepEqual(formSteps('sequence'), ['data', 'kind', 'latent', 'epochs', 'seed', 'window', 'start']);
    assert.equal(stepLabel('data', 'conv'), '(1/6)');
    assert.equal(stepLabel('start', 'conv'), '(6/6)');
    assert.equal(stepLabel('window', 'sequence'), '(6/7)');
    assert.equal(stepLabel('start', 'sequence'), '(7/7)');
  });

  it('starts the latent size from the CLI default for the data shape unless the setting fixes one', () => {
    for (const shape of [[28, 28, 1], [4], [64], [13]]) {
      assert.equal(latentDefault('dense', shape, 0), defaultModelConfig('dense', shape).latentDim, `shape ${shape.join('x')}`);
    }
    assert.equal(latentDefault('dense', [28, 28, 1], 0), 10);
    assert.equal(latentDefault('dense', [4], 0), 2);
    assert.equal(latentDefault('dense', [28, 28, 1], 5), 5);
  });

  it('takes the Advanced defaults from the training loop and the model defaults', () => {
    const a = advancedDefaults('dense', [28, 28, 1], 10);
    assert.equal(a.learningRate, DEFAULT_TRAIN_OPTIONS.learningRate);
    assert.equal(a.validationSplit, DEFAULT_TRAIN_OPTIONS.validationSplit);
    assert.equal(a.patience, DEFAULT_TRAIN_OPTIONS.patience);
    assert.deepEqual(a.hidden, defaultModelConfig('dense', [28, 28, 1], { latentDim: 10 }).hidden);
    // The hidden layers depend on the number of samples too (a small image set gets wider ones).
    assert.deepEqual(advancedDefaults('dense', [28, 28, 1], 10, 10_000).hidden, defaultModelConfig('dense', [28, 28, 1], { latentDim: 10 }, 10_000).hidden);
    assert.notDeepEqual(advancedDefaults('dense', [28, 28, 1], 10, 10_000).hidden, a.hidden);
  });

  it('sizes the Advanced defaults only by a whole-file count, and names both layer choices when a partial preview leaves them open', () => {
    assert.equal(previewRows({ n: 10_000, partial: false }), 10_000);
    assert.equal(previewRows({ n: 5_000, partial: true }), undefined);
    const note = hiddenBySize('dense', [28, 28, 1], 10, { n: 5_000, partial: true });
    assert.equal(note, `${SMALL_IMAGE_SET.hidden.join(', ')} up to ${SMALL_IMAGE_SET.maxRows.toLocaleString('en')} samples, else ${defaultModelConfig('dense', [28, 28, 1]).hidden.join(', ')}`);
    assert.equal(hiddenBySize('dense', [28, 28, 1], 10, { n: 10_000, partial: false }), undefined, 'the whole file was read');
    assert.equal(hiddenBySize('dense', [28, 28, 1], 10, { n: SMALL_IMAGE_SET.maxRows + 1, partial: true }), undefined, 'already too many rows');
    assert.equal(hiddenBySize('vae', [28, 28, 1], 10, { n: 5_000, partial: true }), undefined, 'the size rule is for dense models');
    assert.equal(hiddenBySize('dense', [64], 10, { n: 5_000, partial: true }), undefined, 'narrow tables');
  });

  it('reads the Advanced answers', () => {
    assert.deepEqual(parseHidden('256, 64'), [256, 64]);
    assert.deepEqual(parseHidden(' 128 x 32 '), [128, 32]);
    assert.deepEqual(parseHidden(''), []);
    assert.equal(parseHidden('12, -3'), undefined);
    assert.equal(parseHidden('1.5'), undefined);
    assert.equal(parsePositive('0.003'), 0.003);
    assert.equal(parsePositive('0'), undefined);
    assert.equal(parsePositive(''), undefined);
    assert.equal(parseFraction('20%'), 0.2);
    assert.equal(parseFraction('0.15'), 0.15);
    assert.equal(parseFraction('25'), 0.25);
    assert.equal(parseFraction('0'), 0);
    assert.equal(parseFraction('95%'), undefined);
    assert.equal(parseFraction('x'), undefined);
  });

  it('says what the preview detected: shape, the paired labels file, classes and their names', () => {
    const r: InspectReport = {
      file: '/d/train-images-idx3-ubyte', format: 'idx', skipped: [], kind: 'image', n: 5000, dim: 784, sampleShape: [28, 28, 1], partial: true, columns: [], warnings: [], choices: {},
      labelName: 'train-labels-idx1-ubyte', labelClasses: { count: 2, first: ['0', '1'] }, labelFile: '/d/train-labels-idx1-ubyte',
      classNames: { source: '/d/classes.txt', names: { 0: 'T-shirt', 1: 'Trouser' } },
    };
    assert.deepEqual(detectedLines(r), [
      'Shape: 5000+ samples of 28×28×1 images',
      'Labels: paired from /d/train-labels-idx1-ubyte',
      'Classes: 2+ (0, 1)',
      'Class names: 0 T-shirt, 1 Trouser (from classes.txt)',
    ]);
    assert.deepEqual(detectedLines({ ...r, kind: 'table', dim: 4, sampleShape: [4], partial: false, labelFile: undefined, labelClasses: undefined, classNames: undefined }), ['Shape: 5000 samples of 4 features']);
  });
});
