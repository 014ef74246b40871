import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PanelController, chooseProjection } from '../../../src/extension/panel/panelController';
import { unpackF32, unpackI32 } from '../../../src/shared/protocol';
import type { HostToWebview } from '../../../src/shared/protocol';
import { createFakeExplorer } from '../../e2e/fakeExplorer';

function harness(): { c: PanelController; sent: HostToWebview[]; logs: string[]; reveals: [string, number | undefined][] } {
  const sent: HostToWebview[] = [], logs: string[] = [], reveals: [string, number | undefined][] = [];
  const c = new PanelController({ post: (m) => sent.push(m), reveal: async (f, l) => { reveals.push([f, l]); }, pickSavePath: async () => undefined, writeFile: async () => undefined, log: (m) => logs.push(m) });
  return { c, sent, logs, reveals };
}

test('ready -> init carries the embedding, projection and suggested clusters', async () => {
  const { c, sent } = harness();
  c.setExplorer(createFakeExplorer(90, 5, 3));
  await c.handleRaw({ type: 'ready' });
  const init = sent.find((m) => m.type === 'init');
  assert.ok(init && init.type === 'init' && init.embedding && init.projection && init.clusters);
  assert.equal(unpackF32(init.embedding.latent).length, 90 * 2);
  assert.equal(unpackF32(init.projection.coords).length, 90 * 2);
  assert.equal(init.clusters.k, 3);
  assert.equal(unpackI32(init.clusters.assignments).length, 90);
  assert.deepEqual(init.embedding.labelNames, ['c0', 'c1', 'c2']);
});

test('malformed and out-of-range messages are dropped and logged, valid ones answered', async () => {
  const { c, sent, logs, reveals } = harness();
  c.setExplorer(createFakeExplorer(30, 4, 2));
  await c.handleRaw({ type: 'requestSample', requestId: 1, index: 30, purpose: 'inspect' });
  await c.handleRaw({ type: 'decodeLatent', requestId: 2, latent: [1, 2, 3] });
  await c.handleRaw('ready');
  assert.equal(sent.length, 0);
  assert.equal(logs.filter((l) => l.includes('dropped')).length, 3);
  await c.handleRaw({ type: 'requestSample', requestId: 4, index: 29, purpose: 'inspect' });
  await c.handleRaw({ type: 'decodeLatent', requestId: 5, latent: [0.5, -0.5] });
  await c.handleRaw({ type: 'reveal', index: 3 });
  const sample = sent.find((m) => m.type === 'sample');
  assert.ok(sample && sample.type === 'sample' && sample.requestId === 4 && sample.sample.original.length === 4);
  const decoded = sent.find((m) => m.type === 'decoded');
  assert.ok(decoded && decoded.type === 'decoded' && decoded.values.length === 4);
  assert.deepEqual(reveals, [['/tmp/fixture.csv', 5]]);
});

test('projection choice uses raw codes when they fit', () => {
  assert.deepEqual(chooseProjection(2, 3, 'umap'), { method: 'none', dims: 2 });
  assert.deepEqual(chooseProjection(3, 3, 'pca'), { method: 'none', dims: 3 });
  assert.deepEqual(chooseProjection(8, 2, 'none'), { method: 'pca', dims: 2 });
  assert.deepEqual(chooseProjection(8, 3, 'umap'), { method: 'umap', dims: 3 });
});
