/**
 * Real VS Code for the end-to-end tests and benchmarks: code-server (the harness in .vscode-harness, see
 * scripts/harness-install.sh) serving a workspace folder with this extension loaded via
 * ?payload=[["extensionDevelopmentPath", ...]], driven by headless Chromium through playwright-core. Also the
 * command palette, the panel's webview frame and the extension's log file.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { FrameLocator, Page } from 'playwright-core';

const ROOT = resolve('.vscode-harness');
const CODE_SERVER = process.env.CODE_SERVER_BIN ?? join(ROOT, 'cs/node_modules/.bin/code-server');

/** A workbench open in the browser; `close` ends the browser and code-server. */
export interface Workbench {
  page: Page;
  /** code-server's user data folder (its logs are under `logs/`). */
  userDataDir: string;
  close: () => Promise<void>;
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

/** Starts code-server on `ws` (a folder holding the workspace) and opens it in Chromium, this extension loaded. */
export async function openWorkbench(ws: string, viewport = { width: 1500, height: 900 }): Promise<Workbench> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const userDataDir = join(ws, '.ud');
  const cs = spawn(CODE_SERVER, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--config', '/dev/null', '--user-data-dir', userDataDir, '--extensions-dir', join(ws, '.ext'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust'], { detached: true, stdio: 'ignore', env: { ...process.env, ...emptyHome(ws) } });
  const stop = (): void => { try { process.kill(-cs.pid!, 'SIGTERM'); } catch { /* gone */ } };
  process.on('exit', stop);
  for (let i = 0; ; i++) { try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ } if (i > 600) throw new Error('code-server did not start'); await new Promise((r) => setTimeout(r, 100)); }
  const payload = encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${resolve('.')}`], ['skipWelcome', 'true']]));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const close = async (): Promise<void> => { await browser.close(); stop(); };
  const page = await browser.newPage({ viewport });
  try {
    await page.goto(`${base}/?folder=${encodeURIComponent(ws)}&payload=${payload}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  } catch (e) {
    await close();
    throw e;
  }
  return { page, userDataDir, close };
}

/** Runs "Latent Explorer: <title>" from the command palette (retried while the extension is still activating). */
export async function runCommand(page: Page, title: string): Promise<void> {
  let ran = false;
  for (let i = 0; i < 30 && !ran; i++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.fill(`>Latent Explorer: ${title}`);
    try { await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 3000 }); ran = true; await page.keyboard.press('Enter'); } catch { await page.keyboard.press('Escape'); await page.waitForTimeout(1000); }
  }
  assert.ok(ran, `command "${title}" found in the palette`);
}

/** The panel's document (inside the webview's iframes). */
export function panelFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** The text of the extension's log ("Latent Explorer" output channel) so far, '' before it is written. */
export function extensionLog(wb: Workbench): string {
  const find = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? find(join(dir, e.name)) : e.name.endsWith('Latent Explorer.log') ? [join(dir, e.name)] : []);
  let files: string[] = [];
  try { files = find(join(wb.userDataDir, 'logs')); } catch { /* no logs yet */ }
  return files.map((f) => readFileSync(f, 'utf8')).join('');
}
