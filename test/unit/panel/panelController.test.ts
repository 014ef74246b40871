import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PanelController, chooseProjection } from '../../../src/extension/panel/panelController';
import { latentGrid } from '../../../src/core/analysis/latentOps';
import { linspace } from '../../../src/core/analysis/generate';
import { parseHostMessage } from '../../../src/shared/protocol';
import type { HostToWebview } from '../../../src/shared/protocol';
import { createFakeExplorer } from '../../e2e/fakeExplorer';
import { DEFAULT_CLUSTER_METHOD } from '../../../src/common/clusterMethods';

function harness(): { c: PanelController; sent: HostToWebview[]; logs: string[]; reveals: [string, number | undefined][] } {
  const sent: HostToWebview[] = [], logs: string[] = [], reveals: [string, number | undefined][] = [];
  // Every message the host sends passes the webview's own check.
  const post = (m: HostToWebview): void => { assert.equal(parseHostMessage(m), m, `${m.type} is well-formed`); sent.push(m); };
  const c = new PanelController({ post, reveal: async (f, l) => { reveals.push([f, l]); }, pickSavePath: async () => undefined, writeFile: async () => undefined, log: (m) => logs.push(m) });
  return { c, sent, logs, reveals };
}

test('ready -> init carries the embedding, projection and suggested clusters', async () => {
  const { c, sent } = harness();
  c.setExplorer(createFakeExplorer(90, 5, 3));
  await c.handleRaw({ type: 'ready' });
  const init = sent.find((m) => m.type === 'init');
  assert.ok(init && init.embedding && init.projection && init.clusters);
  assert.equal(init.embedding.latent.length, 90 * 2);
  assert.equal(init.projection.coords.length, 90 * 2);
  assert.equal(init.clusters.k, 3);
  assert.equal(init.clusters.assignments.length, 90);
  assert.deepEqual(init.embedding.labelNames, ['c0', 'c1', 'c2']);
  assert.ok(init.embedding.latent instanceof Float32Array && init.clusters.assignments instanceof Int32Array, 'bulk arrays travel as typed arrays');
  assert.deepEqual(init.info?.anomalyLabels, []);
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
  assert.ok(sample && sample.requestId === 4 && sample.sample.original.length === 4);
  const decoded = sent.find((m) => m.type === 'decoded');
  assert.ok(decoded && decoded.values.length === 4);
  assert.deepEqual(reveals, [['/tmp/fixture.csv', 5]]);
});

test('projection choice uses raw codes when they fit', () => {
  assert.deepEqual(chooseProjection(2, 3, 'umap'), { method: 'none', dims: 2 });
  assert.deepEqual(chooseProjection(3, 3, 'pca'), { method: 'none', dims: 3 });
  assert.deepEqual(chooseProjection(8, 2, 'none'), { method: 'pca', dims: 2 });
  assert.deepEqual(chooseProjection(8, 3, 'umap'), { method: 'umap', dims: 3 });
});

test('generate: a grid request answers steps*steps decoded rows at the latentGrid points', async () => {
  const { c, sent } = harness();
  const ex = createFakeExplorer(40, 6, 2);
  c.setExplorer(ex);
  await c.handleRaw({ type: 'generate', requestId: 8, mode: 'grid', dimX: 0, dimY: 1, span: 2, steps: 5, base: 3 });
  const g = sent.find((m) => m.type === 'generated');
  assert.ok(g && g.requestId === 8 && g.mode === 'grid' && g.rows === 5 && g.cols === 5);
  const latent = g.latent;
  const decoded = g.decoded;
  assert.equal(decoded.length, 5 * 5 * 6);
  const center = Float32Array.from((await ex.sample(3)).latent);
  assert.deepEqual(Array.from(latent), Array.from(latentGrid(center, 0, 1, 2, 5, 5)));
  assert.deepEqual(Array.from(decoded), Array.from(await ex.decode(latent, 25)));
});

test('generate: computed by the explorer, where the codes are; the host never pulls the embedding for it', async () => {
  const { c, sent } = harness();
  const ex = createFakeExplorer(40, 6, 2);
  let embeds = 0;
  c.setExplorer({ ...ex, embed: () => { embeds++; return ex.embed(); } });
  await c.handleRaw({ type: 'generate', requestId: 1, mode: 'grid', dimX: 0, dimY: 1, span: 2, steps: 4 });
  await c.handleRaw({ type: 'generate', requestId: 2, mode: 'traversal', dim: 0, span: 1, steps: 3, base: 5 });
  assert.equal(embeds, 0);
  const answers = sent.filter((m) => m.type === 'generated');
  assert.deepEqual(answers.map((m) => [m.requestId, m.rows, m.cols, m.decoded.length]), [[1, 4, 4, 16 * 6], [2, 1, 3, 3 * 6]]);
});

