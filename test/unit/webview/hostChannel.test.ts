import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../../src/shared/protocol';
import type { HostToWebview, WebviewToHost } from '../../../src/shared/protocol';
import { HostChannel, HostError, SupersededError } from '../../../webview/hostChannel';

function channel(): { c: HostChannel; sent: WebviewToHost[] } {
  const sent: WebviewToHost[] = [];
  return { c: new HostChannel((m) => sent.push(m)), sent };
}

const idOf = (m: WebviewToHost | undefined): number => (m && 'requestId' in m ? m.requestId : -1);
const decoded = (requestId: number): HostToWebview => ({ type: 'decoded', requestId, latent: [0, 1], values: Float32Array.from([1, 2, 3]) });

test('a request gets a fresh id, passes the host validation and resolves with the reply that repeats it', async () => {
  const { c, sent } = channel();
  const a = c.request({ type: 'decodeLatent', latent: [0, 1] });
  const b = c.request({ type: 'decodeLatent', latent: [1, 0] });
  assert.equal(sent.length, 2);
  assert.notEqual(idOf(sent[0]), idOf(sent[1]));
  for (const m of sent) assert.deepEqual(parseWebviewMessage(m, { latentDim: 2 }), m);
  assert.equal(c.handle(decoded(idOf(sent[1]))), 'reply');
  assert.equal(c.handle(decoded(idOf(sent[0]))), 'reply');
  assert.deepEqual(Array.from((await a).values), [1, 2, 3]);
  assert.equal((await b).requestId, idOf(sent[1]));
  assert.equal(c.inFlight, 0);
});

test('an error naming the request rejects it with the host\'s message; one naming none is a push', async () => {
  const { c, sent } = channel();
  const p = c.request({ type: 'requestSample', index: 3, purpose: 'inspect' });
  assert.equal(c.handle({ type: 'error', message: 'index out of range', requestId: idOf(sent[0]) }), 'reply');
  await assert.rejects(p, (e: unknown) => e instanceof HostError && e.message === 'index out of range');
  assert.equal(c.handle({ type: 'error', message: 'something else' }), 'push');
});

test('a newer request with the same key supersedes the older: it rejects, and its late reply is dropped', async () => {
  const { c, sent } = channel();
  const first = c.request({ type: 'decodeLatent', latent: [0, 0] }, 'point');
  const other = c.request({ type: 'decodeLatent', latent: [0, 0] }, 'other');
  const second = c.request({ type: 'decodeLatent', latent: [1, 1] }, 'point');
  await assert.rejects(first, SupersededError);
  assert.equal(c.handle(decoded(idOf(sent[0]))), 'stale', 'the superseded answer is dropped');
  assert.equal(c.handle({ type: 'error', message: 'late failure', requestId: idOf(sent[0]) }), 'stale');
  assert.equal(c.handle(decoded(idOf(sent[2]))), 'reply');
  assert.equal((await second).requestId, idOf(sent[2]));
  assert.equal(c.handle(decoded(idOf(sent[1]))), 'reply', 'another key is untouched');
  await other;
});

test('replies nobody asked for are stale; pushes pass through; cancelAll supersedes everything in flight', async () => {
  const { c } = channel();
  assert.equal(c.handle(decoded(999)), 'stale');
  assert.equal(c.handle({ type: 'saved', files: [] }), 'push');
  assert.equal(c.handle({ type: 'trainingStatus', status: 'done' }), 'push');
  const pending = [c.request({ type: 'anomalies' }, 'anomalies'), c.request({ type: 'interpolate', a: 0, b: 1, steps: 4, mode: 'linear' })];
  c.cancelAll();
  for (const p of pending) await assert.rejects(p, SupersededError);
  assert.equal(c.inFlight, 0);
});

test('a reply of the wrong type for its id rejects the request instead of resolving it with the wrong shape', async () => {
  const { c, sent } = channel();
  const p = c.request({ type: 'interpolate', a: 0, b: 1, steps: 4, mode: 'linear' });
  c.handle(decoded(idOf(sent[0])));
  await assert.rejects(p, /expected a interpolation reply/);
});

test('notifications carry no id', () => {
  const { c, sent } = channel();
  c.notify({ type: 'setK', k: 3 });
  assert.deepEqual(sent, [{ type: 'setK', k: 3 }]);
});
