import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tf } from '../../../src/core/tf';
import { main } from '../../../src/cli/cli';
import { loadModel } from '../../../src/core/training/persistence';
import { parseTrainArgs } from '../../../src/cli/commands/train';
import { capture } from './capture';

before(async () => {
  await tf.setBackend('cpu');
});

/** 60 rows: two noisy clusters in 4 features plus a label column. */
function csvFixture(): string {
  const lines = ['a,b,c,d,kind'];
  for (let i = 0; i < 60; i++) {
    const k = i % 2;
    const v = [0, 1, 2, 3].map((j) => (k * 5 + j + ((i * 7 + j * 3) % 10) / 10).toFixed(2));
    lines.push([...v, k ? 'high' : 'low'].join(','));
  }
  return lines.join('\n') + '\n';
}

test('train on a small CSV writes model, weights, sidecar and embeddings.csv with one row per sample', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'le-cli-'));
  try {
    const before = tf.memory().numTensors;
    const csv = path.join(dir, 'points.csv');
    await writeFile(csv, csvFixture());
    const out = path.join(dir, 'out');
    const c = capture();
    const code = await main(['train', csv, '--model', 'dense', '--latent', '2', '--epochs', '3', '--batch', '16', '--seed', '3', '--label', 'kind', '--backend', 'cpu', '--out', out], c.io);
    assert.equal(code, 0, c.err());
    assert.match(c.out(), /^Backend: .*cpu/);
    assert.match(c.out(), /epoch 3\/3/);
    assert.match(c.out(), new RegExp(`Model: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.deepEqual((await readdir(out)).sort(), ['embeddings.csv', 'latent-explorer.json', 'model.json', 'weights.bin']);
    const rows = (await readFile(path.join(out, 'embeddings.csv'), 'utf8')).trim().split('\n');
    // The same layout as `export --format csv`: codes, error, label, then the line in the source file.
    assert.equal(rows[0], 'index,z0,z1,error,label,source_line');
    assert.equal(rows.length, 61);
    assert.deepEqual(rows[1].split(',').slice(4), ['low', '2']);
    assert.ok(rows.slice(1).every((r) => r.split(',').length === 6 && r.split(',').slice(1, 4).every((v) => Number.isFinite(Number(v)))));
    // The same command again refuses to replace the model without --force.
    const again = capture();
    assert.equal(await main(['train', csv, '--epochs', '1', '--backend', 'cpu', '--out', out, '--quiet'], again.io), 1);
    assert.match(again.err(), /holds a saved model \(model\.json\); pass --force to replace it/);
    assert.doesNotMatch(again.err(), /overwrite/);
    const { model, sidecar } = await loadModel(out);
    assert.equal(model.config.latentDim, 2);
    assert.equal(sidecar.history.length, 3);
    assert.deepEqual(sidecar.dataset.labelClasses, ['high', 'low']);
    assert.equal(sidecar.dataset.labelName, 'kind');
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a bad CSV exits 1 with the DatasetError message and no stack trace', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'le-cli-bad-'));
  try {
    const csv = path.join(dir, 'bad.csv');
    await writeFile(csv, 'a,b\n1,2\n3,abc\n');
    const c = capture();
    const code = await main(['train', csv, '--backend', 'cpu', '--epochs', '1', '--out', path.join(dir, 'out'), '--quiet'], c.io);
    assert.equal(code, 1);
    assert.match(c.err(), /bad\.csv/);
    assert.match(c.err(), /abc/);
    assert.doesNotMatch(c.err(), /\n\s+at /);
    assert.deepEqual(await readdir(dir), ['bad.csv']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2; --help prints the options; unknown commands are named', async () => {
  let c = capture();
  assert.equal(await main(['train', '--model', 'nope'], c.io), 2);
  assert.match(c.err(), /--model must be one of/);
  c = capture();
  assert.equal(await main(['train', '--epochs', '0'], c.io), 2);
  c = capture();
  assert.equal(await main(['train', '--bogus'], c.io), 2);
  c = capture();
  assert.equal(await main(['train', '--help'], c.io), 0);
  assert.match(c.out(), /--latent N/);
  c = capture();
  assert.equal(await main(['frobnicate'], c.io), 2);
  assert.match(c.err(), /unknown command "frobnicate"/);
  assert.deepEqual(parseTrainArgs(['x.csv', '--hidden', '32,8', '--lr', '0.01']).model.hidden, [32, 8]);
});

test('every model kind trains from the CLI; cvae/sequence/stacked/vqvae options reach the model', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'le-cli-kinds-'));
  const sines = path.resolve('test/fixtures/data/sines.csv');
  try {
    const csv = path.join(dir, 'points.csv');
    await writeFile(csv, csvFixture());
    const before = tf.memory().numTensors;
    const runs: [string, string[], (out: string) => void][] = [
      ['dense', [csv], () => undefined],
      ['tied', [csv], () => undefined],
      ['denoising', [csv], () => undefined],
      ['sparse', [csv], () => undefined],
      ['vae', [csv, '--beta', '4'], () => undefined],
      ['cvae', [csv, '--label', 'kind'], () => undefined],
      ['stacked', [csv, '--pretrain-epochs', '1'], (o) => assert.match(o, /stage pretrain layer 1: 1 epoch.*\n.*stage pretrain layer 2.*\n(.*\n)*.*stage fine-tune: 2 epoch/)],
      ['vqvae', [csv, '--codebook', '8', '--commitment', '0.5'], (o) => assert.match(o, /Codebook: \d+\/8 codes used/)],
      ['sequence', [sines, '--window', '16', '--stride', '8', '--label', 'label'], () => undefined],
    ];
    for (const [kind, args, check] of runs) {
      const out = path.join(dir, kind);
      const c = capture();
      const code = await main(['train', ...args, '--model', kind, '--epochs', '2', '--batch', '16', '--backend', 'cpu', '--out', out], c.io);
      assert.equal(code, 0, `${kind}: ${c.err()}`);
      check(c.out());
      const { model, sidecar } = await loadModel(out);
      assert.equal(model.config.kind, kind);
      if (kind === 'vae') assert.equal(model.config.beta, 4);
      if (kind === 'cvae') assert.deepEqual(model.config.conditionClasses, ['high', 'low']);
      if (kind === 'vqvae') assert.deepEqual([model.config.codebookSize, model.config.commitmentCost], [8, 0.5]);
      if (kind === 'sequence') {
        assert.deepEqual(sidecar.dataset.window, { length: 16, stride: 8 });
        assert.deepEqual(model.config.sampleShape, [16, 2]);
        assert.equal((await readFile(path.join(out, 'embeddings.csv'), 'utf8')).trim().split('\n').length - 1, Math.floor((400 - 16) / 8) + 1);
      }
      model.dispose();
    }
    assert.equal(tf.memory().numTensors, before);
    // a cvae without labels and a sequence model on a non-windowed table are refused with a clear message
    const c = capture();
    assert.equal(await main(['train', csv, '--model', 'cvae', '--epochs', '1', '--backend', 'cpu', '--out', path.join(dir, 'x'), '--quiet'], c.io), 1);
    assert.match(c.err(), /needs a label column/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
