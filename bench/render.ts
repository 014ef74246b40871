/**
 * Render benchmark of the panel's scatter module (webview/scatter.ts) in headless Chromium: time to first render
 * and mean frame time while panning (programmatic relayout, level-of-detail frames), for 100k and 1M points.
 * Usage: npm run bench:render [-- 100000 1000000]
 */
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import type { ScatterView, packRgba } from '../webview/scatter';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const N = sizes.length ? sizes : [100_000, 1_000_000];
const FRAMES = 40;

interface Row { points: number; firstRenderMs: number; fullRedrawMs: number; panFrameMs: number; panFrameP95Ms: number; drawnWhilePanning: number }

async function main(): Promise<void> {
  const bundle = await esbuild.build({
    stdin: { contents: "import { ScatterView, packRgba } from './webview/scatter'; Object.assign(window, { ScatterView, packRgba });", resolveDir: process.cwd(), loader: 'ts' },
    bundle: true, format: 'iife', platform: 'browser', target: 'es2022', write: false, logLevel: 'warning',
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const rows: Row[] = [];
  try {
    for (const n of N) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      await page.setContent('<!DOCTYPE html><html><body style="margin:0;background:#1e1e1e"><div id="plot" style="position:relative;width:1000px;height:700px"></div></body></html>');
      // tsx compiles this file with keepNames: the evaluated function references esbuild's __name helper.
      await page.addScriptTag({ content: 'window.__name = (f) => f;' });
      await page.addScriptTag({ content: bundle.outputFiles[0].text });
      const row = await page.evaluate(async ({ n, frames }) => {
        type W = typeof window & { ScatterView: typeof ScatterView; packRgba: typeof packRgba };
        const w = window as W;
        // 8 gaussian blobs, seeded
        let s = 7;
        const rand = (): number => { s = (s + 0x6d2b79f5) >>> 0; let t = Math.imul(s ^ (s >>> 15), s | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
        const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
        const coords = new Float32Array(2 * n);
        const colors = new Uint32Array(n);
        const pal = [[55, 148, 255], [209, 134, 22], [137, 209, 133], [177, 128, 215], [241, 76, 76], [204, 167, 0], [78, 201, 176], [206, 145, 120]];
        for (let i = 0; i < n; i++) {
          const c = i % 8;
          coords[2 * i] = 4 * Math.cos(c) + gauss();
          coords[2 * i + 1] = 4 * Math.sin(c) + gauss();
          colors[i] = w.packRgba(pal[c][0], pal[c][1], pal[c][2]);
        }
        const view = new w.ScatterView(document.getElementById('plot')!, { background: '#1e1e1e', idleMs: 1e9 });
        const frame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));
        await frame();
        let t0 = performance.now();
        view.setData(coords, 2);
        view.setColors(colors);
        view.render();
        await frame();
        const firstRenderMs = performance.now() - t0;
        t0 = performance.now();
        view.render();
        await frame();
        const fullRedrawMs = performance.now() - t0;
        const start = view.currentView;
        const times: number[] = [];
        let drawn = 0;
        for (let f = 0; f < frames; f++) {
          const t = performance.now();
          view.relayout({ cx: start.cx + 0.05 * f, cy: start.cy + 0.02 * f });
          await frame();
          times.push(performance.now() - t);
          drawn = view.drawn;
        }
        times.sort((a, b) => a - b);
        view.dispose();
        return { points: n, firstRenderMs, fullRedrawMs, panFrameMs: times.reduce((a, b) => a + b, 0) / times.length, panFrameP95Ms: times[Math.floor(0.95 * times.length)], drawnWhilePanning: drawn };
      }, { n, frames: FRAMES });
      rows.push(row);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  const fmt = (v: number): string => v.toFixed(1).padStart(10);
  console.log(`scatter render benchmark (headless Chromium, 1000x700 css px, ${FRAMES} pan frames, LOD above 100k points)`);
  console.log('    points | first render ms | full redraw ms | pan frame ms (mean) | pan p95 ms | points drawn while panning');
  for (const r of rows) console.log(`${String(r.points).padStart(10)} | ${fmt(r.firstRenderMs)}      | ${fmt(r.fullRedrawMs)}     | ${fmt(r.panFrameMs)}          | ${fmt(r.panFrameP95Ms)} | ${r.drawnWhilePanning}`);
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
