/**
 * The k-means assignment kernel's worker threads. Rows are split into fixed chunks that the calling thread and a
 * small pool of worker threads claim with an atomic counter. Every chunk writes its own partial sums, counts and
 * inertia, and the caller folds them in chunk order, so the result does not depend on how many threads ran or
 * which ran what (assigner.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import { MessageChannel, Worker } from 'node:worker_threads';

/** Most threads (this one + workers) the kernel runs on; also the number of per-thread scratch slots. */
export const MAX_THREADS = 4;

/** Int32 slots of the control block shared with the workers. */
export const enum Slot {
  /** Job generation: even = a job is open for claiming, odd = closed. */
  Gen = 0,
  /** Workers currently inside the open job (they read its parameters only while counted here). */
  Busy = 1,
  /** Next chunk to claim. */
  Next = 2,
  Stop = 3,
  /** Configuration id: which memory + module the job uses (sent over the port beforehand). */
  Cfg = 4,
  /** Set by a worker whose chunk threw: the caller then recomputes the job alone and stops using the pool. */
  Failed = 5,
  /** Workers with index >= this sit the job out (`threads - 1`). */
  Workers = 6,
  X = 7,
  Scratch = 8,
  ScratchStride = 9,
  C = 10,
  K = 11,
  Cn = 12,
  Labels = 13,
  Mind = 14,
  Sums = 15,
  Counts = 16,
  N = 17,
  ChunkRows = 18,
  NChunks = 19,
  Res = 20,
  RowBytes = 21,
  SumStride = 22,
  CountStride = 23,
  DoSums = 24,
  Size = 28,
}

/**
 * Worker body (CommonJS, run with `eval: true` so it needs no file next to the bundle). It sleeps on `Gen`; in an
 * open job it joins (`Busy`), re-checks the job is still open, loads the job's memory and module if they changed,
 * then claims chunks until none is left. Worker w uses scratch slot w + 1 (slot 0 is the caller's).
 */
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const ctrl = new Int32Array(workerData.ctrl);
const port = workerData.port;
const index = workerData.index;
let cfg = -1, assign = null, memory = null, seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${Slot.Gen}, seen);
  const g = Atomics.load(ctrl, ${Slot.Gen});
  seen = g;
  if (Atomics.load(ctrl, ${Slot.Stop}) !== 0) break;
  if (g & 1) continue;
  Atomics.add(ctrl, ${Slot.Busy}, 1);
  try {
    if (Atomics.load(ctrl, ${Slot.Gen}) !== g || index >= ctrl[${Slot.Workers}]) continue;
    const id = ctrl[${Slot.Cfg}];
    while (cfg !== id) {
      const m = receiveMessageOnPort(port);
      if (m === undefined) break;
      if (m.message.id === id) {
        memory = m.message.memory;
        assign = new WebAssembly.Instance(m.message.module, { env: { memory } }).exports.assign;
        cfg = id;
      }
    }
    if (cfg !== id) continue;
    const p = ctrl.slice(0, ${Slot.Size});
    const res = new Float64Array(memory.buffer, p[${Slot.Res}], p[${Slot.NChunks}]);
    const scratch = p[${Slot.Scratch}] + (index + 1) * p[${Slot.ScratchStride}];
    try {
      for (;;) {
        const ch = Atomics.add(ctrl, ${Slot.Next}, 1);
        if (ch >= p[${Slot.NChunks}]) break;
        const start = ch * p[${Slot.ChunkRows}];
        const rows = Math.min(p[${Slot.ChunkRows}], p[${Slot.N}] - start);
        res[ch] = assign(p[${Slot.X}] + start * p[${Slot.RowBytes}], scratch, rows, p[${Slot.C}], p[${Slot.K}], p[${Slot.Cn}],
          p[${Slot.Labels}] + start * 4, p[${Slot.Mind}] + start * 4,
          p[${Slot.DoSums}] ? p[${Slot.Sums}] + ch * p[${Slot.SumStride}] : 0, p[${Slot.Counts}] + ch * p[${Slot.CountStride}]);
      }
    } catch (e) {
      Atomics.store(ctrl, ${Slot.Failed}, 1);
    }
  } finally {
    Atomics.sub(ctrl, ${Slot.Busy}, 1);
    Atomics.notify(ctrl, ${Slot.Busy});
  }
}
`;

export interface Pool {
  ctrl: Int32Array;
  ports: MessagePort[];
  nextCfg: number;
}

let pool: Pool | undefined;
let poolFailed = false;

/** Lazily starts up to `size` worker threads (kept for the process, unref'd); undefined where workers are unavailable. */
export function getPool(size: number): Pool | undefined {
  if (poolFailed || size < 1) return pool;
  if (pool && pool.ports.length >= size) return pool;
  try {
    let ctrl = pool?.ctrl;
    if (!ctrl) {
      ctrl = new Int32Array(new SharedArrayBuffer(Slot.Size * 4));
      ctrl[Slot.Gen] = 1; // closed
    }
    const ports = pool?.ports ?? [];
    for (let w = ports.length; w < size; w++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ctrl: ctrl.buffer, port: port2, index: w }, transferList: [port2] });
      worker.unref();
      port1.unref();
      worker.on('error', () => undefined); // a dead worker just stops claiming chunks; the caller does the rest
      ports.push(port1);
    }
    pool = { ctrl, ports, nextCfg: pool?.nextCfg ?? 1 };
  } catch {
    poolFailed = true;
  }
  return pool;
}

/** Stops the pool's workers after a failure; later calls run on the calling thread only. */
export function abandonPool(p: Pool): void {
  poolFailed = true;
  Atomics.store(p.ctrl, Slot.Stop, 1);
  Atomics.add(p.ctrl, Slot.Gen, 2);
  Atomics.notify(p.ctrl, Slot.Gen);
  if (pool === p) pool = undefined;
}
