import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_UI_STATE, MAX_LATENT_DIM, MAX_ROWS_REQUEST, WEBVIEW_MESSAGE_TYPES, parseWebviewMessage } from '../../../src/shared/protocol';
import type { ValidationLimits, WebviewToHost } from '../../../src/shared/protocol';
import { createRng } from '../../../src/common/random';

const limits: ValidationLimits = { n: 100, latentDim: 4, conditions: ['cat', 'dog'] };

/** One valid example of every message kind. */
const valid: WebviewToHost[] = [
  { type: 'ready' },
  { type: 'setProjection', method: 'umap', dims: 3 },
  { type: 'setK', k: 5 },
  { type: 'suggestK', kMin: 2, kMax: 8 },
  { type: 'setK', k: 10, method: 'umap-gmm' },
  { type: 'suggestK', kMin: 2, kMax: 30, method: 'kmeans' },
  { type: 'cancelAnalysis' },
  { type: 'clearScored' },
  { type: 'requestSample', requestId: 7, index: 99, purpose: 'hover' },
  { type: 'requestRows', requestId: 8, indices: [99, 0, 5] },
  { type: 'decodeLatent', requestId: 1, latent: [0.5, -1, 2, 0] },
  { type: 'interpolate', requestId: 3, a: 0, b: 42, steps: 10, mode: 'spherical' },
  { type: 'generate', requestId: 9, mode: 'grid', dimX: 0, dimY: 3, span: 2.5, steps: 16 },
  { type: 'generate', requestId: 10, mode: 'traversal', dim: 2, span: 3, steps: 7, base: 99 },
  { type: 'generate', requestId: 11, mode: 'prior', count: 64, seed: 0 },
  { type: 'generate', requestId: 12, mode: 'prior', count: 4, seed: 1, condition: 'dog' },
  { type: 'decodeLatent', requestId: 2, latent: [0, 0, 0, 1], condition: 'cat' },
  { type: 'corrupt', requestId: 13, index: 5, mode: 'mask', level: 0.25, seed: 3 },
  { type: 'corrupt', requestId: 14, index: 0, mode: 'noise', level: 1, seed: 0 },
  { type: 'reveal', index: 12 },
  { type: 'exportEmbeddings', format: 'tsv-projector' },
  { type: 'savePlot', format: 'png', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' },
  { type: 'savePlot', format: 'svg', dataUrl: 'data:image/svg+xml;charset=utf-8,%3Csvg%3E%3C%2Fsvg%3E' },
  { type: 'saveSelection', csv: 'index,error\n3,0.5\n' },
  { type: 'trainOnSelection', indices: [0, 3, 7] },
  { type: 'uiState', state: { ...DEFAULT_UI_STATE, modelDir: '/tmp/m', selection: [1, 2], k: 4 } },
  { type: 'anomalies', requestId: 15 },
  { type: 'anomalies', requestId: 16, method: 'knn', anomalyLabels: ['dog', 'cat'] },
  { type: 'uiState', state: { ...DEFAULT_UI_STATE, clusterMethod: 'hdbscan' } },
];

test('every valid message kind is accepted unchanged', () => {
  const kinds = new Set(valid.map((m) => m.type));
  assert.deepEqual([...kinds].sort(), [...WEBVIEW_MESSAGE_TYPES].sort(), 'fixture covers every message type');
  for (const m of valid) assert.deepEqual(parseWebviewMessage(structuredClone(m), limits), m, m.type);
});

test('non-objects, unknown types and extra keys are rejected', () => {
  for (const raw of [undefined, null, 0, 'ready', [], [{ type: 'ready' }], { type: 'nope' }, { type: 42 }, { type: 'ready', extra: 1 }, {}]) {
    assert.equal(parseWebviewMessage(raw, limits), undefined, JSON.stringify(raw));
  }
});

test('out-of-range indices and lengths are rejected', () => {
  const bad: unknown[] = [
    { type: 'requestSample', requestId: 1, index: 100, purpose: 'inspect' },
    { type: 'requestSample', requestId: 1, index: -1, purpose: 'inspect' },
    { type: 'requestSample', requestId: 1, index: 1.5, purpose: 'inspect' },
    { type: 'requestSample', requestId: -1, index: 1, purpose: 'inspect' },
    { type: 'reveal', index: 1e9 },
    { type: 'requestRows', requestId: 1, indices: [] },
    { type: 'requestRows', requestId: 1, indices: [100] },
    { type: 'requestRows', requestId: 1, indices: [1, 'a'] },
    { type: 'requestRows', requestId: 1, indices: new Array(MAX_ROWS_REQUEST + 1).fill(0) },
    { type: 'requestRows', requestId: 1, indices: [1], dim: 3 },
    { type: 'interpolate', requestId: 1, a: 0, b: 100, steps: 4, mode: 'linear' },
    { type: 'interpolate', requestId: 1, a: 0, b: 1, steps: 1, mode: 'linear' },
    { type: 'interpolate', requestId: 1, a: 0, b: 1, steps: 10_000, mode: 'linear' },
    { type: 'decodeLatent', requestId: 1, latent: [1, 2, 3] },
    { type: 'decodeLatent', requestId: 1, latent: [1, 2, 3, Number.NaN] },
    { type: 'decodeLatent', requestId: 1, latent: [1, 2, 3, Infinity] },
    { type: 'decodeLatent', requestId: 1, latent: new Array(MAX_LATENT_DIM + 1).fill(0) },
    { type: 'setK', k: 0 },
    { type: 'setK', k: 1000 },
    { type: 'suggestK', kMin: 5, kMax: 3 },
    { type: 'setK', k: 3, method: 'spectral' },
    { type: 'suggestK', kMin: 2, kMax: 3, method: 7 },
    { type: 'cancelAnalysis', now: true },
    { type: 'uiState', state: { ...DEFAULT_UI_STATE, clusterMethod: 'tsne' } },
    { type: 'setProjection', method: 'tsne', dims: 2 },
    { type: 'setProjection', method: 'pca', dims: 4 },
    { type: 'decodeLatent', requestId: 1, latent: [1, 2, 3, 4], condition: 'horse' },
    { type: 'generate', requestId: 1, mode: 'grid', dimX: 0, dimY: 1, span: 2, steps: 4, condition: 'x' },
    { type: 'corrupt', requestId: 1, index: 100, mode: 'mask', level: 0.5, seed: 0 },
    { type: 'corrupt', requestId: 1, index: 1, mode: 'blur', level: 0.5, seed: 0 },
    { type: 'corrupt', requestId: 1, index: 1, mode: 'noise', level: 1.5, seed: 0 },
    { type: 'savePlot', format: 'png', dataUrl: 'javascript:alert(1)' },
    { type: 'savePlot', format: 'png', dataUrl: 'data:image/svg+xml,<svg/>' },
    { type: 'exportEmbeddings', format: 'exe' },
    { type: 'saveSelection', csv: '' },
    { type: 'trainOnSelection', indices: [3, 3] },
    { type: 'trainOnSelection', indices: [1] },
    { type: 'trainOnSelection', indices: [1, 2.5] },
    { type: 'saveSelection', csv: 42 },
    { type: 'saveSelection', csv: 'a', path: '/etc/passwd' },
    { type: 'uiState', state: { ...DEFAULT_UI_STATE, selection: [100] } },
    { type: 'uiState', state: { ...DEFAULT_UI_STATE, selection: new Array(1000).fill(0) } },
    { type: 'uiState', state: { ...DEFAULT_UI_STATE, errorQuantile: 2 } },
    { type: 'uiState', state: { ...DEFAULT_UI_STATE, tab: 'evil' } },
  ];
  for (const raw of bad) assert.equal(parseWebviewMessage(raw, limits), undefined, JSON.stringify(raw).slice(0, 120));
});

/** Replaces one field of a valid message with a value of the wrong kind, or deletes it. */
const junk: unknown[] = [undefined, null, 'x', '', -1, 1e12, 0.5, Number.NaN, true, [], {}, [1, 'a'], { length: 3 }];

test('property: corrupting any field of any valid message is rejected (or still valid)', () => {
  const rand = createRng(1234);
  let rejected = 0;
  let checked = 0;
  for (let trial = 0; trial < 3000; trial++) {
    const base = valid[Math.floor(rand() * valid.length)];
    const keys = Object.keys(base).filter((k) => k !== 'type');
    if (!keys.length) continue;
    const copy = structuredClone(base) as Record<string, unknown>;
    const key = keys[Math.floor(rand() * keys.length)];
    const value = junk[Math.floor(rand() * junk.length)];
    if (value === undefined && rand() < 0.5) Reflect.deleteProperty(copy, key); else copy[key] = value;
    const parsed = parseWebviewMessage(copy, limits);
    checked++;
    if (parsed === undefined) { rejected++; continue; }
    // Anything accepted must be a fully well-formed message: re-parsing its own output is a fixed point.
    assert.deepEqual(parseWebviewMessage(structuredClone(parsed), limits), parsed);
    assert.equal(parsed.type, base.type);
  }
  assert.ok(checked > 2000);
  // Nearly everything is junk for every field; a handful of coincidences (e.g. -1 -> 0.5 errorQuantile) are allowed.
  assert.ok(rejected / checked > 0.9, `rejected ${rejected}/${checked}`);
});

test('property: corrupting the type string of a valid message is rejected', () => {
  const rand = createRng(99);
  for (let trial = 0; trial < 500; trial++) {
    const base = structuredClone(valid[Math.floor(rand() * valid.length)]) as Record<string, unknown>;
    const t = String(base.type);
    const pos = Math.floor(rand() * t.length);
    base.type = t.slice(0, pos) + String.fromCharCode(65 + Math.floor(rand() * 26)) + t.slice(pos + 1);
    if ((WEBVIEW_MESSAGE_TYPES as readonly string[]).includes(String(base.type))) continue;
    assert.equal(parseWebviewMessage(base, limits), undefined, String(base.type));
  }
});

test('returned messages are copies without prototype tricks', () => {
  const raw = JSON.parse('{"type":"reveal","index":3,"__proto__":{"polluted":true}}') as unknown;
  const m = parseWebviewMessage(raw, limits);
  // JSON.parse makes __proto__ an own key: it is an unknown field, so the message is rejected.
  assert.equal(m, undefined);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('generate requests are validated strictly', () => {
  const ok: unknown[] = [
    { type: 'generate', requestId: 1, mode: 'grid', dimX: 1, dimY: 0, span: 10, steps: 2, base: 0 },
    { type: 'generate', requestId: 1, mode: 'traversal', dim: 3, span: 0.1, steps: 16 },
    { type: 'generate', requestId: 1, mode: 'prior', count: 1, seed: 123 },
  ];
  for (const m of ok) assert.deepEqual(parseWebviewMessage(structuredClone(m), limits), m, JSON.stringify(m));
  const bad: unknown[] = [
    { type: 'generate', requestId: 1, mode: 'grid', dimX: 0, dimY: 4, span: 2, steps: 8 },
    { type: 'generate', requestId: 1, mode: 'grid', dimX: 1, dimY: 1, span: 2, steps: 8 },
    { type: 'generate', requestId: 1, mode: 'grid', dimX: 0, dimY: 1, span: 0, steps: 8 },
    { type: 'generate', requestId: 1, mode: 'grid', dimX: 0, dimY: 1, span: 10.5, steps: 8 },
    { type: 'generate', requestId: 1, mode: 'grid', dimX: 0, dimY: 1, span: Infinity, steps: 8 },
    { type: 'generate', requestId: 1, mode: 'grid', dimX: 0, dimY: 1, span: Number.NaN, steps: 8 },
    { type: 'generate', requestId: 1, mode: 'grid', dimX: 0, dimY: 1, span: 2, steps: 17 },
    { type: 'generate', requestId: 1, mode: 'grid', dimX: 0, dimY: 1, span: 2, steps: 1 },
    { type: 'generate', requestId: 1, mode: 'grid', dimX: 0, dimY: 1, span: 2, steps: 8, base: 100 },
    { type: 'generate', requestId: 1, mode: 'grid', dimX: 0, dimY: 1, span: 2, steps: 8, dim: 0 },
    { type: 'generate', requestId: 1, mode: 'traversal', dim: -1, span: 3, steps: 7 },
    { type: 'generate', requestId: 1, mode: 'traversal', dim: 0.5, span: 3, steps: 7 },
    { type: 'generate', requestId: 1, mode: 'traversal', dim: 0, span: -3, steps: 7 },
    { type: 'generate', requestId: 1, mode: 'traversal', dim: 0, span: 3, steps: '7' },
    { type: 'generate', requestId: 1, mode: 'prior', count: 0, seed: 0 },
    { type: 'generate', requestId: 1, mode: 'prior', count: 65, seed: 0 },
    { type: 'generate', requestId: 1, mode: 'prior', count: 4 },
    { type: 'generate', requestId: 1, mode: 'prior', count: 4, seed: 0, base: 1 },
    { type: 'generate', requestId: 1, mode: 'bogus', count: 4, seed: 0 },
    { type: 'generate', requestId: -1, mode: 'prior', count: 4, seed: 0 },
    { type: 'generate', mode: 'prior', count: 4, seed: 0 },
  ];
  for (const m of bad) assert.equal(parseWebviewMessage(m, limits), undefined, JSON.stringify(m));
});

test('anomalies requests: known score methods and bounded label lists only', () => {
  assert.equal(parseWebviewMessage({ type: 'anomalies', requestId: 1, method: 'nope' }), undefined);
  assert.equal(parseWebviewMessage({ type: 'anomalies', requestId: 1, anomalyLabels: 'dog' }), undefined);
  assert.equal(parseWebviewMessage({ type: 'anomalies', requestId: 1, anomalyLabels: [3] }), undefined);
  assert.equal(parseWebviewMessage({ type: 'anomalies', requestId: 1, anomalyLabels: Array.from({ length: 2000 }, (_, i) => String(i)) }), undefined);
  assert.equal(parseWebviewMessage({ type: 'anomalies', requestId: 1, anomalyLabels: ['x'.repeat(5000)] }), undefined);
  assert.deepEqual(parseWebviewMessage({ type: 'anomalies', requestId: 1, method: 'elbo' }), { type: 'anomalies', requestId: 1, method: 'elbo' });
});
