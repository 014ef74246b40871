/**
 * Clustering methods behind one call, for the CLI, the explorer and the panel:
 *
 * - `umap-gmm` (the recommended default, N2D: McConville et al. 2020): the codes are embedded by UMAP into a
 *   clustering space of `umapComponents` dimensions with min_dist 0 (points of a manifold packed together), then a
 *   Gaussian mixture (soft assignments: the winning probability is kept per point), fitted with more components
 *   than clusters and joined into k along the codes' kNN graph (./componentMerge.ts);
 * - `umap-kmeans`: the same space and joining, k-means;
 * - `kmeans` / `gmm`: directly on the codes;
 * - `dbscan` / `hdbscan`: density clusterings on the UMAP clustering space (in 16+ raw dimensions density estimates
 *   are poor; UMAP's space is where they separate dense groups); points left out are noise (-1).
 *
 * The UMAP clustering space does not depend on k, so it is computed once per seed and data and reused (`UmapCache`)
 * by the k curve and by every k.
 */
import { fitGmm } from './gmm';
import { clusterSizes, kmeans, silhouette } from './kmeans';
import { dbscan, hdbscan } from './density';
import { defaultUmapEpochs, fastUmap, umapGraph } from './fastUmap';
import { modularity } from './modularity';
import { intersectFuzzyGraphs } from './graphIntersection';
import { reduceRows } from './randomizedPca';
import { mergePieces, overClusterCount } from './componentMerge';
import type { FuzzyGraph } from './umapGraph';
import { deriveSeed } from '../../common/random';
import type { UmapProgress } from './fastUmap';
import { NOISE } from './clusterMetrics';
import { DEFAULT_CLUSTER_METHOD, methodNeedsK } from '../../common/clusterMethods';
import type { ClusterMethod } from '../../common/clusterMethods';
import { throwIfAborted, yieldToEventLoop } from './abort';

export { CLUSTER_METHODS, DEFAULT_CLUSTER_METHOD, isClusterMethod, methodNeedsK, methodUsesUmap } from '../../common/clusterMethods';
export type { ClusterMethod } from '../../common/clusterMethods';
/** UMAP clustering space: dimensions, neighbours and min_dist (N2D's settings, about as many dimensions as clusters). */
export const CLUSTER_UMAP_COMPONENTS = 10;
export const CLUSTER_UMAP_NEIGHBORS = 20;
export const CLUSTER_UMAP_MIN_DIST = 0;
/** Layout epochs of the clustering space (umap-learn's default above 10,000 points; 500 below costs 2.5x for no gain measured in bench/cluster.ts). */
export const CLUSTER_UMAP_EPOCHS = 200;
/**
 * Raw inputs joining the codes' graph (see `UmapCache`): wider inputs are first reduced to this many principal
 * components, and the raw graph's weight in the fuzzy intersection (./graphIntersection.ts) is CLUSTER_RAW_MIX.
 */
export const CLUSTER_RAW_DIMS = 50;
export const CLUSTER_RAW_MIX = 0.2;
/** Wider inputs (bag-of-words tables and the like) are left out: their PCA would cost more than the clustering. */
export const CLUSTER_RAW_MAX_FEATURES = 4096;

/** The inputs the codes were encoded from (`n x d`, as the model saw them). */
export interface RawInput {
  data: Float32Array;
  d: number;
}

export type { AnalysisProgress as ClusterProgress } from './results';
import type { AnalysisProgress as ClusterProgress } from './results';

export interface ClusterMethodOptions {
  method?: ClusterMethod;
  seed?: number;
  /** DBSCAN radius (default: knee of the k-distance curve) and core size. */
  eps?: number;
  minPts?: number;
  /** HDBSCAN smallest cluster (default 1% of n, at least 5). */
  minClusterSize?: number;
  /** UMAP layouts tried by umap-gmm / umap-kmeans, the clustering of highest modularity kept (default `clusterLayouts(n)`). */
  layouts?: number;
  /** The raw inputs of the codes, for the UMAP graph when no `UmapCache` is passed (see `UmapCache`). */
  raw?: RawInput;
  onProgress?: (p: ClusterProgress) => void;
  signal?: AbortSignal;
}

