/**
 * `train` a tiny CSV through the CLI, then `embed`, `cluster` and `export` on the saved model, and
 * `LocalExplorer.load` (model + sidecar + dataset from the sidecar's source path).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tf } from '../../../src/core/tf';
import { main } from '../../../src/cli/cli';
import { LocalExplorer } from '../../../src/core/localExplorer';
import { adjustedRandIndex } from '../../../src/core/analysis/labelAgreement';
import { readNpy } from '../../../src/core/export';
import { parseRange } from '../../../src/cli/commands/cluster';
import { MAX_K } from '../../../src/common/limits';
import { DEFAULT_CLUSTER_METHOD } from '../../../src/common/clusterMethods';
import { capture } from '../cli/capture';

let dir: string;
let modelDir: string;
let tensorsBefore: number;

/** 90 distinct rows: three well-separated clusters in 6 features plus a label column. */
function csvFixture(): string {
  const lines = ['a,b,c,d,e,f,kind'];
  for (let i = 0; i < 90; i++) {
    const k = i % 3;
    // Distinct points (no duplicates): a 10-step pattern plus a 17-step jitter.
    const v = [0, 1, 2, 3, 4, 5].map((j) => ((j % 3 === k ? 8 : 0) + ((i * 7 + j * 3) % 10) / 10 + ((i * 13 + j * 5) % 17) / 170).toFixed(3));
    lines.push([...v, `k${k}`].join(','));
  }
  return lines.join('\n') + '\n';
}

before(async () => {
  await tf.setBackend('cpu');
  tensorsBefore = tf.memory().numTensors;
  dir = mkdtempSync(path.join(tmpdir(), 'le-cli-explore-'));
  const csv = path.join(dir, 'points.csv');
  writeFileSync(csv, csvFixture());
  modelDir = path.join(dir, 'model');
  const c = capture();
  const code = await main(['train', csv, '--label', 'kind', '--epochs', '30', '--latent', '2', '--batch', '16', '--lr', '0.01', '--out', modelDir, '--quiet', '--backend', 'cpu'], c.io);
  assert.equal(code, 0, c.err());
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'tensors leaked');
});

test('LocalExplorer.load reads model, sidecar and the dataset from the recorded source', async () => {
  const ex = await LocalExplorer.load(modelDir);
  try {
    const info = ex.info();
    assert.equal(info.n, 90);
    assert.equal(info.dim, 6);
    assert.equal(info.model.latentDim, 2);
    assert.equal(info.modelDir, modelDir);
    const s = await ex.sample(4);
    assert.equal(s.label, 'k1');
    assert.equal(s.ref.index, 4);
    assert.equal(s.original.length, 6);
    // Decoding the sample's code gives its reconstruction (data units).
    const dec = await ex.decode(s.latent, 1);
    for (let j = 0; j < 6; j++) assert.ok(Math.abs(dec[j] - s.reconstruction[j]) < 1e-4);
    const c = await ex.cluster(3, 0, { method: 'kmeans' });
    const truth = Array.from({ length: 90 }, (_, i) => i % 3);
    assert.ok(adjustedRandIndex(c.assignments, truth) >= 0.9);
  } finally {
    ex.dispose();
  }
});

test('embed writes CSV and refuses to overwrite without --force', async () => {
  const out = path.join(dir, 'emb.csv');
  let c = capture();
  assert.equal(await main(['embed', modelDir, '--out', out, '--backend', 'cpu'], c.io), 0, c.err());
  assert.match(c.out(), /Encoded 90 samples to 2 dimensions/);
  assert.equal(readFileSync(out, 'utf8').trimEnd().split('\n').length, 91);
  c = capture();
  assert.equal(await main(['embed', modelDir, '--out', out, '--backend', 'cpu'], c.io), 1);
  assert.match(c.err(), /already exists/);
  c = capture();
  assert.equal(await main(['embed', modelDir, '--out', out, '--force', '--quiet', '--backend', 'cpu'], c.io), 0, c.err());
});

