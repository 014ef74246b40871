/**
 * `inspect` shows how a file will be read and the flags that reproduce it; `train` saves those choices with the model
 * and `embed` / `export` reuse them; `train`'s embeddings.csv and `export --format csv` share one layout.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tf } from '../../../src/core/tf';
import { main } from '../../../src/cli/cli';
import { loadModel } from '../../../src/core/training/persistence';
import { defaultOutDir } from '../../../src/core/pipeline';
import { capture } from './capture';

before(async () => {
  await tf.setBackend('cpu');
});

/** scikit-learn's layout: a size line, no header, the class index last. */
const SKLEARN = '6,2,red,blue\n1.5,2,0\n2.5,3,1\n3.5,1,0\n4.5,0,1\n5.5,2,1\n6.5,3,0\n';

/** A time series with an id and a time column and a text column. */
function series(): string {
  const lines = ['id;time;s1;s2;note;kind'];
  for (let i = 0; i < 40; i++) lines.push([100 + i, i * 0.5, Math.sin(i / 3).toFixed(3), Math.cos(i / 5).toFixed(3), `n${i}`, i % 2 ? 'up' : 'down'].join(';'));
  return `${lines.join('\n')}\n`;
}

test('inspect reports layout, roles, first values and the flags that reproduce them', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'le-inspect-'));
  try {
    const file = path.join(dir, 'colors.csv');
    await writeFile(file, SKLEARN);
    const c = capture();
    assert.equal(await main(['inspect', file], c.io), 0, c.err());
    const out = c.out();
    assert.match(out, /Format: +csv, utf-8/);
    assert.match(out, /Delimiter: +,/);
    assert.match(out, /Header: +none/);
    assert.match(out, /Skipped: +line 1: scikit-learn size line \(6 samples, 2 features, classes red, blue\)/);
    assert.match(out, /Shape: +6 samples x 2 features \(table\)/);
    assert.match(out, /Label: +target \(2 values: red, blue\)/);
    assert.match(out, /\n {2}2 +target +label +0, 1, 0, 1, 1\n/);
    assert.match(out, /latent-explorer train \S+colors\.csv --delimiter , --no-header --skip-rows 1 --label target/);
    // Every choice can be changed: the class column as a feature, and JSON output.
    const j = capture();
    assert.equal(await main(['inspect', file, '--label', 'none', '--json'], j.io), 0, j.err());
    const report = JSON.parse(j.out()) as { dim: number; labelName?: string; columns: { role: string }[] };
    assert.equal(report.dim, 3);
    assert.equal(report.labelName, undefined);
    assert.deepEqual(report.columns.map((col) => col.role), ['feature', 'feature', 'feature']);
    // Rows that do not load: the layout is still shown, with the error, exit 1.
    const ragged = path.join(dir, 'ragged.csv');
    await writeFile(ragged, 'a;b;c\n1;2;3\n4;5\n');
    const r = capture();
    assert.equal(await main(['inspect', ragged], r.io), 1);
    assert.match(r.out(), /Delimiter: +;\n/);
    assert.match(r.out(), /Error: +\S+ragged\.csv, row 3: has 2 fields, expected 3 \(ragged row\)/);
    assert.match(r.err(), /ragged\.csv, row 3/);
    // A bad choice is the loader's error, exit 1.
    const bad = capture();
    assert.equal(await main(['inspect', file, '--label', 'nope'], bad.io), 1);
    assert.match(bad.err(), /colors\.csv: label column "nope" not found/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('train saves the data choices; embed and export reuse them in one CSV layout; warnings go to stderr', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'le-choices-'));
  try {
    const file = path.join(dir, 'series.txt');
    await writeFile(file, series());
    const out = defaultOutDir(file, 'dense');
    assert.equal(path.dirname(path.dirname(out)), dir, 'the default output folder is beside the dataset');
    const t = capture();
    const code = await main(['train', file, '--epochs', '2', '--latent', '2', '--backend', 'cpu', '--quiet', '--label', 'kind', '--ignore', 'note'], t.io);
    assert.equal(code, 0, t.err());
    // id and time were inferred from their names: said on stderr, not features.
    assert.match(t.err(), /warning: series\.txt: column "id" used as the id/);
    assert.match(t.err(), /warning: series\.txt: column "time" used as the time/);
    const { model, sidecar } = await loadModel(out);
    model.dispose();
    assert.deepEqual(sidecar.dataset.columns, ['s1', 's2']);
    assert.deepEqual(sidecar.dataset.choices, { ignoreColumns: ['note'], labelColumn: 'kind', idColumn: 'id', timeColumn: 'time' });
    const trained = (await readFile(path.join(out, 'embeddings.csv'), 'utf8')).trim().split('\n');
    assert.equal(trained[0], 'index,z0,z1,error,label,id,source_line');
    assert.deepEqual(trained[1].split(',').slice(-3), ['down', '100', '2']);
    assert.ok(!trained.join('\n').includes(dir), 'no dataset path in the rows');
    const e = capture();
    const exported = path.join(dir, 'export.csv');
    assert.equal(await main(['export', out, '--format', 'csv', '--out', exported, '--backend', 'cpu', '--quiet'], e.io), 0, e.err());
    const rows = (await readFile(exported, 'utf8')).trim().split('\n');
    assert.equal(rows[0], trained[0]);
    assert.deepEqual(rows.map((r) => r.split(',').slice(-3).join(',')), trained.map((r) => r.split(',').slice(-3).join(',')));
    // The same export again is refused without --force, in the words every command uses.
    const again = capture();
    assert.equal(await main(['export', out, '--format', 'csv', '--out', exported, '--backend', 'cpu', '--quiet'], again.io), 1);
    assert.match(again.err(), /export\.csv already exists; pass --force to replace it/);
    assert.equal(await main(['export', out, '--format', 'csv', '--out', exported, '--backend', 'cpu', '--quiet', '--force'], capture().io), 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