test('generate: traversal sweeps one dimension; prior needs a VAE', async () => {
  const { c, sent } = harness();
  c.setExplorer(createFakeExplorer(40, 6, 2));
  await c.handleRaw({ type: 'generate', requestId: 1, mode: 'traversal', dim: 1, span: 3, steps: 7 });
  const t = sent.find((m) => m.type === 'generated');
  assert.ok(t && t.rows * t.cols === 7);
  const lat = t.latent;
  assert.deepEqual(Array.from({ length: 7 }, (_, i) => lat[i * 2 + 1]), linspace(-3, 3, 7));
  assert.equal(t.decoded.length, 7 * 6);
  await c.handleRaw({ type: 'generate', requestId: 2, mode: 'prior', count: 4, seed: 0 });
  const err = sent.find((m) => m.type === 'error');
  assert.ok(err && err.requestId === 2 && /VAE/.test(err.message));
});

test('live embedding: frames are forwarded while training, replayed on ready, dropped when the model arrives', async () => {
  const { c, sent } = harness();
  const progress = { phase: 'epoch' as const, epoch: 1, epochs: 4, batch: 2, batches: 2, loss: 0.5, parts: {}, samplesPerSec: 100 };
  c.trainingProgress(progress);
  c.trainingEmbedding({
    epoch: 1, epochs: 4, total: 30, method: 'pca', indices: Int32Array.from([0, 2, 5]), coords: Float32Array.from([1, 2, 3, 4, 5, 6]),
    labelNames: ['a', 'b'], labelCodes: Int32Array.from([0, 1, 1]),
  });
  const frame = sent.find((m) => m.type === 'trainingEmbedding');
  assert.ok(frame);
  assert.deepEqual(Array.from(frame.embedding.coords), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(frame.embedding.indices), [0, 2, 5]);
  assert.deepEqual(Array.from(frame.embedding.labelCodes!), [0, 1, 1]);
  // a webview (re)created mid-training gets the latest frame with its init
  await c.handleRaw({ type: 'ready' });
  const init = sent.filter((m) => m.type === 'init').at(-1);
  assert.ok(init && init.training === 'training' && init.live?.epoch === 1);
  // the trained model replaces the live view
  c.setExplorer(createFakeExplorer(30, 4, 2));
  await new Promise((r) => setTimeout(r, 50));
  const last = sent.filter((m) => m.type === 'init').at(-1);
  assert.ok(last && last.embedding && last.live === undefined);
});

test('anomalies: the score, its threshold and, with anomaly labels, precision / recall and the ROC curve', async () => {
  const { c, sent } = harness();
  c.setExplorer(createFakeExplorer(60, 4, 3));
  await c.handleRaw({ type: 'anomalies', requestId: 3 });
  const plain = sent.find((m) => m.type === 'anomalies');
  assert.ok(plain && plain.requestId === 3);
  const scores = plain.report.scores;
  assert.equal(scores.length, 60);
  assert.equal(plain.report.flagged, Array.from(scores).filter((s) => s > plain.report.threshold).length);
  assert.equal(plain.report.evaluation, undefined);
  await c.handleRaw({ type: 'anomalies', requestId: 4, anomalyLabels: ['c1'] });
  const ev = sent.filter((m) => m.type === 'anomalies').at(-1);
  assert.ok(ev && ev.report.evaluation);
  assert.equal(ev.report.evaluation.positives, 20);
  assert.equal(ev.report.evaluation.roc.fpr[0], 0);
  assert.equal(ev.report.evaluation.roc.tpr.at(-1), 1);
});

test('setK forwards the clustering method; progress is posted; cancelAnalysis aborts the running call', async () => {
  const { c, sent } = harness();
  const ex = createFakeExplorer(30, 4, 2);
  const methods: (string | undefined)[] = [];
  const slow: typeof ex = {
    ...ex,
    cluster: (_k, _seed, options, control) => {
      methods.push(options?.method);
      control?.onProgress?.({ stage: 'layout', done: 3, total: 10 });
      return new Promise((_, reject) => control?.signal?.addEventListener('abort', () => reject(new Error('cancelled by the user'))));
    },
  };
  c.setExplorer(slow);
  const running = c.handleRaw({ type: 'setK', k: 4, method: 'hdbscan' });
  await new Promise((resolve) => setImmediate(resolve));
  await c.handleRaw({ type: 'cancelAnalysis' });
  await running;
  assert.deepEqual(methods, ['hdbscan']);
  assert.equal(c.state.clusterMethod, 'hdbscan');
  const progress = sent.filter((m) => m.type === 'analysisProgress');
  assert.ok(progress.length >= 2);
  assert.deepEqual(progress[0], { type: 'analysisProgress', task: 'clusters', progress: { stage: 'layout', done: 3, total: 10 } });
  assert.deepEqual(progress.at(-1), { type: 'analysisProgress', task: 'clusters' });
  const err = sent.find((m) => m.type === 'error');
  assert.ok(err && /cancelled/.test(err.message));
});

test('first init: k = number of label classes, clustered with the default method', async () => {
  const { c, sent } = harness();
  const ex = createFakeExplorer(90, 5, 3);
  const calls: { k: number; method?: string }[] = [];
  c.setExplorer({ ...ex, cluster: (k, seed, options, control) => { calls.push({ k, method: options?.method }); return ex.cluster(k, seed, options, control); } });
  await c.handleRaw({ type: 'ready' });
  assert.deepEqual(calls, [{ k: 3, method: DEFAULT_CLUSTER_METHOD }]);
  const init = sent.find((m) => m.type === 'init');
  assert.ok(init && init.uiState.clusterMethod === DEFAULT_CLUSTER_METHOD);
});

