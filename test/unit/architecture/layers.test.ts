import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importCycles, importsOf, sourceFiles } from './importGraph';

const violations = (files: string[], allowed: (file: string, target: string | undefined, specifier: string) => boolean): string[] =>
  files.flatMap((f) => importsOf(f).filter((i) => !allowed(f, i.file, i.specifier)).map((i) => `${f} -> ${i.file ?? i.specifier}`));

test('no import cycles in src/ and webview/', () => {
  assert.deepEqual(importCycles([...sourceFiles('src'), ...sourceFiles('webview')]).map((c) => c.join(' -> ')), []);
});

test('src/common imports only src/common (no Node, no DOM, no packages)', () => {
  assert.deepEqual(violations(sourceFiles('src/common'), (_, target) => target?.startsWith('src/common/') === true), []);
});

test('src/core imports only src/core, src/common and packages, never VS Code', () => {
  const ok = (_: string, target: string | undefined, spec: string): boolean =>
    target !== undefined ? target.startsWith('src/core/') || target.startsWith('src/common/') : !spec.startsWith('.') && spec !== 'vscode';
  assert.deepEqual(violations(sourceFiles('src/core'), ok), []);
});

test('the CLI and the worker never import VS Code or the extension', () => {
  const ok = (_: string, target: string | undefined, spec: string): boolean => spec !== 'vscode' && !(target ?? '').startsWith('src/extension/');
  assert.deepEqual(violations([...sourceFiles('src/cli'), ...sourceFiles('src/worker')], ok), []);
});

test('webview/ imports only itself, src/common and the panel protocol', () => {
  const ok = (_: string, target: string | undefined, spec: string): boolean =>
    target !== undefined ? target.startsWith('webview/') || target.startsWith('src/common/') || target === 'src/shared/protocol.ts' : !spec.startsWith('.') && spec !== 'vscode';
  assert.deepEqual(violations(sourceFiles('webview'), ok), []);
});
