import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from '../../../src/core/data/dataset';
import { loadDataset } from '../../../src/core/data/index';
import { topLevelElementLines } from '../../../src/core/data/json';
import { assertUnchanged, assertValues, expected, fixture } from './fixtures';

interface JsonExpected { objects: number[]; objectLabels: string[]; arrays: number[]; xy: number[]; xyLabels: string[] }
const want = expected('json.expected.json') as JsonExpected;

describe('loadDataset: JSON / JSONL', () => {
  it('finds the line of each top-level array element', () => {
    assert.deepEqual(topLevelElementLines('[\n {"a": "x,]"},\n {"a": [1,\n2]},\n 3\n]'), [2, 3, 5]);
    assert.equal(topLevelElementLines('{"X": []}'), undefined);
  });

  it('array of objects: keys are columns, text "species" becomes the label, refs carry lines', async () => {
    const file = fixture('iris.objects.json');
    const ds = await assertUnchanged([file], () => loadDataset(file));
    assert.equal(ds.format, 'json');
    assert.equal(ds.kind, 'table');
    assert.deepEqual(ds.columns, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    assertValues(ds.features, want.objects);
    assert.deepEqual(ds.labels, want.objectLabels);
    assert.equal(ds.labelName, 'species');
    // json.dumps(indent=2): "[" on line 1, each object 7 lines long.
    assert.deepEqual(ds.refs.map((r) => r.line), want.objectLabels.map((_, i) => 2 + 7 * i));
  });

  it('nested objects and arrays inside records are flattened to dotted / indexed columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'le-json-'));
    try {
      const file = join(dir, 'nested.jsonl');
      writeFileSync(file, ['{"pos": {"x": 1, "y": 2}, "rgb": [10, 20, 30], "label": "a"}', '{"pos": {"x": 3, "y": 4}, "rgb": [40, 50, 60], "label": "b"}'].join('\n') + '\n');
      const ds = await loadDataset(file);
      assert.deepEqual(ds.columns, ['pos.x', 'pos.y', 'rgb[0]', 'rgb[1]', 'rgb[2]']);
      assert.deepEqual(Array.from(ds.features), [1, 2, 10, 20, 30, 3, 4, 40, 50, 60]);
      assert.deepEqual(ds.labels, ['a', 'b']);
      assert.deepEqual(ds.refs.map((r) => r.line), [1, 2]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('array of arrays is a table', async () => {
    const ds = await loadDataset(fixture('digits.arrays.json'));
    assert.equal(ds.n, 10);
    assert.equal(ds.dim, 64);
    assert.equal(ds.kind, 'table');
    assertValues(ds.features, want.arrays);
  });

  it('{X, y} with nested 8x8 samples is an image dataset with labels', async () => {
    const ds = await loadDataset(fixture('digits.xy.json'));
    assert.equal(ds.kind, 'image');
    assert.deepEqual(ds.sampleShape, [8, 8, 1]);
    assert.equal(ds.columns[9], 'px_1_1');
    assertValues(ds.features, want.xy);
    assert.deepEqual(ds.labels, want.xyLabels);
    assert.equal(ds.labelName, 'y');
    const few = await loadDataset(fixture('digits.xy.json'), { maxRows: 3 });
    assert.equal(few.n, 3);
    assert.deepEqual(few.labels, want.xyLabels.slice(0, 3));
  });

  it('JSONL: one object per line, blank lines skipped, refs are file lines', async () => {
    const ds = await loadDataset(fixture('iris.jsonl'));
    assert.equal(ds.format, 'jsonl');
    assertValues(ds.features, want.objects);
    assert.deepEqual(ds.labels, want.objectLabels);
    assert.deepEqual(ds.refs.map((r) => r.line), want.objectLabels.map((_, i) => (i <= 3 ? i + 1 : i + 2)));
  });

  it('bad values name the line and key; broken JSON names the line', async () => {
    await assert.rejects(loadDataset(fixture('bad.jsonl')), (e: unknown) => {
      assert.ok(e instanceof DatasetError);
      assert.equal(e.row, 2);
      assert.equal(e.column, 'b');
      assert.match(e.message, /bad\.jsonl, row 2, column "b": "x" is not a number/);
      return true;
    });
    await assert.rejects(loadDataset(fixture('broken.json')), (e: unknown) => e instanceof DatasetError && /broken\.json/.test(e.message) && /invalid JSON/.test(e.message));
  });
});
