// Bundles the extension host, the training worker, the CLI and the webview.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
/** tfjs stays external: the wasm binaries and the optional native tfjs-node are resolved from node_modules. */
const external = ['vscode', '@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-core', 'umap-js'];

const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production, minify: production, external, logLevel: 'warning' };
const entries = [
  { ...node, entryPoints: ['src/cli/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];
if (existsSync('src/extension/extension.ts')) entries.push({ ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' });
if (existsSync('src/worker/trainingWorker.ts')) entries.push({ ...node, entryPoints: ['src/worker/trainingWorker.ts'], outfile: 'dist/trainingWorker.js' });
if (existsSync('webview/main.ts')) entries.push({ bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', logLevel: 'warning', loader: { '.css': 'text' } });

if (watch) {
  for (const e of entries) await (await esbuild.context(e)).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build(e)));
}
