import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_UI_STATE, K_CURVE_RANGE, parseWebviewMessage } from '../../../src/shared/protocol';
import type { AnomalyPayload } from '../../../src/shared/protocol';
import { anomalyKey, evaluationText, histogramSample, reportIsCurrent, thresholdText, topAnomalies } from '../../../webview/tabs/anomalies';
import { clampK, clusterSummary, kCurveTitle, kMax, methodFindsK, progressText } from '../../../webview/tabs/clusters';
import { clampSteps, endpointsText, interpolationRequest, pathCaption } from '../../../webview/tabs/interpolate';
import { clampLevel, clusterLine, codeText, corruptionCaption, pointHint, sampleHeading, sampleSource } from '../../../webview/tabs/point';
import { LOSS_CHART_INTERVAL_MS, chartDue, lossChart, trainingInfo, trainingStatusLine } from '../../../webview/tabs/training';
import { colorOptions, kHint } from '../../../webview/toolbar';
import { imagePixels, isImage, isSequence } from '../../../webview/sampleViews';
import { initialState } from '../../../webview/state';
import { clusters, info, init, stateAfter } from './fixtures';

const report = (patch: Partial<AnomalyPayload> = {}): AnomalyPayload => ({
  method: 'knn', methods: ['mse', 'knn'], defaultMethod: 'knn', scores: Float32Array.from([0.1, 3, 0.2, 3, 9]), threshold: 2.5, targetFpr: 0.05, expectedFpr: 0.048,
  calibrationRows: 120, heldOut: true, flagged: 3, ...patch,
});

test('every webview module but the bootstrap loads without a DOM (no effects at import)', async () => {
  assert.equal(typeof (globalThis as { document?: unknown }).document, 'undefined');
  const dir = resolve('webview');
  const files = [...readdirSync(dir).map((f) => join(dir, f)), ...readdirSync(join(dir, 'tabs')).map((f) => join(dir, 'tabs', f))]
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('main.ts'));
  assert.ok(files.length >= 15, `${files.length} modules`);
  for (const f of files) await import(f);
});

test('point tab: heading, source, cluster line, corruption level and caption', () => {
  const s = { index: 4, original: new Float32Array(3), reconstruction: new Float32Array(3), error: 0.012345, latent: Float32Array.from([0.5, -1]), label: 'cat', file: '/data/x/pets.csv', line: 6 };
  assert.equal(sampleHeading(s), 'Sample #4 · cat');
  assert.equal(sampleSource(s), 'reconstruction error 0.01235 · pets.csv:6');
  assert.equal(sampleSource({ ...s, file: 'C:\\data\\img.png', line: undefined }), 'reconstruction error 0.01235 · img.png');
  assert.equal(codeText(s.latent), 'z = [0.500, -1.000]');
  const c = { ...clusters([0, 1, -1]), probabilities: Float32Array.from([0.9, 0.25, 0]) };
  assert.equal(clusterLine(c, 1), 'cluster 1 · probability 0.250');
  assert.equal(clusterLine(c, 2), 'cluster: noise');
  assert.equal(clusterLine(c, 5), undefined);
  assert.equal(clusterLine(undefined, 0), undefined);
  assert.equal(clampLevel('1.5', 0.25), 1);
  assert.equal(clampLevel('abc', 0.25), 0.25);
  assert.equal(corruptionCaption('mask', 0.25, 0.5), '25% masked · error of the reconstruction vs the clean sample 0.500');
  assert.equal(corruptionCaption('noise', 0.3, 0.5), 'noise σ = 0.3 · error of the reconstruction vs the clean sample 0.500');
  assert.match(pointHint(info()), /empty space/);
  assert.doesNotMatch(pointHint(info({ latentDim: 3 })), /empty space/);
});