test('overlapping inits (a new model while the first init runs): one init, no error', async () => {
  const { c, sent } = harness();
  const slow = (seed: number): ReturnType<typeof createFakeExplorer> => {
    const ex = createFakeExplorer(60, 4, 3, seed);
    // Like the worker: long calls wait, then fail once their signal is aborted.
    const pause = async (control?: { signal?: AbortSignal }): Promise<void> => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (control?.signal?.aborted) throw new Error('This operation was aborted');
    };
    return {
      ...ex,
      project: async (method, dims, s, control) => { await pause(control); return ex.project(method, dims, s, control); },
      cluster: async (k, s, options, control) => { await pause(control); return ex.cluster(k, s, options, control); },
    };
  };
  c.setExplorer(slow(1));
  const first = c.handleRaw({ type: 'ready' });
  await new Promise((resolve) => setTimeout(resolve, 5));
  c.setExplorer(slow(2));
  await first;
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(sent.filter((m) => m.type === 'error').length, 0, JSON.stringify(sent.filter((m) => m.type === 'error')));
  assert.equal(sent.filter((m) => m.type === 'init').length, 1);
});

test('requestRows answers the original rows of the asked samples in one typed array, in the asked order', async () => {
  const { c, sent } = harness();
  const ex = createFakeExplorer(40, 6, 2);
  c.setExplorer(ex);
  await c.handleRaw({ type: 'requestRows', requestId: 3, indices: [7, 0, 39] });
  const reply = sent.find((m) => m.type === 'rows');
  assert.ok(reply && reply.requestId === 3 && reply.values instanceof Float32Array);
  assert.deepEqual(reply.indices, [7, 0, 39]);
  for (const [k, i] of [7, 0, 39].entries()) assert.deepEqual(reply.values.subarray(k * 6, k * 6 + 6), (await ex.sample(i)).original);
});

/** A fake explorer saved in `modelDir`. */
function savedModel(modelDir: string, n = 40): ReturnType<typeof createFakeExplorer> {
  const ex = createFakeExplorer(n, 6, 2);
  const info = ex.info();
  return Object.assign(Object.create(ex) as typeof ex, ex, { info: () => ({ ...info, modelDir }) });
}

test('scored data: drawn over its own model once the view is shown, placed in it, sent again after a projection, gone when cleared', async () => {
  const { c, sent } = harness();
  const ex = savedModel('/models/m1');
  const latent = Float32Array.from([0.5, -1, 2, 3, -4, 0]);
  const scored = { modelDir: '/models/m1/', datasetPath: '/data/new.csv', name: 'new.csv', latent, count: 3, scores: Float32Array.from([0.1, 5, 0.2]), threshold: 1, method: 'mse' as const };
  c.setExplorer(ex);
  c.showScored(scored);
  await new Promise((r) => setImmediate(r));
  assert.equal(sent.filter((m) => m.type === 'scored').length, 0, 'nothing before the webview shows the model');
  await c.handleRaw({ type: 'ready' });
  const types = sent.map((m) => m.type);
  assert.ok(types.indexOf('scored') > types.indexOf('init'), 'after init');
  const first = sent.find((m) => m.type === 'scored');
  assert.ok(first?.type === 'scored' && first.scored);
  assert.deepEqual(Array.from(first.scored.coords), Array.from(latent), 'placed by the explorer (the fake view is the codes)');
  assert.deepEqual(first.scored.scores, scored.scores);
  assert.equal(first.scored.dims, 2);
  await c.handleRaw({ type: 'setProjection', method: 'pca', dims: 2 });
  assert.equal(sent.filter((m) => m.type === 'scored').length, 2, 'placed again in the new view');
  await c.handleRaw({ type: 'clearScored' });
  await c.handleRaw({ type: 'setProjection', method: 'pca', dims: 2 });
  assert.equal(sent.filter((m) => m.type === 'scored').length, 2, 'cleared: not sent again');
});

test('scored data of another model waits for its model; a third model drops it', async () => {
  const { c, sent } = harness();
  c.setExplorer(savedModel('/models/other'));
  await c.handleRaw({ type: 'ready' });
  c.showScored({ modelDir: '/models/m1', datasetPath: '/d.csv', name: 'd.csv', latent: new Float32Array(2), count: 1, scores: new Float32Array(1), threshold: 1, method: 'mse' });
  await new Promise((r) => setImmediate(r));
  assert.equal(sent.filter((m) => m.type === 'scored').length, 0);
  // Its own model arrives: drawn then.
  c.setExplorer(savedModel('/models/m1'));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(sent.filter((m) => m.type === 'scored').length, 1);
  // A third model drops it: back on m1, it is not drawn again.
  c.setExplorer(savedModel('/models/m2'));
  await new Promise((r) => setTimeout(r, 20));
  c.setExplorer(savedModel('/models/m1'));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(sent.filter((m) => m.type === 'scored').length, 1, 'dropped when another model arrived');
});
