/**
 * End-to-end: code-server (the harness in .vscode-harness, see scripts/harness-install.sh) with this extension loaded
 * via ?payload=[["extensionDevelopmentPath", ...]], a temp workspace holding a CSV of 3 planted clusters; runs
 * "Latent Explorer: Train Autoencoder on Active File" from the palette (form answered from workspace settings),
 * waits for the panel, checks points and clusters inside the webview iframe, runs an interpolation and saves
 * artifacts/e2e-panel.png. Usage: npm run test:e2e (builds first).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNormalRng } from '../../src/common/random';
import { shootTabs } from './layoutShots';
import { DRAWN_POINTS } from './plotPoints';
import { openWorkbench, panelFrame, runCommand } from './workbench';

const N = 150;
const PLANTED = 3;

function fixture(dir: string): string {
  const normal = createNormalRng(3);
  const centres = [[0, 0, 0, 0, 0, 0], [8, 8, 0, 0, 8, 0], [0, 8, 8, 8, 0, 8]];
  const rows = ['a,b,c,d,e,f,label'];
  for (let i = 0; i < N; i++) { const c = i % PLANTED; rows.push([...centres[c].map((m) => (m + normal()).toFixed(3)), `g${c}`].join(',')); }
  const file = join(dir, 'planted.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  mkdirSync(join(dir, '.vscode'));
  writeFileSync(join(dir, '.vscode/settings.json'), JSON.stringify({ 'latentExplorer.defaultModel': 'dense', 'latentExplorer.latentDim': 2, 'latentExplorer.epochs': 60, 'latentExplorer.seed': 7, 'latentExplorer.backend': 'cpu' }, null, 2));
  return file;
}

async function main(): Promise<void> {
  const ws = mkdtempSync(join(tmpdir(), 'latent-e2e-'));
  fixture(ws);
  const wb = await openWorkbench(ws);
  const { page } = wb;
  try {
    // open the CSV (Quick Open), then train it from the palette; the form's defaults come from the workspace settings
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('planted.csv');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'planted.csv' }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab', { hasText: 'planted.csv' }).waitFor({ timeout: 20_000 });
    // open the (empty) panel first, so it is loaded when training starts and receives the live embedding frames
    await runCommand(page, 'Open Latent Explorer');
    const inner = panelFrame(page);
    await inner.locator('#app[data-state="waiting"]').waitFor({ timeout: 60_000, state: 'attached' });
    await page.locator('.tab', { hasText: 'planted.csv' }).click();
    await runCommand(page, 'Train Autoencoder on Active File');
    // accept every step of the form (data preview, model type, latent size, epochs, seed, then "Start training")
    for (let step = 1, total = 1; step <= total; step++) {
      const title = page.locator('.quick-input-widget .quick-input-title', { hasText: `(${step}/` });
      await title.waitFor({ timeout: 20_000 });
      total = Number(/\(\d+\/(\d+)\)/.exec((await title.textContent()) ?? '')?.[1] ?? step);
      await page.keyboard.press('Enter');
    }
    await inner.locator('#app[data-state="ready"]').waitFor({ timeout: Number(process.env.E2E_TRAIN_TIMEOUT_MS ?? 240_000), state: 'attached' });
    const plot = inner.locator('#plot');
    assert.equal(await plot.getAttribute('data-points'), String(N));
    // the panel opened when training started and showed the embedding after every epoch
    const liveFrames = Number(await plot.getAttribute('data-live-frames'));
    assert.ok(liveFrames >= 1, `live embedding frames during training: ${liveFrames}`);
    const k = Number(await plot.getAttribute('data-clusters'));
    assert.ok(k >= 2 && k <= 8, `clusters ${k}`);
    // With labels, the Clusters tab shows accuracy / NMI / ARI and the confusion matrix.
    await inner.locator('#tab-clusters').click();
    await inner.locator('#cluster-scores #confusion').waitFor({ timeout: 30_000 });
    assert.match((await inner.locator('#cluster-scores').textContent()) ?? '', /3 label classes · accuracy/);
    // interpolate between two samples picked on the canvas (drawn points found from its pixels)
    const box = (await plot.boundingBox())!;
    let frame = page.mainFrame();
    for (const f of page.frames()) if (await f.evaluate("document.querySelector('#plot .scatter') !== null").catch(() => false)) frame = f;
    const drawn = await frame.evaluate<[number, number][]>(DRAWN_POINTS);
    assert.ok(drawn.length >= 2, `${drawn.length} points found on the canvas`);
    const at = (i: number): [number, number] => [box.x + drawn[i][0], box.y + drawn[i][1]];
    const a = at(0);
    await page.mouse.click(a[0], a[1]);
    const b = at(1);
    await page.keyboard.down('Shift'); await page.mouse.click(b[0], b[1]); await page.keyboard.up('Shift');
    await inner.locator('#tab-interpolate').click();
    await inner.locator('#interp-run').click();
    await inner.locator('#interp-strip').waitFor({ timeout: 30_000 });
    mkdirSync('artifacts', { recursive: true });
    await page.screenshot({ path: 'artifacts/e2e-panel.png' });
    // A latent grid in the Generate tab, then every tab at a 700 px and a 1,600 px wide panel: layout facts and screenshots.
    await inner.locator('#tab-generate').click();
    await inner.locator('#gen-run').click();
    await inner.locator('#gen-strip').waitFor({ timeout: 30_000 });
    const webview = page.locator('iframe.webview.ready');
    // No toast over the panel in the screenshots.
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>Notifications: Clear All Notifications');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Clear All Notifications' }).first().waitFor({ timeout: 5000 });
    await page.keyboard.press('Enter');
    for (const width of [700, 1600]) {
      // The editor groups share the window in proportion: find the window width giving this panel width (secant steps).
      let [v0, w0] = [page.viewportSize()!.width, (await webview.boundingBox())!.width];
      let v1 = Math.round(v0 + width - w0);
      for (let i = 0; i < 6 && Math.abs(w0 - width) >= 2; i++) {
        await page.setViewportSize({ width: v1, height: 900 });
        await page.waitForTimeout(400);
        const w1 = (await webview.boundingBox())!.width;
        const slope = Math.abs(w1 - w0) > 1 ? (v1 - v0) / (w1 - w0) : 1;
        [v0, w0, v1] = [v1, w1, Math.round(v1 + (width - w1) * slope)];
      }
      assert.ok(Math.abs(w0 - width) < 2, `panel ${w0} px wide, wanted ${width}`);
      await shootTabs(frame, width, (path) => webview.screenshot({ path }));
    }
    console.log(`ok: ${N} points, ${k} clusters, ${liveFrames} live embedding frames, interpolation rendered; artifacts/e2e-panel.png`);
  } catch (e) {
    // What the workbench showed when a step failed (notifications, the form, the panel).
    mkdirSync('artifacts', { recursive: true });
    await page.screenshot({ path: 'artifacts/e2e-panel-failure.png' }).catch(() => undefined);
    throw e;
  } finally {
    await wb.close();
  }
}

main().catch((e: unknown) => { console.error('FAILED', e); process.exit(1); });
