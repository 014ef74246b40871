/**
 * Density-based clusterings on a k-nearest-neighbour graph (./knn.ts); points in no dense region get the label
 * NOISE (-1).
 *
 * DBSCAN (Ester et al. 1996): a point is *core* when at least `minPts` points (itself included, scikit-learn's
 * convention) lie within `eps`; core points within `eps` of each other share a cluster; a non-core point within
 * `eps` of a core point joins the nearest such core's cluster (a border point); the rest is noise. Neighbourhoods
 * come from the K nearest neighbours: exact for core detection and border points, and for core-core links whenever a
 * core point has at most K points within eps (denser cores are linked through their K nearest, which in practice
 * are core points of the same dense region).
 *
 * HDBSCAN (Campello, Moulavi & Sander 2013; McInnes & Healy's `hdbscan`): core distance = distance to the
 * `minSamples`-th nearest point (itself included), mutual reachability `max(core_a, core_b, d(a, b))` on the kNN
 * graph's edges, its minimum spanning forest (Kruskal) as a single-linkage hierarchy, condensed so that splits
 * leaving fewer than `minClusterSize` points count as points falling out, and the clusters of maximal excess of mass
 * (stability `sum (lambda_p - lambda_birth)`, lambda = 1 / distance) selected, the root excluded. Membership
 * strength = lambda_p / the cluster's largest lambda, as in `hdbscan`'s `probabilities_`.
 */
import { exactKnn } from './knn';
import type { KnnOptions, KnnResult } from './knn';
import { NOISE } from './clusterMetrics';

export interface DensityResult {
  /** Cluster per point, 0..k-1, or NOISE (-1). */
  assignments: Int32Array;
  /** Number of clusters (noise excluded). */
  k: number;
  noise: number;
  /** HDBSCAN: membership strength in [0, 1] per point (0 for noise). */
  probabilities?: Float32Array;
  /** DBSCAN: the radius used. */
  eps?: number;
}

class UnionFind {
  parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(a: number): number {
    const p = this.parent;
    while (p[a] !== a) {
      p[a] = p[p[a]];
      a = p[a];
    }
    return a;
  }
}

async function neighbours(data: Float32Array, n: number, d: number, k: number, knn: KnnResult | undefined, options: KnnOptions): Promise<KnnResult> {
  const need = Math.min(k, n - 1);
  if (knn && knn.k >= need) return knn;
  return exactKnn(data, n, d, need, options);
}

/**
 * Radius for DBSCAN from the sorted distances to each point's (minPts - 1)-th neighbour: the knee of that curve
 * (the point farthest below the chord from its first to its last value, Satopaa et al.'s "Kneedle").
 */
export function suggestEps(knn: KnnResult, minPts: number): number {
  const col = Math.max(0, Math.min(knn.k - 1, minPts - 2));
  const v = Float64Array.from({ length: knn.n }, (_, i) => knn.distances[i * knn.k + col]).sort();
  const n = v.length;
  if (n < 3 || v[n - 1] === v[0]) return v[n - 1] > 0 ? v[n - 1] : 1;
  let best = 0;
  let bestGap = -Infinity;
  for (let i = 0; i < n; i++) {
    const chord = v[0] + ((v[n - 1] - v[0]) * i) / (n - 1);
    const gap = chord - v[i];
    if (gap > bestGap) {
      bestGap = gap;
      best = i;
    }
  }
  return v[best] > 0 ? v[best] : v[n - 1];
}

export interface DbscanOptions extends KnnOptions {
  /** Radius; default `suggestEps`. */
  eps?: number;
  /** Points (itself included) within eps that make a point core. Default 10. */
  minPts?: number;
  knn?: KnnResult;
}