export interface MethodResult {
  method: ClusterMethod;
  /** Clusters found (noise excluded). */
  k: number;
  /** Cluster per point, NOISE (-1) for noise. */
  assignments: Int32Array;
  /** Membership probability (GMM posterior of the winner, HDBSCAN strength); absent for hard methods. */
  probabilities?: Float32Array;
  noise: number;
}

/**
 * Layouts of the clustering space tried per clustering, best kept: UMAP's layout SGD lands in different local optima
 * from seed to seed (on MNIST codes two of ten classes share two clusters in about one seed out of three, costing
 * ~0.12 accuracy), and the layout with the clustering of highest modularity on the codes' kNN graph (./modularity.ts)
 * is the one that keeps classes whole. Measured on 10,000 MNIST codes, six seeds: accuracy 0.943 / 0.937 / 0.817 /
 * 0.936 / 0.938 / 0.903 with modularity 0.8316 / 0.8321 / 0.8176 / 0.8329 / 0.8331 / 0.8284. Fewer layouts on
 * large data, where one layout costs several times more.
 */
export function clusterLayouts(n: number): number {
  return n <= 20_000 ? 4 : n <= 80_000 ? 2 : 1;
}

/**
 * The UMAP clustering space of some codes: the fuzzy kNN graph once, a layout per seed. Kept so that repeated
 * clusterings (every k, the k curve, other methods) reuse them.
 *
 * With the raw inputs (the explorer passes them for inputs of WIDE_INPUT_FEATURES+ features), the graph is the fuzzy
 * intersection of the codes' graph and the raw inputs' graph (reduced to CLUSTER_RAW_DIMS principal components
 * first), umap-learn's combination of two metrics: it drives the layouts, the joining of pieces and the choice of
 * layout. Measured in
 * bench/cluster.ts (codes alone with `CLUSTER_RAW=0`), clustering seeds 0 and 1: MNIST 10k 0.893 -> 0.926 and 0.886 ->
 * 0.918 accuracy (the GMM pieces are purer: 0.91-0.93 instead of 0.86-0.89 with each piece given its majority class),
 * Fashion-MNIST 10k 0.631 -> 0.609 and 0.614 -> 0.625, Fashion-MNIST 60k 0.648 -> 0.694 and 0.705 -> 0.696;
 * scikit-learn's digits through the CLI (64 features) 0.943 / 0.940 / 0.944 -> 0.950 / 0.941 / 0.953 (3 training
 * seeds). On the explorer's synthetic test (latent 3 mapped linearly to 20 features) it lowered ARI from 1.0 to
 * 0.87, so narrower inputs keep the codes' graph alone.
 */
export class UmapCache {
  private graphPromise?: Promise<FuzzyGraph>;
  private readonly layouts = new Map<number, Promise<Float32Array>>();

  constructor(
    private readonly data: Float32Array,
    private readonly n: number,
    private readonly d: number,
    private readonly raw?: RawInput,
  ) {
    if (raw && raw.data.length < n * raw.d) throw new RangeError(`raw inputs: ${raw.data.length} values for ${n} x ${raw.d}`);
  }

  /** The fuzzy kNN graph (CLUSTER_UMAP_NEIGHBORS neighbours) of the codes, intersected with the raw inputs' one when given. */
  graph(onProgress?: (p: UmapProgress) => void, signal?: AbortSignal): Promise<FuzzyGraph> {
    if (this.graphPromise) return this.graphPromise;
    const p = this.buildGraph(onProgress, signal);
    this.graphPromise = p;
    p.catch(() => {
      if (this.graphPromise === p) this.graphPromise = undefined; // a cancelled or failed run is not kept
    });
    return p;
  }

