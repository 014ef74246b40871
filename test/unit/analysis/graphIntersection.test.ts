import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intersectFuzzyGraphs } from '../../../src/core/analysis/graphIntersection';
import { umapGraph } from '../../../src/core/analysis/fastUmap';
import type { FuzzyGraph } from '../../../src/core/analysis/umapGraph';
import { createNormalRng } from '../../../src/common/random';
import { clusterWithMethod, UmapCache } from '../../../src/core/analysis/clusterPipeline';
import { scoreClustering } from '../../../src/core/analysis/clusterMetrics';
import { graphOf } from './helpers';

function weights(g: FuzzyGraph): Map<string, number> {
  const m = new Map<string, number>();
  for (let e = 0; e < g.head.length; e++) {
    const key = `${g.head[e]}-${g.tail[e]}`;
    assert.ok(!m.has(key), `edge ${key} listed twice`);
    m.set(key, g.weight[e]);
  }
  return m;
}

test('intersectFuzzyGraphs: product of memberships, missing edges at half the smallest weight, rows rescaled, by hand', () => {
  const a = graphOf(4, [[0, 1, 1], [1, 2, 0.5]]);
  const b = graphOf(4, [[0, 1, 0.8], [2, 3, 1]]);
  // Products: 0-1 1 x 0.8, 1-2 0.5 x 0.4 (b's floor 0.8 / 2), 2-3 0.25 (a's floor) x 1. Row maxima 0.8, 0.8, 0.25, 0.25;
  // 1-2 rescaled: 0.2 / 0.8 = 0.25 from node 1, 0.2 / 0.25 = 0.8 from node 2, joined 0.25 + 0.8 - 0.2.
  const w = weights(intersectFuzzyGraphs(a, b, 0.5));
  assert.equal(w.size, 6);
  for (const [key, v] of [['0-1', 1], ['1-2', 0.85], ['2-3', 1]] as const) {
    const [i, j] = key.split('-');
    assert.ok(Math.abs((w.get(key) ?? NaN) - v) < 1e-6, key);
    assert.equal(w.get(`${j}-${i}`), w.get(key));
  }
  // mix 0.2: b's membership enters as b^(0.2 / 0.8), so its missing edge costs less: 1-2 is 0.5 x 0.4^0.25.
  const m = weights(intersectFuzzyGraphs(a, b, 0.2));
  const v12 = 0.5 * 0.4 ** 0.25;
  const max1 = 0.8 ** 0.25;
  const max2 = Math.max(v12, 0.25);
  const x = v12 / max1;
  const y = v12 / max2;
  assert.ok(Math.abs((m.get('1-2') ?? NaN) - (x + y - x * y)) < 1e-6);
  assert.throws(() => intersectFuzzyGraphs(a, graphOf(5, []), 0.5), RangeError);
  assert.throws(() => intersectFuzzyGraphs(a, b, 1), RangeError);
});

test('intersectFuzzyGraphs: wrong edges that only one graph holds are cut down, shared ones kept', async () => {
  // Two well separated classes; each graph is their kNN graph plus its own set of strong edges across the classes
  // (the errors of one space: codes and raw inputs go wrong on different pairs).
  const rand = createNormalRng(3);
  const n = 400;
  const d = 3;
  const truth = Int32Array.from({ length: n }, (_, i) => i % 2);
  const x = Float32Array.from({ length: n * d }, (_, e) => (e % d === 0 ? 8 * truth[Math.floor(e / d)] : 0) + rand());
  const clean = await umapGraph(x, n, d, { nNeighbors: 15 });
  const withWrongEdges = (offset: number): FuzzyGraph => {
    const edges: [number, number, number][] = [];
    for (let e = 0; e < clean.head.length; e++) if (clean.head[e] < clean.tail[e]) edges.push([clean.head[e], clean.tail[e], clean.weight[e]]);
    for (let i = offset; i < n; i += 4) edges.push([i, (i + 1) % n, 1]); // i and i + 1 are of different classes
    return graphOf(n, edges);
  };
  const a = withWrongEdges(0);
  const b = withWrongEdges(2);
  const across = (g: FuzzyGraph): number => {
    let cut = 0;
    let all = 0;
    for (let e = 0; e < g.head.length; e++) {
      all += g.weight[e];
      if (truth[g.head[e]] !== truth[g.tail[e]]) cut += g.weight[e];
    }
    return cut / all;
  };
  for (const mix of [0.5, 0.2]) {
    const both = intersectFuzzyGraphs(a, b, mix);
    assert.ok(across(both) < 0.4 * Math.min(across(a), across(b)), `mix ${mix}: ${across(both)} vs ${across(a)}, ${across(b)}`);
    // The shared kNN edges keep most of their weight (a product of two memberships is below either).
    let kept = 0;
    let before = 0;
    const w = new Map<number, number>();
    for (let e = 0; e < both.head.length; e++) w.set(both.head[e] * n + both.tail[e], both.weight[e]);
    for (let e = 0; e < clean.head.length; e++) {
      before += clean.weight[e];
      kept += w.get(clean.head[e] * n + clean.tail[e]) ?? 0;
    }
    assert.ok(kept > 0.6 * before, `mix ${mix}: ${kept} of ${before}`);
  }
});

test('clusterWithMethod with the raw inputs: classes that touch in the codes but not in the inputs (and the other way round) recovered', async () => {
  // Four classes, every point's spread u (6 dims) shared by both spaces, as codes follow their inputs. In the codes
  // classes 0 and 1 touch; in the raw inputs (u and the class centres mapped to 60 dims, reduced by PCA before their
  // kNN search) classes 2 and 3 do. Edges across a touching pair are held by one graph only and fade in the intersection.
  const rand = createNormalRng(11);
  const n = 1200;
  const d = 6;
  const truth = Int32Array.from({ length: n }, (_, i) => i % 4);
  const u = Float32Array.from({ length: n * d }, () => rand());
  const centres = (touching: [number, number]): number[][] => {
    const c = Array.from({ length: 4 }, () => Array.from({ length: d }, () => rand() * 5));
    c[touching[1]] = c[touching[0]].map((v, t) => v + (t === 0 ? 1.5 : 0));
    return c;
  };
  const codeCentres = centres([0, 1]);
  const rawCentres = centres([2, 3]);
  const codes = Float32Array.from({ length: n * d }, (_, e) => codeCentres[truth[Math.floor(e / d)]][e % d] + u[e]);
  const map = Array.from({ length: 60 * d }, () => rand() / Math.sqrt(d));
  const raw = new Float32Array(n * 60);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < 60; f++) {
      let s = 0.05 * rand();
      for (let t = 0; t < d; t++) s += map[f * d + t] * (rawCentres[truth[i]][t] + u[i * d + t]);
      raw[i * 60 + f] = s;
    }
  }
  const alone = await clusterWithMethod(codes, n, d, 4, { seed: 1, layouts: 1 });
  const joined = await clusterWithMethod(codes, n, d, 4, { seed: 1, layouts: 1, raw: { data: raw, d: 60 } });
  const accAlone = scoreClustering(alone.assignments, truth).accuracy;
  const accJoined = scoreClustering(joined.assignments, truth).accuracy;
  assert.ok(accJoined > accAlone + 0.05, `codes alone ${accAlone}, with the raw inputs ${accJoined}`);
  assert.throws(() => new UmapCache(codes, n, d, { data: raw, d: 61 }), RangeError);
});