test('interpolate tab: a request only with both endpoints, valid for the host; steps clamped', () => {
  assert.equal(interpolationRequest({ ...DEFAULT_UI_STATE, selection: [3] }), undefined);
  const r = interpolationRequest({ ...DEFAULT_UI_STATE, selection: [3, 5], interpolationSteps: 12, interpolationMode: 'spherical' });
  assert.deepEqual(r, { type: 'interpolate', a: 3, b: 5, steps: 12, mode: 'spherical' });
  assert.ok(parseWebviewMessage({ ...r, requestId: 1 }, { n: 6 }));
  assert.equal(clampSteps('100'), 32);
  assert.equal(clampSteps('1'), 2);
  assert.equal(clampSteps(''), 8);
  assert.equal(endpointsText([3]), 'A: #3   B: —');
  assert.equal(pathCaption(3, 5, 'linear', 8), '#3 → #5, linear, 8 steps');
});

test('clusters tab: k range, density methods, progress, summary and k-curve title', () => {
  assert.equal(kMax(1000), K_CURVE_RANGE[1]);
  assert.equal(kMax(5), 4);
  assert.equal(kMax(2), 2);
  assert.equal(clampK('50', 30), 30);
  assert.equal(clampK('nope', 30), 2);
  assert.ok(methodFindsK('hdbscan') && !methodFindsK('umap-gmm'));
  assert.equal(progressText('projection', { stage: 'layout', done: 120, total: 200 }), 'UMAP view: layout 120/200 (60%)');
  assert.equal(progressText('clusters', { stage: 'cluster', done: 0, total: 0 }), 'Clustering: clustering 0/0');
  assert.equal(clusterSummary({ ...clusters([0, 1, -1]), method: 'hdbscan', noise: 1 }), '2 clusters (hdbscan), 1 noise points. Click a cluster to highlight it.');
  assert.equal(kCurveTitle({ ks: [2, 3], inertias: [2, 1], silhouettes: [0.4, 0.5], best: 3, elbow: 2, space: 'umap' }), 'silhouette / elbow (UMAP space): best k = 3, elbow k = 2');
});

test('anomalies tab: request key, whether the report answers the choice, texts, top list, histogram thinning', () => {
  assert.equal(anomalyKey({ labels: ['a', 'b'] }), anomalyKey({ labels: ['a', 'b'] }));
  assert.notEqual(anomalyKey({ labels: ['a'], method: 'knn' }), anomalyKey({ labels: ['a'] }));
  assert.equal(reportIsCurrent({ labels: [] }), false);
  assert.equal(reportIsCurrent({ labels: [], report: report() }), true, 'no method chosen: any method answers');
  assert.equal(reportIsCurrent({ labels: [], method: 'mse', report: report() }), false);
  const ev = { anomalyLabels: ['b'], positives: 2, negatives: 3, truePositives: 2, falsePositives: 1, precision: 2 / 3, recall: 1, falsePositiveRate: 1 / 3, auroc: 0.9, roc: { fpr: [0, 1], tpr: [0, 1] } };
  assert.equal(reportIsCurrent({ labels: ['b'], report: report({ evaluation: ev }) }), true);
  assert.equal(reportIsCurrent({ labels: ['c'], report: report({ evaluation: ev }) }), false);
  assert.equal(thresholdText(report()), 'threshold 2.500: expected false-positive rate 4.8% (set for 5.0% on 120 held-out validation rows); flags 3 of 5');
  assert.equal(evaluationText(ev), 'label "b" as anomaly (2): precision 0.667, recall 1.000, false-positive rate 0.333, AUROC 0.900');
  assert.deepEqual(topAnomalies(report().scores, 3), [4, 1, 3]);
  assert.equal(histogramSample(new Float32Array(10), 4).length, 4);
  assert.equal(histogramSample(new Float32Array(10)).length, 10);
});

