/**
 * A small, deterministic in-memory Explorer for driving the webview without training: `n` rows of `dim` features
 * around `k` planted centres, a fixed linear 2D "encoder" (z = W x) and its transpose as "decoder".
 * k-means is plain seeded Lloyd's. Used by the webview harness (test/e2e/webview.e2e.ts).
 */
import type { AnomalyReport, ClusterResult, CorruptionResult, EmbeddingResult, Explorer, ExplorerInfo, GenerateResult, KSuggestion, ProjectionResult, SampleDetail } from '../../src/core/explorer';
import { codeMoments, generatedCodes, meanCode } from '../../src/core/analysis/generate';
import { corruptSample } from '../../src/core/analysis/corruption';
import { percentile } from '../../src/core/analysis/anomaly';
import { evaluateAnomalies } from '../../src/core/analysis/anomalyReport';
import { createNormalRng, createRng } from '../../src/common/random';
import type { MetadataColumn } from '../../src/core/data/metadata';

/**
 * Which model the fake pretends to be: a dense AE on a table (default), a sequence AE on `[dim / 2, 2]` windows, a
 * VQ-VAE (codes = planted cluster) or a CVAE (conditions = the labels).
 */
export type FakeVariant = 'dense' | 'sequence' | 'vqvae' | 'cvae';