test('cluster --suggest picks k = 3 (default method) and --k writes cluster ids; every method runs and is scored against the labels', async () => {
  let c = capture();
  assert.equal(await main(['cluster', modelDir, '--suggest', '2..5', '--backend', 'cpu'], c.io), 0, c.err());
  assert.match(c.out(), new RegExp(`method ${DEFAULT_CLUSTER_METHOD}: 3 clusters`));
  const acc = /accuracy ([0-9.]+)/.exec(c.out());
  assert.ok(acc && Number(acc[1]) >= 0.9, c.out());
  assert.match(c.out(), /cluster +k0 +k1 +k2/); // confusion matrix header
  assert.match(c.err(), /UMAP layout/);
  const out = path.join(dir, 'clusters.json');
  c = capture();
  assert.equal(await main(['cluster', modelDir, '--k', '3', '--method', 'kmeans', '--out', out, '--backend', 'cpu'], c.io), 0, c.err());
  const doc = JSON.parse(readFileSync(out, 'utf8')) as { clusters: number[] };
  assert.equal(new Set(doc.clusters).size, 3);
  for (const method of ['umap-kmeans', 'gmm', 'dbscan', 'hdbscan']) {
    c = capture();
    const extra = method === 'hdbscan' ? ['--min-cluster', '20'] : [];
    assert.equal(await main(['cluster', modelDir, '--k', '3', '--method', method, ...extra, '--backend', 'cpu', '--quiet'], c.io), 0, c.err());
    const m = /accuracy ([0-9.]+)/.exec(c.out());
    // DBSCAN's default radius (knee of the k-distance curve) and HDBSCAN's default smallest cluster (5 here) are not
    // tuned for 90 points; their quality is tested on blobs.
    assert.ok(m && Number(m[1]) >= (method === 'dbscan' ? 0.5 : 0.9), `${method}: ${c.out()}`);
  }
  c = capture();
  assert.equal(await main(['cluster', modelDir, '--k', '3', '--suggest', '2..4'], c.io), 2);
  c = capture();
  assert.equal(await main(['cluster', modelDir, '--method', 'spectral'], c.io), 2);
  c = capture();
  assert.equal(await main(['cluster', modelDir, '--k', String(MAX_K + 1)], c.io), 2, 'k above the panel\'s bound is a usage error');
  assert.match(c.err(), new RegExp(`--k must be an integer from 1 to ${MAX_K}`));
  assert.deepEqual(parseRange('2..12'), [2, 12]);
  assert.throws(() => parseRange('5..2'));
  assert.throws(() => parseRange(`2..${MAX_K + 1}`), new RegExp(`<= ${MAX_K}`));
});

test('cluster --k 10 --out clusters.csv (default method) writes index and cluster columns, one row per sample', async () => {
  const out = path.join(dir, 'clusters.csv');
  const c = capture();
  assert.equal(await main(['cluster', modelDir, '--k', '10', '--out', out, '--backend', 'cpu'], c.io), 0, c.err());
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  assert.ok(header.includes('index') && header.includes('cluster'), lines[0]);
  assert.equal(lines.length, 91);
  const ci = header.indexOf('cluster');
  const ids = new Set(lines.slice(1).map((l) => Number(l.split(',')[ci])));
  assert.ok(ids.size >= 3 && ids.size <= 10, `clusters ${[...ids].join(',')}`);
  lines.slice(1).forEach((l, i) => assert.equal(Number(l.split(',')[header.indexOf('index')]), i));
});

test('export writes each format; projector gives vectors + metadata', async () => {
  const npy = path.join(dir, 'z.npy');
  let c = capture();
  assert.equal(await main(['export', modelDir, '--format', 'npy', '--out', npy, '--backend', 'cpu'], c.io), 0, c.err());
  assert.deepEqual(readNpy(npy).shape, [90, 2]);
  const tsv = path.join(dir, 'p.tsv');
  c = capture();
  assert.equal(await main(['export', modelDir, '--format', 'tsv-projector', '--out', tsv, '--k', '3', '--projection', 'pca', '--backend', 'cpu'], c.io), 0, c.err());
  assert.ok(existsSync(path.join(dir, 'p.metadata.tsv')));
  const meta = readFileSync(path.join(dir, 'p.metadata.tsv'), 'utf8').trimEnd().split('\n');
  assert.equal(meta.length, 91);
  assert.match(meta[1], /^0\tk0\t\d\t/);
  c = capture();
  assert.equal(await main(['export', modelDir, '--format', 'xml', '--out', tsv], c.io), 2);
  assert.match(c.err(), /--format must be one of/);
});
