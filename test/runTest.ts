/**
 * Runs the integration tests (test/integration/*.test.ts) inside a real VS Code extension host: code-server 4.100.3
 * (VS Code 1.100.3) installed by scripts/harness-install.sh, driven through @vscode/test-electron's runTests with
 * .vscode-harness/tools/code-shim.mjs as the "VS Code executable". Bundles the suites to out/test/integration first.
 * The extension under test is this folder (development mode, after `npm run build`) or, with `--vsix FILE`, the
 * packaged extension installed into an empty extensions folder with `code-server --install-extension` (production
 * mode: what a user gets).
 * Usage: node --import tsx test/runTest.ts [--vsix FILE]        Exit code: the tests' (non-zero on failure).
 */
import { runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '..');
const harness = process.env.HARNESS_ROOT ?? join(repo, '.vscode-harness');
const outDir = join(repo, 'out', 'test', 'integration');

async function bundleSuites(): Promise<void> {
  const srcDir = join(repo, 'test', 'integration');
  const entryPoints = readdirSync(srcDir).filter((f) => f.endsWith('.ts')).map((f) => join(srcDir, f));
  rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints, outdir: outDir, bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline',
    external: ['vscode', 'mocha'], logLevel: 'warning',
  });
}

/**
 * `--vsix [FILE]` from the command line, resolved (default: `npm run package`'s `<name>-<version>.vsix`); undefined
 * for a development-mode run.
 */
function vsixArg(): string | undefined {
  const i = process.argv.indexOf('--vsix');
  if (i < 0) return undefined;
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; version: string };
  const file = resolve(repo, process.argv[i + 1] ?? `${pkg.name}-${pkg.version}.vsix`);
  if (!existsSync(file)) throw new Error(`${file} not found: run \`npm run package\` first`);
  return file;
}

/**
 * VS Code runs extension tests only in an extension development host: for a VSIX run the development extension is
 * an empty stand-in, so the extension under test is the installed one, loaded as a user's would be.
 */
function testHostExtension(profile: string): string {
  const dir = join(profile, 'test-host');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'test-host', publisher: 'latent-explorer-tests', version: '0.0.0', engines: { vscode: '*' } }));
  return dir;
}

async function main(): Promise<number> {
  const vsix = vsixArg();
  const shim = join(harness, 'tools', 'code-shim.mjs');
  const codeServer = join(harness, 'cs', 'node_modules', '.bin', 'code-server');
  if (!existsSync(shim) || !existsSync(codeServer)) {
    console.error(`VS Code harness missing in ${harness}: run \`bash scripts/harness-install.sh\` first.`);
    return 1;
  }
  if (vsix === undefined && (!existsSync(join(repo, 'dist', 'extension.js')) || !existsSync(join(repo, 'dist', 'trainingWorker.js')))) {
    console.error('dist/extension.js or dist/trainingWorker.js missing: run `npm run build` first.');
    return 1;
  }
  await bundleSuites();
  // A fresh workspace folder per run (the tests write their fixtures into it) and isolated profile dirs.
  mkdirSync(join(harness, 'tmp'), { recursive: true });
  const workspace = mkdtempSync(join(harness, 'tmp', 'ws-'));
  const profile = mkdtempSync(join(harness, 'tmp', 'profile-'));
  for (const d of ['home', 'config', 'data', 'cache', 'state', 'ud', 'exts']) mkdirSync(join(profile, d), { recursive: true });
  const env: Record<string, string> = {
    HOME: join(profile, 'home'),
    XDG_CONFIG_HOME: join(profile, 'config'),
    XDG_DATA_HOME: join(profile, 'data'),
    XDG_CACHE_HOME: join(profile, 'cache'),
    XDG_STATE_HOME: join(profile, 'state'),
    CODE_SERVER_BIN: codeServer,
    TEST_TIMEOUT_S: process.env.TEST_TIMEOUT_S ?? '420',
    LATENT_EXPLORER_IT_WORKSPACE: workspace,
    LATENT_EXPLORER_IT_EXTENSIONS: join(profile, 'exts'),
  };
  Object.assign(process.env, env);
  if (vsix !== undefined) {
    console.log(`installing ${vsix} into ${join(profile, 'exts')}`);
    const r = spawnSync(codeServer, ['--extensions-dir', join(profile, 'exts'), '--user-data-dir', join(profile, 'ud'), '--install-extension', vsix], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(`code-server --install-extension ${vsix} failed (exit ${r.status}): ${r.stdout}${r.stderr}`);
      return 1;
    }
  }
  const t0 = Date.now();
  try {
    return await runTests({
      vscodeExecutablePath: shim,
      extensionDevelopmentPath: vsix === undefined ? repo : testHostExtension(profile),
      extensionTestsPath: join(outDir, 'index.js'),
      launchArgs: [workspace, `--user-data-dir=${join(profile, 'ud')}`, `--extensions-dir=${join(profile, 'exts')}`],
      extensionTestsEnv: env,
    });
  } catch (e) {
    console.error(`integration tests failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    console.log(`integration run took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (!process.env.KEEP_WORKSPACE) rmSync(profile, { recursive: true, force: true });
    if (!process.env.KEEP_WORKSPACE) rmSync(workspace, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
