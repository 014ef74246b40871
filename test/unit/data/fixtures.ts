/** Shared helpers for the data-loader tests: fixture paths, python-written expectations, "file untouched" checks. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

export const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'data');

export function fixture(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}

/** A `*.expected.json` sidecar written by scripts/makeFixtures.py (numpy / sklearn values). */
export function expected(name: string): unknown {
  return JSON.parse(readFileSync(fixture(name), 'utf8'));
}

function filesUnder(p: string): string[] {
  return statSync(p).isDirectory() ? readdirSync(p).flatMap((e) => filesUnder(path.join(p, e))) : [p];
}

function fingerprint(p: string): string {
  return filesUnder(p)
    .sort()
    .map((f) => `${f}:${statSync(f).mtimeMs}:${createHash('sha256').update(readFileSync(f)).digest('hex')}`)
    .join('\n');
}

/** Runs `fn` and asserts every file under `paths` kept its mtime and content hash. */
export async function assertUnchanged<T>(paths: string[], fn: () => Promise<T>): Promise<T> {
  const before = paths.map(fingerprint);
  const out = await fn();
  assert.deepEqual(paths.map(fingerprint), before, 'loading must not modify the dataset');
  return out;
}

/** Element-wise comparison of a Float32Array with expected numbers (exact unless `tol` given). */
export function assertValues(actual: Float32Array, want: number[], tol = 0, what = 'values'): void {
  assert.equal(actual.length, want.length, `${what}: length`);
  for (let k = 0; k < want.length; k++) {
    const ok = tol === 0 ? actual[k] === want[k] : Math.abs(actual[k] - want[k]) <= tol;
    if (!ok) assert.fail(`${what}[${k}]: got ${actual[k]}, want ${want[k]}`);
  }
}
