/**
 * `latent-explorer score`: a model trained on normal data scores new data against its saved threshold; new data
 * without the training data's label column still loads; a time series' flagged windows come out as merged events.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tf } from '../../../src/core/tf';
import { main } from '../../../src/cli/cli';
import { createNormalRng } from '../../../src/common/random';
import { scoreOutputPaths } from '../../../src/core/export/outputPaths';
import { capture } from '../cli/capture';

let dir: string;
let tensorsBefore: number;

/** Rows on a line through 6-D feature space; `odd` rows (if any) scattered far from it. */
function points(n: number, seed: number, odd: (i: number) => boolean, label: boolean): string {
  const r = createNormalRng(seed);
  const lines = [['a', 'b', 'c', 'd', 'e', 'f', ...(label ? ['kind'] : [])].join(',')];
  for (let i = 0; i < n; i++) {
    const t = r();
    const v = Array.from({ length: 6 }, (_, j) => (odd(i) ? 4 * r() : t * (j % 2 === 0 ? 1 : -0.5) + 0.03 * r()));
    lines.push([...v.map((q) => q.toFixed(4)), ...(label ? ['normal'] : [])].join(','));
  }
  return lines.join('\n') + '\n';
}

before(async () => {
  await tf.setBackend('cpu');
  tensorsBefore = tf.memory().numTensors;
  dir = mkdtempSync(path.join(tmpdir(), 'le-score-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'tensors leaked');
});

test('scores new data without the label column against the saved threshold', async () => {
  const train = path.join(dir, 'normal.csv');
  writeFileSync(train, points(1000, 3, () => false, true));
  const model = path.join(dir, 'model');
  let c = capture();
  assert.equal(await main(['train', train, '--label', 'kind', '--epochs', '30', '--latent', '2', '--batch', '16', '--lr', '0.01', '--out', model, '--backend', 'cpu', '--quiet'], c.io), 0, c.err());
  const fresh = path.join(dir, 'new.csv');
  const odd = (i: number): boolean => i % 20 === 3;
  writeFileSync(fresh, points(200, 4, odd, false));
  c = capture();
  assert.equal(await main(['score', model, fresh, '--backend', 'cpu', '--score', 'mse'], c.io), 0, c.err());
  assert.match(c.err(), /label column "kind" is not in this data: read without it/);
  const files = scoreOutputPaths(model, fresh);
  assert.equal(files.scores, path.join(model, 'scores', 'new.csv'));
  const rows = readFileSync(files.scores, 'utf8').trim().split('\n').map((l) => l.split(','));
  const header = rows[0];
  assert.ok(header.includes('score_mse') && header.includes('anomalous'), header.join(','));
  const flagged = rows.slice(1).map((r) => r[header.indexOf('anomalous')] === '1');
  assert.equal(flagged.length, 200);
  const hits = flagged.filter((f, i) => f && odd(i)).length;
  assert.ok(hits >= 8, `${hits} of the 10 scattered rows flagged`);
  const falseAlarms = flagged.filter((f, i) => f && !odd(i)).length;
  assert.ok(falseAlarms <= 20, `${falseAlarms} of 190 normal rows flagged; ${c.out()}`);
  const m = /Scored 200 samples by mse: (\d+) \(/.exec(c.out());
  assert.ok(m, c.out());
  assert.equal(Number(m[1]), flagged.filter(Boolean).length);
  assert.equal(existsSync(files.events), false, 'no events for a plain table');
  c = capture();
  assert.equal(await main(['score', model, fresh, '--backend', 'cpu'], c.io), 1, 'refuses to replace the scores without --force');
  assert.match(c.err(), /pass --force/);
});

test('a time series: flagged windows merge into events, each planted burst once', async () => {
  const window = 16;
  const stride = 4;
  const series = (n: number, bursts: [number, number][]): string => {
    const r = createNormalRng(9);
    const lines = ['x,y'];
    for (let t = 0; t < n; t++) {
      const burst = bursts.some(([a, b]) => t >= a && t < b);
      const x = Math.sin(t / 4) + 0.05 * r() + (burst ? 3 * r() : 0);
      const y = Math.cos(t / 4) + 0.05 * r() + (burst ? 3 * r() : 0);
      lines.push(`${x.toFixed(4)},${y.toFixed(4)}`);
    }
    return lines.join('\n') + '\n';
  };
  const train = path.join(dir, 'clean.csv');
  writeFileSync(train, series(800, []));
  const model = path.join(dir, 'seq');
  let c = capture();
  assert.equal(await main(['train', train, '--model', 'dense', '--window', String(window), '--stride', String(stride), '--epochs', '25', '--lr', '0.005', '--out', model, '--backend', 'cpu', '--quiet'], c.io), 0, c.err());
  const bursts: [number, number][] = [[100, 110], [300, 312], [520, 526]];
  const fresh = path.join(dir, 'bursts.csv');
  writeFileSync(fresh, series(640, bursts));
  c = capture();
  assert.equal(await main(['score', model, fresh, '--backend', 'cpu', '--score', 'mse', '--quiet'], c.io), 0, c.err());
  const files = scoreOutputPaths(model, fresh);
  const events = readFileSync(files.events, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  for (const [a, b] of bursts) {
    const covering = events.filter(([, start, end]) => start <= a && end >= b);
    assert.equal(covering.length, 1, `burst ${a}-${b} is one event: ${JSON.stringify(events)}`);
  }
  const flaggedWindows = readFileSync(files.scores, 'utf8').trim().split('\n').slice(1).filter((l) => l.split(',').includes('1')).length;
  assert.ok(events.length < flaggedWindows, `${events.length} events from ${flaggedWindows} flagged windows`);
  const rows = readFileSync(files.rows, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'row,score_max,score_mean,anomalous');
  assert.equal(rows.length - 1, 640, 'one row per source row covered by the windows');
  assert.match(c.out(), /events \(overlapping flagged windows merged\):\n {2}#1 rows/);
});
