/**
 * The clustering methods by name (the webview's message validation uses this list too). What each one
 * does is in src/core/analysis/clusterPipeline.ts.
 */
export const CLUSTER_METHODS = ['umap-gmm', 'umap-kmeans', 'kmeans', 'gmm', 'dbscan', 'hdbscan'] as const;
export type ClusterMethod = (typeof CLUSTER_METHODS)[number];
/** The recommended pipeline (see bench/cluster.ts and the README's evidence). */
export const DEFAULT_CLUSTER_METHOD: ClusterMethod = 'umap-gmm';

/** Whether a method needs k (density methods find their own number of clusters). */
export function methodNeedsK(method: ClusterMethod): boolean {
  return method !== 'dbscan' && method !== 'hdbscan';
}

/** Whether a method clusters in the UMAP space. */
export function methodUsesUmap(method: ClusterMethod): boolean {
  return method !== 'kmeans' && method !== 'gmm';
}

export function isClusterMethod(v: unknown): v is ClusterMethod {
  return typeof v === 'string' && (CLUSTER_METHODS as readonly string[]).includes(v);
}
