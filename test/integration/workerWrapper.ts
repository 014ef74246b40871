/**
 * Test-only: puts a wrapper in place of the extension's worker bundle (dist/trainingWorker.js). The wrapper loads the
 * real bundle unchanged and (a) writes the epoch and batch of every progress message it posts to a file, so a test
 * can tell that a training has reached its batches, and (b) optionally crashes the worker thread some time after it
 * started: an uncaught exception (`throw`) or `process.exit(3)` (`exit`). The extension starts a fresh worker from
 * that file for every training, so the wrapper takes effect at the next training and `restore` undoes it.
 */
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WorkerProgress {
  epoch: number;
  batch: number;
}

export interface WrappedWorker {
  /** The last progress the worker posted, or undefined before the first. */
  progress(): WorkerProgress | undefined;
  /** Puts the real bundle back. */
  restore(): void;
}

export function wrapTrainingWorker(extensionPath: string, crash?: { mode: 'throw' | 'exit'; afterMs: number }): WrappedWorker {
  const bundle = join(extensionPath, 'dist', 'trainingWorker.js');
  const real = join(extensionPath, 'dist', 'trainingWorker.real.js');
  const progressFile = join(extensionPath, 'dist', 'trainingWorker.progress.json');
  if (!existsSync(real)) copyFileSync(bundle, real);
  rmSync(progressFile, { force: true });
  const crashCode = crash === undefined ? '' : `
setTimeout(() => {
  if (${JSON.stringify(crash.mode)} === 'exit') process.exit(3);
  throw new Error('worker crash injected by the test');
}, ${crash.afterMs});`;
  writeFileSync(bundle, `'use strict';
const { parentPort } = require('node:worker_threads');
const { renameSync, writeFileSync } = require('node:fs');
const post = parentPort.postMessage.bind(parentPort);
parentPort.postMessage = (msg, transfer) => {
  if (msg && msg.type === 'progress') {
    // write then rename, so the test never reads a half-written file
    writeFileSync(${JSON.stringify(progressFile + '.tmp')}, JSON.stringify({ epoch: msg.progress.epoch, batch: msg.progress.batch }));
    renameSync(${JSON.stringify(progressFile + '.tmp')}, ${JSON.stringify(progressFile)});
  }
  return post(msg, transfer);
};
require(${JSON.stringify(real)});${crashCode}
`);
  return {
    progress: () => (existsSync(progressFile) ? (JSON.parse(readFileSync(progressFile, 'utf8')) as WorkerProgress) : undefined),
    restore: () => {
      if (existsSync(real)) renameSync(real, bundle);
      rmSync(progressFile, { force: true });
      rmSync(`${progressFile}.tmp`, { force: true });
    },
  };
}
