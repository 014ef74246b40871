/**
 * Every file of the generated corpus (test/corpus/make.ts) through `loadDataset`: each loads with its expected shape,
 * labels and warnings, or fails with a DatasetError that names the file and matches the expected message. Nothing
 * else may be thrown, and no input file may change.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { withRole } from '../../../src/core/data/choices';
import { DatasetError } from '../../../src/core/data/dataset';
import { loadDataset } from '../../../src/core/data/index';
import type { CorpusCase } from '../../corpus/make';
import { makeCorpus } from '../../corpus/make';

function digest(root: string): string {
  const h = createHash('sha256');
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(path.join(p, e));
    else h.update(p).update(readFileSync(p));
  };
  walk(root);
  return h.digest('hex');
}

const dir = mkdtempSync(path.join(tmpdir(), 'le-corpus-'));
let cases: CorpusCase[] = [];
let before0 = '';

describe('corpus of bad and awkward files', () => {
  before(async () => {
    cases = await makeCorpus(dir);
    before0 = digest(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has at least 60 cases, every file written', () => {
    assert.ok(cases.length >= 60, `only ${cases.length} cases`);
  });

  it('every case has its expected outcome and the inputs never change', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      const file = path.join(dir, c.file);
      try {
        const ds = await loadDataset(file, c.opts);
        if ('error' in c.expect) {
          failures.push(`${c.name}: loaded (${ds.n} x ${ds.dim}) but should fail with ${c.expect.error}`);
          continue;
        }
        const e = c.expect;
        const got: string[] = [];
        if (ds.n !== e.n || ds.dim !== e.dim) got.push(`shape ${ds.n} x ${ds.dim}, expected ${e.n} x ${e.dim}`);
        if (ds.features.length !== ds.n * ds.dim) got.push(`features has ${ds.features.length} values`);
        if (e.kind !== undefined && ds.kind !== e.kind) got.push(`kind ${ds.kind}, expected ${e.kind}`);
        if (e.format !== undefined && ds.format !== e.format) got.push(`format ${ds.format}, expected ${e.format}`);
        if (e.labels !== undefined && JSON.stringify(ds.labels?.slice(0, e.labels.length)) !== JSON.stringify(e.labels)) got.push(`labels ${JSON.stringify(ds.labels?.slice(0, 8))}, expected ${JSON.stringify(e.labels)}`);
        if (e.first !== undefined) {
          const first = Array.from(ds.features.subarray(0, e.first.length));
          if (first.some((v, k) => Math.abs(v - e.first![k]) > 1e-6 * Math.max(1, Math.abs(e.first![k])))) got.push(`first values ${first.join(', ')}, expected ${e.first.join(', ')}`);
        }
        if (e.warning !== undefined && !e.warning.test((ds.warnings ?? []).join('\n'))) got.push(`warnings ${JSON.stringify(ds.warnings ?? [])} do not match ${e.warning}`);
        if (ds.refs.length !== ds.n) got.push(`refs has ${ds.refs.length} entries`);
        if (got.length > 0) failures.push(`${c.name}: ${got.join('; ')}`);
      } catch (err) {
        if (!(err instanceof DatasetError)) {
          failures.push(`${c.name}: threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)} (not a DatasetError)`);
        } else if (!('error' in c.expect)) {
          failures.push(`${c.name}: failed: ${err.message}`);
        } else if (!c.expect.error.test(err.message)) {
          failures.push(`${c.name}: message ${JSON.stringify(err.message)} does not match ${c.expect.error}`);
        } else if (!err.message.includes(path.basename(c.file))) {
          failures.push(`${c.name}: message does not name the file: ${err.message}`);
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.equal(digest(dir), before0, 'an input file changed');
  });
});

describe('changing a column role in the preview', () => {
  it('gives the column its new role and takes it from its old holder', () => {
    const c = withRole({ labelColumn: 'a', ignoreColumns: ['b'] }, 'b', 'label');
    assert.deepEqual(c, { labelColumn: 'b' });
    assert.deepEqual(withRole(c, 'b', 'feature'), { labelColumn: '' });
    assert.deepEqual(withRole({}, 'x', 'ignored'), { ignoreColumns: ['x'] });
    assert.deepEqual(withRole({ timeColumn: 't' }, 't', 'id'), { timeColumn: '', idColumn: 't' });
  });
});
