/**
 * Drives the real panel front end (dist/webview.js, the panel's HTML and CSP from buildPanelHtml) in headless
 * Chromium against the real host-side PanelController and a deterministic fake Explorer (no VS Code, no training):
 * checks the plot shows every point and the planted clusters, that no CSP violation or page error occurs, runs an
 * interpolation, and saves artifacts/webview-panel.png. Usage: node --import tsx test/e2e/webview.e2e.ts
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { buildPanelHtml, createNonce } from '../../src/extension/panel/html';
import { PanelController } from '../../src/extension/panel/panelController';
import type { HostToWebview } from '../../src/shared/protocol';
import { createFakeExplorer } from './fakeExplorer';
import { CLIPPED_TABS, IMAGE_ROWS } from './layoutShots';
import { DRAWN_POINTS } from './plotPoints';

const N = 600;
const PLANTED = 3;
const root = process.cwd();
const problems: string[] = [];
const dropped: string[] = [];

async function main(): Promise<void> {
  const built = await esbuild.build({ entryPoints: ['webview/main.ts'], bundle: true, platform: 'browser', target: 'es2022', format: 'iife', write: false, minify: true, logLevel: 'warning' });
  const js = built.outputFiles[0].text;
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/') {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const html = buildPanelHtml({ cspSource: base, nonce: createNonce(), scriptUri: `${base}/dist/webview.js`, styleUri: `${base}/media/panel.css` })
        .replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${base}/theme.css">\n  <link rel="stylesheet"`);
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    } else if (url === '/dist/webview.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else if (url === '/media/panel.css') res.writeHead(200, { 'content-type': 'text/css' }).end(readFileSync(join(root, 'media/panel.css')));
    else if (url === '/theme.css') res.writeHead(200, { 'content-type': 'text/css' }).end(readFileSync(join(root, 'test/e2e/theme-dark.css')));
    else if (url === '/favicon.ico') res.writeHead(204).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 800 } });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    const controller = new PanelController({
      post: (m: HostToWebview) => { void page.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as Record<string, unknown>).catch(() => undefined); },
      reveal: async () => undefined,
      pickSavePath: async () => undefined,
      writeFile: async () => undefined,
      log: (m) => dropped.push(m),
    });
    controller.setExplorer(createFakeExplorer(N, 8, PLANTED));
    await page.exposeFunction('__toHost', (raw: unknown) => controller.handleRaw(raw));
    // A string, not a function: tsx compiles this file with keepNames, whose __name helper does not exist in the page.
    await page.addInitScript(`(() => {
      let state;
      window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__toHost(m), getState: () => state, setState: (s) => { state = s; } });
      document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
    })()`);
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.locator('#app[data-state="ready"]').waitFor({ timeout: 15_000, state: 'attached' });
    const plot = page.locator('#plot');
    assert.equal(await plot.getAttribute('data-points'), String(N));
    assert.equal(await plot.getAttribute('data-drawn'), String(N));
    assert.equal(await plot.getAttribute('data-clusters'), String(PLANTED));
    assert.equal(await page.locator('#legend .legend-item').count(), PLANTED);
    // pick A and B on the canvas (two drawn points found from its pixels), then interpolate
    const box = (await plot.boundingBox())!;
    const at = async (i: number): Promise<[number, number]> => {
      const drawn = await page.evaluate<[number, number][]>(DRAWN_POINTS);
      assert.ok(drawn.length > i, `${drawn.length} points found on the canvas`);
      return [box.x + drawn[i][0], box.y + drawn[i][1]];
    };
    const [ax, ay] = await at(0);
    await page.mouse.click(ax, ay);
    await page.locator('#pane-point h3').waitFor();
    const [bx, by] = await at(1);
    await page.keyboard.down('Shift');
    await page.mouse.click(bx, by);
    await page.keyboard.up('Shift');
    await page.locator('#tab-interpolate').click();
    await page.locator('#interp-run').click();
    await page.locator('#interp-strip').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#interp-strip').getAttribute('data-steps'), '8');
    // latent grid through the Generate tab: steps x steps decoded samples
    await page.locator('#tab-generate').click();
    await page.locator('#gen-run').click();
    const strip = page.locator('#gen-strip[data-mode="grid"]');
    await strip.waitFor({ timeout: 10_000 });
    const gridSteps = Number(await page.locator('#gen-steps').inputValue());
    const generated = Number(await strip.getAttribute('data-count'));
    if (generated !== gridSteps * gridSteps) throw new Error(`latent grid: expected ${gridSteps * gridSteps} decoded samples, got ${generated}`);
    await page.locator('#tab-clusters').click();
    await page.locator('#cluster-list .cluster').first().waitFor();
    assert.equal(await page.locator('#cluster-list .cluster').count(), PLANTED);
    // Method selector (default: the recommended pipeline) and the k-curve request.
    assert.equal(await page.locator('#cluster-method').inputValue(), 'umap-gmm');
    await page.locator('#k-curve').click();
    await page.locator('#k-plot .main-svg').first().waitFor({ timeout: 10_000 });
    await page.locator('#tab-anomalies').click();
    await page.locator('#error-hist .main-svg').first().waitFor({ timeout: 10_000 });
    assert.match((await page.locator('#anomaly-threshold').textContent()) ?? '', /expected false-positive rate [\d.]+%/);
    // a label value as "anomaly": precision / recall at the threshold and the ROC curve
    await page.locator('#anomaly-label').selectOption('c1');
    await page.locator('#anomaly-roc .main-svg').first().waitFor({ timeout: 10_000 });
    assert.match((await page.locator('#anomaly-eval').textContent()) ?? '', /precision [\d.]+, recall [\d.]+/);
    mkdirSync('artifacts', { recursive: true });
    await page.screenshot({ path: 'artifacts/webview-anomalies.png' });
    await page.locator('#tab-training').click();
    await page.locator('#loss-plot .main-svg').first().waitFor({ timeout: 10_000 });
    await page.locator('#tab-point').click();
    await page.locator('#pane-point .bars .main-svg').first().waitFor({ timeout: 10_000 });
    // denoising / occlusion demo: corrupt the inspected sample and show the model's reconstruction beside it
    await page.locator('#corrupt-run').click();
    await page.locator('#corrupt-result[data-mode="mask"] .bars .main-svg').first().waitFor({ timeout: 10_000 });
    mkdirSync('artifacts', { recursive: true });
    await page.screenshot({ path: 'artifacts/webview-panel.png' });
    // a new training: live frames replace the scatter, and the model's embedding comes back when it fails
    const live = 120;
    controller.trainingProgress({ phase: 'epoch', epoch: 2, epochs: 5, batch: 1, batches: 1, loss: 0.3, parts: {}, samplesPerSec: 10 });
    controller.trainingEmbedding({
      epoch: 2, epochs: 5, total: N, method: 'pca', indices: Int32Array.from({ length: live }, (_, i) => i),
      coords: Float32Array.from({ length: live * 2 }, (_, i) => Math.sin(i)), labelNames: ['x', 'y'], labelCodes: Int32Array.from({ length: live }, (_, i) => i % 2),
    });
    await page.locator('#plot[data-live="2"]').waitFor({ timeout: 10_000, state: 'attached' });
    assert.equal(await plot.getAttribute('data-points'), String(live));
    assert.match((await page.locator('#status').textContent()) ?? '', /Live embedding .* epoch 2\/5/);
    await page.screenshot({ path: 'artifacts/webview-live.png' });
    controller.trainingStatus('failed', 'stopped');
    await page.locator('#plot:not([data-live])').waitFor({ timeout: 10_000, state: 'attached' });
    assert.equal(await plot.getAttribute('data-points'), String(N));
    // issue-6 models: a sequence AE shows windows as line charts; a VQ-VAE colours by code; a CVAE generates per class
    const inspect = async (): Promise<void> => {
      const [x0, y0] = await at(0);
      await page.mouse.click(x0, y0);
    };
    controller.setExplorer(createFakeExplorer(N, 8, PLANTED, 1, '/tmp/fixture.csv', 'sequence'));
    await page.locator('#status', { hasText: 'sequence AE' }).waitFor({ timeout: 10_000 });
    // The loader's warnings stay visible in the header: a count, every warning in the tooltip.
    const warn = page.locator('#status .data-warnings');
    assert.match((await warn.textContent()) ?? '', /2 data warnings/);
    assert.match((await warn.getAttribute('title')) ?? '', /"time" used as the time[\s\S]*dropped non-numeric column "note"/);
    await inspect();
    await page.locator('#pane-point h3', { hasText: /Sample #\d+/ }).waitFor({ timeout: 10_000 });
    await page.locator('#pane-point .sequence .main-svg').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.scrollingElement?.scrollLeft ?? 0), 0, 'the panel never scrolls sideways');
    await page.screenshot({ path: 'artifacts/webview-sequence.png' });
    controller.setExplorer(createFakeExplorer(N, 8, PLANTED, 1, '/tmp/fixture.csv', 'vqvae'));
    await page.locator('#status', { hasText: `${PLANTED}/8 codes used` }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#color-by').inputValue(), 'code');
    assert.equal(await page.locator('#legend .legend-item', { hasText: 'code' }).count(), PLANTED);
    controller.setExplorer(createFakeExplorer(N, 8, PLANTED, 1, '/tmp/fixture.csv', 'cvae'));
    await page.locator('#status', { hasText: 'cvae AE' }).waitFor({ timeout: 10_000 });
    await page.locator('#tab-generate').click();
    await page.locator('#gen-condition').selectOption('c2');
    await page.locator('#gen-mode').selectOption('prior');
    await page.locator('#gen-run').click();
    await page.locator('#gen-strip[data-mode="prior"]').waitFor({ timeout: 10_000 });
    assert.match((await page.locator('#gen-strip').textContent()) ?? '', /class c2/);
    // Image data: the latent grid is laid out as a true grid (steps rows of steps images) at any panel width.
    controller.setExplorer(createFakeExplorer(N, 8, PLANTED, 1, '/tmp/fixture.csv', 'dense', true));
    await page.locator('#status', { hasText: 'dense AE' }).waitFor({ timeout: 10_000 });
    await page.locator('#tab-generate').click();
    await page.locator('#gen-mode').selectOption('grid');
    await page.locator('#gen-run').click();
    await page.locator('#gen-strip[data-mode="grid"] img').first().waitFor({ timeout: 10_000 });
    const steps = Number(await page.locator('#gen-steps').inputValue());
    for (const width of [700, 1600]) {
      await page.setViewportSize({ width, height: 800 });
      await page.waitForTimeout(300);
      assert.deepEqual(await page.evaluate<number[]>(IMAGE_ROWS('#gen-strip')), Array.from({ length: steps }, () => steps), `${steps} x ${steps} grid at ${width} px`);
      assert.deepEqual(await page.evaluate<string[]>(CLIPPED_TABS), [], `no tab clipped spot ${width} px`);
    }
    // Images on the zoomed scatter: zoomed in on a point, its neighbours are drawn as thumbnails; fitted, plain points.
    await page.setViewportSize({ width: 1200, height: 800 });
    const scatter = page.locator('#plot .scatter');
    await page.waitForTimeout(300);
    assert.equal(await scatter.getAttribute('data-thumbnails'), '0', `${N} points fitted: plain points`);
    const plotBox = await scatter.boundingBox();
    const [spot] = await page.evaluate<[number, number][]>(DRAWN_POINTS);
    assert.ok(plotBox && spot, 'a point is drawn');
    await page.mouse.move(plotBox.x + spot[0], plotBox.y + spot[1]);
    for (let k = 0; k < 12 && Number(await scatter.getAttribute('data-thumbnails')) === 0; k++) {
      await page.mouse.wheel(0, -400);
      await page.waitForTimeout(150);
    }
    const thumbs = Number(await scatter.getAttribute('data-thumbnails'));
    assert.ok(thumbs > 0 && thumbs <= 150, `thumbnails drawn when zoomed in (${thumbs})`);
    await page.screenshot({ path: 'artifacts/webview-thumbnails.png' });
    await page.mouse.dblclick(plotBox.x + 5, plotBox.y + plotBox.height - 5);
    await page.waitForTimeout(150);
    assert.equal(await scatter.getAttribute('data-thumbnails'), '0', 'fitted again: plain points');
    // Scored data over the training set: the model saved in a folder, 30 new codes (the last 6 far out, scored high).
    const table = createFakeExplorer(N, 8, PLANTED);
    const tableInfo = { ...table.info(), modelDir: '/tmp/fake-model' };
    controller.setExplorer({ ...table, info: () => tableInfo });
    await page.locator('#status', { hasText: 'dense AE' }).waitFor({ timeout: 10_000 });
    const trained = await table.embed();
    const latent = Float32Array.from({ length: 60 }, (_, v) => trained.latent[v] * (v >= 48 ? 4 : 1));
    const scores = Float32Array.from({ length: 30 }, (_, j) => (j >= 24 ? 5 : 0.2));
    controller.showScored({ modelDir: '/tmp/fake-model', datasetPath: '/tmp/new.csv', name: 'new.csv', latent, count: 30, scores, threshold: 1, method: 'mse' });
    await page.locator('#scored-legend', { hasText: 'new.csv: 30 scored, 6 (20.0%) above the threshold' }).waitFor({ timeout: 10_000 });
    assert.equal(await scatter.getAttribute('data-markers'), '30');
    await page.screenshot({ path: 'artifacts/webview-scored.png' });
    await page.locator('#scored-clear').click();
    await page.locator('#scored-legend').waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await scatter.getAttribute('data-markers'), '0', 'cleared');
    // Colour, filter and search by a metadata column of the table.
    await page.locator('#color-by').selectOption('column:note');
    await page.locator('#legend', { hasText: 'rare' }).waitFor({ timeout: 5000 });
    await page.locator('#meta-search').fill('rar');
    await page.locator('#meta-matches', { hasText: `${N / 5} matches` }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: 'artifacts/webview-search.png' });
    await page.locator('#meta-search').fill('');
    await page.locator('#meta-filter').selectOption('note');
    await page.locator('#meta-filter-values').selectOption('rare');
    assert.equal(await page.locator('#plot').getAttribute('data-shown'), String(N / 5), 'filtered to the rare rows');
    await page.locator('#meta-filter').selectOption('row_id');
    await page.locator('#meta-filter-max').fill('100');
    await page.locator('#meta-filter-max').dispatchEvent('change');
    assert.equal(await page.locator('#plot').getAttribute('data-shown'), '100', 'row_id in [1, 100]');
    await page.locator('#color-by').selectOption('column:row_id');
    await page.screenshot({ path: 'artifacts/webview-filter.png' });
    assert.deepEqual(problems, [], 'no page errors or CSP violations');
    assert.deepEqual(dropped.filter((d) => d.includes('dropped')), [], 'every webview message passed validation');
    console.log(`ok: ${N} points, ${PLANTED} clusters, interpolation strip and latent grid rendered, screenshot artifacts/webview-panel.png`);
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e: unknown) => { console.error('FAILED', e, problems, dropped); process.exit(1); });
