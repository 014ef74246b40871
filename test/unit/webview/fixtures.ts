/** Host messages and states for the webview tests: a small labelled model of `n` points with 2D codes. */
import { DEFAULT_UI_STATE } from '../../../src/shared/protocol';
import type { ClustersPayload, HostPush, PanelInfo } from '../../../src/shared/protocol';
import { initialState, reduce } from '../../../webview/state';
import type { PanelState } from '../../../webview/state';

export function info(patch: Partial<PanelInfo> = {}): PanelInfo {
  return {
    datasetName: 'd.csv', datasetPath: '/d.csv', format: 'csv', kind: 'table', n: 6, dim: 3, sampleShape: [3], columns: ['a', 'b', 'c'], backend: 'cpu',
    modelKind: 'dense', latentDim: 2, hasPrior: false, ...patch,
  };
}

export function clusters(assignments: number[], noise = 0): ClustersPayload {
  const k = Math.max(0, ...assignments) + 1;
  const sizes = Array.from({ length: k }, (_, j) => assignments.filter((a) => a === j).length);
  return {
    k, assignments: Int32Array.from(assignments), centroids: new Float32Array(k * 2), sizes, nearest: sizes.map(() => []), decodedCentroids: new Float32Array(k * 3), inertia: 1,
    ...(noise ? { noise } : {}),
  };
}

/** An `init` with a model of 6 points (labels a, a, b, b, c, c; errors 1..6), optionally VQ codes and clusters. */
export function init(patch: { info?: Partial<PanelInfo>; codes?: number[]; clusters?: ClustersPayload; labels?: boolean } = {}): Extract<HostPush, { type: 'init' }> {
  const n = 6;
  return {
    type: 'init', info: info(patch.info),
    embedding: {
      n, latentDim: 2, latent: Float32Array.from({ length: n * 2 }, (_, i) => i / 10), errors: Float32Array.from({ length: n }, (_, i) => i + 1),
      ...(patch.labels === false ? {} : { labelNames: ['a', 'b', 'c'], labelCodes: Int32Array.from([0, 0, 1, 1, 2, 2]) }),
      ...(patch.codes ? { codes: Int32Array.from(patch.codes) } : {}),
    },
    projection: { method: 'none', dims: 2, coords: Float32Array.from({ length: n * 2 }, (_, i) => i) },
    ...(patch.clusters ? { clusters: patch.clusters } : {}),
    history: [{ epoch: 1, loss: 1, parts: {}, seconds: 1 }], training: 'done', uiState: { ...DEFAULT_UI_STATE, k: 3 },
  };
}

/** A fresh state after `messages`. */
export function stateAfter(...messages: HostPush[]): PanelState {
  return messages.reduce((s, message) => reduce(s, { type: 'host', message }), initialState(undefined));
}