/** DBSCAN on `n x d` rows (see the module comment). */
export async function dbscan(data: Float32Array, n: number, d: number, options: DbscanOptions = {}): Promise<DensityResult> {
  const minPts = Math.max(1, Math.floor(options.minPts ?? 10));
  if (n < 2) return { assignments: new Int32Array(n).fill(minPts <= 1 ? 0 : NOISE), k: n > 0 && minPts <= 1 ? 1 : 0, noise: minPts <= 1 ? 0 : n };
  const knn = await neighbours(data, n, d, Math.max(2 * minPts, 32), options.knn, options);
  const K = knn.k;
  const eps = options.eps ?? suggestEps(knn, minPts);
  const col = minPts - 2; // (minPts - 1)-th other point
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) core[i] = col < 0 || (col < K && knn.distances[i * K + col] <= eps) ? 1 : 0;
  const uf = new UnionFind(n);
  for (let i = 0; i < n; i++) {
    if (!core[i]) continue;
    for (let a = 0; a < K; a++) {
      if (knn.distances[i * K + a] > eps) break;
      const j = knn.indices[i * K + a];
      if (core[j]) {
        const ri = uf.find(i);
        const rj = uf.find(j);
        if (ri !== rj) uf.parent[Math.max(ri, rj)] = Math.min(ri, rj);
      }
    }
  }
  const label = new Int32Array(n).fill(NOISE);
  const rootLabel = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (!core[i]) continue;
    const r = uf.find(i);
    let l = rootLabel.get(r);
    if (l === undefined) rootLabel.set(r, (l = rootLabel.size));
    label[i] = l;
  }
  for (let i = 0; i < n; i++) {
    if (core[i]) continue;
    for (let a = 0; a < K; a++) {
      if (knn.distances[i * K + a] > eps) break;
      const j = knn.indices[i * K + a];
      if (core[j]) {
        label[i] = label[j];
        break;
      }
    }
  }
  let noise = 0;
  for (let i = 0; i < n; i++) if (label[i] === NOISE) noise++;
  return { assignments: label, k: rootLabel.size, noise, eps };
}

export interface HdbscanOptions extends KnnOptions {
  /** Smallest group that counts as a cluster. Default: max(5, 1% of n). */
  minClusterSize?: number;
  /** Neighbours (itself included) for the core distance. Default min(minClusterSize, 10). */
  minSamples?: number;
  /** kNN graph edges per point for the spanning forest. Default max(minSamples, 15). */
  graphNeighbours?: number;
  knn?: KnnResult;
}

/** Default HDBSCAN minimum cluster size for n points. */
export function defaultMinClusterSize(n: number): number {
  return Math.max(5, Math.round(n / 100));
}

