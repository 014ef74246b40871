/**
 * Agreement between two labellings (a clustering and the true classes): adjusted Rand index and accuracy after the
 * best one-to-one matching of clusters to classes (Hungarian algorithm).
 */

/** Maps arbitrary labels (numbers or strings) to dense ids 0..m-1 in order of first appearance. */
function denseIds(labels: ArrayLike<number | string>): { ids: Int32Array; count: number } {
  const map = new Map<number | string, number>();
  const ids = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let id = map.get(labels[i]);
    if (id === undefined) {
      id = map.size;
      map.set(labels[i], id);
    }
    ids[i] = id;
  }
  return { ids, count: map.size };
}

function contingency(a: ArrayLike<number | string>, b: ArrayLike<number | string>): { table: number[][]; ra: number; rb: number } {
  if (a.length !== b.length) throw new Error(`label arrays differ in length: ${a.length} vs ${b.length}`);
  const A = denseIds(a);
  const B = denseIds(b);
  const table = Array.from({ length: A.count }, () => new Array<number>(B.count).fill(0));
  for (let i = 0; i < a.length; i++) table[A.ids[i]][B.ids[i]]++;
  return { table, ra: A.count, rb: B.count };
}

const choose2 = (x: number): number => (x * (x - 1)) / 2;

/**
 * Adjusted Rand index (Hubert & Arabie 1985): pair-counting agreement between two labelings, corrected for chance.
 * 1 for identical partitions (up to renaming), about 0 for independent ones.
 */
export function adjustedRandIndex(a: ArrayLike<number | string>, b: ArrayLike<number | string>): number {
  const { table } = contingency(a, b);
  const n = a.length;
  let sumCells = 0;
  const rowSums = table.map((r) => r.reduce((s, v) => s + v, 0));
  const colSums = table[0] ? table[0].map((_, j) => table.reduce((s, r) => s + r[j], 0)) : [];
  for (const row of table) for (const v of row) sumCells += choose2(v);
  const sumRows = rowSums.reduce((s, v) => s + choose2(v), 0);
  const sumCols = colSums.reduce((s, v) => s + choose2(v), 0);
  const expected = (sumRows * sumCols) / choose2(n);
  const maxIndex = (sumRows + sumCols) / 2;
  if (maxIndex === expected) return 1; // both partitions trivial (all one cluster or all singletons)
  return (sumCells - expected) / (maxIndex - expected);
}

/**
 * Minimum-cost assignment on a rectangular cost matrix (rows <= cols) by the Hungarian algorithm with potentials,
 * O(rows^2 cols). Returns, for each row, the column assigned to it.
 */
export function hungarian(cost: number[][]): number[] {
  const n = cost.length;
  const m = n ? cost[0].length : 0;
  if (n > m) throw new Error('hungarian: more rows than columns');
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: row (1-based) matched to column j
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const rowToCol = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j] > 0) rowToCol[p[j] - 1] = j - 1;
  return rowToCol;
}

/**
 * Clustering accuracy: the fraction of points whose cluster, after the best one-to-one renaming of clusters to
 * classes (Hungarian assignment on the contingency table), equals their true class.
 */
export function hungarianAccuracy(pred: ArrayLike<number | string>, truth: ArrayLike<number | string>): number {
  const { table, ra, rb } = contingency(pred, truth);
  if (pred.length === 0) return 1;
  // Cost = -matches; pad to a square so either side may have more labels.
  const size = Math.max(ra, rb);
  const cost = Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) => (i < ra && j < rb ? -table[i][j] : 0)));
  const match = hungarian(cost);
  let correct = 0;
  for (let i = 0; i < ra; i++) if (match[i] < rb) correct += table[i][match[i]];
  return correct / pred.length;
}
