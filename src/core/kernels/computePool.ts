/**
 * A small pool of worker threads that run generated WebAssembly functions on a shared `WebAssembly.Memory` (the
 * wasm backend's heap, see sharedHeap.ts), so that one kernel (a GEMM, an im2col) can be split over every core.
 *
 * A job is a list of parts; a part is a short sequence of calls (`fn(...args)` exported by a generated module),
 * run in order on one thread. Parts are independent: each writes its own slice of the output. The calling thread
 * and the workers claim parts with an atomic counter until none is left, then the caller waits for the workers to
 * leave the job. Which thread runs which part does not matter for the result, so a kernel split into parts whose
 * every output element is computed by the same instruction sequence as on one thread gives bit-identical results
 * for any thread count.
 *
 * Workers are started lazily, unref'd (they never keep the process alive) and stopped by `shutdownComputePool`.
 * Modules reach a worker once, over its message port, before the first job that uses them. The handshake (a control
 * block in a SharedArrayBuffer, generations, a busy count) is poolProtocol.ts.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { claimItem, closeJob, createControl, openJob, startPoolWorker, stopWorkers, workerLoopSource } from './poolProtocol';

/** Exported functions a part may call (by index in the job encoding). */
export const POOL_FUNCTIONS = ['gemm', 'pack', 'im2col', 'col2im', 'adam', 'biasRelu', 'biasAdd', 'reluGrad', 'sigmoidGrad'] as const;
export type PoolFunction = (typeof POOL_FUNCTIONS)[number];

/** One call in a part: `module`'s export `fn` with i32 arguments (byte offsets, counts) and f32 ones. */
export interface PoolCall {
  module: WebAssembly.Module;
  fn: PoolFunction;
  args: number[];
  /** Bit i set: argument i is an f32 (passed bit-exactly); the others are i32. */
  floatArgs?: number;
}

/** Most threads `auto` picks (the kernels' parts get too small to pay for the hand-offs beyond that). */
export const AUTO_MAX_THREADS = 8;
/** Most threads one can ask for. */
export const MAX_COMPUTE_THREADS = 64;

/** Int32 slots of the control block after the protocol's (poolProtocol.ts, which end at `PoolSlot.Count`). */
export const enum Slot {
  /** Parts the workers have run (for tests and benches). */
  WorkerParts = 6,
  Size = 8,
}

/** Int32 words of the job block: [parts, part starts (parts + 1), calls as (module id, fn, argc, f32 mask, args...)...]. */
const JOB_WORDS = 1 << 14;

/** Spins (Atomics.load trips, ~0.1-0.3 ms) a worker waits for the next job, and the caller for the workers to
 *  finish, before sleeping: kernels of a training step come microseconds apart, and a futex wake-up costs tens of
 *  microseconds. */
const WORKER_SPIN = 20000;

/**
 * Worker job: take any new modules from the port, then claim parts until none is left. Each part is a list of calls
 * decoded from the job block.
 */
const WORKER_SOURCE = workerLoopSource({
  spin: WORKER_SPIN,
  prelude: `
const job = new Int32Array(workerData.job);
const jobF = new Float32Array(workerData.job);
const names = ${JSON.stringify(POOL_FUNCTIONS)};
const fns = new Map();`,
  job: `
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
      if (m.message.reset) {
        fns.clear();
        continue;
      }
      const { id, module, memory } = m.message;
      const exp = new WebAssembly.Instance(module, { env: { memory } }).exports;
      fns.set(id, names.map((n) => exp[n]));
    }
    const parts = job[0];
    for (;;) {
      const p = claim();
      if (p >= parts) break;
      for (let w = job[1 + p], end = job[2 + p]; w < end;) {
        const f = fns.get(job[w]);
        const fn = f === undefined ? undefined : f[job[w + 1]];
        const argc = job[w + 2];
        const mask = job[w + 3];
        if (fn === undefined) throw new Error('module ' + job[w] + ' not received');
        const args = new Array(argc);
        for (let a = 0; a < argc; a++) args[a] = (mask >>> a) & 1 ? jobF[w + 4 + a] : job[w + 4 + a];
        fn(...args);
        w += 4 + argc;
      }
      Atomics.add(ctrl, ${Slot.WorkerParts}, 1);
    }`,
});

interface Pool {
  ctrl: Int32Array;
  job: Int32Array;
  jobF: Float32Array;
  workers: Worker[];
  ports: MessagePort[];
  /** Module ids already posted to the workers, per module (and the memory they were posted with). */
  posted: Map<WebAssembly.Module, { id: number; memory: WebAssembly.Memory }>;
  nextId: number;
}

