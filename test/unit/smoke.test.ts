import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDatasetError } from '../../src/core/data/dataset';

test('dataset errors name file, row and column', () => {
  assert.equal(formatDatasetError('bad', 'a.csv', 3, 'x'), 'a.csv, row 3, column "x": bad');
});
