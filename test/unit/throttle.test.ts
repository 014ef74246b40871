import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createThrottle } from '../../src/core/throttle';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('createThrottle', () => {
  it('sends at most one value per interval while values keep coming, and the last one always arrives', async () => {
    const interval = 40;
    const sent: { value: number; at: number }[] = [];
    const t = createThrottle<number>(interval, (value) => sent.push({ value, at: performance.now() }));
    const t0 = performance.now();
    let i = 0;
    while (performance.now() - t0 < 300) {
      t.push(i++);
      if (i % 50 === 0) await sleep(1);
    }
    const elapsed = performance.now() - t0;
    await sleep(2 * interval);
    assert.equal(sent[0].value, 0, 'the first value goes out at once');
    assert.equal(sent.at(-1)!.value, i - 1, 'the last value pushed is delivered by the timer');
    assert.ok(sent.length <= Math.ceil(elapsed / interval) + 2, `${sent.length} sends in ${elapsed.toFixed(0)} ms at one per ${interval} ms`);
    assert.ok(sent.length >= 3, `${sent.length} sends`);
    for (let k = 1; k < sent.length; k++) assert.ok(sent[k].at - sent[k - 1].at >= interval - 2, `gap ${(sent[k].at - sent[k - 1].at).toFixed(1)} ms`);
    t.dispose();
  });

  it('flush delivers the waiting value at once; dispose drops it', async () => {
    const sent: string[] = [];
    const t = createThrottle<string>(10_000, (v) => sent.push(v));
    t.push('a');
    t.push('b');
    t.push('c');
    assert.deepEqual(sent, ['a']);
    t.flush();
    assert.deepEqual(sent, ['a', 'c']);
    t.flush();
    assert.deepEqual(sent, ['a', 'c']);
    t.push('d');
    t.dispose();
    await sleep(20);
    assert.deepEqual(sent, ['a', 'c']);
  });

  it('keeps the value `keep` prefers while waiting (an epoch summary over the next batch)', () => {
    const sent: { phase: string; n: number }[] = [];
    const t = createThrottle<{ phase: string; n: number }>(10_000, (v) => sent.push(v), (w, next) => (w.phase === 'epoch' && next.phase === 'batch' ? w : next));
    t.push({ phase: 'batch', n: 1 });
    t.push({ phase: 'epoch', n: 2 });
    t.push({ phase: 'batch', n: 3 });
    t.flush();
    assert.deepEqual(sent.map((s) => s.n), [1, 2]);
    t.push({ phase: 'epoch', n: 4 });
    t.push({ phase: 'epoch', n: 5 });
    t.flush();
    assert.deepEqual(sent.map((s) => s.n), [1, 2, 5]);
    t.dispose();
  });
});
