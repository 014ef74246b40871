/**
 * What the real panel costs training: in real VS Code (code-server + Chromium, test/e2e/workbench.ts) the extension
 * trains its sample digits (2,000 MNIST digits, dense autoencoder) with the panel open on the Training tab, which
 * redraws the progress line, the loss chart and the live embedding while the worker trains; the reference is the
 * same training config through the CLI (`dist/cli.js train --quiet`, the same core, no panel) in the same run, and
 * the panel with the Training tab hidden (the Clusters tab shown; the live scatter still draws). Runs alternate
 * (CLI, panel visible, panel hidden, ...) so warm-up and machine noise fall on every side; each run's samples/s is
 * the trainer's own figure (the CLI's summary line, the extension's "trained in" log line). Prints the median of
 * each and their ratios; the target is the Training tab's own cost, visible against hidden, under 5%. The panel's
 * whole cost against the CLI (VS Code's workbench, the live scatter and the extension host share the cores) is printed
 * beside it.
 *
 * Settings: PANEL_BENCH_EPOCHS (default 20, the CLI default), PANEL_BENCH_REPEATS (default 2 runs of each),
 * PANEL_BENCH_BACKEND (default wasm), PANEL_BENCH_THREADS (default 0 = every core), PANEL_BENCH_SETTLE_MS (idle
 * time after a panel run, while the panel finishes its post-training analysis; default 5000).
 * Run: `npm run bench:panel` (builds first; needs the harness: npm run harness:install).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { extensionLog, openWorkbench, panelFrame, runCommand } from '../test/e2e/workbench';
import type { Workbench } from '../test/e2e/workbench';
import { formatTable } from './util';

const EPOCHS = Number(process.env.PANEL_BENCH_EPOCHS ?? 20);
const REPEATS = Number(process.env.PANEL_BENCH_REPEATS ?? 2);
const BACKEND = process.env.PANEL_BENCH_BACKEND ?? 'wasm';
const THREADS = Number(process.env.PANEL_BENCH_THREADS ?? 0);
const SEED = 7;
const SETTLE_MS = Number(process.env.PANEL_BENCH_SETTLE_MS ?? 5000);
const RUN_TIMEOUT_MS = 10 * 60_000;

type Mode = 'cli' | 'visible' | 'hidden';
interface Run { mode: Mode; samplesPerSec: number; note: string }

/** The extension's "trained in ... N samples/s" lines so far. */
const trainedLines = (wb: Workbench): string[] => extensionLog(wb).split('\n').filter((l) => /trained in .* samples\/s/.test(l));

/** One training of the sample digits through the CLI; its samples/s from the summary line. */
function cliRun(outDir: string): Promise<Run> {
  const args = [resolve('dist/cli.js'), 'train', '--epochs', String(EPOCHS), '--seed', String(SEED), '--backend', BACKEND, '--threads', String(THREADS), '--out', outDir, '--force', '--quiet'];
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const m = /\((\d+) samples\/s\)/.exec(out);
      if (code !== 0 || !m) fail(new Error(`CLI training failed (exit ${code}):\n${out}`));
      else ok({ mode: 'cli', samplesPerSec: Number(m[1]), note: /Trained .*/.exec(out)?.[0] ?? '' });
    });
  });
}

