import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figureLayout, figureSvg, niceTicks } from '../../../webview/plotExport';
import type { FigureSpec } from '../../../webview/plotExport';

const spec: FigureSpec = {
  title: 'd.csv · 6 samples <b>', width: 400, height: 300,
  legend: [{ color: [255, 0, 0], label: '0 · T-shirt' }, { color: [0, 255, 0], label: '1 · Trouser' }],
  axes: { x: [-2.3, 4.1], y: [0, 1], xLabel: 'PC 1', yLabel: 'PC 2' },
  colors: { bg: '#000', fg: '#fff', grid: '#444', font: 'sans-serif' },
};

test('ticks are round values inside the range', () => {
  assert.deepEqual(niceTicks(-2.3, 4.1, 6), [-2, 0, 2, 4]);
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(-0.35, 0.05, 4), [-0.3, -0.2, -0.1, 0]);
  for (const t of niceTicks(137, 9120)) assert.ok(t >= 137 && t <= 9120 && t % 1000 === 0);
  assert.deepEqual(niceTicks(1, 1), []);
  assert.deepEqual(niceTicks(NaN, 1), []);
});

test('the figure frames the plot with title, axes and a legend entry per class', () => {
  const l = figureLayout(spec);
  assert.ok(l.plot.x > 0 && l.plot.y > 0 && l.plot.w === 400 && l.plot.h === 300);
  assert.ok(l.legendX >= l.plot.x + l.plot.w && l.width > l.legendX);
  assert.ok(l.height >= l.plot.y + l.plot.h);
  const svg = figureSvg(spec, '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><circle cx="1" cy="2" r="1.6"/></svg>');
  assert.match(svg, /^<svg [^>]*width="\d+" height="\d+"/);
  assert.ok(svg.includes('d.csv · 6 samples &lt;b&gt;'), 'title escaped');
  assert.ok(svg.includes('>0 · T-shirt<') && svg.includes('>1 · Trouser<'));
  assert.ok(svg.includes('>PC 1<') && svg.includes('>PC 2<'));
  assert.equal((svg.match(/text-anchor="middle" [^>]*>-?\d/g) ?? []).length, niceTicks(-2.3, 4.1).length, 'one label per x tick');
  assert.ok(svg.includes(`<svg x="${l.plot.x}" y="${l.plot.y}" xmlns`), 'plot placed in its area');
  const { axes: _none, ...flat } = spec;
  assert.ok(!figureSvg(flat, '<svg ></svg>').includes('PC 1'), '3D views: no axes');
});
