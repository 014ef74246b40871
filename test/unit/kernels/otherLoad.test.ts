import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { otherProcessCores } from '../../../src/core/kernels/otherLoad';

const linux = existsSync('/proc/stat');

test('other processes\' CPU: unknown before a first window, then cores within [0, cores here], the same within a window', { skip: linux ? false : 'no /proc/stat here' }, async () => {
  const t0 = performance.now();
  assert.equal(otherProcessCores(t0), undefined, 'no window yet');
  await new Promise((r) => setTimeout(r, 300));
  const now = performance.now();
  const cores = otherProcessCores(now);
  assert.ok(cores !== undefined && cores >= 0 && cores <= availableParallelism() + 0.5, `cores ${cores}`);
  assert.equal(otherProcessCores(now + 10), cores, 'cached within the window');
});

test('a busy child process counts as another process\'s load', { skip: linux ? false : 'no /proc/stat here' }, async () => {
  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 3000; while (Date.now() < end);'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 300));
    otherProcessCores(performance.now()); // window start, with the child running
    await new Promise((r) => setTimeout(r, 1000));
    const cores = otherProcessCores(performance.now());
    assert.ok(cores !== undefined && cores >= 0.2, `a busy child used ${cores} cores`);
  } finally {
    child.kill();
  }
});
