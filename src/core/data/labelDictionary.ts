/**
 * Labels as a dictionary plus one index per row: 1M labels of 10 classes cross a thread or the webview boundary as
 * 4 MB of Int32 instead of a million strings.
 */
export interface LabelDictionary {
  /** Distinct labels in order of first appearance. */
  labelNames: string[];
  /** Per row, the index of its label in `labelNames`. */
  labelCodes: Int32Array;
}

/** The dictionary of `labels` (of the rows `rows`, default all of them); a missing label counts as `''`. */
export function labelDictionary(labels: readonly (string | undefined)[], rows?: ArrayLike<number>): LabelDictionary {
  const count = rows ? rows.length : labels.length;
  const labelNames: string[] = [];
  const lookup = new Map<string, number>();
  const labelCodes = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const l = labels[rows ? rows[i] : i] ?? '';
    let c = lookup.get(l);
    if (c === undefined) {
      c = labelNames.length;
      labelNames.push(l);
      lookup.set(l, c);
    }
    labelCodes[i] = c;
  }
  return { labelNames, labelCodes };
}
