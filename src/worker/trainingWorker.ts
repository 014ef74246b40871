/**
 * The training worker (worker_threads), bundled to dist/trainingWorker.js. It runs the training pipeline off the
 * extension host's thread, then keeps a LocalExplorer over the trained (or loaded) model and answers explorer calls,
 * so the host never blocks on tfjs. Protocol: ./protocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, describeBackend } from '../core/backend/backend';
import { computeThreads, setComputeThreads } from '../core/kernels/computePool';
import type { AnalysisProgress, Explorer } from '../core/explorer';
import { LocalExplorer } from '../core/localExplorer';
import { openForScoring } from '../core/scoreData';
import { runTrainingPipeline } from '../core/pipeline';
import type { TrainProgress } from '../core/training/types';
import type { LiveEmbedding } from '../core/analysis/liveEmbedding';
import { createLiveEmbedding } from '../core/analysis/liveEmbedding';
import { createLiveSchedule } from '../core/analysis/liveSchedule';
import { yieldToEventLoop } from '../core/analysis/abort';
import { encodeLabelPayload } from '../common/labelCodes';
import type { TrainingContext } from '../core/pipeline';
import type { LoadOptions } from '../core/data/dataset';
import type {
  BackendPreference, CallMessage, EpochEmbedding, HostToWorker, LogLevel, TrainingWorkerData, TrainRequest, TrainSummary, WorkerToHost,
} from './protocol';
import { CONTROL_ARG, serializeError } from './protocol';
import type { Throttle } from '../core/throttle';
import { PROGRESS_INTERVAL_MS, createThrottle } from '../core/throttle';

/** Longest stretch of training without yielding a macrotask, so `cancel`/`call` messages get read. */
const YIELD_INTERVAL_MS = 50;

if (!parentPort) throw new Error('trainingWorker.js must run as a worker_threads Worker');
const port = parentPort;
const data = workerData as TrainingWorkerData | undefined;
/** Shared cancel flag: the host sets it with Atomics, so cancel works even while this thread is busy in a batch loop. */
const cancelFlag = data?.cancelFlag ? new Int32Array(data.cancelFlag) : undefined;

let explorer: Explorer | undefined;
let abort: AbortController | undefined;
let backendLabel: string | undefined;
let backendPref: BackendPreference | undefined;

function post(msg: WorkerToHost): void {
  port.postMessage(msg);
}

function log(message: string, level: LogLevel = 'info'): void {
  post({ type: 'log', level, message });
}

/** Load progress of a large file, logged every 10%. */
function loadProgressLog(file: string): (read: number, total: number) => void {
  let shown = 0;
  return (read, total) => {
    const pct = total > 0 ? Math.floor((10 * read) / total) * 10 : 0;
    if (pct > shown && total > 32 * 1024 * 1024) log(`loading ${file}: ${pct}%`);
    shown = Math.max(shown, pct);
  };
}

/** Initialises the compute backend once per preference (tfjs-node when installed, else wasm, else cpu). */
async function ensureBackend(pref: BackendPreference, threads?: number): Promise<string> {
  const before = computeThreads();
  if (threads !== undefined) setComputeThreads(threads);
  if (backendLabel === undefined || backendPref !== pref || computeThreads() !== before) {
    const info = await initBackend(pref);
    backendLabel = describeBackend(info);
    backendPref = pref;
    log(`backend: ${backendLabel}`);
    log(`backend details: ${describeBackend(info, true)}`, 'debug');
  }
  return backendLabel;
}

function replaceExplorer(next: Explorer | undefined): void {
  explorer?.dispose();
  explorer = next;
}

