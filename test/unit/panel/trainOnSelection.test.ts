import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PanelController } from '../../../src/extension/panel/panelController';
import { parseHostMessage } from '../../../src/shared/protocol';
import type { HostToWebview } from '../../../src/shared/protocol';
import { decodeNpy } from '../../../src/core/export/npy';
import { subsetCsv, subsetNpy } from '../../../src/core/export/subset';
import { createFakeExplorer } from '../../e2e/fakeExplorer';

test('subset files: CSV with header and quoted labels, NPY of n x shape', () => {
  const rows = [{ values: [1, 2.5], label: 'a,b' }, { values: [3, 4] }];
  assert.equal(subsetCsv(['x', 'y'], 'kind', rows), 'x,y,kind\n1,2.5,"a,b"\n3,4,\n');
  assert.equal(subsetCsv(['x'], undefined, [{ values: [7, 8] }]), 'x,f1\n7,8\n');
  const npy = decodeNpy(subsetNpy([2, 2], [{ values: [1, 2, 3, 4] }, { values: [5, 6, 7, 8] }]));
  assert.deepEqual(npy.shape, [2, 2, 2]);
  assert.deepEqual(Array.from(npy.data), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.throws(() => subsetNpy([3], [{ values: [1, 2] }]), /expected 3/);
});

test('train on selection writes the selected samples as a dataset and starts a training on that file', async () => {
  const sent: HostToWebview[] = [], written: [string, Uint8Array][] = [], trained: string[] = [];
  const post = (m: HostToWebview): void => { assert.equal(parseHostMessage(m), m); sent.push(m); };
  const c = new PanelController({
    post, reveal: () => Promise.resolve(), log: () => undefined,
    pickSavePath: (name) => Promise.resolve(`/tmp/${name}`),
    writeFile: (path, bytes) => { written.push([path, bytes]); return Promise.resolve(); },
    trainOn: (path) => { trained.push(path); return Promise.resolve(); },
  });
  const ex = createFakeExplorer(40, 3, 2);
  c.setExplorer(ex);
  await c.handleRaw({ type: 'trainOnSelection', indices: [2, 5, 9] });
  await c.handleRaw({ type: 'trainOnSelection', indices: [5, 2] });
  await c.handleRaw({ type: 'trainOnSelection', indices: [2, 40] });
  assert.equal(written.length, 1, 'unordered or out-of-range selections are refused');
  const [path, bytes] = written[0];
  assert.deepEqual(trained, [path]);
  const lines = new TextDecoder().decode(bytes).trimEnd().split('\n');
  assert.equal(lines.length, 4);
  const s5 = await ex.sample(5);
  assert.deepEqual(lines[2].split(',').slice(0, 3).map(Number), Array.from(s5.original, (v) => Number(String(v))));
  assert.ok(sent.some((m) => m.type === 'saved' && m.files[0] === path));
});
