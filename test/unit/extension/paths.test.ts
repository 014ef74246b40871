/** Model folder naming/listing and CSV header sniffing used by the extension's commands and training form. */
import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetBaseName, isInside, listModelDirs, modelOutDir, SIDECAR } from '../../../src/extension/paths';
import { readTableHeader, splitLine } from '../../../src/extension/tableHeader';

const dir = mkdtempSync(join(tmpdir(), 'le-paths-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('model folders', () => {
  it('names the folder after the dataset base name and model kind', () => {
    assert.equal(datasetBaseName('/d/iris.csv'), 'iris');
    assert.equal(datasetBaseName('/d/train-images-idx3-ubyte.gz'), 'train-images-idx3-ubyte');
    assert.equal(datasetBaseName('/d/my data.v2.npy'), 'my_data.v2');
    assert.equal(datasetBaseName('/d/digits/'), 'digits');
    assert.equal(modelOutDir('/ws', '.latent', '/ws/data/iris.csv', 'vae'), join('/ws', '.latent', 'iris-vae'));
    assert.equal(modelOutDir('/ws', '/abs/out', '/x/iris.csv', 'dense'), join('/abs/out', 'iris-dense'));
  });

  it('knows when a path is inside a folder', () => {
    assert.equal(isInside('/a/b/c.csv', '/a/b'), true);
    assert.equal(isInside('/a/b', '/a/b'), true);
    assert.equal(isInside('/a/bc/x', '/a/b'), false);
    assert.equal(isInside('/a', '/a/b'), false);
  });

  it('lists only folders with a sidecar, newest first', () => {
    const root = join(dir, '.latent');
    for (const [name, sidecar, t] of [['old-dense', true, 1000], ['new-vae', true, 2000], ['junk', false, 3000]] as const) {
      mkdirSync(join(root, name), { recursive: true });
      if (sidecar) {
        writeFileSync(join(root, name, SIDECAR), '{}');
        utimesSync(join(root, name, SIDECAR), t, t);
      }
    }
    assert.deepEqual(listModelDirs(root).map((m) => m.name), ['new-vae', 'old-dense']);
    assert.deepEqual(listModelDirs(join(dir, 'missing')), []);
  });
});

describe('table header', () => {
  it('reads the header of CSV and TSV files, and none for numeric first rows', () => {
    writeFileSync(join(dir, 'a.csv'), '\uFEFFsepal length,"width, cm",species\n1,2,setosa\n');
    writeFileSync(join(dir, 'b.tsv'), 'x\ty\tlabel\n1\t2\ta\n');
    writeFileSync(join(dir, 'c.csv'), '1.5,2,3\n4,5,6\n');
    writeFileSync(join(dir, 'd.csv'), 'a;b;c\n1;2;3\n');
    assert.deepEqual(readTableHeader(join(dir, 'a.csv')), ['sepal length', 'width, cm', 'species']);
    assert.deepEqual(readTableHeader(join(dir, 'b.tsv')), ['x', 'y', 'label']);
    assert.equal(readTableHeader(join(dir, 'c.csv')), undefined);
    assert.deepEqual(readTableHeader(join(dir, 'd.csv')), ['a', 'b', 'c']);
    assert.equal(readTableHeader(join(dir, 'missing.csv')), undefined);
  });

  it('splits quoted cells with escaped quotes', () => {
    assert.deepEqual(splitLine('a,"b ""q"", c",d', ','), ['a', 'b "q", c', 'd']);
  });
});
