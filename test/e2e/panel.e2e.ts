/**
 * End-to-end: code-server (the harness in .vscode-harness, see scripts/harness-install.sh) with this extension loaded
 * via ?payload=[["extensionDevelopmentPath", ...]], a temp workspace holding a CSV of 3 planted clusters; runs
 * "Latent Explorer: Train Autoencoder on Active File" from the palette (form answered from workspace settings),
 * waits for the panel, checks points and clusters inside the webview iframe, runs an interpolation and saves
 * artifacts/e2e-panel.png. Usage: npm run test:e2e (builds first).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createNormalRng } from '../../src/common/random';
import { DRAWN_POINTS } from './plotPoints';

const ROOT = resolve('.vscode-harness');
const CODE_SERVER = process.env.CODE_SERVER_BIN ?? join(ROOT, 'cs/node_modules/.bin/code-server');
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

/** HOME and XDG folders that start empty, inside the temp workspace (code-server writes its config there). */
function emptyHome(ws: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, dir] of [['HOME', 'home'], ['XDG_CONFIG_HOME', 'config'], ['XDG_DATA_HOME', 'data'], ['XDG_CACHE_HOME', 'cache'], ['XDG_STATE_HOME', 'state']]) {
    env[name] = join(ws, '.profile', dir);
    mkdirSync(env[name], { recursive: true });
  }
  return env;
}

const freePort = (): Promise<number> => new Promise((r) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => r(p)); }); });

async function main(): Promise<void> {
  const ws = mkdtempSync(join(tmpdir(), 'latent-e2e-'));
  fixture(ws);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const cs = spawn(CODE_SERVER, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--config', '/dev/null', '--user-data-dir', join(ws, '.ud'), '--extensions-dir', join(ws, '.ext'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust'], { detached: true, stdio: 'ignore', env: { ...process.env, ...emptyHome(ws) } });
  const stop = (): void => { try { process.kill(-cs.pid!, 'SIGTERM'); } catch { /* gone */ } };
  process.on('exit', stop);
  for (let i = 0; ; i++) { try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ } if (i > 600) throw new Error('code-server did not start'); await new Promise((r) => setTimeout(r, 100)); }
  const payload = encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${resolve('.')}`], ['skipWelcome', 'true']]));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  try {
    await page.goto(`${base}/?folder=${encodeURIComponent(ws)}&payload=${payload}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    // open the CSV (Quick Open), then train it from the palette; the form's defaults come from the workspace settings
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('planted.csv');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'planted.csv' }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab', { hasText: 'planted.csv' }).waitFor({ timeout: 20_000 });
    const runCommand = async (title: string): Promise<void> => {
      let ran = false;
      for (let i = 0; i < 30 && !ran; i++) {
        await page.keyboard.press('F1');
        const input = page.locator('.quick-input-widget input');
        await input.fill(`>Latent Explorer: ${title}`);
        try { await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 3000 }); ran = true; await page.keyboard.press('Enter'); } catch { await page.keyboard.press('Escape'); await page.waitForTimeout(1000); }
      }
      assert.ok(ran, `command "${title}" found in the palette`);
    };
    // open the (empty) panel first, so it is loaded when training starts and receives the live embedding frames
    await runCommand('Open Latent Explorer');
    const inner = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await inner.locator('#app[data-state="waiting"]').waitFor({ timeout: 60_000, state: 'attached' });
    await page.locator('.tab', { hasText: 'planted.csv' }).click();
    await runCommand('Train Autoencoder on Active File');
    // 5 form steps: model type, latent size, epochs, seed, label column (suggested "label" first): accept each
    for (let step = 1; step <= 6; step++) {
      await page.locator('.quick-input-widget .quick-input-title', { hasText: `(${step}/` }).waitFor({ timeout: 20_000 });
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
    console.log(`ok: ${N} points, ${k} clusters, ${liveFrames} live embedding frames, interpolation rendered; artifacts/e2e-panel.png`);
  } catch (e) {
    // What the workbench showed when a step failed (notifications, the form, the panel).
    mkdirSync('artifacts', { recursive: true });
    await page.screenshot({ path: 'artifacts/e2e-panel-failure.png' }).catch(() => undefined);
    throw e;
  } finally {
    await browser.close();
    stop();
  }
}

main().catch((e: unknown) => { console.error('FAILED', e); process.exit(1); });
