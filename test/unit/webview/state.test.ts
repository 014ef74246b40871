import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_UI_STATE } from '../../../src/shared/protocol';
import type { TrainProgress } from '../../../src/shared/protocol';
import { Store, describe, initialState, liveDescription, reduce, selectionAfterPick } from '../../../webview/state';
import type { PanelAction, PanelState } from '../../../webview/state';
import { clusters, init, stateAfter } from './fixtures';

const progress = (epoch: number, phase: 'batch' | 'epoch' = 'epoch'): TrainProgress => ({ phase, epoch, epochs: 3, batch: 1, batches: 1, loss: 1 / epoch, parts: {}, samplesPerSec: 5 });
const live = { epoch: 2, epochs: 5, total: 100, method: 'pca' as const, indices: Int32Array.from([0, 3]), coords: new Float32Array(4) };

test('saved UI state is restored when well-formed and ignored when not', () => {
  assert.equal(initialState({ ...DEFAULT_UI_STATE, tab: 'anomalies', k: 7 }).ui.tab, 'anomalies');
  assert.deepEqual(initialState({ ...DEFAULT_UI_STATE, tab: 'evil' }).ui, DEFAULT_UI_STATE);
  assert.deepEqual(initialState('junk').ui, DEFAULT_UI_STATE);
});

test('init with a model: model, k from the clusters, the CVAE condition, default anomaly labels, a stale selection dropped', () => {
  const before = reduce(initialState({ ...DEFAULT_UI_STATE, selection: [2, 40] }), { type: 'generateForm', patch: { condition: 'zebra' } });
  const s = reduce(before, { type: 'host', message: init({ clusters: clusters([0, 0, 1, 1, 2, 3]), info: { conditionClasses: ['cat', 'dog'], anomalyLabels: ['b'] } }) });
  assert.equal(s.model?.embedding.n, 6);
  assert.equal(s.ui.k, 4, 'k follows the clusters');
  assert.deepEqual(s.ui.selection, [2], 'indices beyond n are dropped, the rest kept');
  assert.equal(s.generate.condition, 'cat', 'an unknown condition falls back to the first class');
  assert.deepEqual(s.anomaly, { labels: ['b'] });
  assert.equal(s.training, 'done');
});

test('init: a colouring the model cannot show falls back to clusters; a VQ-VAE arriving colours by code once', () => {
  const byLabel = reduce(initialState({ ...DEFAULT_UI_STATE, colorBy: 'label' }), { type: 'host', message: init({ labels: false }) });
  assert.equal(byLabel.ui.colorBy, 'cluster');
  const vq = stateAfter(init({ codes: [0, 0, 1, 1, 2, 2] }));
  assert.equal(vq.ui.colorBy, 'code');
  // The user switches back; the same VQ model re-sent keeps their choice.
  const back = reduce(vq, { type: 'ui', patch: { colorBy: 'cluster' } });
  assert.equal(reduce(back, { type: 'host', message: init({ codes: [0, 0, 1, 1, 2, 2] }) }).ui.colorBy, 'cluster');
});

test('training: epoch events build the loss history, epoch 1 starts a new one; live frames end with the status', () => {
  let s = stateAfter(init());
  for (const e of [1, 2, 2, 3]) s = reduce(s, { type: 'host', message: { type: 'trainingProgress', progress: progress(e) } });
  assert.deepEqual(s.history.map((r) => r.epoch), [1, 2, 3]);
  s = reduce(s, { type: 'host', message: { type: 'trainingProgress', progress: progress(1, 'batch') } });
  assert.deepEqual(s.history.map((r) => r.epoch), [1, 2, 3], 'batch events leave the history alone');
  s = reduce(s, { type: 'host', message: { type: 'trainingProgress', progress: progress(1) } });
  assert.deepEqual(s.history.map((r) => r.epoch), [1]);
  assert.equal(s.training, 'training');
  s = reduce(s, { type: 'host', message: { type: 'trainingEmbedding', embedding: live } });
  assert.equal(s.live, live);
  // While live, a projection for the model is not applied (the scatter shows the frame).
  const projected = reduce(s, { type: 'host', message: { type: 'projection', projection: { method: 'pca', dims: 2, coords: new Float32Array(12) } } });
  assert.equal(projected, s);
  s = reduce(s, { type: 'host', message: { type: 'trainingStatus', status: 'failed' } });
  assert.equal(s.live, undefined);
  assert.equal(s.training, 'failed');
});

test('init while training (no model yet) keeps the live frame it carries', () => {
  const s = stateAfter({ type: 'init', history: [], training: 'training', uiState: DEFAULT_UI_STATE, live });
  assert.equal(s.model, undefined);
  assert.equal(s.live, live);
  assert.equal(describe(s), 'Training…');
  assert.equal(liveDescription(live), 'Live embedding · epoch 2/5 · 2 of 100 samples · PCA');
});