  private async buildGraph(onProgress?: (p: UmapProgress) => void, signal?: AbortSignal): Promise<FuzzyGraph> {
    const codes = await umapGraph(this.data, this.n, this.d, { nNeighbors: CLUSTER_UMAP_NEIGHBORS, onProgress, signal });
    if (!this.raw || this.n < 3 || this.raw.d > CLUSTER_RAW_MAX_FEATURES) return codes;
    const reduced = this.raw.d > CLUSTER_RAW_DIMS ? await reduceRows(this.raw.data, this.n, this.raw.d, CLUSTER_RAW_DIMS, { signal }) : this.raw;
    const raw = await umapGraph(reduced.data, this.n, reduced.d, { nNeighbors: CLUSTER_UMAP_NEIGHBORS, onProgress, signal });
    return intersectFuzzyGraphs(codes, raw, CLUSTER_RAW_MIX);
  }

  /** The `n x CLUSTER_UMAP_COMPONENTS` layout for `seed`. */
  get(seed: number, onProgress?: (p: UmapProgress) => void, signal?: AbortSignal): Promise<Float32Array> {
    const kept = this.layouts.get(seed);
    if (kept) return kept;
    const p = this.graph(onProgress, signal).then((graph) =>
      fastUmap(this.data, this.n, this.d, {
        nComponents: CLUSTER_UMAP_COMPONENTS,
        minDist: CLUSTER_UMAP_MIN_DIST,
        nEpochs: Math.min(CLUSTER_UMAP_EPOCHS, defaultUmapEpochs(this.n)),
        graph,
        seed,
        onProgress,
        signal,
      }),
    );
    this.layouts.set(seed, p);
    p.catch(() => {
      if (this.layouts.get(seed) === p) this.layouts.delete(seed);
    });
    return p;
  }
}

/** Seed of layout `r` of a clustering with `seed` (layout 0 is the seed's own, the one the k curve uses). */
function layoutSeed(seed: number, r: number): number {
  return r === 0 ? seed : deriveSeed(seed, STREAM_LAYOUT + r);
}
const STREAM_LAYOUT = 100;

/** k-means or a full-covariance GMM on one space. */
function clusterSpace(method: ClusterMethod, space: Float32Array, n: number, dims: number, k: number, seed: number): MethodResult {
  if (method === 'kmeans' || method === 'umap-kmeans') {
    const r = kmeans(space, n, dims, { k, seed });
    return { method, k, assignments: r.assignments, noise: 0 };
  }
  const r = fitGmm(space, n, dims, { k, seed, covariance: 'full' });
  const prob = new Float32Array(n);
  for (let i = 0; i < n; i++) prob[i] = r.probabilities[i * k + r.assignments[i]];
  return { method, k, assignments: r.assignments, probabilities: prob, noise: 0 };
}

/**
 * k clusters on a UMAP clustering space: more pieces than clusters fitted (k-means or GMM), then joined along the
 * codes' kNN graph (./componentMerge.ts). A GMM point's probability is the summed posterior of its cluster's
 * components, and it goes to the cluster with the highest sum.
 */
function clusterUmapSpace(method: ClusterMethod, space: Float32Array, n: number, dims: number, k: number, seed: number, graph: FuzzyGraph): MethodResult {
  const pieces = overClusterCount(k, n);
  if (pieces <= k) return clusterSpace(method, space, n, dims, k, seed);
  if (method === 'umap-kmeans') {
    const r = kmeans(space, n, dims, { k: pieces, seed });
    const clusterOf = mergePieces(graph, r.assignments, pieces, k);
    return { method, k, assignments: r.assignments.map((p) => clusterOf[p]), noise: 0 };
  }
  const r = fitGmm(space, n, dims, { k: pieces, seed, covariance: 'full' });
  const clusterOf = mergePieces(graph, r.assignments, pieces, k);
  const assignments = new Int32Array(n);
  const prob = new Float32Array(n);
  const sums = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let p = 0; p < pieces; p++) if (clusterOf[p] >= 0) sums[clusterOf[p]] += r.probabilities[i * pieces + p];
    let best = 0;
    for (let c = 1; c < k; c++) if (sums[c] > sums[best]) best = c;
    assignments[i] = best;
    prob[i] = sums[best];
  }
  return { method, k, assignments, probabilities: prob, noise: 0 };
}