export function createFakeExplorer(n: number, dim: number, planted: number, seed = 1, file = '/tmp/fixture.csv', variant: FakeVariant = 'dense', images = false): Explorer {
  const normal = createNormalRng(seed);
  const centres = Array.from({ length: planted }, () => Array.from({ length: dim }, () => 6 * normal()));
  const x = new Float32Array(n * dim);
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % planted;
    labels.push(`c${c}`);
    for (let j = 0; j < dim; j++) x[i * dim + j] = centres[c][j] + normal();
  }
  const W = Array.from({ length: 2 }, () => Array.from({ length: dim }, () => normal() / Math.sqrt(dim)));
  const latent = new Float32Array(n * 2);
  const errors = new Float32Array(n);
  const decodeRow = (z: ArrayLike<number>, out: Float32Array, o: number): void => {
    for (let j = 0; j < dim; j++) out[o + j] = W[0][j] * z[0] + W[1][j] * z[1];
  };
  const recon = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 2; r++) { let s = 0; for (let j = 0; j < dim; j++) s += W[r][j] * x[i * dim + j]; latent[i * 2 + r] = s; }
    decodeRow(latent.subarray(i * 2, i * 2 + 2), recon, i * dim);
    let e = 0; for (let j = 0; j < dim; j++) e += (recon[i * dim + j] - x[i * dim + j]) ** 2;
    errors[i] = e / dim;
  }
  const kmeans = (k: number, s: number): ClusterResult => {
    const rand = createRng(s);
    const cent = new Float32Array(k * 2);
    for (let c = 0; c < k; c++) { const i = Math.floor(rand() * n); cent[c * 2] = latent[i * 2]; cent[c * 2 + 1] = latent[i * 2 + 1]; }
    const assign = new Int32Array(n);
    let inertia = 0;
    for (let it = 0; it < 30; it++) {
      inertia = 0;
      for (let i = 0; i < n; i++) {
        let best = 0, bd = Infinity;
        for (let c = 0; c < k; c++) { const d = (latent[i * 2] - cent[c * 2]) ** 2 + (latent[i * 2 + 1] - cent[c * 2 + 1]) ** 2; if (d < bd) { bd = d; best = c; } }
        assign[i] = best; inertia += bd;
      }
      const sum = new Float64Array(k * 2), cnt = new Int32Array(k);
      for (let i = 0; i < n; i++) { sum[assign[i] * 2] += latent[i * 2]; sum[assign[i] * 2 + 1] += latent[i * 2 + 1]; cnt[assign[i]]++; }
      for (let c = 0; c < k; c++) if (cnt[c]) { cent[c * 2] = sum[c * 2] / cnt[c]; cent[c * 2 + 1] = sum[c * 2 + 1] / cnt[c]; }
    }
    const sizes = Array.from({ length: k }, (_, c) => assign.filter((a) => a === c).length);
    const d2 = (i: number, c: number): number => (latent[i * 2] - cent[c * 2]) ** 2 + (latent[i * 2 + 1] - cent[c * 2 + 1]) ** 2;
    const nearest = Array.from({ length: k }, (_, c) => [...Array(n).keys()].filter((i) => assign[i] === c).sort((a, b) => d2(a, c) - d2(b, c)).slice(0, 10));
    const decodedCentroids = new Float32Array(k * dim);
    for (let c = 0; c < k; c++) decodeRow(cent.subarray(c * 2, c * 2 + 2), decodedCentroids, c * dim);
    return { k, assignments: assign, centroids: cent, inertia, sizes, nearest, decodedCentroids };
  };
  // `images`: each sample a 2 x dim/2 greyscale image, so the panel draws thumbnails and image grids.
  const sampleShape = variant === 'sequence' ? [dim / 2, 2] : images ? [2, dim / 2, 1] : [dim];
  const info: ExplorerInfo = {
    datasetName: 'planted.csv', datasetPath: file, format: 'csv', kind: variant === 'sequence' ? 'sequence' : images ? 'image' : 'table', n, dim, sampleShape,
    columns: Array.from({ length: dim }, (_, j) => `f${j}`), labelName: 'label',
    ...(variant === 'sequence' ? { warnings: ['column "time" used as the time, not a feature', 'dropped non-numeric column "note"'] } : {}),
    model: {
      kind: variant, inputDim: dim, sampleShape, latentDim: 2, hidden: [16], activation: 'relu', outputActivation: 'linear', seed,
      ...(variant === 'cvae' ? { conditionClasses: Array.from({ length: planted }, (_, c) => `c${c}`) } : {}),
      ...(variant === 'vqvae' ? { codebookSize: 8 } : {}),
    },
    backend: 'cpu', history: Array.from({ length: 12 }, (_, e) => ({ epoch: e + 1, loss: 2 * Math.exp(-e / 3) + 0.1, valLoss: 2.1 * Math.exp(-e / 3) + 0.12, parts: {}, seconds: 0.1 })),
  };
  // A table's non-feature columns: a row id and a text note (every fifth row "rare", the others "common").
  const metadata: MetadataColumn[] = [
    { name: 'row_id', role: 'id', kind: 'number', values: Float32Array.from({ length: n }, (_, i) => i + 1) },
    { name: 'note', role: 'dropped', kind: 'category', categories: ['common', 'rare'], codes: Int32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0)) },
  ];
  const decodeRows = (z: Float32Array, count: number): Float32Array => {
    const out = new Float32Array(count * dim);
    for (let r = 0; r < count; r++) decodeRow(z.subarray(r * 2, r * 2 + 2), out, r * dim);
    return out;
  };
  return {
    info: () => info,
    embed: async (): Promise<EmbeddingResult> => ({
      n, latentDim: 2, latent, errors, labels,
      ...(variant === 'vqvae' ? { codes: Int32Array.from({ length: n }, (_, i) => (i % planted) * 2) } : {}),
      ...(variant === 'dense' && !images ? { metadata } : {}),
    }),
    project: async (method, dims): Promise<ProjectionResult> => ({ method, dims, coords: latent.slice() }),
    cluster: async (k, s = 0): Promise<ClusterResult> => kmeans(k, s),
    suggestK: async (kMin, kMax): Promise<KSuggestion> => {
      const ks: number[] = [], inertias: number[] = [], silhouettes: number[] = [];
      for (let k = kMin; k <= kMax; k++) { ks.push(k); inertias.push(kmeans(k, 3).inertia); silhouettes.push(k === planted ? 0.8 : 0.5 - 0.02 * Math.abs(k - planted)); }
      return { ks, inertias, silhouettes, best: planted };
    },
    sample: async (index): Promise<SampleDetail> => ({
      index, original: x.slice(index * dim, (index + 1) * dim), reconstruction: recon.slice(index * dim, (index + 1) * dim), error: errors[index],
      latent: latent.slice(index * 2, index * 2 + 2), label: labels[index], ref: { file, index, line: index + 2 },
    }),
    // The fake's view is its 2D codes themselves: a new code is placed where it is.
    placeCodes: async (z, count): Promise<Float32Array> => z.slice(0, count * 2),
    rows: async (indices): Promise<Float32Array> => {
      const out = new Float32Array(indices.length * dim);
      indices.forEach((i, k) => { out.set(x.subarray(i * dim, (i + 1) * dim), k * dim); });
      return out;
    },
    decode: async (z, count): Promise<Float32Array> => decodeRows(z, count),
    generate: async (request): Promise<GenerateResult> => {
      const codes = generatedCodes(request, info.model, (base) => (base === undefined ? meanCode(latent, n, 2) : latent.slice(base * 2, base * 2 + 2)), () => codeMoments(latent, n, 2));
      return { mode: request.mode, ...codes, decoded: decodeRows(codes.latent, codes.rows * codes.cols) };
    },
    interpolate: async (a, b, steps): Promise<{ latent: Float32Array; decoded: Float32Array }> => {
      const lat = new Float32Array(steps * 2), dec = new Float32Array(steps * dim);
      for (let s = 0; s < steps; s++) {
        const t = s / (steps - 1);
        for (let r = 0; r < 2; r++) lat[s * 2 + r] = (1 - t) * latent[a * 2 + r] + t * latent[b * 2 + r];
        decodeRow(lat.subarray(s * 2, s * 2 + 2), dec, s * dim);
      }
      return { latent: lat, decoded: dec };
    },
    corrupt: async (index, mode, level, s): Promise<CorruptionResult> => {
      const corrupted = corruptSample(x.subarray(index * dim, (index + 1) * dim), [dim], mode, level, s);
      const z = [0, 1].map((r) => W[r].reduce((acc, w, j) => acc + w * corrupted[j], 0));
      const reconstruction = new Float32Array(dim);
      decodeRow(z, reconstruction, 0);
      const error = reconstruction.reduce((acc, v, j) => acc + (v - x[index * dim + j]) ** 2, 0) / dim;
      return { corrupted, reconstruction, error };
    },
    exportEmbeddings: async (path): Promise<string[]> => [path],
    anomalies: async (_method, anomalyLabels): Promise<AnomalyReport> => {
      // The fake has one score (its reconstruction error) and a threshold at the errors' 95th percentile.
      const threshold = percentile(errors, 95);
      const flagged = errors.reduce((c, e) => c + (e > threshold ? 1 : 0), 0);
      return {
        method: 'mse', methods: ['mse'], defaultMethod: 'mse', scores: errors, threshold, targetFpr: 0.05, expectedFpr: flagged / n, calibrationRows: n, heldOut: false, flagged,
        ...(anomalyLabels?.length ? { evaluation: evaluateAnomalies(errors, labels, anomalyLabels, threshold) } : {}),
      };
    },
    dispose: (): void => undefined,
  };
}
