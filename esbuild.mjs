// Bundles the extension host, the training worker, the CLI and the webview into dist/, self-contained: tfjs, its wasm
// backend (with its .wasm binaries copied beside the bundles, where the backend looks for them) and every other
// runtime dependency are inside, so nothing from node_modules is needed at run time. The native backend
// `@tensorflow/tfjs-node` stays outside: it is loaded by name at run time only where it is installed.
// Usage: node esbuild.mjs [--production] [--watch]   (--production: minified, no source maps)
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const external = ['vscode', '@tensorflow/tfjs-node'];

const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production, minify: production, external, logLevel: 'warning' };
const entries = [
  { ...node, entryPoints: ['src/cli/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/worker/trainingWorker.ts'], outfile: 'dist/trainingWorker.js' },
  { bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', logLevel: 'warning', loader: { '.css': 'text' } },
];

/** The wasm backend's binaries, copied next to the bundles (its Emscripten loader reads them from `__dirname`). */
function copyWasmBinaries() {
  const dir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) copyFileSync(join(dir, f), join('dist', f));
}

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
copyWasmBinaries();
if (watch) {
  for (const e of entries) await (await esbuild.context(e)).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build(e)));
}
