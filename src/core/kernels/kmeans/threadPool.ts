/**
 * The k-means assignment kernel's worker threads. Rows are split into fixed chunks that the calling thread and a
 * small pool of worker threads claim with an atomic counter. Every chunk writes its own partial sums, counts and
 * inertia, and the caller folds them in chunk order, so the result does not depend on how many threads ran or
 * which ran what (assigner.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import { claimItem, closeJob, createControl, openJob, startPoolWorker, stopWorkers, workerLoopSource } from '../poolProtocol';

/** Most threads (this one + workers) the kernel runs on; also the number of per-thread scratch slots. */
export const MAX_THREADS = 4;

/** Int32 slots of the control block after the protocol's (poolProtocol.ts, which end at `PoolSlot.Count`): the
 *  job's parameters, numbered in a row. */
export const enum Slot {
  /** Configuration id: which memory + module the job uses (sent over the port beforehand). */
  Cfg = 6,
  X,
  Scratch,
  ScratchStride,
  C,
  K,
  Cn,
  Labels,
  Mind,
  Sums,
  Counts,
  N,
  ChunkRows,
  NChunks,
  Res,
  RowBytes,
  SumStride,
  CountStride,
  DoSums,
  Size = 28,
}

/**
 * Worker job: load the job's memory and module if they changed, then claim chunks until none is left. Worker w
 * uses scratch slot w + 1 (slot 0 is the caller's). A failed chunk makes the caller recompute the job alone and stop
 * using the pool.
 */
const WORKER_SOURCE = workerLoopSource({
  spin: 0,
  prelude: `
let cfg = -1, assign = null, memory = null;`,
  job: `
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
    for (;;) {
      const ch = claim();
      if (ch >= p[${Slot.NChunks}]) break;
      const start = ch * p[${Slot.ChunkRows}];
      const rows = Math.min(p[${Slot.ChunkRows}], p[${Slot.N}] - start);
      res[ch] = assign(p[${Slot.X}] + start * p[${Slot.RowBytes}], scratch, rows, p[${Slot.C}], p[${Slot.K}], p[${Slot.Cn}],
        p[${Slot.Labels}] + start * 4, p[${Slot.Mind}] + start * 4,
        p[${Slot.DoSums}] ? p[${Slot.Sums}] + ch * p[${Slot.SumStride}] : 0, p[${Slot.Counts}] + ch * p[${Slot.CountStride}]);
    }`,
});

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
    const ctrl = pool?.ctrl ?? createControl(Slot.Size);
    const ports = pool?.ports ?? [];
    for (let w = ports.length; w < size; w++) ports.push(startPoolWorker(WORKER_SOURCE, ctrl, w).port);
    pool = { ctrl, ports, nextCfg: pool?.nextCfg ?? 1 };
  } catch {
    poolFailed = true;
  }
  return pool;
}

/**
 * Runs chunks 0..nChunks-1 with `runChunk` on this thread and the pool's first `workers` workers (whose job
 * parameters `params` are written into the control block first). Returns false when a worker failed: the pool is
 * then abandoned, and the caller must recompute the job alone.
 */
export function runPoolJob(p: Pool, workers: number, params: readonly (readonly [Slot, number])[], nChunks: number, runChunk: (ch: number) => void): boolean {
  const ctrl = p.ctrl;
  // The generation is closed (odd): no worker reads the parameters while they are written.
  for (const [slot, v] of params) Atomics.store(ctrl, slot, v);
  openJob(ctrl, workers);
  for (;;) {
    const ch = claimItem(ctrl);
    if (ch >= nChunks) break;
    runChunk(ch);
  }
  if (!closeJob(ctrl, 0, 100).failed) return true;
  abandonPool(p);
  return false;
}

/** Stops the pool's workers after a failure; later calls run on the calling thread only. */
export function abandonPool(p: Pool): void {
  poolFailed = true;
  stopWorkers(p.ctrl);
  if (pool === p) pool = undefined;
}
