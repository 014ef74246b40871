/**
 * Labels as a dictionary plus one i32 code per row, the compact form labels cross the worker and webview boundaries
 * in (1M labels of 10 classes: 4 MB of codes instead of ~10 MB of strings).
 */
export interface LabelCodes {
  /** Distinct labels, in order of first appearance. */
  names: string[];
  /** Per row, the index of its label in `names`. */
  codes: Int32Array;
}

/** Encodes `labels[rows[i]]` for each i (every label in order without `rows`); a missing label counts as ''. */
export function encodeLabels(labels: readonly (string | undefined)[], rows?: ArrayLike<number>): LabelCodes {
  const n = rows ? rows.length : labels.length;
  const names: string[] = [];
  const lookup = new Map<string, number>();
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = labels[rows ? rows[i] : i] ?? '';
    let c = lookup.get(l);
    if (c === undefined) {
      c = names.length;
      names.push(l);
      lookup.set(l, c);
    }
    codes[i] = c;
  }
  return { names, codes };
}

/** `labels[rows[i]]` (every label without `rows`) encoded into the message fields labels travel in (`labelNames` + `labelCodes`). */
export function encodeLabelPayload(labels: readonly (string | undefined)[], rows?: ArrayLike<number>): { labelNames: string[]; labelCodes: Int32Array } {
  const { names, codes } = encodeLabels(labels, rows);
  return { labelNames: names, labelCodes: codes };
}
