import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../../src/core/data';
import type { MetadataColumn } from '../../../src/core/data/metadata';

const dir = mkdtempSync(join(tmpdir(), 'le-meta-'));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const byName = (cols: MetadataColumn[] | undefined, name: string): MetadataColumn | undefined => cols?.find((c) => c.name === name);

const CSV = [
  'id,a,b,species,note,weight',
  '1,0.5,1,setosa,big leaf,3.5',
  '2,0.7,2,versicolor,,4',
  '3,0.1,0.5,setosa,small,NA',
  '4,0.9,3,virginica,big leaf,2.25',
].join('\n');

test('a table keeps its id, ignored and dropped text columns per sample (the loader decides which); the label stays the label', async () => {
  for (const [name, text] of [['t.csv', CSV], ['t.jsonl', CSV.split('\n').slice(1).map((l) => {
    const [id, a, b, species, note, weight] = l.split(',');
    return JSON.stringify({ id: Number(id), a: Number(a), b: Number(b), species, note, weight: weight === 'NA' ? null : Number(weight) });
  }).join('\n')]] as const) {
    const ds = await loadDataset(write(name, text), { ignoreColumns: ['weight'] });
    assert.deepEqual(ds.columns, ['a', 'b'], name);
    assert.deepEqual(ds.labels, ['setosa', 'versicolor', 'setosa', 'virginica']);
    assert.deepEqual(ds.metadata?.map((c) => [c.name, c.role, c.kind]), [['id', 'id', 'number'], ['note', 'dropped', 'category'], ['weight', 'ignored', 'number']], name);
    const note = byName(ds.metadata, 'note');
    assert.ok(note?.kind === 'category');
    assert.deepEqual(Array.from(note.codes, (c) => (c < 0 ? null : note.categories[c])), ['big leaf', null, 'small', 'big leaf'], `${name}: missing is -1, equal texts share a code`);
    const weight = byName(ds.metadata, 'weight');
    assert.ok(weight?.kind === 'number');
    assert.deepEqual(Array.from(weight.values), [3.5, 4, NaN, 2.25]);
    assert.deepEqual(Array.from((byName(ds.metadata, 'id') as Extract<MetadataColumn, { kind: 'number' }>).values), [1, 2, 3, 4]);
  }
});

test('a purely numeric table has no metadata; a time-windowed dataset carries none (its samples are windows, not rows)', async () => {
  const plain = await loadDataset(write('p.csv', 'a,b\n1,2\n3,4\n5,6\n'));
  assert.equal(plain.metadata, undefined);
  const rows = Array.from({ length: 12 }, (_, i) => `${i},${Math.sin(i)},${i % 3 === 0 ? 'x' : 'y'}`);
  const seq = await loadDataset(write('s.csv', ['time,v,tag', ...rows].join('\n')), { window: { length: 4, stride: 2 } });
  assert.equal(seq.kind, 'sequence');
  assert.equal(seq.metadata, undefined);
});
