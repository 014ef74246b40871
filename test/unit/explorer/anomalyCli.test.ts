/**
 * Thresholds saved with the model: `train` calibrates them on the validation split and writes them to the sidecar;
 * reloading the model applies the same thresholds; `embed --score` prints them and, with `--anomaly-label`,
 * precision / recall / ROC.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tf } from '../../../src/core/tf';
import { main } from '../../../src/cli/cli';
import { LocalExplorer } from '../../../src/core/localExplorer';
import { SIDECAR_FILE } from '../../../src/core/training/persistence';
import type { ModelSidecar } from '../../../src/core/training/persistence';
import { createNormalRng } from '../../../src/common/random';
import { parseTrainArgs } from '../../../src/cli/commands/train';
import { capture } from '../cli/capture';

let dir: string;
let modelDir: string;
let tensorsBefore: number;

/** 200 rows of 8 features: 180 on a line through feature space (status normal), 20 scattered (status anomaly). */
function csvFixture(): string {
  const r = createNormalRng(21);
  const lines = ['a,b,c,d,e,f,g,h,status'];
  for (let i = 0; i < 200; i++) {
    const anomaly = i % 10 === 7;
    const t = r();
    const v = Array.from({ length: 8 }, (_, j) => (anomaly ? 3 * r() : t * (j % 2 === 0 ? 1 : -0.5) + 0.05 * r()));
    lines.push([...v.map((q) => q.toFixed(4)), anomaly ? 'anomaly' : 'normal'].join(','));
  }
  return lines.join('\n') + '\n';
}

before(async () => {
  await tf.setBackend('cpu');
  tensorsBefore = tf.memory().numTensors;
  dir = mkdtempSync(path.join(tmpdir(), 'le-anomaly-'));
  const csv = path.join(dir, 'points.csv');
  writeFileSync(csv, csvFixture());
  modelDir = path.join(dir, 'model');
  const c = capture();
  const code = await main(['train', csv, '--label', 'status', '--epochs', '30', '--latent', '2', '--batch', '16', '--lr', '0.01', '--out', modelDir, '--anomaly-fpr', '0.1', '--backend', 'cpu'], c.io);
  assert.equal(code, 0, c.err());
  assert.match(c.out(), /Anomaly threshold \(combined score\): [\d.e+-]+, for 10\.0% false positives \([\d.]+% on 20 held-out validation rows\)/);
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'tensors leaked');
});

test('the sidecar holds the thresholds, and a reloaded model applies them', async () => {
  const sidecar = JSON.parse(readFileSync(path.join(modelDir, SIDECAR_FILE), 'utf8')) as ModelSidecar;
  const saved = sidecar.anomaly;
  assert.ok(saved, 'sidecar has an anomaly calibration');
  assert.equal(saved.targetFpr, 0.1);
  assert.equal(saved.calibrationRows, 20);
  const ex = await LocalExplorer.load(modelDir);
  try {
    for (const method of ['mse', 'smoothed', 'zscore', 'knn', 'mahalanobis', 'combined'] as const) {
      const r = await ex.anomalies(method);
      assert.equal(r.threshold, saved.thresholds[method]?.threshold, method);
      assert.equal(r.expectedFpr, saved.thresholds[method]?.expectedFpr);
      assert.ok(r.heldOut);
      assert.equal(r.flagged, Array.from(r.scores).filter((s) => s > r.threshold).length);
    }
    const def = await ex.anomalies(undefined, ['anomaly']);
    assert.equal(def.method, 'combined');
    const ev = def.evaluation;
    assert.ok(ev);
    assert.equal(ev.positives, 20);
    assert.equal(ev.truePositives + ev.falsePositives, def.flagged);
    assert.ok(ev.auroc > 0.9, `AUROC ${ev.auroc}`);
    assert.ok(ev.recall > 0.5, `recall ${ev.recall}`);
    await assert.rejects(ex.anomalies('elbo'), /not available/);
  } finally {
    ex.dispose();
  }
});

