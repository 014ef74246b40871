/**
 * The handshake shared by the kernels' worker pools (computePool.ts, kmeans/threadPool.ts): a control block of
 * Int32 slots in a SharedArrayBuffer, whose first slots are laid out here and whose later ones carry each pool's
 * job parameters.
 *
 * A job is a generation: the caller writes the job while `Gen` is odd (closed), makes it even (open) and wakes the
 * workers; caller and workers claim items with `Next` until none is left; the caller closes the generation and
 * waits until `Busy` (workers inside the job) is 0. A worker joins by raising `Busy`, then re-checks that the
 * generation is still the one it woke for, so a latecomer never reads a job being rewritten. Which thread claims
 * which item is left to chance, so each pool makes every item's result independent of that.
 */
import type { MessagePort } from 'node:worker_threads';
import { MessageChannel, Worker } from 'node:worker_threads';

/** Int32 slots every pool's control block starts with; a pool's own slots start at `PoolSlot.Count`. */
export const enum PoolSlot {
  /** Job generation: even = open, odd = closed. */
  Gen = 0,
  /** Workers inside the open job (they read its parameters only while counted here). */
  Busy = 1,
  /** Next item to claim. */
  Next = 2,
  Stop = 3,
  /** Set by a worker whose item threw. */
  Failed = 4,
  /** Workers with index >= this sit the job out (`threads - 1`). */
  Workers = 5,
  Count = 6,
}

/** What a worker runs besides the handshake. */
export interface WorkerLoopParts {
  /** Set-up after `ctrl`, `port`, `index` and `claim` are defined (state kept across jobs). */
  prelude: string;
  /** Atomics.load trips on `Gen` before sleeping on it (0: sleep at once). */
  spin: number;
  /** Runs one open job the worker has joined: claims items with `claim()` until one is past the end; may
   *  `continue` to skip the job, throws to report a failure. */
  job: string;
}

/**
 * Worker body (CommonJS, run with `eval: true` so that it needs no file next to the bundle). It sleeps on `Gen`
 * (after `spin` loads); in an open job it joins (`Busy`), re-checks the job is still open and that its index takes
 * part, runs `job`, and leaves (`Busy`, with a wake-up for the caller). A throw sets `Failed`.
 */
export function workerLoopSource({ prelude, spin, job }: WorkerLoopParts): string {
  return `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const ctrl = new Int32Array(workerData.ctrl);
const port = workerData.port;
const index = workerData.index;
const claim = () => Atomics.add(ctrl, ${PoolSlot.Next}, 1);
${prelude}
let seen = 1;
for (;;) {
  let g = Atomics.load(ctrl, ${PoolSlot.Gen});
  for (let s = 0; g === seen && s < ${spin}; s++) g = Atomics.load(ctrl, ${PoolSlot.Gen});
  if (g === seen) {
    Atomics.wait(ctrl, ${PoolSlot.Gen}, seen);
    g = Atomics.load(ctrl, ${PoolSlot.Gen});
  }
  seen = g;
  if (Atomics.load(ctrl, ${PoolSlot.Stop}) !== 0) break;
  if (g & 1) continue;
  Atomics.add(ctrl, ${PoolSlot.Busy}, 1);
  try {
    if (Atomics.load(ctrl, ${PoolSlot.Gen}) !== g || index >= ctrl[${PoolSlot.Workers}]) continue;
${job}
  } catch (e) {
    Atomics.store(ctrl, ${PoolSlot.Failed}, 1);
  } finally {
    Atomics.sub(ctrl, ${PoolSlot.Busy}, 1);
    Atomics.notify(ctrl, ${PoolSlot.Busy});
  }
}
`;
}

/** A control block of `slots` Int32 slots (at least `PoolSlot.Count`), its generation closed. */
export function createControl(slots: number): Int32Array {
  const ctrl = new Int32Array(new SharedArrayBuffer(Math.max(slots, PoolSlot.Count) * 4));
  ctrl[PoolSlot.Gen] = 1;
  return ctrl;
}

/**
 * Starts worker `index` running `source` on `ctrl`, unref'd (it never keeps the process alive). `data` is added to
 * its workerData; the returned port (unref'd) reaches it. A worker that dies only stops claiming items: the caller
 * runs what is left.
 */
export function startPoolWorker(source: string, ctrl: Int32Array, index: number, data: Record<string, unknown> = {}): { worker: Worker; port: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(source, { eval: true, workerData: { ...data, ctrl: ctrl.buffer, port: port2, index }, transferList: [port2] });
  worker.unref();
  port1.unref();
  worker.on('error', () => undefined);
  return { worker, port: port1 };
}

/** Opens a job (written while closed) to `workers` workers and wakes them. */
export function openJob(ctrl: Int32Array, workers: number): void {
  Atomics.store(ctrl, PoolSlot.Workers, workers);
  Atomics.store(ctrl, PoolSlot.Next, 0);
  Atomics.add(ctrl, PoolSlot.Gen, 1);
  Atomics.notify(ctrl, PoolSlot.Gen);
}

/** Claims the next item of the open job (>= the item count when none is left). */
export function claimItem(ctrl: Int32Array): number {
  return Atomics.add(ctrl, PoolSlot.Next, 1);
}

/**
 * Closes the job (latecomers back off without touching it) and waits until no worker is inside it: `spin` loads of
 * `Busy`, then sleeps of at most `sleepMs`. Returns whether a worker failed (and clears the flag).
 */
export function closeJob(ctrl: Int32Array, spin: number, sleepMs: number): { failed: boolean } {
  Atomics.add(ctrl, PoolSlot.Gen, 1);
  for (let s = 0; ; s++) {
    const busy = Atomics.load(ctrl, PoolSlot.Busy);
    if (busy === 0) break;
    if (s >= spin) Atomics.wait(ctrl, PoolSlot.Busy, busy, sleepMs);
  }
  return { failed: Atomics.exchange(ctrl, PoolSlot.Failed, 0) !== 0 };
}

/** Tells every worker on `ctrl` to exit (they only ever wait on the control block, so they see it at once). */
export function stopWorkers(ctrl: Int32Array): void {
  Atomics.store(ctrl, PoolSlot.Stop, 1);
  Atomics.add(ctrl, PoolSlot.Gen, 2);
  Atomics.notify(ctrl, PoolSlot.Gen);
}
