/**
 * Scored data over the training set, as plain data: which scored points are anomalous (score above the threshold
 * calibrated on the training data), the legend line and the hover lines. No DOM, so it is tested without a browser.
 */
import type { ScoredPayload } from '../src/shared/protocol';
import type { ModelView } from './state';

/** 1 where the score is above the training threshold. */
export function scoredFlags(s: ScoredPayload): Uint8Array {
  return Uint8Array.from(s.scores, (v) => (v > s.threshold ? 1 : 0));
}

/** Whether `s` was placed in the view `model` shows (same dimensions). */
export function scoredFits(s: ScoredPayload, model: ModelView): boolean {
  return s.dims === model.projection.dims && s.coords.length === s.n * model.projection.dims;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** The legend line: the file, how many points, how many above the threshold. */
export function scoredLegendText(s: ScoredPayload): string {
  let flagged = 0;
  for (const v of s.scores) if (v > s.threshold) flagged++;
  return `△ ${s.name}: ${s.n.toLocaleString()} scored, ${flagged.toLocaleString()} (${pct(s.n ? flagged / s.n : 0)}) above the threshold`;
}

/** The hover lines of scored point `j`: which point, its score against the threshold and the verdict. */
export function scoredHoverLines(s: ScoredPayload, j: number): [string, string] {
  const score = s.scores[j];
  const verdict = score > s.threshold ? 'anomalous (above the training threshold)' : 'normal (at or below the training threshold)';
  return [`${s.name} #${j} · ${verdict}`, `${s.method} score ${score.toPrecision(4)} vs threshold ${s.threshold.toPrecision(4)} (×${(s.threshold > 0 ? score / s.threshold : Infinity).toFixed(2)})`];
}