/** One "Try with Sample Data" in the workbench with the Training tab shown (or hidden); samples/s from its log line. */
async function panelRun(wb: Workbench, mode: 'visible' | 'hidden'): Promise<Run> {
  const page: Page = wb.page;
  const inner = panelFrame(page);
  await inner.locator(mode === 'visible' ? '#tab-training' : '#tab-clusters').click();
  const before = trainedLines(wb).length;
  const framesBefore = Number((await inner.locator('#plot').getAttribute('data-live-frames')) ?? 0);
  await runCommand(page, 'Try with Sample Data');
  await inner.locator('#app[data-state="training"]').waitFor({ timeout: 60_000, state: 'attached' }).catch(() => undefined);
  // Which tab the panel showed while training (with no model yet, the panel shows the Training tab whatever was asked).
  await page.waitForTimeout(1500);
  const shown = (await inner.locator('#tab-training').getAttribute('aria-selected')) === 'true' ? 'training tab shown' : 'training tab hidden';
  const t0 = performance.now();
  let lines = trainedLines(wb);
  while (lines.length <= before) {
    if (performance.now() - t0 > RUN_TIMEOUT_MS) throw new Error(`no "trained in" log line after ${RUN_TIMEOUT_MS / 1000} s`);
    await page.waitForTimeout(500);
    lines = trainedLines(wb);
  }
  const line = lines[before];
  const m = /, (\d+) samples\/s/.exec(line);
  if (!m) throw new Error(`unexpected log line: ${line}`);
  await inner.locator('#app[data-state="ready"]').waitFor({ timeout: 120_000, state: 'attached' });
  const frames = Number((await inner.locator('#plot').getAttribute('data-live-frames')) ?? 0);
  await page.waitForTimeout(SETTLE_MS);
  const actual: Mode = shown === 'training tab shown' ? 'visible' : 'hidden';
  return { mode: actual, samplesPerSec: Number(m[1]), note: `${shown}; live embedding frames drawn: ${frames >= framesBefore ? frames - framesBefore : frames}` };
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const ws = mkdtempSync(join(tmpdir(), 'le-bench-panel-'));
  mkdirSync(join(ws, '.vscode'));
  writeFileSync(join(ws, '.vscode/settings.json'), JSON.stringify({
    'latentExplorer.epochs': EPOCHS, 'latentExplorer.seed': SEED, 'latentExplorer.backend': BACKEND, 'latentExplorer.threads': THREADS,
  }, null, 2));
  console.log(`panel cost: sample digits, dense, ${EPOCHS} epochs, seed ${SEED}, backend ${BACKEND}, threads ${THREADS || 'auto'}; ${REPEATS} run(s) of each`);
  const wb = await openWorkbench(ws);
  const runs: Run[] = [];
  try {
    // Open the (empty) panel first, so it is loaded when training starts and draws every progress message.
    await runCommand(wb.page, 'Open Latent Explorer');
    await panelFrame(wb.page).locator('#app[data-state="waiting"]').waitFor({ timeout: 60_000, state: 'attached' });
    for (let r = 0; r < REPEATS; r++) {
      for (const mode of ['cli', 'visible', 'hidden'] as const) {
        const run = mode === 'cli' ? await cliRun(join(ws, 'cli-out')) : await panelRun(wb, mode);
        runs.push(run);
        console.log(`  ${run.mode.padEnd(7)} ${String(run.samplesPerSec).padStart(7)} samples/s  ${run.note}`);
      }
    }
  } finally {
    await wb.close();
    rmSync(ws, { recursive: true, force: true });
  }
  const med = (mode: Mode): number => median(runs.filter((r) => r.mode === mode).map((r) => r.samplesPerSec));
  const [cli, visible, hidden] = [med('cli'), med('visible'), med('hidden')];
  const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');
  console.log(`\n${formatTable([
    ['', 'samples/s (median)', 'runs'],
    ['CLI (no panel)', cli.toFixed(0), String(runs.filter((r) => r.mode === 'cli').length)],
    ['panel, Training tab visible', visible.toFixed(0), String(runs.filter((r) => r.mode === 'visible').length)],
    ['panel, Training tab hidden', hidden.toFixed(0), String(runs.filter((r) => r.mode === 'hidden').length)],
  ])}`);
  console.log(`ratio Training tab visible / hidden: ${(visible / hidden).toFixed(3)} -> the Training tab costs ${pct(1 - visible / hidden)} of the throughput (target < 5%)`);
  console.log(`ratio panel (Training tab visible) / CLI: ${(visible / cli).toFixed(3)}; panel (Training tab hidden) / CLI: ${(hidden / cli).toFixed(3)} (the whole workbench on the same cores)`);
  console.log('Figures from one run on this machine; other work on it moves them, the ratios less so.');
}

main().catch((e: unknown) => { console.error('FAILED', e); process.exit(1); });