let pool: Pool | undefined;
let poolFailed = false;
/** Threads asked for (0 = auto). */
let requested = 0;

/** `autoComputeThreads`, read once: every kernel call asks, and the count is a system call (sched_getaffinity). */
let autoThreads = 0;

/** Threads `auto` resolves to here: the cores this process may use, at most AUTO_MAX_THREADS. */
export function autoComputeThreads(): number {
  if (autoThreads === 0) autoThreads = Math.max(1, Math.min(AUTO_MAX_THREADS, availableParallelism()));
  return autoThreads;
}

/**
 * Sets how many threads (this one + workers) the wasm kernels split their work over: 0 = auto (the cores here, see
 * `autoComputeThreads`), 1 = this thread only. Returns the effective count. Results do not depend on it.
 */
export function setComputeThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 0 || threads > MAX_COMPUTE_THREADS) {
    throw new Error(`threads must be an integer from 0 (auto) to ${MAX_COMPUTE_THREADS}, got ${threads}`);
  }
  requested = threads;
  return computeThreads();
}

/** The effective thread count (`setComputeThreads`; 1 where worker threads cannot start). */
export function computeThreads(): number {
  if (poolFailed) return 1;
  return requested === 0 ? autoComputeThreads() : requested;
}

/** Starts workers until the pool has `size` (kept for the process, unref'd); undefined where workers cannot start. */
function getPool(size: number): Pool | undefined {
  if (poolFailed) return undefined;
  if (pool !== undefined && pool.workers.length >= size) return pool;
  try {
    const p: Pool = pool ?? {
      ctrl: createControl(Slot.Size),
      job: new Int32Array(new SharedArrayBuffer(JOB_WORDS * 4)),
      jobF: new Float32Array(0),
      workers: [],
      ports: [],
      posted: new Map(),
      nextId: 1,
    };
    if (pool === undefined) p.jobF = new Float32Array(p.job.buffer);
    pool = p;
    for (let w = p.workers.length; w < size; w++) {
      const { worker, port: port1 } = startPoolWorker(WORKER_SOURCE, p.ctrl, w, { job: p.job.buffer });
      // Modules posted so far reach the new worker too.
      for (const [module, { id, memory }] of p.posted) port1.postMessage({ id, module, memory });
      p.workers.push(worker);
      p.ports.push(port1);
    }
    return p;
  } catch {
    poolFailed = true;
    return undefined;
  }
}

/**
 * Stops the pool's workers (they exit at once: they only ever wait on the control block) and forgets them; a later
 * job starts a new pool. Resolves when every worker has exited.
 */
export async function shutdownComputePool(): Promise<void> {
  const p = pool;
  if (p === undefined) return;
  pool = undefined;
  stopWorkers(p.ctrl);
  for (const port of p.ports) port.close();
  await Promise.all(p.workers.map((w) => new Promise<void>((resolve) => {
    w.once('exit', () => resolve());
    void w.terminate();
  })));
}

/** Parts of jobs the pool's workers have run since it started (0 without a pool). */
export function computePoolWorkerParts(): number {
  return pool === undefined ? 0 : Atomics.load(pool.ctrl, Slot.WorkerParts);
}

/** Worker threads the pool has started (0 before any parallel job or after shutdown). */
export function computePoolWorkers(): number {
  return pool?.workers.length ?? 0;
}

/** Instances of modules on this thread, per memory. */
const local = new Map<WebAssembly.Module, { memory: WebAssembly.Memory; fns: ((...args: number[]) => void)[] }>();

function localFns(module: WebAssembly.Module, memory: WebAssembly.Memory): ((...args: number[]) => void)[] {
  let e = local.get(module);
  if (e === undefined || e.memory !== memory) {
    if (local.size >= 512) local.clear();
    const exp = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, (...args: number[]) => void>;
    e = { memory, fns: POOL_FUNCTIONS.map((n) => exp[n]) };
    local.set(module, e);
  }
  return e.fns;
}

function runPart(memory: WebAssembly.Memory, part: PoolCall[]): void {
  for (const c of part) {
    const index = POOL_FUNCTIONS.indexOf(c.fn);
    const fn = index < 0 ? undefined : localFns(c.module, memory).at(index);
    if (fn === undefined) throw new Error(`module has no export ${c.fn}`);
    // f32 arguments rounded as the job block stores them, so that every thread gets the same bits.
    const floatArgs = c.floatArgs;
    fn(...(floatArgs ? c.args.map((v, i) => ((floatArgs >>> i) & 1 ? Math.fround(v) : v)) : c.args));
  }
}

