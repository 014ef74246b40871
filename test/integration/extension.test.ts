/**
 * Integration tests in a real VS Code extension host (code-server): activation, command registration, training
 * through the worker, cancel, bad input, a worker crash, and the host's responsiveness while training runs.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { createNormalRng } from '../../src/common/random';
import type { TrainCommandOptions } from '../../src/extension/commands';
import type { TrainCommandResult } from '../../src/extension/trainingRunner';
import { wrapTrainingWorker } from './workerWrapper';
import type { WrappedWorker } from './workerWrapper';

const EXTENSION_ID = 'latent-explorer.latent-explorer';

function workspaceDir(): string {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.env.LATENT_EXPLORER_IT_WORKSPACE;
  assert.ok(ws, 'the test run opens a workspace folder');
  return ws;
}

/** Gaussian blobs: `clusters` centres, `n` rows of `dim` features plus a `label` column, seeded. */
function writeBlobsCsv(path: string, n: number, dim: number, clusters: number, seed: number): void {
  const normal = createNormalRng(seed);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dim }, () => 4 * normal()));
  const lines = [[...Array.from({ length: dim }, (_, j) => `f${j}`), 'label'].join(',')];
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    lines.push([...centres[c].map((m) => (m + normal()).toFixed(4)), `c${c}`].join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/** True when the extension under test is the packaged VSIX installed into the run's extensions folder. */
function fromVsix(): boolean {
  const exts = process.env.LATENT_EXPLORER_IT_EXTENSIONS;
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  return exts !== undefined && ext !== undefined && ext.extensionPath.startsWith(exts);
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function train(file: string, options: TrainCommandOptions): Thenable<TrainCommandResult> {
  return vscode.commands.executeCommand<TrainCommandResult>('latentExplorer.train', vscode.Uri.file(file), { openPanel: false, ...options });
}

/** Waits until the (wrapped) worker has posted its first training progress, so timings are taken while it computes. */
async function waitForBatches(worker: WrappedWorker, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (worker.progress() === undefined) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`training did not start within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Whether a training is running: the cancel command answers `idle` (and does nothing) when none is. */
async function idle(): Promise<boolean> {
  return (await vscode.commands.executeCommand<string>('latentExplorer.cancelTraining')) === 'idle';
}

function extensionPath(): string {
  return vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
}

describe('Latent Explorer extension', function () {
  let ws: string;
  let small: string;
  let large: string;

  before(async function () {
    ws = workspaceDir();
    mkdirSync(join(ws, 'data'), { recursive: true });
    small = join(ws, 'data', 'blobs.csv');
    large = join(ws, 'data', 'large.csv');
    writeBlobsCsv(small, 240, 6, 3, 1);
    writeBlobsCsv(large, 4000, 32, 4, 2);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is installed in the test host`);
    await ext.activate();
  });

  it('activates', function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.equal(ext.isActive, true);
  });

  it('registers every contributed command', async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = (ext.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 7, `contributes 7 commands, got ${contributed.join(', ')}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('runs self-contained from the installed VSIX (bundles and wasm binaries inside, no node_modules)', function () {
    if (!fromVsix()) this.skip();
    const dir = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    console.log(`[vsix] extension installed at ${dir}`);
    assert.equal(existsSync(join(dir, 'node_modules')), false, 'no node_modules in the installed extension');
    for (const f of ['dist/extension.js', 'dist/trainingWorker.js', 'dist/cli.js', 'dist/webview.js', 'dist/tfjs-backend-wasm-simd.wasm', 'media/sample/digits-images-idx3-ubyte.gz']) {
      assert.ok(existsSync(join(dir, f)), `${f} is in the VSIX`);
    }
    for (const f of ['src', 'test', 'bench', '.vscode-harness', 'dist/cli.js.map']) assert.equal(existsSync(join(dir, f)), false, `${f} is not in the VSIX`);
  });

  it('the VSIX\'s dist/cli.js trains on a small CSV with no node_modules anywhere on its path', function () {
    if (!fromVsix()) this.skip();
    const installed = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    const root = mkdtempSync(join(tmpdir(), 'le-vsix-cli-'));
    try {
      const ext = join(root, 'extension');
      cpSync(installed, ext, { recursive: true });
      for (let dir = ext; ; dir = dirname(dir)) {
        assert.equal(existsSync(join(dir, 'node_modules')), false, `node_modules in ${dir}`);
        if (dirname(dir) === dir) break;
      }
      const csv = join(root, 'small.csv');
      writeBlobsCsv(csv, 60, 4, 2, 9);
      const out = join(root, 'model');
      const r = spawnSync(process.execPath, [join(ext, 'dist', 'cli.js'), 'train', csv, '--epochs', '2', '--label', 'label', '--out', out], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
      assert.equal(r.status, 0, `cli exit ${r.status}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /^Backend: wasm, /m);
      assert.ok(existsSync(join(out, 'model.json')) && existsSync(join(out, 'embeddings.csv')), `model written: ${r.stdout}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('trains on the sample digits with "Try with Sample Data" (no file of the user\'s own)', async function () {
    const result = await vscode.commands.executeCommand<TrainCommandResult>('latentExplorer.trySample', { openPanel: false, epochs: 2, maxRows: 300, seed: 3 });
    assert.equal(result.status, 'done', JSON.stringify(result));
    const outDir = join(ws, '.latent', 'digits-dense');
    assert.equal(result.outDir, outDir);
    const sidecar = JSON.parse(readFileSync(join(outDir, 'latent-explorer.json'), 'utf8')) as { dataset: { format: string; n: number; kind: string } };
    assert.deepEqual([sidecar.dataset.format, sidecar.dataset.n, sidecar.dataset.kind], ['sample', 300, 'image']);
    const rows = readFileSync(join(outDir, 'embeddings.csv'), 'utf8').trim().split(/\r?\n/);
    assert.equal(rows.length, 301);
    const loaded = await vscode.commands.executeCommand<{ status: string }>('latentExplorer.loadModel', outDir);
    assert.equal(loaded.status, 'done', JSON.stringify(loaded));
  });

  it('reveals a sample of the IDX sample digits as a PNG preview, not the binary file', async function () {
    const loaded = await vscode.commands.executeCommand<{ status: string }>('latentExplorer.loadModel', join(ws, '.latent', 'digits-dense'));
    assert.equal(loaded.status, 'done', JSON.stringify(loaded));
    const r = await vscode.commands.executeCommand<{ kind: string; path: string }>('latentExplorer.revealSample', 3);
    assert.equal(r.kind, 'image', JSON.stringify(r));
    assert.match(r.path, /digits-3\.png$/);
    assert.deepEqual([...readFileSync(r.path).subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
    assert.equal(tab?.uri?.fsPath, r.path, 'the preview is the active tab');
  });

  it('trains on a CSV from its Uri, writes the model under .latent and leaves the CSV untouched', async function () {
    const before = sha256(small);
    const result = await train(small, { kind: 'dense', latentDim: 2, epochs: 3, seed: 7, labelColumn: 'label' });
    assert.equal(result.status, 'done', JSON.stringify(result));
    const outDir = join(ws, '.latent', 'blobs-dense');
    assert.equal(result.outDir, outDir);
    for (const f of ['model.json', 'latent-explorer.json', 'embeddings.csv']) {
      assert.ok(existsSync(join(outDir, f)), `${f} written to ${outDir}`);
    }
    assert.equal(result.epochsRun, 3);
    assert.ok(result.liveFrames !== undefined && result.liveFrames >= 1 && result.liveFrames <= 3, `live embedding frames (at most one per epoch): ${result.liveFrames}`);
    assert.ok(Number.isFinite(result.loss), `finite loss, got ${result.loss}`);
    // embeddings.csv: one row per sample (+ header)
    const rows = readFileSync(join(outDir, 'embeddings.csv'), 'utf8').trim().split(/\r?\n/);
    assert.equal(rows.length, 241);
    assert.equal(sha256(small), before, 'the dataset was not modified');
  });

  it('reopens the saved model with Load Model… and exports embeddings from the worker', async function () {
    const outDir = join(ws, '.latent', 'blobs-dense');
    const loaded = await vscode.commands.executeCommand<{ status: string }>('latentExplorer.loadModel', outDir);
    assert.equal(loaded.status, 'done', JSON.stringify(loaded));
    const target = join(ws, 'export', 'codes.csv');
    mkdirSync(join(ws, 'export'), { recursive: true });
    const exported = await vscode.commands.executeCommand<{ status: string; files?: string[] }>('latentExplorer.export', { path: target, format: 'csv', overwrite: false });
    assert.equal(exported.status, 'done', JSON.stringify(exported));
    assert.ok(exported.files?.some((f) => existsSync(f)), `export wrote ${exported.files?.join(', ')}`);
  });

  it('scores another file with the trained model (Score with Latent Explorer Model…) into the model\'s scores folder', async function () {
    const outDir = join(ws, '.latent', 'blobs-dense');
    const fresh = join(ws, 'data', 'fresh.csv');
    writeBlobsCsv(fresh, 60, 6, 3, 11);
    writeFileSync(fresh, readFileSync(fresh, 'utf8').split('\n').map((l) => l.split(',').slice(0, 6).join(',')).join('\n'));
    const result = await vscode.commands.executeCommand<{ status: string; files?: string[]; summary?: { n: number; flagged: number }; warnings?: string[] }>(
      'latentExplorer.scoreFile', vscode.Uri.file(fresh), { modelDir: outDir, notify: false },
    );
    assert.equal(result.status, 'done', JSON.stringify(result));
    assert.equal(result.files?.[0], join(outDir, 'scores', 'fresh.csv'));
    assert.equal(result.summary?.n, 60);
    assert.ok(result.warnings?.some((w) => /label column "label" is not in this data/.test(w)), JSON.stringify(result.warnings));
    const rows = readFileSync(join(outDir, 'scores', 'fresh.csv'), 'utf8').trim().split(/\r?\n/);
    assert.equal(rows.length, 61);
    const header = rows[0].split(',');
    assert.ok(header.includes('anomalous'), rows[0]);
    const flagged = rows.slice(1).filter((r) => r.split(',')[header.indexOf('anomalous')] === '1').length;
    assert.equal(flagged, result.summary.flagged);
    // Show in Panel: the model opened on its training data, the scored points drawn over it.
    const shown = await vscode.commands.executeCommand<{ status: string; shown?: string }>('latentExplorer.scoreFile', vscode.Uri.file(fresh), { modelDir: outDir, notify: false, show: true });
    assert.equal(shown.shown, 'training', JSON.stringify(shown));
  });

  it('trains the issue-6 kinds (cvae, stacked, vqvae, sequence) in the worker and exports their embeddings', async function () {
    const series = join(ws, 'data', 'series.csv');
    writeFileSync(series, ['a,b', ...Array.from({ length: 200 }, (_, t) => `${Math.sin(t / 5).toFixed(4)},${Math.cos(t / 7).toFixed(4)}`)].join('\n') + '\n');
    const runs: [string, TrainCommandOptions, (header: string[], rows: number) => void][] = [
      [small, { kind: 'cvae', labelColumn: 'label' }, (_h, rows) => assert.equal(rows, 240)],
      [small, { kind: 'stacked' }, (_h, rows) => assert.equal(rows, 240)],
      [small, { kind: 'vqvae' }, (h) => assert.ok(h.includes('code'), `vq-vae export has a code column: ${h.join(',')}`)],
      [series, { kind: 'sequence', window: { length: 16, stride: 8 } }, (_h, rows) => assert.equal(rows, Math.floor((200 - 16) / 8) + 1)],
    ];
    for (const [file, opts, check] of runs) {
      const result = await train(file, { latentDim: 3, epochs: 2, seed: 1, ...opts });
      assert.equal(result.status, 'done', `${opts.kind}: ${JSON.stringify(result)}`);
      assert.ok((result.liveFrames ?? 0) >= 1 && (result.liveFrames ?? 0) <= (result.epochsRun ?? 0), `${opts.kind}: live frames ${result.liveFrames} for ${result.epochsRun} epochs`);
      const target = join(ws, 'export', `${opts.kind}.csv`);
      mkdirSync(join(ws, 'export'), { recursive: true });
      const exported = await vscode.commands.executeCommand<{ status: string; files?: string[] }>('latentExplorer.export', { path: target, format: 'csv', overwrite: true });
      assert.equal(exported.status, 'done', JSON.stringify(exported));
      const lines = readFileSync(target, 'utf8').trim().split(/\r?\n/);
      check(lines[0].split(','), lines.length - 1);
    }
  });

  it('keeps the extension host responsive while training runs in the worker (event-loop delay < 100 ms)', async function () {
    const worker = wrapTrainingWorker(extensionPath());
    // Early stopping off: the training must outlast the measurement.
    const running = train(large, { kind: 'dense', latentDim: 4, epochs: 500, seed: 3, batchSize: 32, patience: 0 });
    let settled = false;
    void running.then(() => { settled = true; });
    try {
      await waitForBatches(worker, 60_000);
      const first = worker.progress();
      // How late a 0 ms timer fires on this (the extension host's) event loop: what any command or UI event waits.
      const latencies: number[] = [];
      const end = Date.now() + 3000;
      while (Date.now() < end) {
        const t = performance.now();
        await sleep(0);
        latencies.push(performance.now() - t);
        assert.equal(settled, false, 'training still running while measuring');
        await sleep(20);
      }
      const sorted = [...latencies].sort((a, b) => a - b);
      const q = (f: number): number => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
      const max = sorted[sorted.length - 1];
      console.log(`[measure] event-loop delay during training: n=${sorted.length} median=${q(0.5).toFixed(2)} ms p95=${q(0.95).toFixed(2)} ms max=${max.toFixed(2)} ms`);
      const last = worker.progress();
      console.log(`[measure] training progressed from epoch ${first?.epoch}, batch ${first?.batch} to epoch ${last?.epoch}, batch ${last?.batch} during the measurement`);
      assert.ok(sorted.length >= 50, `enough samples (${sorted.length})`);
      assert.ok(max < 100, `max event-loop delay ${max.toFixed(1)} ms must stay under 100 ms`);
    } finally {
      worker.restore();
      await vscode.commands.executeCommand('latentExplorer.cancelTraining');
      await running;
    }
  });

  it('cancels a longer training within ~1.5 s and reports it cancelled', async function () {
    const worker = wrapTrainingWorker(extensionPath());
    const running = train(large, { kind: 'dense', latentDim: 4, epochs: 500, seed: 4, batchSize: 32, patience: 0 });
    try {
      await waitForBatches(worker, 60_000);
    } finally {
      worker.restore();
    }
    await sleep(500);
    const t0 = performance.now();
    const outcome = await vscode.commands.executeCommand<string>('latentExplorer.cancelTraining');
    const result = await running;
    const stoppedMs = performance.now() - t0;
    console.log(`[measure] cancel: stopped ${stoppedMs.toFixed(0)} ms after the request (${outcome}; runner saw ${result.stopMs} ms)`);
    assert.equal(result.status, 'cancelled', JSON.stringify(result));
    assert.ok(outcome === 'stopped' || outcome === 'terminated', `cancel outcome ${outcome}`);
    assert.ok(stoppedMs < 2000, `training stopped ${stoppedMs.toFixed(0)} ms after cancel (limit ~1.5 s)`);
    assert.equal(await idle(), true, 'no training running after the cancel');
  });

  it('reports a bad CSV as an error naming the file and keeps working', async function () {
    const bad = join(ws, 'data', 'bad.csv');
    writeFileSync(bad, 'a,b,c\n1,2,3\n4,abc,6\n7,8,9\n');
    const before = sha256(bad);
    const result = await train(bad, { kind: 'dense', latentDim: 2, epochs: 2, seed: 1 });
    assert.equal(result.status, 'error', JSON.stringify(result));
    assert.equal(result.error?.name, 'DatasetError', JSON.stringify(result.error));
    assert.match(result.error.message, /bad\.csv/);
    assert.equal(sha256(bad), before, 'the bad dataset was not modified');
    assert.equal(existsSync(join(ws, '.latent', 'bad-dense', 'model.json')), false, 'no model written for bad data');
    assert.equal(await idle(), true, 'no training running after the error');
  });

  for (const mode of ['throw', 'exit'] as const) {
    it(`survives a worker crash (${mode}) and trains again afterwards`, async function () {
      // The worker thread of this training crashes for real: the test swaps in a wrapper that throws or exits. No
      // early stopping, so that the training is still running when the crash comes.
      const worker = wrapTrainingWorker(extensionPath(), { mode, afterMs: 1500 });
      let result: TrainCommandResult;
      try {
        result = await train(large, { kind: 'dense', latentDim: 4, epochs: 500, seed: 5, batchSize: 32, patience: 0 });
      } finally {
        worker.restore();
      }
      assert.equal(result.status, 'error', JSON.stringify(result));
      assert.match(result.error?.message ?? '', /worker (crashed|exited unexpectedly)/);
      assert.equal(await idle(), true, 'no training running after the crash');
      const again = await train(small, { kind: 'dense', latentDim: 2, epochs: 1, seed: 7 });
      assert.equal(again.status, 'done', JSON.stringify(again));
    });
  }
});
