/**
 * Anomalies of a time series scored window by window, seen as events in time. A sequence dataset's sample `w` is the
 * window of rows `[w * stride, w * stride + length)` (see src/core/data/windows.ts), so one burst in the series
 * lights up every window that overlaps it: a top-k list of windows repeats the same burst several times. Here
 * flagged windows whose row ranges overlap or touch are merged into one event, scored by its highest window, and the
 * events are ranked; and the window scores are spread back onto the rows as an error-over-time series.
 */
import type { WindowSpec } from '../data/dataset';

/** Rows `[start, end)` of window `w`. */
export function windowRows(w: number, window: WindowSpec): { start: number; end: number } {
  const start = w * window.stride;
  return { start, end: start + window.length };
}

/** Rows covered by `count` windows (the last `(rows - length) mod stride` rows of the source are in none). */
export function coveredRows(count: number, window: WindowSpec): number {
  return count === 0 ? 0 : (count - 1) * window.stride + window.length;
}

/** One run of overlapping (or touching) flagged windows. */
export interface AnomalyEvent {
  /** 1-based rank by `score`, highest first. */
  rank: number;
  /** Rows `[startRow, endRow)` of the source table the event's windows cover (0-based data rows). */
  startRow: number;
  endRow: number;
  /** First and last flagged window of the event (sample indices). */
  firstWindow: number;
  lastWindow: number;
  /** Flagged windows merged into the event. */
  windows: number;
  /** The window with the highest score, and that score (the event's score). */
  peakWindow: number;
  score: number;
}

/**
 * Merges the windows scoring above `threshold` into events: walking the windows in time order, a flagged window
 * joins the current event when its first row is at or before the event's end row (its rows overlap or touch the
 * event's), else it starts a new event. Each event is scored by its maximum window score; events are returned ranked
 * by that score (ties: earlier first). A plain table is the case `length = stride = 1` (one row per sample).
 */
export function mergeAnomalousWindows(scores: ArrayLike<number>, threshold: number, window: WindowSpec): AnomalyEvent[] {
  const events: Omit<AnomalyEvent, 'rank'>[] = [];
  let current: Omit<AnomalyEvent, 'rank'> | undefined;
  for (let w = 0; w < scores.length; w++) {
    const s = scores[w];
    if (!(s > threshold)) continue;
    const { start, end } = windowRows(w, window);
    if (current && start <= current.endRow) {
      current.endRow = Math.max(current.endRow, end);
      current.lastWindow = w;
      current.windows++;
      if (s > current.score) {
        current.score = s;
        current.peakWindow = w;
      }
    } else {
      current = { startRow: start, endRow: end, firstWindow: w, lastWindow: w, windows: 1, peakWindow: w, score: s };
      events.push(current);
    }
  }
  return events
    .sort((a, b) => b.score - a.score || a.startRow - b.startRow)
    .map((e, i) => ({ rank: i + 1, ...e }));
}

/** How the scores of the windows that cover a row are combined into the row's value. */
export type RowReduce = 'max' | 'mean';

/**
 * The score over time: per row of the source table, the maximum (or mean) score of the windows that cover it. Rows
 * in no window are NaN. `rows` defaults to the rows the windows cover.
 */
export function rowScoreSeries(scores: ArrayLike<number>, window: WindowSpec, reduce: RowReduce = 'max', rows = coveredRows(scores.length, window)): Float32Array {
  const out = new Float32Array(rows).fill(reduce === 'max' ? -Infinity : 0);
  const counts = new Uint32Array(rows);
  for (let w = 0; w < scores.length; w++) {
    const { start, end } = windowRows(w, window);
    const s = scores[w];
    for (let r = start; r < Math.min(end, rows); r++) {
      counts[r]++;
      if (reduce === 'max') {
        if (s > out[r]) out[r] = s;
      } else out[r] += s;
    }
  }
  for (let r = 0; r < rows; r++) {
    if (counts[r] === 0) out[r] = Number.NaN;
    else if (reduce === 'mean') out[r] /= counts[r];
  }
  return out;
}