/** Runs `method` on `n x d` codes (k ignored by the density methods). */
export async function clusterWithMethod(data: Float32Array, n: number, d: number, k: number, options: ClusterMethodOptions = {}, cache?: UmapCache): Promise<MethodResult> {
  const method = options.method ?? DEFAULT_CLUSTER_METHOD;
  const seed = options.seed ?? 0;
  const { onProgress, signal } = options;
  if (methodNeedsK(method) && (!Number.isInteger(k) || k < 1 || k > n)) throw new RangeError(`k must be in 1..${n}, got ${k}`);
  let result: MethodResult;
  if (method === 'kmeans' || method === 'gmm') {
    onProgress?.({ stage: 'cluster', done: 0, total: 1 });
    result = clusterSpace(method, data, n, d, k, seed);
  } else {
    const umap = cache ?? new UmapCache(data, n, d, options.raw);
    const dims = CLUSTER_UMAP_COMPONENTS;
    if (method === 'dbscan' || method === 'hdbscan') {
      const space = await umap.get(seed, onProgress, signal);
      onProgress?.({ stage: 'cluster', done: 0, total: 1 });
      const r = method === 'dbscan' ? await dbscan(space, n, dims, { eps: options.eps, minPts: options.minPts, signal }) : await hdbscan(space, n, dims, { minClusterSize: options.minClusterSize, signal });
      result = { method, k: r.k, assignments: r.assignments, probabilities: r.probabilities, noise: r.noise };
    } else {
      const layouts = Math.max(1, options.layouts ?? clusterLayouts(n));
      const graph = await umap.graph(onProgress, signal);
      const clusterLayout = async (r: number): Promise<{ result: MethodResult; q: number }> => {
        // One progress bar over all layouts: epochs of layout r come after those of the layouts before it.
        const layoutProgress = onProgress && ((p: UmapProgress) => onProgress(p.stage === 'layout' ? { stage: 'layout', done: r * p.total + p.done, total: layouts * p.total } : p));
        const space = await umap.get(layoutSeed(seed, r), layoutProgress, signal);
        const candidate = clusterUmapSpace(method, space, n, dims, k, seed, graph);
        return { result: candidate, q: layouts > 1 ? modularity(graph, candidate.assignments) : 0 };
      };
      let best = await clusterLayout(0);
      for (let r = 1; r < layouts; r++) {
        const next = await clusterLayout(r);
        if (next.q > best.q) best = next;
      }
      onProgress?.({ stage: 'cluster', done: 0, total: 1 });
      result = best.result;
    }
  }
  onProgress?.({ stage: 'cluster', done: 1, total: 1 });
  return result;
}

/** Per cluster, the mean of its members' codes (`k x d`; noise ignored, empty clusters stay 0). */
export function clusterMeans(data: Float32Array, n: number, d: number, assignments: Int32Array, k: number): Float32Array {
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = assignments[i];
    if (c === NOISE || c >= k) continue;
    counts[c]++;
    for (let t = 0; t < d; t++) sums[c * d + t] += data[i * d + t];
  }
  const out = new Float32Array(k * d);
  for (let c = 0; c < k; c++) if (counts[c] > 0) for (let t = 0; t < d; t++) out[c * d + t] = sums[c * d + t] / counts[c];
  return out;
}

/** Sizes of clusters 0..k-1 (noise not counted). */
export function sizesWithNoise(assignments: Int32Array, k: number): number[] {
  return clusterSizes(assignments.filter((a) => a !== NOISE), k);
}

