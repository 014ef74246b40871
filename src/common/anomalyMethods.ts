/**
 * The anomaly score methods by name (what each computes is in src/core/analysis/anomalyScores.ts), shared with the
 * webview's message validation and menus.
 */

export type AnomalyScoreMethod = 'mse' | 'smoothed' | 'zscore' | 'elbo' | 'knn' | 'mahalanobis' | 'combined';

export const ANOMALY_SCORE_METHODS: readonly AnomalyScoreMethod[] = ['mse', 'smoothed', 'zscore', 'elbo', 'knn', 'mahalanobis', 'combined'];

/** Type guard for user-supplied method names (CLI, webview messages). */
export function isAnomalyScoreMethod(value: unknown): value is AnomalyScoreMethod {
  return typeof value === 'string' && (ANOMALY_SCORE_METHODS as readonly string[]).includes(value);
}

/** Label values that conventionally mark anomalies, for a default when the user names none. */
const ANOMALY_WORDS = new Set(['anomaly', 'anomalous', 'abnormal', 'outlier', 'fraud', 'attack', 'fault', 'faulty', 'defect', 'defective', 'novel', 'novelty']);

/** With exactly two label values of which one is a conventional anomaly marker, that one; else none. */
export function defaultAnomalyLabels(classes: readonly string[]): string[] {
  if (classes.length !== 2) return [];
  const hit = classes.filter((c) => ANOMALY_WORDS.has(c.trim().toLowerCase()));
  return hit.length === 1 ? hit : [];
}
