import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_UI_STATE, HOST_MESSAGE_TYPES, parseHostMessage } from '../../../src/shared/protocol';
import type { HostToWebview } from '../../../src/shared/protocol';
import { createRng } from '../../../src/common/random';

const info = {
  datasetName: 'd.csv', datasetPath: '/d.csv', format: 'csv', kind: 'table', n: 3, dim: 2, sampleShape: [2], columns: ['a', 'b'], backend: 'cpu',
  modelKind: 'dense', latentDim: 2, hasPrior: false, anomalyLabels: [],
} as const;

/** One valid example of every host message kind. */
const valid: HostToWebview[] = [
  {
    type: 'init', info: { ...info, sampleShape: [2], columns: ['a', 'b'], anomalyLabels: [], classNames: { x: 'Ex' } },
    embedding: {
      n: 3, latentDim: 2, latent: new Float32Array(6), errors: new Float32Array(3), labelNames: ['x'], labelCodes: new Int32Array(3),
      metadata: [{ name: 'id', role: 'id', kind: 'number', values: Float32Array.from([1, 2, NaN]) }, { name: 'note', role: 'dropped', kind: 'category', categories: ['a', 'b'], codes: Int32Array.from([0, -1, 1]) }],
    },
    projection: { method: 'none', dims: 2, coords: new Float32Array(6) },
    clusters: { k: 1, assignments: new Int32Array(3), centroids: new Float32Array(2), sizes: [3], nearest: [[0, 1]], decodedCentroids: new Float32Array(2), inertia: 1, method: 'kmeans' },
    history: [{ epoch: 1, loss: 0.5, parts: { recon: 0.5 }, seconds: 1 }], training: 'done', uiState: { ...DEFAULT_UI_STATE },
  },
  { type: 'trainingProgress', progress: { phase: 'batch', epoch: 1, epochs: 2, batch: 3, batches: 9, loss: 1, parts: {}, samplesPerSec: 10 } },
  { type: 'trainingEmbedding', embedding: { epoch: 1, epochs: 2, total: 10, indices: Int32Array.from([0, 4]), coords: new Float32Array(4), method: 'pca' } },
  { type: 'trainingStatus', status: 'failed', message: 'boom' },
  { type: 'projection', projection: { method: 'pca', dims: 3, coords: new Float32Array(9), explainedVariance: [0.5, 0.2, 0.1] } },
  { type: 'clusters', clusters: { k: 0, assignments: Int32Array.from([-1]), centroids: new Float32Array(0), sizes: [], nearest: [], decodedCentroids: new Float32Array(0), inertia: 0, noise: 1 } },
  { type: 'kSuggestion', suggestion: { ks: [2, 3], inertias: [2, 1], silhouettes: [0.5, 0.4], best: 2, space: 'umap' } },
  { type: 'analysisProgress', task: 'projection', progress: { stage: 'layout', done: 3, total: 10 } },
  { type: 'sample', requestId: 1, purpose: 'inspect', sample: { index: 0, original: new Float32Array(2), reconstruction: new Float32Array(2), error: 0.1, latent: new Float32Array(2), file: '/d.csv', line: 2 } },
  { type: 'decoded', requestId: 2, latent: [0, 1], values: new Float32Array(2) },
  { type: 'rows', requestId: 9, indices: [2, 0], values: new Float32Array(4) },
  { type: 'interpolation', requestId: 3, a: 0, b: 1, steps: 4, mode: 'linear', decoded: new Float32Array(8), latent: new Float32Array(8) },
  { type: 'generated', requestId: 4, mode: 'grid', rows: 2, cols: 2, latent: new Float32Array(8), decoded: new Float32Array(8) },
  { type: 'corrupted', requestId: 5, index: 1, mode: 'mask', level: 0.5, corrupted: new Float32Array(2), reconstruction: new Float32Array(2), error: 0.2 },
  {
    type: 'anomalies', requestId: 6, report: {
      method: 'mse', methods: ['mse', 'knn'], defaultMethod: 'knn', scores: new Float32Array(3), threshold: 1, targetFpr: 0.05, expectedFpr: 0.04,
      calibrationRows: 3, heldOut: true, flagged: 0,
    },
  },
  {
    type: 'anomalies', requestId: 8, report: {
      method: 'mse', methods: ['mse'], defaultMethod: 'mse', scores: new Float32Array([0, 2, 0]), threshold: 1, targetFpr: 0.05, expectedFpr: 0.04,
      calibrationRows: 3, heldOut: false, flagged: 1,
      timeline: { rowScores: new Float32Array(12), events: [{ rank: 1, startRow: 4, endRow: 8, firstWindow: 1, lastWindow: 1, windows: 1, peakWindow: 1, score: 2 }] },
    },
  },
  { type: 'saved', files: ['/a.csv'] },
  { type: 'scored', scored: { name: 'new.csv', n: 2, dims: 2, coords: new Float32Array(4), scores: Float32Array.from([0.1, 3]), threshold: 1, method: 'mse' } },
  { type: 'scored' },
  { type: 'error', message: 'no', requestId: 7 },
];

