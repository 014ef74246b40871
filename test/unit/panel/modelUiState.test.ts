import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PanelController } from '../../../src/extension/panel/panelController';
import { modelKey, startingUiState } from '../../../src/extension/panel/modelUiState';
import type { UiStateStore } from '../../../src/extension/panel/modelUiState';
import { DEFAULT_UI_STATE, parseHostMessage } from '../../../src/shared/protocol';
import type { HostToWebview, UiState } from '../../../src/shared/protocol';
import { createFakeExplorer } from '../../e2e/fakeExplorer';

function memoryStore(): UiStateStore & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return { map, get: (k) => map.get(k), update: (k, v) => { map.set(k, v); return Promise.resolve(); } };
}

function panel(store: UiStateStore): { c: PanelController; nextInit: () => Promise<Extract<HostToWebview, { type: 'init' }>> } {
  const sent: HostToWebview[] = [];
  const c = new PanelController({
    post: (m) => { assert.ok(parseHostMessage(m), `${m.type} is well-formed`); sent.push(m); },
    reveal: () => Promise.resolve(), pickSavePath: () => Promise.resolve(undefined), writeFile: () => Promise.resolve(), uiStates: store, log: () => undefined,
  });
  let seen = 0;
  const nextInit = async (): Promise<Extract<HostToWebview, { type: 'init' }>> => {
    for (let i = 0; i < 500; i++) {
      const inits = sent.filter((m): m is Extract<HostToWebview, { type: 'init' }> => m.type === 'init' && m.info !== undefined);
      if (inits.length > seen) { seen = inits.length; return inits[inits.length - 1]; }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('no init');
  };
  return { c, nextInit };
}

test('another model starts clean; a model opened again, in this panel or a new one, gets its own k and selection back', async () => {
  const store = memoryStore();
  const a = createFakeExplorer(60, 4, 3, 1, '/tmp/a.csv');
  const b = createFakeExplorer(40, 4, 2, 2, '/tmp/b.csv');
  const { c, nextInit } = panel(store);
  c.setExplorer(a);
  await c.handleRaw({ type: 'ready' });
  assert.equal((await nextInit()).uiState.k, 3, 'k = label classes of A');
  const chosen: UiState = { ...c.state, k: 5, selection: [7], tab: 'clusters', sideWidth: 420 };
  await c.handleRaw({ type: 'uiState', state: chosen });
  c.setExplorer(b);
  const onB = await nextInit();
  assert.equal(onB.uiState.k, 2, 'B: its own k, not A\'s');
  assert.deepEqual(onB.uiState.selection, [], 'B: no selection of A\'s samples');
  assert.equal(onB.uiState.tab, 'clusters', 'view preferences stay');
  assert.equal(onB.uiState.sideWidth, 420, 'the pane layout stays');
  assert.deepEqual(onB.history, b.info().history);
  c.setExplorer(a);
  const back = await nextInit();
  assert.equal(back.uiState.k, 5);
  assert.deepEqual(back.uiState.selection, [7]);
  // A new panel (closed and reopened) on A: the saved state again.
  const reopened = panel(store);
  reopened.c.setExplorer(a);
  await reopened.c.handleRaw({ type: 'ready' });
  const again = await reopened.nextInit();
  assert.equal(again.uiState.k, 5);
  assert.deepEqual(again.uiState.selection, [7]);
  assert.ok(store.map.has(`latentExplorer.ui:${modelKey(a.info())}`));
});

test('starting state: saved state wins, malformed saved state falls back to defaults with the view preferences', () => {
  const current: UiState = { ...DEFAULT_UI_STATE, k: 9, selection: [1], colorBy: 'label', modelDir: '/old', sideCollapsed: true };
  const fresh = startingUiState(current, { nope: 1 }, '/new');
  assert.deepEqual(fresh, { ...DEFAULT_UI_STATE, colorBy: 'label', modelDir: '/new', sideCollapsed: true });
  const saved = startingUiState(current, { ...DEFAULT_UI_STATE, k: 4, modelDir: '/elsewhere', sideWidth: 999 }, '/new');
  assert.equal(saved.k, 4);
  assert.equal(saved.modelDir, '/new');
  assert.equal(saved.sideWidth, undefined, 'layout is the panel\'s, not the saved model\'s');
  assert.equal(saved.sideCollapsed, true);
});

test('a re-created webview (switching back to the panel) gets the last init again without recomputing; a new k recomputes', async () => {
  const ex = createFakeExplorer(50, 4, 3, 1, '/tmp/c.csv');
  let projections = 0;
  const { c, nextInit } = panel(memoryStore());
  c.setExplorer({ ...ex, project: (...args) => { projections++; return ex.project(...args); } });
  await c.handleRaw({ type: 'ready' });
  const first = await nextInit();
  await c.handleRaw({ type: 'ready' });
  const again = await nextInit();
  assert.equal(projections, 1);
  assert.equal(again.embedding, first.embedding);
  assert.deepEqual(again.uiState, first.uiState);
  await c.handleRaw({ type: 'uiState', state: { ...c.state, k: 4 } });
  await c.handleRaw({ type: 'ready' });
  assert.equal((await nextInit()).clusters?.k, 4);
});
