import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCsp, buildPanelHtml, createNonce } from '../../../src/extension/panel/html';

const opts = (nonce: string): Parameters<typeof buildPanelHtml>[0] => ({
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce,
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css',
});

function cspOf(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
  assert.ok(m, 'CSP meta present');
  const directives = new Map<string, string[]>();
  for (const part of m[1].replace(/&#39;|&apos;/g, "'").split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values);
  }
  return directives;
}

test('CSP denies by default and allows scripts only by nonce', () => {
  const nonce = createNonce();
  const csp = cspOf(buildPanelHtml(opts(nonce)));
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`]);
  assert.ok(!csp.get('script-src')!.some((v) => v.includes('unsafe')), 'no unsafe-eval / unsafe-inline for scripts');
  assert.deepEqual(csp.get('img-src'), [opts(nonce).cspSource, 'data:', 'blob:']);
  assert.equal(csp.get('connect-src'), undefined);
});

test('every script tag carries the nonce and there are no inline scripts', () => {
  const nonce = createNonce();
  const html = buildPanelHtml(opts(nonce));
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length >= 1);
  for (const [, attrs, body] of scripts) {
    assert.match(attrs, new RegExp(`nonce="${nonce.replace(/[+/=]/g, (c) => `\\${c}`)}"`));
    assert.equal(body.trim(), '', 'script loads from src, no inline code');
  }
});

test('no remote http(s) URLs other than the webview resource origin', () => {
  const o = opts(createNonce());
  const html = buildPanelHtml(o).split(o.cspSource).join('RESOURCE');
  assert.doesNotMatch(html, /https?:\/\//);
});

test('nonce differs per call and is long enough', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) seen.add(createNonce());
  assert.equal(seen.size, 200);
  for (const n of seen) assert.ok(Buffer.from(n, 'base64').length >= 16);
  const a = buildPanelHtml(opts(createNonce()));
  const b = buildPanelHtml(opts(createNonce()));
  assert.notEqual(a, b);
});

test('attribute values are escaped', () => {
  const html = buildPanelHtml({ ...opts('abc'), scriptUri: 'x"><script>alert(1)</script>' });
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.ok(buildCsp('s', 'n').startsWith("default-src 'none'"));
});