test('every valid host message kind passes the webview\'s check', () => {
  assert.deepEqual([...new Set(valid.map((m) => m.type))].sort(), [...HOST_MESSAGE_TYPES].sort(), 'fixture covers every message type');
  for (const m of valid) assert.equal(parseHostMessage(m), m, m.type);
  // Structured clone (what postMessage does) keeps typed arrays typed.
  for (const m of valid) assert.deepEqual(parseHostMessage(structuredClone(m)), m, `${m.type} after structured clone`);
});

test('host messages with the wrong kinds, lengths or keys are refused', () => {
  const [init] = valid;
  assert.ok(init.type === 'init' && init.embedding);
  const bad: unknown[] = [
    undefined, null, 'init', { type: 'nope' }, { type: 'saved' }, { type: 'saved', files: [1] }, { type: 'saved', files: [], extra: true },
    // bulk arrays must be typed arrays of the right kind and length
    { ...init, embedding: { ...init.embedding, latent: Array.from(init.embedding.latent) } },
    { ...init, embedding: { ...init.embedding, latent: new Float32Array(5) } },
    { ...init, embedding: { ...init.embedding, labelCodes: new Float32Array(3) } },
    { ...init, embedding: { ...init.embedding, labelCodes: undefined } },
    { ...init, embedding: { ...init.embedding, metadata: [{ name: 'id', role: 'id', kind: 'number', values: new Float32Array(2) }] } },
    { ...init, embedding: { ...init.embedding, metadata: [{ name: 'n', role: 'dropped', kind: 'category', categories: ['a'], codes: Int32Array.from([0, 1, 0]) }] } },
    { ...init, embedding: { ...init.embedding, metadata: [{ name: 'n', role: 'feature', kind: 'category', categories: ['a'], codes: new Int32Array(3) }] } },
    { ...init, embedding: { ...init.embedding, metadata: [{ name: 'n', role: 'id', kind: 'number', values: [1, 2, 3] }] } },
    { ...init, projection: { method: 'pca', dims: 3, coords: new Float32Array(4) } },
    { ...init, uiState: { ...DEFAULT_UI_STATE, tab: 'evil' } },
    { ...init, training: 'maybe' },
    { ...init, info: { ...init.info, classNames: { x: 1 } } },
    { ...init, info: { ...init.info, classNames: ['Ex'] } },
    { type: 'generated', requestId: 4, mode: 'grid', rows: 2, cols: 2, latent: new Float32Array(7), decoded: new Float32Array(8) },
    { type: 'decoded', requestId: -1, latent: [0], values: new Float32Array(1) },
    { type: 'scored', scored: { name: 'new.csv', n: 2, dims: 2, coords: new Float32Array(3), scores: new Float32Array(2), threshold: 1, method: 'mse' } },
    { type: 'scored', scored: { name: 'new.csv', n: 2, dims: 2, coords: new Float32Array(4), scores: new Float32Array(1), threshold: 1, method: 'mse' } },
    { type: 'scored', scored: { name: 'new.csv', n: 2, dims: 2, coords: new Float32Array(4), scores: new Float32Array(2), threshold: 1, method: 'magic' } },
    { type: 'rows', requestId: 9, indices: [2, 0], values: new Float32Array(3) },
    { type: 'rows', requestId: 9, indices: [], values: new Float32Array(0) },
    { type: 'rows', requestId: 9, indices: [0], values: [1, 2] },
    { type: 'sample', requestId: 1, purpose: 'inspect', sample: { index: 0, original: [1, 2], reconstruction: new Float32Array(2), error: 0, latent: new Float32Array(2), file: 'f' } },
    { type: 'clusters', clusters: { k: 2, assignments: new Int32Array(1), centroids: new Float32Array(0), sizes: [1], nearest: [[0]], decodedCentroids: new Float32Array(0), inertia: 0 } },
    { type: 'anomalies', requestId: 6, report: { method: 'nope' } },
    {
      type: 'anomalies', requestId: 6, report: {
        method: 'mse', methods: ['mse'], defaultMethod: 'mse', scores: new Float32Array(3), threshold: 1, targetFpr: 0.05, expectedFpr: 0.04,
        calibrationRows: 3, heldOut: false, flagged: 0, timeline: { rowScores: new Float32Array(3), events: [{ rank: 0, startRow: -1 }] },
      },
    },
  ];
  for (const raw of bad) assert.equal(parseHostMessage(raw), undefined, JSON.stringify(raw ?? null).slice(0, 100));
});

test('property: replacing any top-level field of a valid host message with junk is refused (or still well-formed)', () => {
  const rand = createRng(7);
  const junk: unknown[] = [undefined, null, 'x', -1, 0.5, Number.NaN, true, [], {}, new Float32Array(1), new Int32Array(2)];
  let rejected = 0;
  let checked = 0;
  for (let trial = 0; trial < 2000; trial++) {
    const base = valid[Math.floor(rand() * valid.length)];
    const keys = Object.keys(base).filter((k) => k !== 'type');
    const copy = { ...base } as Record<string, unknown>;
    copy[keys[Math.floor(rand() * keys.length)]] = junk[Math.floor(rand() * junk.length)];
    checked++;
    const parsed = parseHostMessage(copy);
    if (parsed === undefined) rejected++;
    else assert.equal(parsed.type, base.type);
  }
  // Optional fields legitimately accept `undefined`; everything else must go.
  assert.ok(rejected / checked > 0.85, `rejected ${rejected}/${checked}`);
});
