/**
 * Fuzzy-set intersection of two UMAP graphs over the same points, as umap-learn combines the graphs of two metrics
 * (`general_simplicial_set_intersection`, then `reset_local_connectivity`):
 *
 * - every edge of either graph is kept; an edge missing from one graph takes that graph's smallest weight / 2 there
 *   (at least 1e-8), so edges that only one space believes in fade instead of vanishing;
 * - the two memberships a and b are multiplied, b raised to `mix / (1 - mix)` when `mix < 0.5` (and a to
 *   `(1 - mix) / mix` otherwise): `mix` is the weight of graph b, 0.5 the plain product a b;
 * - each node's weights are then divided by its largest one (every point keeps a neighbour at full membership, UMAP's
 *   local connectivity) and the graph is symmetrised again with the probabilistic t-conorm w + w' - w w'.
 *
 * Edges that both spaces agree on dominate the result: for autoencoder codes and the raw inputs, pairs that are
 * neighbours in both are more often of one class than pairs that are neighbours in either (bench/cluster.ts).
 */
import type { FuzzyGraph } from './umapGraph';

/** Directed edges grouped by head node, tails ascending (compressed sparse rows). */
interface Rows {
  start: Int32Array;
  tail: Int32Array;
  weight: Float32Array;
}

function toRows(g: FuzzyGraph): Rows {
  const { n, head, tail, weight } = g;
  const m = head.length;
  const start = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) start[head[e] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const order = new Int32Array(m);
  for (let e = 0; e < m; e++) order[fill[head[e]]++] = e;
  const outTail = new Int32Array(m);
  const outWeight = new Float32Array(m);
  for (let i = 0; i < n; i++) {
    const row = Array.from(order.subarray(start[i], start[i + 1])).sort((x, y) => tail[x] - tail[y]);
    row.forEach((e, j) => {
      outTail[start[i] + j] = tail[e];
      outWeight[start[i] + j] = weight[e];
    });
  }
  return { start, tail: outTail, weight: outWeight };
}

function floorWeight(g: FuzzyGraph): number {
  let min = Infinity;
  for (let e = 0; e < g.weight.length; e++) min = Math.min(min, g.weight[e]);
  return Math.max(Number.isFinite(min) ? min / 2 : 0, 1e-8);
}

/**
 * The intersection of fuzzy graphs `a` and `b` (both symmetric: each undirected edge once in each direction, as
 * `fuzzySimplicialSet` returns them), `mix` in (0, 1) the weight of `b` (see the module comment).
 */
export function intersectFuzzyGraphs(a: FuzzyGraph, b: FuzzyGraph, mix = 0.5): FuzzyGraph {
  if (a.n !== b.n) throw new RangeError(`graphs over ${a.n} and ${b.n} nodes`);
  if (!(mix > 0 && mix < 1)) throw new RangeError(`mix must be in (0, 1), got ${mix}`);
  const n = a.n;
  const ra = toRows(a);
  const rb = toRows(b);
  const floorA = floorWeight(a);
  const floorB = floorWeight(b);
  const combine = mix < 0.5 ? (x: number, y: number): number => x * Math.pow(y, mix / (1 - mix)) : (x: number, y: number): number => Math.pow(x, (1 - mix) / mix) * y;
  const head: number[] = [];
  const tail: number[] = [];
  const value: number[] = [];
  const rowMax = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let p = ra.start[i];
    let q = rb.start[i];
    const pe = ra.start[i + 1];
    const qe = rb.start[i + 1];
    while (p < pe || q < qe) {
      const ta = p < pe ? ra.tail[p] : n;
      const tb = q < qe ? rb.tail[q] : n;
      const t = Math.min(ta, tb);
      const v = combine(ta === t ? ra.weight[p++] : floorA, tb === t ? rb.weight[q++] : floorB);
      head.push(i);
      tail.push(t);
      value.push(v);
      if (v > rowMax[i]) rowMax[i] = v;
    }
  }
  // Both inputs are symmetric, so the combined weights are too and every edge's reverse is in the list.
  const weight = new Float32Array(value.length);
  for (let e = 0; e < value.length; e++) {
    const v = value[e];
    const x = rowMax[head[e]] > 0 ? v / rowMax[head[e]] : 0;
    const y = rowMax[tail[e]] > 0 ? v / rowMax[tail[e]] : 0;
    weight[e] = x + y - x * y;
  }
  return { n, head: Int32Array.from(head), tail: Int32Array.from(tail), weight };
}