async function train(id: number, request: TrainRequest): Promise<void> {
  const t0 = performance.now();
  abort = new AbortController();
  const signal = abort.signal;
  let throttle: Throttle<TrainProgress> | undefined;
  try {
    const backend = await ensureBackend(request.backend, request.threads);
    replaceExplorer(undefined);
    if (cancelFlag) Atomics.store(cancelFlag, 0, 0);
    // An epoch's summary (its validation loss) is kept over the next epoch's first batches while it waits.
    throttle = createThrottle<TrainProgress>(PROGRESS_INTERVAL_MS, (p) => post({ type: 'progress', id, progress: p }), (waiting, next) => (waiting.phase === 'epoch' && next.phase === 'batch' ? waiting : next));
    const progress = throttle;
    const schedule = createLiveSchedule();
    let lastYield = performance.now();
    let live: { tracker: LiveEmbedding; ctx: TrainingContext; labelNames?: string[]; labelCodes?: Int32Array } | undefined;
    const onModelReady = (ctx: TrainingContext): void => {
      const tracker = createLiveEmbedding(ctx.normalized, ctx.n, ctx.model.config.inputDim, { seed: request.train.seed, condition: ctx.condition });
      live = { tracker, ctx, ...(ctx.labels ? encodeLabelPayload(ctx.labels, tracker.indices) : {}) };
    };
    const onProgress = async (p: TrainProgress): Promise<void> => {
      if (cancelFlag && Atomics.load(cancelFlag, 0) !== 0 && !signal.aborted) abort?.abort();
      const now = performance.now();
      progress.push(p);
      if (live && !signal.aborted && schedule.due(p, now)) {
        try {
          const frame = live.tracker.frame(live.ctx.model);
          schedule.sent(now, performance.now() - now);
          const embedding: EpochEmbedding = {
            ...frame, epoch: p.epoch, epochs: p.epochs, total: live.ctx.n,
            ...(p.stage !== undefined ? { stage: p.stage } : {}),
            ...(live.labelNames && live.labelCodes ? { labelNames: live.labelNames, labelCodes: live.labelCodes } : {}),
          };
          post({ type: 'epochEmbedding', id, embedding });
        } catch (e) {
          log(`live embedding skipped: ${e instanceof Error ? e.message : String(e)}`, 'warn');
          live = undefined;
        }
      }
      if (now - lastYield >= YIELD_INTERVAL_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    };
    log(`train ${request.model.kind} on ${request.datasetPath ?? 'the sample digits'} -> ${request.outDir}`);
    const out = await runTrainingPipeline({
      datasetPath: request.datasetPath,
      loadOptions: request.datasetPath === undefined ? request.loadOptions : { ...request.loadOptions, onProgress: loadProgressLog(request.datasetPath) },
      model: request.model,
      train: request.train,
      outDir: request.outDir,
      onProgress,
      onModelReady,
      signal,
      log: (m: string) => log(m),
    });
    progress.flush();
    if (out.result.cancelled) {
      // Nothing was saved: free the half-trained model instead of serving it.
      out.model.dispose();
      post({ type: 'error', id, error: { name: 'CancelledError', message: `Training cancelled after ${out.result.history.length} epochs` } });
      return;
    }
    const next = LocalExplorer.fromPipeline(out);
    replaceExplorer(next);
    const info = next.info();
    log(`data: ${info.n} x ${info.dim} (${info.format}, ${info.kind}); sample shape [${info.sampleShape.join(', ')}]`);
    const summary: TrainSummary = {
      info,
      cancelled: signal.aborted,
      stoppedEarly: out.result.stoppedEarly,
      history: out.result.history,
      outDir: out.outDir,
      files: out.files,
      seconds: (performance.now() - t0) / 1000,
      samplesPerSec: out.result.samplesPerSec,
      backend,
    };
    post({ type: 'done', id, summary });
  } catch (e) {
    if (signal.aborted) log(`training stopped after cancel: ${e instanceof Error ? e.message : String(e)}`);
    post({ type: 'error', id, error: serializeError(e) });
  } finally {
    abort = undefined;
    throttle?.dispose();
  }
}

async function load(id: number, modelDir: string, pref: BackendPreference, datasetPath?: string, loadOptions?: LoadOptions): Promise<void> {
  const t0 = performance.now();
  try {
    const backend = await ensureBackend(pref);
    const next = datasetPath === undefined ? await LocalExplorer.load(modelDir, undefined, loadOptions) : await openForScoring(modelDir, datasetPath, loadOptions);
    replaceExplorer(next);
    const info = next.info();
    post({
      type: 'done', id,
      summary: {
        info, cancelled: false, stoppedEarly: false, history: info.history, outDir: modelDir, files: [],
        seconds: (performance.now() - t0) / 1000, samplesPerSec: 0, backend,
      },
    });
  } catch (e) {
    post({ type: 'error', id, error: serializeError(e) });
  }
}

/** Abort controllers of the running explorer calls that take an AnalysisControl, by request id. */
const callAborts = new Map<number, AbortController>();
/** Progress throttles of those calls (a call's last progress must not arrive after its result). */
const callThrottles = new Map<number, Throttle<AnalysisProgress>>();

/** Dispatches one explorer call; the typed-array results are structured-cloned (copied) to the host. */
async function call(msg: CallMessage): Promise<void> {
  try {
    if (!explorer) throw new Error('No trained model in the worker yet: train or load one first.');
    const fn = Reflect.get(explorer, msg.method) as (...a: unknown[]) => Promise<unknown>;
    const args = [...(msg.args as unknown[])];
    const at = CONTROL_ARG[msg.method];
    if (at !== undefined) {
      const ac = new AbortController();
      callAborts.set(msg.id, ac);
      const throttle = createThrottle<AnalysisProgress>(PROGRESS_INTERVAL_MS, (p) => post({ type: 'callProgress', id: msg.id, progress: p }));
      callThrottles.set(msg.id, throttle);
      const onProgress = (p: AnalysisProgress): void => {
        if (p.done < p.total) throttle.push(p);
        else {
          throttle.dispose();
          post({ type: 'callProgress', id: msg.id, progress: p });
        }
      };
      while (args.length < at) args.push(undefined);
      args[at] = { onProgress, signal: ac.signal };
    }
    const value = await fn.apply(explorer, args);
    post({ type: 'result', id: msg.id, method: msg.method, value } as WorkerToHost);
  } catch (e) {
    post({ type: 'error', id: msg.id, error: serializeError(e) });
  } finally {
    callAborts.delete(msg.id);
    callThrottles.get(msg.id)?.dispose();
    callThrottles.delete(msg.id);
  }
}

port.on('message', (msg: HostToWorker) => {
  switch (msg.type) {
    case 'train':
      void train(msg.id, msg.request);
      break;
    case 'load':
      void load(msg.id, msg.modelDir, msg.backend, msg.datasetPath, msg.loadOptions);
      break;
    case 'cancel':
      abort?.abort();
      post({ type: 'cancelAck' });
      break;
    case 'call':
      void call(msg);
      break;
    case 'cancelCall':
      callAborts.get(msg.id)?.abort();
      break;
    case 'dispose':
      abort?.abort();
      replaceExplorer(undefined);
      port.close();
      break;
    default:
      post({ type: 'error', error: { name: 'Error', message: `unknown message ${JSON.stringify(msg)}` } });
  }
});

post({ type: 'ready' });