test('training tab: progress line, status line, loss traces and stage marks', () => {
  const s = stateAfter(init());
  assert.equal(trainingInfo(s), 'done · 1 epochs, final loss 1.000');
  const p = { phase: 'batch' as const, epoch: 2, epochs: 5, batch: 3, batches: 9, loss: 0.01234, parts: {}, samplesPerSec: 811.6, stage: 'fine-tune' };
  assert.equal(trainingInfo({ ...s, training: 'training', progress: p }), 'training (fine-tune): epoch 2/5, batch 3/9, loss 0.01234, 812 samples/s');
  assert.equal(trainingInfo(initialState(undefined)), 'idle');
  assert.equal(trainingStatusLine(p, undefined), 'Training: epoch 2/5, loss 0.01234');
  assert.equal(trainingStatusLine(p, 'model'), 'model · training epoch 2/5…');
  const history = [
    { epoch: 1, loss: 1, parts: { recon: 0.8, kl: 0.2 }, seconds: 1, stage: 'pretrain layer 1' },
    { epoch: 2, loss: 0.5, valLoss: 0.6, parts: { recon: 0.4, kl: 0.1 }, seconds: 1, stage: 'pretrain layer 1' },
    { epoch: 3, loss: 0.4, parts: { recon: 0.3, kl: 0.1 }, seconds: 1, stage: 'fine-tune' },
  ];
  const chart = lossChart(history, { accent: '#00f', palette: ['a', 'b', 'c', 'd'] });
  assert.deepEqual(chart.traces.map((t) => t.name), ['loss', 'val loss', 'recon', 'kl']);
  assert.deepEqual(chart.traces[1].y, [null, 0.6, null]);
  assert.deepEqual(chart.stages, [{ epoch: 1, name: 'pretrain layer 1' }, { epoch: 3, name: 'fine-tune' }]);
  assert.deepEqual(lossChart([], { accent: '#00f', palette: [] }).traces.length, 1);
});

test('toolbar and sample views: colourings offered, k hint, sample kinds, image pixels', () => {
  const m = stateAfter(init({ codes: [0, 0, 0, 0, 0, 0], info: { labelName: 'species' } })).model;
  assert.ok(m);
  assert.deepEqual(colorOptions(m), [['cluster', 'Colour: cluster'], ['label', 'Colour: species'], ['error', 'Colour: recon. error'], ['code', 'Colour: VQ code']]);
  assert.equal(kHint(undefined), '');
  assert.equal(kHint({ ks: [2], inertias: [1], silhouettes: [1], best: 2 }), 'best silhouette: k = 2');
  assert.ok(isImage(info({ kind: 'image', sampleShape: [2, 2, 1] })));
  assert.ok(!isImage(info({ kind: 'image', sampleShape: [2, 2, 4] })));
  assert.ok(isSequence(info({ kind: 'sequence', sampleShape: [8, 2] })));
  assert.ok(!isSequence(info()));
  // A 1x2 grey image scaled by its own range; a 1x1 RGB image keeps its channels.
  assert.deepEqual(Array.from(imagePixels([2, 4], [1, 2, 1])), [0, 0, 0, 255, 255, 255, 255, 255]);
  assert.deepEqual(Array.from(imagePixels([0, 1, 0.5], [1, 1, 3])), [0, 255, 128, 255]);
  assert.equal(stateAfter(init({ clusters: clusters([0, 1, 0, 1, 0, 1]) })).ui.k, 2);
});

test('training tab: the loss chart redraws for a new epoch, at most once a second while training', () => {
  const h1 = [{ epoch: 1, loss: 1, parts: {}, seconds: 0 }];
  const h2 = [...h1, { epoch: 2, loss: 0.5, parts: {}, seconds: 0 }];
  assert.equal(chartDue(undefined, h1, true, 0), 'now');
  // Progress within an epoch keeps the history array: nothing to redraw.
  assert.equal(chartDue({ history: h1, at: 0 }, h1, true, 5000), 'skip');
  assert.equal(chartDue({ history: h1, at: 1000 }, h2, true, 1200), LOSS_CHART_INTERVAL_MS - 200);
  assert.equal(chartDue({ history: h1, at: 1000 }, h2, true, 1000 + LOSS_CHART_INTERVAL_MS), 'now');
  // Once training ends the last curve is drawn at once.
  assert.equal(chartDue({ history: h1, at: 1000 }, h2, false, 1200), 'now');
});
