/** Defaults shared by the CLI, the extension and the core: each has one owner, here. */

/** Seed of everything random when none is given (weights, shuffles, projections, clusterings): same seed, same result. */
export const DEFAULT_SEED = 42;

/** Rows of a time series per sample for sequence models. */
export const DEFAULT_WINDOW_LENGTH = 32;

/** Rows between window starts: a quarter window (at least 1). */
export function defaultWindowStride(length: number): number {
  return Math.max(1, Math.floor(length / 4));
}
