/**
 * What scoring a dataset with a trained model found, in a form the CLI prints and the extension shows: how many
 * samples were scored and flagged against the model's threshold, the highest-scoring samples, and for a time series
 * (a sequence model's windows) the flagged windows merged into ranked events plus the events as CSV.
 */
import type { SourceRef, WindowSpec } from '../data/dataset';
import type { AnomalyReport } from '../explorer';
import type { AnomalyEvent } from './timeEvents';
import { mergeAnomalousWindows, rowScoreSeries } from './timeEvents';

/** Samples listed as the highest scoring. */
export const TOP_SCORED = 10;

export interface ScoredSample {
  index: number;
  score: number;
  ref?: SourceRef;
  label?: string;
}

export interface ScoreSummary {
  method: string;
  threshold: number;
  /** The false-positive rate the threshold was set for on the model's normal (calibration) data. */
  targetFpr: number;
  n: number;
  flagged: number;
  maxScore: number;
  meanScore: number;
  /** Highest scores first. */
  top: ScoredSample[];
  /** Time series only: flagged windows merged into events, ranked. */
  events?: AnomalyEvent[];
}

/** The summary of `report`; `window` (a sequence dataset's) turns flagged windows into events. */
export function summariseScores(report: AnomalyReport, options: { window?: WindowSpec; refs?: ArrayLike<SourceRef>; labels?: readonly string[]; top?: number } = {}): ScoreSummary {
  const s = report.scores;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < s.length; i++) {
    if (!Number.isFinite(s[i])) continue;
    max = Math.max(max, s[i]);
    sum += s[i];
    finite++;
  }
  const order = Array.from({ length: s.length }, (_, i) => i).filter((i) => Number.isFinite(s[i])).sort((a, b) => s[b] - s[a] || a - b);
  const top = order.slice(0, options.top ?? TOP_SCORED).map((index): ScoredSample => ({
    index,
    score: s[index],
    ...(options.refs ? { ref: options.refs[index] } : {}),
    ...(options.labels ? { label: options.labels[index] } : {}),
  }));
  return {
    method: report.method,
    threshold: report.threshold,
    targetFpr: report.targetFpr,
    n: s.length,
    flagged: report.flagged,
    maxScore: finite > 0 ? max : Number.NaN,
    meanScore: finite > 0 ? sum / finite : Number.NaN,
    top,
    ...(options.window ? { events: mergeAnomalousWindows(s, report.threshold, options.window) } : {}),
  };
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** A few lines of text for a summary (the CLI prints them; the extension logs them). */
export function describeScoreSummary(sum: ScoreSummary, eventsShown = TOP_SCORED): string {
  const lines = [`Scored ${sum.n} samples by ${sum.method}: ${sum.flagged} (${pct(sum.n > 0 ? sum.flagged / sum.n : 0)}) above the threshold ${sum.threshold.toPrecision(4)} (set for ${pct(sum.targetFpr)} false positives on normal data); highest score ${sum.maxScore.toPrecision(4)}`];
  if (sum.events) {
    lines.push(`${sum.events.length} event${sum.events.length === 1 ? '' : 's'} (overlapping flagged windows merged)${sum.events.length > 0 ? ':' : ''}`);
    for (const e of sum.events.slice(0, eventsShown)) {
      lines.push(`  #${e.rank} rows ${e.startRow}-${e.endRow - 1}, ${e.windows} window${e.windows === 1 ? '' : 's'}, peak ${e.score.toPrecision(4)} at window ${e.peakWindow}`);
    }
    if (sum.events.length > eventsShown) lines.push(`  ... ${sum.events.length - eventsShown} more`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Events as CSV: `rank,start_row,end_row,windows,first_window,last_window,peak_window,score[,source_line]`, rows
 * 0-based data rows with `end_row` exclusive; `source_line` is the file line where the event starts, when known.
 */
export function eventsToCsv(events: readonly AnomalyEvent[], refs?: ArrayLike<SourceRef | undefined>): string {
  const lines = ['rank,start_row,end_row,windows,first_window,last_window,peak_window,score' + (refs ? ',source_line' : '')];
  for (const e of events) {
    const row = [e.rank, e.startRow, e.endRow, e.windows, e.firstWindow, e.lastWindow, e.peakWindow, e.score].map(String);
    if (refs) row.push(String(refs[e.firstWindow]?.line ?? ''));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The score over time as CSV: `row,score_max,score_mean,anomalous` per source row (empty cells: row in no window). */
export function rowScoresToCsv(scores: ArrayLike<number>, threshold: number, window: WindowSpec): string {
  const max = rowScoreSeries(scores, window, 'max');
  const mean = rowScoreSeries(scores, window, 'mean');
  const lines = ['row,score_max,score_mean,anomalous'];
  const cell = (v: number): string => (Number.isNaN(v) ? '' : String(Math.fround(v)));
  for (let r = 0; r < max.length; r++) lines.push(`${r},${cell(max[r])},${cell(mean[r])},${Number.isNaN(max[r]) ? '' : max[r] > threshold ? 1 : 0}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Source refs of the samples a summary names (its top samples and each event's first window), fetched one at a
 * time so that the refs of every sample never have to cross from the worker; other entries stay empty.
 */
export async function refsForSummary(summary: ScoreSummary, sample: (index: number) => Promise<{ ref: SourceRef }>): Promise<SourceRef[]> {
  const refs: SourceRef[] = [];
  const wanted = new Set([...summary.top.map((t) => t.index), ...(summary.events ?? []).map((e) => e.firstWindow)]);
  for (const i of wanted) refs[i] = (await sample(i)).ref;
  return refs;
}
