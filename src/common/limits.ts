/**
 * Upper bounds on what the panel may ask for: the host validates every webview message against them
 * (src/shared/protocol.ts) and the webview's inputs are bounded by the same numbers.
 */

export const MAX_POINTS = 10_000_000;
export const MAX_LATENT_DIM = 4096;
export const MAX_K = 64;
/** k range of the k curve (the panel's first clustering and its "k curve" button). */
export const K_CURVE_RANGE: readonly [number, number] = [2, 30];
/** Interpolation path length. */
export const MIN_STEPS = 2;
export const MAX_STEPS = 64;
export const MAX_SELECTION = 16;
export const MAX_COLUMNS = 4096;
/** A saved plot may be at most 64 MB of data URL. */
export const MAX_DATA_URL = 64 * 1024 * 1024;
export const MAX_REQUEST_ID = 2 ** 31 - 1;
/** Seeds the webview may send (corruption, prior draws). */
export const MAX_SEED = 2 ** 31 - 1;
/** Label values an `anomalies` request may name, and the length of each. */
export const MAX_ANOMALY_LABELS = 1024;
export const MAX_LABEL_LENGTH = 1024;
/** Generate tab bounds: steps per axis, total grid cells, prior sample count, span (exclusive of 0). */
export const MIN_GEN_STEPS = 2;
export const MAX_GEN_STEPS = 16;
export const MAX_GEN_GRID = 256;
export const MAX_GEN_COUNT = 64;
export const MAX_GEN_SPAN = 10;
export const MAX_PATH = 4096;
/** Rows one `requestRows` may name (the scatter's thumbnails are fetched in batches of at most this many). */
export const MAX_ROWS_REQUEST = 256;