export interface KCurve {
  ks: number[];
  /** k-means inertia per k (the elbow). */
  inertias: number[];
  /** Mean silhouette per k on a seeded sample. */
  silhouettes: number[];
  /** k with the best silhouette. */
  best: number;
  /** k at the elbow: the point of the inertia curve farthest from the chord joining its ends. */
  elbow: number;
}

/**
 * k-means for each k in kMin..kMax (capped by n - 1) on `space`, scored by inertia and silhouette on a seeded sample
 * of `sampleSize` points; `best` maximises the silhouette and `elbow` is the knee of the inertia curve.
 */
export async function kCurve(space: Float32Array, n: number, d: number, kMin: number, kMax: number, options: { seed?: number; sampleSize?: number; signal?: AbortSignal; onProgress?: (p: ClusterProgress) => void } = {}): Promise<KCurve> {
  const lo = Math.max(2, Math.floor(kMin));
  const hi = Math.min(n - 1, Math.floor(kMax));
  if (hi < lo) throw new RangeError(`no k to try in ${kMin}..${kMax} for ${n} points`);
  const seed = options.seed ?? 0;
  const ks: number[] = [];
  const inertias: number[] = [];
  const silhouettes: number[] = [];
  for (let k = lo; k <= hi; k++) {
    throwIfAborted(options.signal);
    const r = kmeans(space, n, d, { k, seed, nInit: 2 });
    ks.push(k);
    inertias.push(r.inertia);
    silhouettes.push(silhouette(space, n, d, r.assignments, k, { sampleSize: options.sampleSize ?? 2000, seed }));
    options.onProgress?.({ stage: 'cluster', done: k - lo + 1, total: hi - lo + 1 });
    await yieldToEventLoop();
  }
  let bestI = 0;
  for (let i = 1; i < ks.length; i++) if (silhouettes[i] > silhouettes[bestI]) bestI = i;
  return { ks, inertias, silhouettes, best: ks[bestI], elbow: elbowOf(ks, inertias) };
}

/** The knee of a decreasing curve: the point farthest below the chord from its first to its last point. */
export function elbowOf(ks: number[], values: number[]): number {
  const m = ks.length;
  if (m < 3) return ks[0];
  const [x0, y0, x1, y1] = [ks[0], values[0], ks[m - 1], values[m - 1]];
  let best = 0;
  let bestGap = -Infinity;
  for (let i = 0; i < m; i++) {
    const chord = y0 + ((y1 - y0) * (ks[i] - x0)) / (x1 - x0);
    const gap = chord - values[i];
    if (gap > bestGap) {
      bestGap = gap;
      best = i;
    }
  }
  return ks[best];
}

export interface ClusterSummaryWithNoise {
  /** `k x d` member means. */
  centroids: Float32Array;
  /** Sum of squared distances of members to their mean. */
  inertia: number;
  sizes: number[];
  /** Per cluster, up to `nNearest` members closest to its mean (ties by index). */
  nearest: number[][];
}

/** Means, sizes, inertia and the members nearest each mean; noise points belong to no cluster. */
export function summariseClusters(data: Float32Array, n: number, d: number, assignments: Int32Array, k: number, nNearest: number): ClusterSummaryWithNoise {
  const centroids = clusterMeans(data, n, d, assignments, k);
  const members: { i: number; dist: number }[][] = Array.from({ length: k }, () => []);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const c = assignments[i];
    if (c === NOISE || c >= k) continue;
    let s = 0;
    for (let t = 0; t < d; t++) {
      const v = data[i * d + t] - centroids[c * d + t];
      s += v * v;
    }
    inertia += s;
    members[c].push({ i, dist: s });
  }
  return {
    centroids,
    inertia,
    sizes: members.map((m) => m.length),
    nearest: members.map((m) => m.sort((a, b) => a.dist - b.dist || a.i - b.i).slice(0, nNearest).map((e) => e.i)),
  };
}