/** HDBSCAN on `n x d` rows (see the module comment). */
export async function hdbscan(data: Float32Array, n: number, d: number, options: HdbscanOptions = {}): Promise<DensityResult> {
  const mcs = Math.max(2, Math.floor(options.minClusterSize ?? defaultMinClusterSize(n)));
  const minSamples = Math.max(1, Math.floor(options.minSamples ?? Math.min(mcs, 10)));
  if (n < Math.max(3, mcs)) return { assignments: new Int32Array(n).fill(NOISE), k: 0, noise: n, probabilities: new Float32Array(n) };
  const knn = await neighbours(data, n, d, Math.max(minSamples, options.graphNeighbours ?? 15), options.knn, options);
  const K = knn.k;
  const coreDist = new Float64Array(n);
  if (minSamples >= 2) for (let i = 0; i < n; i++) coreDist[i] = knn.distances[i * K + Math.min(K - 1, minSamples - 2)];

  // Minimum spanning forest of the mutual-reachability kNN graph, as a single-linkage dendrogram.
  const m = n * K;
  const w = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < K; a++) {
      const j = knn.indices[i * K + a];
      w[i * K + a] = Math.max(coreDist[i], coreDist[j], knn.distances[i * K + a]);
    }
  }
  const order = Int32Array.from({ length: m }, (_, e) => e).sort((x, y) => w[x] - w[y] || x - y);
  const left = new Int32Array(n - 1);
  const right = new Int32Array(n - 1);
  const height = new Float64Array(n - 1);
  const size = new Int32Array(2 * n - 1);
  size.fill(1, 0, n);
  const uf = new UnionFind(n);
  const node = Int32Array.from({ length: n }, (_, i) => i);
  let next = 0;
  const merge = (ra: number, rb: number, h: number): void => {
    left[next] = node[ra];
    right[next] = node[rb];
    height[next] = h;
    size[n + next] = size[node[ra]] + size[node[rb]];
    const r = Math.min(ra, rb);
    uf.parent[Math.max(ra, rb)] = r;
    node[r] = n + next++;
  };
  for (const e of order) {
    const ra = uf.find(Math.floor(e / K));
    const rb = uf.find(knn.indices[e]);
    if (ra !== rb) merge(ra, rb, w[e]);
  }
  // Components the kNN graph leaves apart join at infinite distance (lambda 0).
  for (let i = 1; i < n; i++) {
    const r0 = uf.find(0);
    const ri = uf.find(i);
    if (ri !== r0) merge(r0, ri, Infinity);
  }
  const root = 2 * n - 2;

  // Condensed tree: entries (parent cluster, child = point or cluster, lambda, size).
  const lambdaOf = (h: number): number => (h === Infinity ? 0 : 1 / Math.max(h, 1e-12));
  const clusterOf = new Int32Array(2 * n - 1).fill(-1); // dendrogram node -> cluster label
  const clusterParent: number[] = [-1];
  const birth: number[] = [0];
  const stability: number[] = [0];
  const pointCluster = new Int32Array(n);
  const pointLambda = new Float64Array(n);
  clusterOf[root] = 0;
  const fallOut = (top: number, c: number, lambda: number): void => {
    const stack = [top];
    for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
      if (x < n) {
        pointCluster[x] = c;
        pointLambda[x] = lambda;
        stability[c] += lambda - birth[c];
      } else stack.push(left[x - n], right[x - n]);
    }
  };
  const stack = [root];
  for (let x = stack.pop(); x !== undefined; x = stack.pop()) {
    const c = clusterOf[x];
    const lambda = lambdaOf(height[x - n]);
    const l = left[x - n];
    const r = right[x - n];
    const bigL = size[l] >= mcs;
    const bigR = size[r] >= mcs;
    if (bigL && bigR) {
      for (const child of [l, r]) {
        const id = clusterParent.length;
        clusterParent.push(c);
        birth.push(lambda);
        stability.push(0);
        stability[c] += (lambda - birth[c]) * size[child];
        clusterOf[child] = id;
        stack.push(child);
      }
    } else {
      for (const [child, big] of [[l, bigL], [r, bigR]] as const) {
        if (big) {
          clusterOf[child] = c;
          stack.push(child);
        } else fallOut(child, c, lambda);
      }
    }
  }

  // Excess-of-mass selection, children (higher ids) before parents; the root is never selected.
  const nc = clusterParent.length;
  const selected = new Uint8Array(nc);
  const childSum = new Float64Array(nc);
  const hasChild = new Uint8Array(nc);
  for (let c = nc - 1; c >= 1; c--) {
    if (hasChild[c] && childSum[c] > stability[c]) stability[c] = childSum[c];
    else selected[c] = 1;
    childSum[clusterParent[c]] += stability[c];
    hasChild[clusterParent[c]] = 1;
  }
  // A selected cluster's descendants are not selected: walk down from the top.
  for (let c = 1; c < nc; c++) {
    for (let p = clusterParent[c]; p > 0; p = clusterParent[p]) {
      if (selected[p]) {
        selected[c] = 0;
        break;
      }
    }
  }
  const finalLabel = new Int32Array(nc).fill(NOISE);
  let k = 0;
  for (let c = 1; c < nc; c++) if (selected[c]) finalLabel[c] = k++;
  const assignments = new Int32Array(n).fill(NOISE);
  const maxLambda = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let c = pointCluster[i]; c > 0; c = clusterParent[c]) {
      if (selected[c]) {
        assignments[i] = finalLabel[c];
        break;
      }
    }
    if (assignments[i] !== NOISE) maxLambda[assignments[i]] = Math.max(maxLambda[assignments[i]], pointLambda[i]);
  }
  const probabilities = new Float32Array(n);
  let noise = 0;
  for (let i = 0; i < n; i++) {
    const a = assignments[i];
    if (a === NOISE) noise++;
    else probabilities[i] = maxLambda[a] > 0 && Number.isFinite(maxLambda[a]) ? Math.min(1, pointLambda[i] / maxLambda[a]) : 1;
  }
  return { assignments, k, noise, probabilities };
}