test('clusters reset the emphasis; analysis progress comes and goes', () => {
  let s = stateAfter(init({ clusters: clusters([0, 1, 0, 1, 0, 1]) }));
  s = reduce(s, { type: 'toggleEmphasis', cluster: 1 });
  assert.equal(s.emphasis, 1);
  assert.equal(reduce(s, { type: 'toggleEmphasis', cluster: 1 }).emphasis, undefined, 'a second click clears it');
  s = reduce(s, { type: 'host', message: { type: 'clusters', clusters: clusters([0, 0, 0, 1, 1, 1]) } });
  assert.equal(s.emphasis, undefined);
  s = reduce(s, { type: 'host', message: { type: 'analysisProgress', task: 'clusters', progress: { stage: 'layout', done: 1, total: 4 } } });
  assert.deepEqual(s.analysis, { task: 'clusters', progress: { stage: 'layout', done: 1, total: 4 } });
  s = reduce(s, { type: 'host', message: { type: 'analysisProgress', task: 'clusters' } });
  assert.equal(s.analysis, undefined);
});

test('selection: click picks A (newest first), shift-click sets B and keeps A', () => {
  assert.deepEqual(selectionAfterPick([], 4, false), [4]);
  assert.deepEqual(selectionAfterPick([4], 7, false), [7, 4]);
  assert.deepEqual(selectionAfterPick([7, 4], 4, false), [4, 7]);
  assert.deepEqual(selectionAfterPick([7, 4], 9, true), [7, 9]);
  assert.deepEqual(selectionAfterPick([], 9, true), [9]);
  assert.deepEqual(reduce(stateAfter(init()), { type: 'pick', index: 3, extend: false }).ui.selection, [3]);
});

test('anomalies: choice, request in flight, report (its method becomes the choice), failure', () => {
  let s = stateAfter(init());
  s = reduce(s, { type: 'anomalyChoice', labels: ['c'] });
  s = reduce(s, { type: 'anomalyRequested', key: 'k1' });
  assert.equal(s.anomaly.pending, 'k1');
  const report = { method: 'knn' as const, methods: ['knn' as const], defaultMethod: 'knn' as const, scores: new Float32Array(6), threshold: 1, targetFpr: 0.05, expectedFpr: 0.05, calibrationRows: 6, heldOut: false, flagged: 0 };
  const done = reduce(s, { type: 'anomalyReport', report });
  assert.deepEqual({ ...done.anomaly, report: undefined }, { labels: ['c'], method: 'knn', report: undefined });
  assert.equal(reduce(s, { type: 'anomalyFailed' }).anomaly.pending, undefined);
});

test('describe says what is shown', () => {
  assert.equal(describe(initialState(undefined)), 'Waiting for a model…');
  assert.equal(describe(stateAfter(init({ codes: [0, 0, 1, 1, 1, 1], info: { modelKind: 'vqvae', codebookSize: 8 } }))), 'd.csv · 6 samples · vqvae AE, latent 2 · 2/8 codes used · latent space 2D · cpu');
});

test('the store notifies after real changes only, with the action and both states', () => {
  const seen: [PanelState, PanelState, PanelAction][] = [];
  const store = new Store(stateAfter(init()), (next, prev, action) => seen.push([next, prev, action]));
  store.dispatch({ type: 'host', message: { type: 'saved', files: ['x'] } });
  assert.equal(seen.length, 0);
  const before = store.state;
  store.dispatch({ type: 'ui', patch: { tab: 'clusters' } });
  assert.equal(seen.length, 1);
  assert.equal(seen[0][1], before);
  assert.equal(seen[0][0].ui.tab, 'clusters');
  assert.equal(before.ui.tab, 'point', 'the previous state is not mutated');
});

test('another model takes the host\'s state whole: no selection or k suggestion of the old one; the pane layout stays', () => {
  const first = stateAfter(init(), { type: 'kSuggestion', suggestion: { ks: [2, 3], inertias: [2, 1], silhouettes: [0.1, 0.3], best: 3 } });
  const picked = reduce(reduce(first, { type: 'pick', index: 4, extend: false }), { type: 'ui', patch: { sideWidth: 500 } });
  const same = reduce(picked, { type: 'host', message: init() });
  assert.deepEqual(same.ui.selection, [4], 'the same model again keeps the selection');
  const other = init({ info: { datasetPath: '/other.csv' } });
  const next = reduce(picked, { type: 'host', message: { ...other, uiState: { ...DEFAULT_UI_STATE, k: 2 } } });
  assert.deepEqual(next.ui.selection, []);
  assert.equal(next.ui.k, next.model?.clusters?.k ?? 2);
  assert.equal(next.kSuggestion, undefined);
  assert.equal(next.ui.sideWidth, 500);
});
