/**
 * Newman's modularity of a partition of a weighted undirected graph:
 *
 *     Q = sum_c [ W_c / W - (D_c / W)^2 ]
 *
 * with W the total edge weight counted in both directions (sum of degrees), W_c the weight of the edges inside
 * community c counted in both directions, and D_c the summed degree of c's nodes. Q is the share of the edge weight
 * inside communities minus the share expected if edges were wired at random with the same degrees: 0 for one
 * community, up to nearly 1 for dense communities joined by few edges.
 *
 * Used to choose among clusterings of the same data (different UMAP layouts): on UMAP's fuzzy kNN graph of the
 * codes, a clustering that cuts a class in two, or merges two classes, keeps fewer of the neighbourhood edges inside
 * its clusters than one that follows the data.
 */
import type { FuzzyGraph } from './umapGraph';

/**
 * Modularity of `assignments` (a community per node, `0..k-1`; negative = unassigned, such nodes and their edges
 * are left out) on `graph`, whose undirected edges appear once in each direction.
 */
export function modularity(graph: FuzzyGraph, assignments: Int32Array): number {
  const { n, head, tail, weight } = graph;
  if (assignments.length !== n) throw new RangeError(`${assignments.length} assignments for ${n} nodes`);
  let k = 0;
  for (let i = 0; i < n; i++) k = Math.max(k, assignments[i] + 1);
  const degreeOf = new Float64Array(k);
  let total = 0;
  let inside = 0;
  for (let e = 0; e < head.length; e++) {
    const a = assignments[head[e]];
    const b = assignments[tail[e]];
    if (a < 0 || b < 0) continue;
    const w = weight[e];
    total += w;
    degreeOf[a] += w;
    if (a === b) inside += w;
  }
  if (total === 0) return 0;
  let expected = 0;
  for (let c = 0; c < k; c++) expected += (degreeOf[c] / total) ** 2;
  return inside / total - expected;
}
