/**
 * Tabular samples in comparable units: each feature as a z-score against the dataset's per-feature mean and std
 * (so one large feature does not hide the others), and features ranked by their reconstruction error in those units.
 */
import type { PanelInfo } from '../src/shared/protocol';

type Stats = NonNullable<PanelInfo['featureStats']>;

/** `(v_j - mean_j) / std_j`; a feature with std 0 gets `v_j - mean_j` (it is constant in the data). */
export function zScores(values: ArrayLike<number>, stats: Stats | undefined): number[] {
  if (!stats || stats.mean.length !== values.length) return Array.from(values);
  return Array.from(values, (v, j) => (v - stats.mean[j]) / (stats.std[j] > 0 ? stats.std[j] : 1));
}

/** Features by absolute reconstruction error in standard deviations, largest first (ties: column order). */
export function featuresByError(original: ArrayLike<number>, reconstruction: ArrayLike<number>, stats: Stats | undefined, columns: readonly string[]): { name: string; error: number }[] {
  const a = zScores(original, stats), b = zScores(reconstruction, stats);
  return a.map((v, j) => ({ name: columns[j] ?? `f${j}`, error: Math.abs(v - b[j]), j }))
    .sort((x, y) => y.error - x.error || x.j - y.j)
    .map(({ name, error }) => ({ name, error }));
}

/** "worst reconstructed: alcohol 2.31σ, ash 1.02σ, …" (the `k` largest). */
export function errorRankText(ranked: readonly { name: string; error: number }[], k = 5, unit = 'σ'): string {
  return `worst reconstructed: ${ranked.slice(0, k).map((r) => `${r.name} ${r.error.toFixed(2)}${unit}`).join(', ')}${ranked.length > k ? ', …' : ''}`;
}