/** Modules the workers keep instances of; past this they drop them all (shapes of past trainings) and start over. */
const POSTED_MAX = 1024;

/** Writes the job into the job block; false when it does not fit. */
function encode(p: Pool, memory: WebAssembly.Memory, parts: PoolCall[][]): boolean {
  const job = p.job;
  if (p.posted.size >= POSTED_MAX) {
    p.posted.clear();
    for (const port of p.ports) port.postMessage({ reset: true });
  }
  let w = 2 + parts.length;
  const ids: number[][] = [];
  for (const part of parts) {
    const row: number[] = [];
    for (const c of part) {
      if (c.args.length > 32) throw new Error('a pool call takes at most 32 arguments');
      w += 4 + c.args.length;
      let e = p.posted.get(c.module);
      if (e === undefined || e.memory !== memory) {
        e = { id: p.nextId++, memory };
        p.posted.set(c.module, e);
        for (const port of p.ports) port.postMessage({ id: e.id, module: c.module, memory });
      }
      row.push(e.id);
    }
    ids.push(row);
  }
  if (w > JOB_WORDS) return false;
  job[0] = parts.length;
  w = 2 + parts.length;
  parts.forEach((part, i) => {
    job[1 + i] = w;
    part.forEach((c, j) => {
      job[w] = ids[i][j];
      job[w + 1] = POOL_FUNCTIONS.indexOf(c.fn);
      job[w + 2] = c.args.length;
      const mask = c.floatArgs ?? 0;
      job[w + 3] = mask;
      for (let a = 0; a < c.args.length; a++) {
        if ((mask >>> a) & 1) p.jobF[w + 4 + a] = c.args[a];
        else job[w + 4 + a] = c.args[a];
      }
      w += 4 + c.args.length;
    });
  });
  job[1 + parts.length] = w;
  return true;
}

/**
 * Contention guard. Waiting for the workers longer than this thread took for its own share means the job took
 * longer than this thread alone would have (the cores are busy with other work: a worker was descheduled holding a
 * part). After CONTENTION_STRIKES such jobs in a row, the next SERIAL_JOBS jobs run on this thread alone, then
 * the pool is tried again. Results do not depend on it.
 */
const CONTENTION_STRIKES = 3;
const SERIAL_JOBS = 64;
let strikes = 0;
let serialJobs = 0;

function noteContention(slow: boolean): void {
  strikes = slow ? strikes + 1 : 0;
  if (strikes >= CONTENTION_STRIKES) {
    strikes = 0;
    serialJobs = SERIAL_JOBS;
  }
}

/**
 * Runs the parts of one job on this thread and up to `computeThreads() - 1` workers, returning when all are done.
 * `alongside` (JS work on this thread that touches nothing the parts read or write) runs while the workers start
 * on the parts, before this thread claims any.
 * `memory` must be shared for workers to take part; otherwise (or with one thread, one part, or no workers) every
 * part runs here, in order. Throws when a call failed (the output is then incomplete).
 */
export function runParts(memory: WebAssembly.Memory, parts: PoolCall[][], alongside?: () => void): void {
  const threads = Math.min(computeThreads(), parts.length);
  const p = threads > 1 && memory.buffer instanceof SharedArrayBuffer ? getPool(threads - 1) : undefined;
  const alone = serialJobs > 0;
  if (alone) serialJobs--;
  if (p === undefined || alone || !encode(p, memory, parts)) {
    alongside?.();
    for (const part of parts) runPart(memory, part);
    return;
  }
  const t0 = performance.now();
  const ctrl = p.ctrl;
  // The generation is closed (odd): no worker reads the job while it is written.
  openJob(ctrl, threads - 1);
  let error: Error | undefined;
  if (alongside !== undefined) {
    try {
      alongside();
    } catch (e) {
      error = e instanceof Error ? e : new Error('work alongside a compute pool job failed', { cause: e });
    }
  }
  for (;;) {
    const i = claimItem(ctrl);
    if (i >= parts.length) break;
    try {
      runPart(memory, parts[i]);
    } catch (e) {
      error ??= e instanceof Error ? e : new Error('a compute pool part failed', { cause: e });
    }
  }
  const waitFrom = performance.now();
  const mine = waitFrom - t0;
  const { failed } = closeJob(ctrl, WORKER_SPIN, 50);
  noteContention(performance.now() - waitFrom > mine);
  if (failed) error ??= new Error('a compute pool worker failed');
  if (error !== undefined) throw error;
}
