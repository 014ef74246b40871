import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetadataPayload } from '../../../src/shared/protocol';
import { andMasks, columnColoring, filterMask, findColumn, metadataLine, panelColumns, searchMask, valuesByCount } from '../../../webview/metadata';
import type { PanelColumn } from '../../../webview/metadata';
import { packRgba } from '../../../webview/colors';
import type { Swatches } from '../../../webview/colors';
import { reduce } from '../../../webview/state';
import { init, stateAfter } from './fixtures';

const s: Swatches = { palette: [[10, 0, 0], [0, 20, 0], [0, 0, 30]], accent: [1, 1, 1], muted: [99, 99, 99] };
const metadata: MetadataPayload[] = [
  { name: 'row_id', role: 'id', kind: 'number', values: Float32Array.from([10, 20, NaN, 40, 50, 60]) },
  { name: 'note', role: 'dropped', kind: 'category', categories: ['zeta', 'Alpha beta', 'mid'], codes: Int32Array.from([0, 1, -1, 2, 1, 0]) },
];

function model(): NonNullable<ReturnType<typeof stateAfter>['model']> {
  const m = init();
  assert.ok(m.embedding);
  const state = stateAfter({ ...m, embedding: { ...m.embedding, metadata } });
  assert.ok(state.model);
  return state.model;
}

test('the panel\'s columns: the label first, then the metadata columns as the loader gave them', () => {
  const cols = panelColumns(model());
  assert.deepEqual(cols.map((c) => [c.name, c.kind]), [['label', 'category'], ['row_id', 'number'], ['note', 'category']]);
  assert.equal(findColumn(model(), 'note')?.kind, 'category');
  assert.equal(findColumn(model(), 'nope'), undefined);
});

test('categorical colouring: a stable colour per value by sorted rank (order of appearance does not matter), missing muted, legend sorted', () => {
  const note = findColumn(model(), 'note');
  assert.ok(note);
  const c = columnColoring(note, s);
  // Sorted: "Alpha beta" (0), "mid" (1), "zeta" (2).
  assert.deepEqual(Array.from(c.colors), [packRgba(0, 0, 30), packRgba(10, 0, 0), packRgba(99, 99, 99), packRgba(0, 20, 0), packRgba(10, 0, 0), packRgba(0, 0, 30)]);
  assert.deepEqual(c.legend.map((e) => e.label), ['Alpha beta', 'mid', 'zeta']);
  // The same values in another order of appearance keep their colours.
  const shuffled: PanelColumn = { name: 'note', kind: 'category', categories: ['mid', 'zeta', 'Alpha beta'], codes: Int32Array.from([1, 2, 0]) };
  assert.deepEqual(Array.from(columnColoring(shuffled, s).colors), [packRgba(0, 0, 30), packRgba(10, 0, 0), packRgba(0, 20, 0)]);
});

test('numeric colouring: the ramp from min to max (missing muted), legend with both ends', () => {
  const id = findColumn(model(), 'row_id');
  assert.ok(id);
  const c = columnColoring(id, s);
  assert.equal(c.colors[2], packRgba(99, 99, 99));
  assert.notEqual(c.colors[0], c.colors[5]);
  assert.deepEqual(c.legend.map((e) => e.label), ['row_id 10', 'row_id 60']);
});

test('filters: categorical values and numeric ranges (open ends allowed); missing values never pass', () => {
  const m = model();
  const note = findColumn(m, 'note');
  const id = findColumn(m, 'row_id');
  assert.ok(note && id);
  assert.deepEqual(Array.from(filterMask(note, { column: 'note', values: ['Alpha beta', 'mid'] })), [0, 1, 0, 1, 1, 0]);
  assert.deepEqual(Array.from(filterMask(id, { column: 'row_id', min: 20, max: 50 })), [0, 1, 0, 1, 1, 0]);
  assert.deepEqual(Array.from(filterMask(id, { column: 'row_id', min: 45 })), [0, 0, 0, 0, 1, 1]);
  assert.deepEqual(Array.from(andMasks(Uint8Array.from([1, 1, 0, 0, 1, 1]), filterMask(id, { column: 'row_id', max: 40 })) ?? []), [1, 1, 0, 0, 0, 0]);
  assert.deepEqual(valuesByCount(note as Extract<PanelColumn, { kind: 'category' }>).map((v) => [v.value, v.count]), [['Alpha beta', 2], ['zeta', 2], ['mid', 1]]);
});

test('search: case-insensitive substring of any category (label included), a number equal to a numeric value; empty dims nothing', () => {
  const m = model();
  const cols = panelColumns(m);
  assert.deepEqual(Array.from(searchMask(cols, 'BETA', 6) ?? []), [0, 1, 0, 0, 1, 0]);
  assert.deepEqual(Array.from(searchMask(cols, '40', 6) ?? []), [0, 0, 0, 1, 0, 0]);
  // Labels are a, a, b, b, c, c.
  assert.deepEqual(Array.from(searchMask(cols, 'c', 6) ?? []), [0, 0, 0, 0, 1, 1]);
  assert.equal(searchMask(cols, '  ', 6), undefined);
  assert.equal(metadataLine(m, 2), 'row_id – · note –');
  assert.equal(metadataLine(m, 1), 'row_id 20 · note Alpha beta');
});

test('column choices reset when another model arrives', () => {
  const state = reduce(stateAfter(init()), { type: 'meta', meta: { search: 'x', colorColumn: 'note', filter: { column: 'note', values: ['mid'] } } });
  assert.equal(state.meta.search, 'x');
  assert.deepEqual(reduce(state, { type: 'host', message: init() }).meta, state.meta, 'the same model keeps them');
  assert.deepEqual(reduce(state, { type: 'host', message: init({ info: { datasetPath: '/other.csv' } }) }).meta, { search: '' });
});
