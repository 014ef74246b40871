import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { EmbeddingTable } from '../../../src/core/export';
import { FileExistsError, exportEmbeddings, formatFloat32, projectorMetadataPath, readNpy } from '../../../src/core/export';
import { createNormalRng } from '../../../src/common/random';

function table(n: number, d: number): EmbeddingTable {
  const rand = createNormalRng(1);
  return {
    n,
    latentDim: d,
    latent: Float32Array.from({ length: n * d }, () => rand() * 3),
    errors: Float32Array.from({ length: n }, (_, i) => i / 7),
    labels: Array.from({ length: n }, (_, i) => (i === 1 ? 'has,comma "q"\tand tab' : `c${i % 3}`)),
    clusters: Int32Array.from({ length: n }, (_, i) => i % 2),
    refs: Array.from({ length: n }, (_, i) => ({ file: '/data/x.csv', line: i + 2, index: i })),
    projection: { method: 'pca', dims: 2, coords: Float32Array.from({ length: n * 2 }, (_, i) => i) },
  };
}

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'le-export-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('npy round trip is bit-exact and the header is v1.0, <f4, 64-byte aligned', () => {
  withDir((dir) => {
    const t = table(37, 5);
    const p = join(dir, 'z.npy');
    assert.deepEqual(exportEmbeddings(p, 'npy', t), [p]);
    const bytes = readFileSync(p);
    assert.equal(bytes.subarray(0, 6).toString('latin1'), '\x93NUMPY');
    assert.deepEqual([bytes[6], bytes[7]], [1, 0]);
    const headerLen = bytes.readUInt16LE(8);
    assert.equal((10 + headerLen) % 64, 0);
    assert.match(bytes.subarray(10, 10 + headerLen).toString('latin1'), /'descr': '<f4'.*'shape': \(37, 5\)/);
    const back = readNpy(p);
    assert.deepEqual(back.shape, [37, 5]);
    assert.deepEqual(Buffer.from(back.data.buffer), Buffer.from(t.latent.buffer));
  });
});

test('npy is readable by numpy when /usr/bin/python3 has it', (t) => {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip('numpy not available');
    return;
  }
  withDir((dir) => {
    const tab = table(4, 3);
    const p = join(dir, 'z.npy');
    exportEmbeddings(p, 'npy', tab);
    const r = spawnSync('/usr/bin/python3', ['-c', `import numpy as np, json; a = np.load(${JSON.stringify(p)}); print(json.dumps([str(a.dtype), list(a.shape), a.ravel().tolist()]))`], { encoding: 'utf8' });
    const [dtype, shape, values] = JSON.parse(r.stdout) as [string, number[], number[]];
    assert.equal(dtype, 'float32');
    assert.deepEqual(shape, [4, 3]);
    assert.deepEqual(Float32Array.from(values), tab.latent);
  });
});

test('projector TSV: n vector lines without header, n + 1 metadata lines with header', () => {
  withDir((dir) => {
    const t = table(20, 4);
    const p = join(dir, 'emb.tsv');
    const files = exportEmbeddings(p, 'tsv-projector', t);
    assert.deepEqual(files, [p, projectorMetadataPath(p)]);
    assert.equal(projectorMetadataPath(p), join(dir, 'emb.metadata.tsv'));
    const vec = readFileSync(p, 'utf8').trimEnd().split('\n');
    const meta = readFileSync(files[1], 'utf8').trimEnd().split('\n');
    assert.equal(vec.length, 20);
    assert.equal(meta.length, 21);
    assert.equal(meta[0], 'index\tlabel\tcluster\terror\tsource');
    for (const line of meta) assert.equal(line.split('\t').length, 5);
    assert.equal(meta[2].split('\t')[1], 'has,comma "q" and tab');
    assert.deepEqual(Float32Array.from(vec[3].split('\t').map(Number)), t.latent.subarray(12, 16));
  });
});

test('CSV has a header, quoted fields and values that read back as the same float32', () => {
  withDir((dir) => {
    const t = table(6, 3);
    const p = join(dir, 'emb.csv');
    exportEmbeddings(p, 'csv', t);
    const lines = readFileSync(p, 'utf8').trimEnd().split('\n');
    // One source column, never the dataset path per row.
    assert.equal(lines[0], 'index,z0,z1,z2,proj_x,proj_y,cluster,error,label,source_line');
    assert.ok(!readFileSync(p, 'utf8').includes('/data/x.csv'));
    assert.equal(lines.length, 7);
    assert.ok(lines[2].includes('"has,comma ""q""\tand tab"'));
    const row0 = lines[1].split(',');
    assert.deepEqual(Float32Array.from(row0.slice(1, 4).map(Number)), t.latent.subarray(0, 3));
    assert.equal(formatFloat32(0.1), '0.1');
  });
});

test('JSON export parses back', () => {
  withDir((dir) => {
    const t = table(5, 2);
    const p = join(dir, 'emb.json');
    exportEmbeddings(p, 'json', t);
    const doc = JSON.parse(readFileSync(p, 'utf8')) as { n: number; latent: number[][]; clusters: number[]; projection: { dims: number } };
    assert.equal(doc.n, 5);
    assert.deepEqual(Float32Array.from(doc.latent.flat()), t.latent);
    assert.deepEqual(doc.clusters, [0, 1, 0, 1, 0]);
    assert.equal(doc.projection.dims, 2);
  });
});

test('no overwrite without the flag (and nothing half-written), overwrite with it', () => {
  withDir((dir) => {
    const t = table(3, 2);
    for (const format of ['csv', 'json', 'npy'] as const) {
      const p = join(dir, `out.${format}`);
      writeFileSync(p, 'keep me');
      assert.throws(() => exportEmbeddings(p, format, t), FileExistsError);
      assert.equal(readFileSync(p, 'utf8'), 'keep me');
      exportEmbeddings(p, format, t, true);
      assert.notEqual(readFileSync(p, 'utf8'), 'keep me');
    }
    // Projector: an existing metadata file blocks the whole export, vectors included.
    const v = join(dir, 'p.tsv');
    writeFileSync(projectorMetadataPath(v), 'x');
    assert.throws(() => exportEmbeddings(v, 'tsv-projector', t), FileExistsError);
    assert.equal(existsSync(v), false);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
  });
});

test('VQ-VAE codes get a code column in CSV, Projector metadata and JSON', () => {
  withDir((dir) => {
    const t = { ...table(6, 2), codes: Int32Array.from([3, 3, 0, 7, 0, 3]) };
    const csv = join(dir, 'e.csv');
    exportEmbeddings(csv, 'csv', t);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    const col = lines[0].split(',').indexOf('code');
    assert.ok(col > 0, lines[0]);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[col]), ['3', '3', '0', '7', '0', '3']);
    const tsv = join(dir, 'e.tsv');
    exportEmbeddings(tsv, 'tsv-projector', t);
    const meta = readFileSync(projectorMetadataPath(tsv), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    assert.equal(meta[0].at(-1), 'code');
    assert.deepEqual(meta.slice(1).map((r) => r.at(-1)), ['3', '3', '0', '7', '0', '3']);
    const json = join(dir, 'e.json');
    exportEmbeddings(json, 'json', t);
    assert.deepEqual((JSON.parse(readFileSync(json, 'utf8')) as { codes: number[] }).codes, [3, 3, 0, 7, 0, 3]);
    assert.throws(() => exportEmbeddings(join(dir, 'bad.csv'), 'csv', { ...t, codes: Int32Array.from([1]) }), /codes has 1 entries/);
  });
});
