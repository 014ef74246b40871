#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }), adapted from
// ../shared/vscode-harness/code-shim.js. It accepts the Electron-style CLI args runTests passes, starts code-server
// (CODE_SERVER_BIN) on a free 127.0.0.1 port, opens the workbench in headless Chromium with the
// ?payload=[["extensionDevelopmentPath",..],["extensionTestsPath",..]] hooks (code-server rejects
// --extensionDevelopmentPath), forwards the extension host's log (mocha output) and exits with the tests' exit code.
// scripts/harness-install.sh copies it to .vscode-harness/tools/code-shim.mjs; playwright-core resolves from the
// project's node_modules.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { chromium } from 'playwright-core';

const CODE_SERVER = process.env.CODE_SERVER_BIN || 'code-server';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_S = Number(process.env.TEST_TIMEOUT_S || 600);

const argv = process.argv.slice(2);
const val = (n) => argv.filter((x) => x.startsWith(`--${n}=`)).map((x) => x.slice(n.length + 3));
const devPaths = val('extensionDevelopmentPath');
const [testsPath] = val('extensionTestsPath');
const [extDir] = val('extensions-dir');
const [udDir] = val('user-data-dir');
const folder = argv.find((x) => !x.startsWith('-')) || mkdtempSync(path.join(os.tmpdir(), 'ws-'));
const freePort = () => new Promise((r) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let cs;
/** code-server runs in its own process group (setsid-like): kill the whole group so its file watcher is not orphaned. */
const stop = () => { if (cs?.pid) { try { process.kill(-cs.pid, 'SIGTERM'); } catch { /* gone */ } } };
process.on('exit', stop);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { stop(); process.exit(130); });

async function main() {
  if (!testsPath) throw new Error('code-shim: --extensionTestsPath=<path> is required');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const cfg = path.join(mkdtempSync(path.join(os.tmpdir(), 'cs-')), 'config.yaml');
  writeFileSync(cfg, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const csArgs = ['--config', cfg, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    ...(udDir ? ['--user-data-dir', udDir] : []), ...(extDir ? ['--extensions-dir', extDir] : [])];
  cs = spawn(CODE_SERVER, csArgs, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  cs.stdout.on('data', (d) => process.env.VERBOSE && process.stderr.write(d));
  cs.stderr.on('data', (d) => process.stderr.write(d));
  let csExit;
  cs.on('exit', (code) => { csExit = code; });
  for (let i = 0; ; i++) {
    if (csExit !== undefined) throw new Error(`code-server exited with ${csExit} before it was healthy`);
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (i > 600) throw new Error('code-server did not start within 60 s');
    await sleep(100);
  }
  const host = `127.0.0.1:${port}`;
  const remote = (p) => `vscode-remote://${host}${path.resolve(p)}`;
  const payload = [...devPaths.map((p) => ['extensionDevelopmentPath', remote(p)]), ['extensionTestsPath', remote(testsPath)],
    ['skipWelcome', 'true'], ['skipReleaseNotes', 'true']];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage();
  let done;
  const result = new Promise((r) => (done = r));
  // The extension host's console (mocha's reporter) arrives here, like VS Code's own web integration tests.
  await page.exposeFunction('codeAutomationLog', (type, args) => { if (type !== 'error' || process.env.VERBOSE) console.log(util.format(...args)); });
  await page.exposeFunction('codeAutomationExit', (code) => done(code));
  setTimeout(() => done('timeout'), TIMEOUT_S * 1000).unref();
  await page.goto(`${base}/?folder=${encodeURIComponent(path.resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const code = await result;
  if (code === 'timeout') console.error(`code-shim: tests did not finish within ${TIMEOUT_S} s`);
  await browser.close();
  stop();
  process.exit(typeof code === 'number' ? code : 2);
}

main().catch((e) => { console.error(e); stop(); process.exit(3); });
