import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORT_FORMATS, EXPORT_FORMAT_INFO, exportFormatFromPath, isExportFormat } from '../../../src/common/exportFormats';
import { MODEL_KINDS, MODEL_KIND_TRAITS, isModelKind } from '../../../src/common/modelKinds';
import { DEFAULT_SEED, DEFAULT_WINDOW_LENGTH, defaultWindowStride } from '../../../src/common/defaults';
import { encodeLabels } from '../../../src/common/labelCodes';
import { recordEpoch } from '../../../src/common/trainingHistory';
import { availableModelKinds, isImageModel, isSequenceModel } from '../../../src/core/models/index';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown; enum?: string[] }> } };
};
const setting = (name: string): { default?: unknown; enum?: string[] } => pkg.contributes.configuration.properties[`latentExplorer.${name}`];

test('export formats: the file name picks the format by its extension, CSV otherwise', () => {
  assert.equal(exportFormatFromPath('/a/b/emb.JSON'), 'json');
  assert.equal(exportFormatFromPath('C:\\out\\codes.npy'), 'npy');
  assert.equal(exportFormatFromPath('vectors.tsv'), 'tsv-projector');
  assert.equal(exportFormatFromPath('emb.csv'), 'csv');
  assert.equal(exportFormatFromPath('emb.txt'), 'csv');
  assert.equal(exportFormatFromPath('.hidden'), 'csv');
  assert.equal(exportFormatFromPath('dir.npy/emb'), 'csv');
  for (const f of EXPORT_FORMATS) assert.ok(isExportFormat(f) && EXPORT_FORMAT_INFO[f].ext.length > 0);
  assert.equal(isExportFormat('parquet'), false);
});

test('model kinds: the settings enum, the factories and the traits agree', () => {
  assert.deepEqual(setting('defaultModel').enum, [...MODEL_KINDS]);
  assert.deepEqual(availableModelKinds(), [...MODEL_KINDS]);
  assert.deepEqual(MODEL_KINDS.filter(isImageModel), ['conv']);
  assert.deepEqual(MODEL_KINDS.filter(isSequenceModel), ['sequence']);
  assert.deepEqual(MODEL_KINDS.filter((k) => MODEL_KIND_TRAITS[k].prior), ['vae', 'cvae']);
  assert.deepEqual(MODEL_KINDS.filter((k) => MODEL_KIND_TRAITS[k].conditional), ['cvae']);
  assert.equal(isModelKind('dense'), true);
  assert.equal(isModelKind('transformer'), false);
});

test('defaults: the seed setting declares the shared default; the stride is a quarter window', () => {
  assert.equal(setting('seed').default, DEFAULT_SEED);
  assert.equal(defaultWindowStride(DEFAULT_WINDOW_LENGTH), 8);
  assert.equal(defaultWindowStride(3), 1);
});

test('encodeLabels: a dictionary in order of first appearance and one code per (selected) row', () => {
  const labels = ['b', 'a', undefined, 'b', 'c'];
  const all = encodeLabels(labels);
  assert.deepEqual(all.names, ['b', 'a', '', 'c']);
  assert.deepEqual(Array.from(all.codes), [0, 1, 2, 0, 3]);
  const some = encodeLabels(labels, Int32Array.from([4, 0, 3]));
  assert.deepEqual(some.names, ['c', 'b']);
  assert.deepEqual(Array.from(some.codes), [0, 1, 1]);
});

test('recordEpoch: replaces a repeated epoch and starts over at epoch 1', () => {
  let h = recordEpoch([], { epoch: 1, loss: 3, parts: { total: 3 } });
  h = recordEpoch(h, { epoch: 2, loss: 2, valLoss: 2.5, parts: { total: 2 }, stage: 'fine-tune' });
  h = recordEpoch(h, { epoch: 2, loss: 1.9, parts: { total: 1.9 } });
  assert.deepEqual(h.map((r) => [r.epoch, r.loss, r.valLoss, r.stage]), [[1, 3, undefined, undefined], [2, 1.9, undefined, undefined]]);
  h = recordEpoch(h, { epoch: 1, loss: 5, parts: {} });
  assert.deepEqual(h.map((r) => r.loss), [5]);
});
