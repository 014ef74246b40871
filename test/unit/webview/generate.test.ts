import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_GEN_COUNT, MAX_GEN_SPAN, MAX_GEN_STEPS, parseWebviewMessage } from '../../../src/shared/protocol';
import { clampInt, clampSpan, generateCaption, generateRequest, modeOptions, normalizeForm } from '../../../webview/tabs/generate';
import { DEFAULT_GENERATE_FORM } from '../../../webview/state';
import { info } from './fixtures';

test('modes offered: a grid needs two latent dimensions, prior draws a model with a prior', () => {
  assert.deepEqual(modeOptions(info()).map(([m]) => m), ['grid', 'traversal']);
  assert.deepEqual(modeOptions(info({ latentDim: 1 })).map(([m]) => m), ['traversal']);
  assert.deepEqual(modeOptions(info({ modelKind: 'vae', hasPrior: true })).map(([m]) => m), ['grid', 'traversal', 'prior']);
});

test('the form is made valid for the model: an offered mode, dimensions in range, distinct grid axes', () => {
  const f = { ...DEFAULT_GENERATE_FORM, mode: 'prior' as const, dimX: 5, dimY: 5, dim: 9 };
  assert.deepEqual(normalizeForm(f, info({ latentDim: 3 })), { ...f, mode: 'grid', dimX: 2, dimY: 0, dim: 2 });
  assert.deepEqual(normalizeForm({ ...f, mode: 'grid' }, info({ latentDim: 1 })), { ...f, mode: 'traversal', dimX: 0, dimY: 0, dim: 0 });
  assert.deepEqual(normalizeForm({ ...f, dimX: 0, dimY: 0 }, info({ latentDim: 4, hasPrior: true })), { ...f, dimX: 0, dimY: 1, dim: 3 });
  const ok = { ...DEFAULT_GENERATE_FORM, dimX: 1, dimY: 0 };
  assert.deepEqual(normalizeForm(ok, info()), ok);
});

test('fields are clamped to the protocol\'s limits', () => {
  assert.equal(clampInt('40', 2, MAX_GEN_STEPS, 8), MAX_GEN_STEPS);
  assert.equal(clampInt('1', 2, MAX_GEN_STEPS, 8), 2);
  assert.equal(clampInt('4.6', 2, MAX_GEN_STEPS, 8), 5);
  assert.equal(clampInt('x', 1, MAX_GEN_COUNT, 16), 16);
  assert.equal(clampInt('', 1, MAX_GEN_COUNT, 16), 16);
  assert.equal(clampSpan('100', 2), MAX_GEN_SPAN);
  assert.equal(clampSpan('-1', 2), 2);
  assert.equal(clampSpan('0.5', 2), 0.5);
});

test('requests: grid / traversal around the mean or the selected sample, prior with the CVAE class; all pass the host\'s validation', () => {
  const form = { ...DEFAULT_GENERATE_FORM, useSelection: true, stdUnits: false };
  const grid = generateRequest(form, 4, {});
  assert.deepEqual(grid, { type: 'generate', mode: 'grid', dimX: 0, dimY: 1, span: 2, steps: 8, base: 4 });
  assert.equal(generateCaption(grid), 'grid z0 (x) × z1 (y), ±2 around #4, 8×8');
  const around = generateRequest({ ...form, useSelection: false, mode: 'traversal' }, 4, {});
  assert.deepEqual(around, { type: 'generate', mode: 'traversal', dim: 0, span: 3, steps: 7 });
  assert.equal(generateCaption(around), 'z0 from -3 to 3 (7 steps), base mean');
  assert.deepEqual(generateRequest({ ...form, mode: 'traversal' }, undefined, {}), around, 'no selection: the mean');
  const prior = generateRequest({ ...form, mode: 'prior' }, 4, { condition: 'cat' });
  assert.deepEqual(prior, { type: 'generate', mode: 'prior', count: 16, seed: 0, condition: 'cat' });
  assert.equal(generateCaption(prior), '16 samples from N(0, I), seed 0, class cat');
  const sigma = generateRequest({ ...form, stdUnits: true, mode: 'traversal' }, 4, {});
  assert.deepEqual(sigma, { type: 'generate', mode: 'traversal', dim: 0, span: 3, steps: 7, base: 4, unit: 'std' });
  assert.equal(generateCaption(sigma), 'z0 from mean − 3 σ to mean + 3 σ (7 steps), base #4');
  assert.equal(generateCaption(generateRequest({ ...form, stdUnits: true }, 4, {})), 'grid z0 (x) × z1 (y), ±2 σ around #4, 8×8');
  assert.equal(parseWebviewMessage({ ...prior, requestId: 1, unit: 'std' }), undefined, 'prior draws have no span');
  assert.equal(parseWebviewMessage({ ...sigma, requestId: 1, unit: 'mad' }, { n: 6, latentDim: 2 }), undefined);
  for (const r of [grid, around, prior, sigma]) {
    const m = { ...r, requestId: 1 };
    assert.deepEqual(parseWebviewMessage(m, { n: 6, latentDim: 2, conditions: ['cat'] }), m);
  }
});