test('a sidecar without a calibration is recalibrated on the same validation rows', async () => {
  const file = path.join(modelDir, SIDECAR_FILE);
  const original = readFileSync(file, 'utf8');
  const sidecar = JSON.parse(original) as ModelSidecar;
  const saved = sidecar.anomaly;
  delete sidecar.anomaly;
  writeFileSync(file, JSON.stringify(sidecar));
  const ex = await LocalExplorer.load(modelDir);
  try {
    const r = await ex.anomalies('zscore');
    assert.ok(r.heldOut);
    assert.equal(r.calibrationRows, 20);
    assert.equal(r.targetFpr, 0.05);
    assert.ok(saved);
    assert.ok(Number.isFinite(r.threshold));
  } finally {
    ex.dispose();
    writeFileSync(file, original);
  }
});

test('embed --score prints the threshold, and with --anomaly-label precision, recall and the ROC curve', async () => {
  const c = capture();
  const out = path.join(dir, 'emb.csv');
  const code = await main(['embed', modelDir, '--score', 'zscore', '--anomaly-label', 'anomaly', '--out', out, '--backend', 'cpu'], c.io);
  assert.equal(code, 0, c.err());
  const text = c.out();
  assert.match(text, /Anomaly score zscore; others: mse, smoothed, knn, mahalanobis, combined/);
  assert.match(text, /Threshold [\d.e+-]+: set for 10\.0% false positives, [\d.]+% on 20 held-out validation rows; flags \d+ of 200 samples/);
  assert.match(text, /Labels anomaly as anomalies \(20 of 200\): precision [\d.]+, recall [\d.]+, false-positive rate [\d.]+, AUROC [\d.]+/);
  assert.match(text, /ROC \(FPR -> TPR\): 0\.00->0\.\d\d .* 1\.00->1\.00/);
  // The output carries the score and the flag at the threshold: as many flagged rows as printed.
  const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(','));
  const si = header.indexOf('score_zscore');
  const ai = header.indexOf('anomalous');
  assert.ok(si > 0 && ai === si + 1, header.join(','));
  const threshold = Number(/Threshold ([\d.e+-]+):/.exec(text)![1]);
  const flagged = Number(/flags (\d+) of 200 samples/.exec(text)![1]);
  assert.equal(rows.length, 200);
  assert.equal(rows.filter((r) => r[ai] === '1').length, flagged);
  for (const r of rows) assert.equal(r[ai], Number(r[si]) > threshold ? '1' : '0');
  // Without --score / --anomaly-label, train's embeddings.csv layout (no score columns).
  const plain = capture();
  const plainOut = path.join(dir, 'plain.csv');
  assert.equal(await main(['embed', modelDir, '--out', plainOut, '--backend', 'cpu'], plain.io), 0, plain.err());
  assert.equal(readFileSync(plainOut, 'utf8').split('\n')[0], readFileSync(path.join(modelDir, 'embeddings.csv'), 'utf8').split('\n')[0]);
  const bad = capture();
  assert.equal(await main(['embed', modelDir, '--score', 'nope', '--backend', 'cpu'], bad.io), 2);
  assert.match(bad.err(), /--score must be one of/);
});

test('train --noise (denoising) and --anomaly-fpr are parsed and checked', () => {
  assert.deepEqual(parseTrainArgs(['x.csv', '--model', 'denoising', '--noise', 'masking:0.3']).model.noise, { type: 'masking', level: 0.3 });
  assert.equal(parseTrainArgs(['x.csv', '--anomaly-fpr', '0.01']).anomalyFpr, 0.01);
  assert.equal(parseTrainArgs(['x.csv']).anomalyFpr, undefined);
  assert.throws(() => parseTrainArgs(['x.csv', '--noise', 'gaussian:0.1']), /applies to --model denoising/);
  assert.throws(() => parseTrainArgs(['x.csv', '--model', 'denoising', '--noise', 'salt:1']), /--noise must be/);
  assert.throws(() => parseTrainArgs(['x.csv', '--model', 'denoising', '--noise', 'masking:1']), /--noise must be/);
  assert.throws(() => parseTrainArgs(['x.csv', '--anomaly-fpr', '1.5']), /--anomaly-fpr must be in/);
});
