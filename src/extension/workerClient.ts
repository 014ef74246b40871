/**
 * Host side of the training worker: spawns dist/trainingWorker.js (worker_threads), trains or loads a model in it,
 * and implements the `Explorer` interface across the thread boundary, so the panel can explore a trained model while
 * the extension host's event loop stays free. A crashed worker (uncaught error, non-zero exit) rejects every pending
 * request; it never surfaces as an unhandled exception. This file is VS Code-free, so unit tests can drive it.
 */
import { Worker } from 'node:worker_threads';
import type {
  AnalysisControl, AnalysisProgress, AnomalyReport, ClusterMethod, ClusterOptions, ClusterResult, CorruptionResult, EmbeddingResult, ExplorerInfo, Explorer, ExportFormat, GenerateRequest, GenerateResult, InterpolationMode, KSuggestion, ProjectionMethod,
  ProjectionResult, SampleDetail,
} from '../core/explorer';
import type { TrainProgress } from '../core/training/types';
import type { LoadOptions } from '../core/data/dataset';
import type { CorruptionMode } from '../core/analysis/corruption';
import type { AnomalyScoreMethod } from '../core/analysis/anomalyScores';
import type {
  BackendPreference, EpochEmbedding, ExplorerArgs, ExplorerMethod, ExplorerReturn, HostToWorker, LogLevel, TrainingWorkerData, TrainRequest, TrainSummary,
  WorkerToHost,
} from '../worker/protocol';
import { WorkerError } from '../worker/protocol';

export interface WorkerClientOptions {
  /** Absolute path of the worker script (dist/trainingWorker.js, or the .ts source with a tsx execArgv in tests). */
  workerPath: string;
  /** Extra Node flags for the worker thread (e.g. `['--import', 'tsx']`). */
  execArgv?: string[];
  /** Log lines from the worker and about its lifecycle. */
  onLog?: (level: LogLevel, message: string) => void;
  /** How long `cancel()` waits for the worker to stop on its own before terminating it. Default 1500 ms. */
  cancelGraceMs?: number;
}

/** Training was cancelled before the pipeline produced a model. */
export class CancelledError extends Error {
  constructor(message = 'Training cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** How `cancel()` ended: the worker stopped by itself, had to be terminated, or nothing was running. */
export type CancelOutcome = 'stopped' | 'terminated' | 'idle';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (p: TrainProgress) => void;
  onEmbedding?: (e: EpochEmbedding) => void;
  /** Progress of an explorer call made with an AnalysisControl. */
  onAnalysis?: (p: AnalysisProgress) => void;
  /** A train or load request (the ones `cancel()` waits for). */
  training: boolean;
}

export class WorkerClient implements Explorer {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  private readonly grace: number;
  private readonly onLog: NonNullable<WorkerClientOptions['onLog']>;
  private nextId = 1;
  private summary: TrainSummary | undefined;
  private cancelRequested = false;
  private terminating = false;
  private disposed = false;
  private exitCode: number | undefined;
  /** Resolves with the thread's exit code once it has exited (for whatever reason). */
  readonly exited: Promise<number>;

  constructor(options: WorkerClientOptions) {
    this.grace = options.cancelGraceMs ?? 1500;
    this.onLog = options.onLog ?? (() => undefined);
    const workerData: TrainingWorkerData = { cancelFlag: this.cancelFlag.buffer };
    this.worker = new Worker(options.workerPath, { workerData, execArgv: options.execArgv });
    this.worker.on('message', (msg: WorkerToHost) => this.onMessage(msg));
    this.worker.on('error', (err: Error) => {
      this.onLog('error', `training worker crashed: ${err.stack ?? err.message}`);
      this.failAll(new Error(`The training worker crashed: ${err.message}`));
    });
    this.worker.on('messageerror', (err: Error) => this.onLog('error', `worker message could not be decoded: ${err.message}`));
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code: number) => {
        this.exitCode = code;
        if (this.terminating || this.disposed) this.failAll(new CancelledError());
        else if (code !== 0) this.failAll(new Error(`The training worker exited unexpectedly with code ${code}.`));
        else this.failAll(new Error('The training worker exited.'));
        resolve(code);
      });
    });
  }

  /** True while the worker thread is running. */
  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** True once a model has been trained or loaded, so `info()` and the explorer calls work. */
  get hasModel(): boolean {
    return this.summary !== undefined;
  }

  /** Summary of the last training or load, if any. */
  get lastSummary(): TrainSummary | undefined {
    return this.summary;
  }

  /**
   * Trains in the worker; resolves with the summary (check `cancelled`), rejects with CancelledError or WorkerError.
   * `onEmbedding` receives the live embedding after each epoch.
   */
  train(request: TrainRequest, onProgress?: (p: TrainProgress) => void, onEmbedding?: (e: EpochEmbedding) => void): Promise<TrainSummary> {
    this.cancelRequested = false;
    Atomics.store(this.cancelFlag, 0, 0);
    return this.request<TrainSummary>((id) => ({ type: 'train', id, request }), true, onProgress, onEmbedding).then((s) => {
      this.summary = s;
      return s;
    });
  }

  /**
   * Reopens a saved model folder (model.json + latent-explorer.json) in the worker, over the data it was trained on
   * or, with `data`, over another dataset (to score new data with the model).
   */
  load(modelDir: string, backend: BackendPreference, data?: { datasetPath?: string; loadOptions?: LoadOptions }): Promise<TrainSummary> {
    return this.request<TrainSummary>((id) => ({ type: 'load', id, modelDir, backend, ...data }), true).then((s) => {
      this.summary = s;
      return s;
    });
  }

  /**
   * Cancels a running training: sets the shared cancel flag and posts `cancel` (the worker aborts its
   * AbortController). If the training has not settled within the grace period, the worker is terminated and the
   * training rejects with CancelledError.
   */
  async cancel(): Promise<CancelOutcome> {
    const running = [...this.pending.values()].filter((p) => p.training);
    if (running.length === 0 || !this.alive) return 'idle';
    this.cancelRequested = true;
    Atomics.store(this.cancelFlag, 0, 1);
    this.post({ type: 'cancel' });
    const settled = Promise.allSettled(running.map((p) => new Promise<void>((resolve) => {
      const { resolve: res, reject: rej } = p;
      p.resolve = (v) => { res(v); resolve(); };
      p.reject = (e) => { rej(e); resolve(); };
    })));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), this.grace); });
    const first = await Promise.race([settled.then(() => 'settled' as const), timedOut]);
    clearTimeout(timer);
    if (first === 'settled') return 'stopped';
    this.onLog('warn', `worker did not stop within ${this.grace} ms of cancel: terminating it`);
    this.terminating = true;
    await this.worker.terminate();
    return 'terminated';
  }

  info(): ExplorerInfo {
    if (!this.summary) throw new Error('No model yet: train or load one first.');
    return this.summary.info;
  }

  embed(): Promise<EmbeddingResult> {
    return this.call('embed');
  }

  project(method: ProjectionMethod, dims: 2 | 3, seed?: number, control?: AnalysisControl): Promise<ProjectionResult> {
    return this.controlledCall(control, 'project', method, dims, seed);
  }

  cluster(k: number, seed?: number, options?: ClusterOptions, control?: AnalysisControl): Promise<ClusterResult> {
    return this.controlledCall(control, 'cluster', k, seed, options);
  }

  suggestK(kMin: number, kMax: number, seed?: number, method?: ClusterMethod, control?: AnalysisControl): Promise<KSuggestion> {
    return this.controlledCall(control, 'suggestK', kMin, kMax, seed, method);
  }

  sample(index: number): Promise<SampleDetail> {
    return this.call('sample', index);
  }

  placeCodes(latent: Float32Array, count: number): Promise<Float32Array> {
    return this.call('placeCodes', latent, count);
  }

  rows(indices: readonly number[]): Promise<Float32Array> {
    return this.call('rows', indices);
  }

  decode(latent: Float32Array, count: number, condition?: string): Promise<Float32Array> {
    return this.call('decode', latent, count, condition);
  }

  corrupt(index: number, mode: CorruptionMode, level: number, seed: number): Promise<CorruptionResult> {
    return this.call('corrupt', index, mode, level, seed);
  }

  interpolate(a: number, b: number, steps: number, mode: InterpolationMode): Promise<{ latent: Float32Array; decoded: Float32Array }> {
    return this.call('interpolate', a, b, steps, mode);
  }

  generate(request: GenerateRequest): Promise<GenerateResult> {
    return this.call('generate', request);
  }

  exportEmbeddings(path: string, format: ExportFormat, overwrite: boolean): Promise<string[]> {
    return this.call('exportEmbeddings', path, format, overwrite);
  }

  anomalies(method?: AnomalyScoreMethod, anomalyLabels?: string[]): Promise<AnomalyReport> {
    return this.call('anomalies', method, anomalyLabels);
  }

  /** Asks the worker to free its model and exit; terminates it if it has not exited within 2 s. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.alive) return;
    this.post({ type: 'dispose' });
    const timer = setTimeout(() => void this.worker.terminate(), 2000);
    timer.unref();
    void this.exited.then(() => clearTimeout(timer));
  }

  private call<M extends ExplorerMethod>(method: M, ...args: ExplorerArgs<M>): Promise<ExplorerReturn<M>> {
    return this.request<ExplorerReturn<M>>((id) => ({ type: 'call', id, method, args }), false);
  }

  /**
   * An explorer call whose AnalysisControl stays here: progress comes back as `callProgress` replies and aborting
   * the signal posts `cancelCall` (the worker's call then rejects with an AbortError).
   */
  private controlledCall<M extends 'project' | 'cluster' | 'suggestK'>(control: AnalysisControl | undefined, method: M, ...args: unknown[]): Promise<ExplorerReturn<M>> {
    if (control?.signal?.aborted) return Promise.reject(control.signal.reason instanceof Error ? control.signal.reason : new Error('cancelled'));
    let callId = 0;
    const onAbort = (): void => this.post({ type: 'cancelCall', id: callId });
    const p = this.request<ExplorerReturn<M>>((id) => {
      callId = id;
      return { type: 'call', id, method, args } as HostToWorker;
    }, false);
    const pending = this.pending.get(callId);
    if (pending) pending.onAnalysis = control?.onProgress;
    control?.signal?.addEventListener('abort', onAbort, { once: true });
    return p.finally(() => control?.signal?.removeEventListener('abort', onAbort));
  }

  private request<T>(make: (id: number) => HostToWorker, training: boolean, onProgress?: (p: TrainProgress) => void, onEmbedding?: (e: EpochEmbedding) => void): Promise<T> {
    if (!this.alive || this.disposed) return Promise.reject(new Error('The training worker is not running.'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress, onEmbedding, training });
      this.post(make(id));
    });
  }

  private post(msg: HostToWorker): void {
    try {
      this.worker.postMessage(msg);
    } catch (e) {
      this.onLog('error', `could not post ${msg.type} to the worker: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  private onMessage(msg: WorkerToHost): void {
    switch (msg.type) {
      case 'ready':
      case 'cancelAck':
        break;
      case 'log':
        this.onLog(msg.level, msg.message);
        break;
      case 'progress':
        this.pending.get(msg.id)?.onProgress?.(msg.progress);
        break;
      case 'callProgress':
        this.pending.get(msg.id)?.onAnalysis?.(msg.progress);
        break;
      case 'epochEmbedding':
        this.pending.get(msg.id)?.onEmbedding?.(msg.embedding);
        break;
      case 'done':
        this.settle(msg.id)?.resolve(msg.summary);
        break;
      case 'result':
        this.settle(msg.id)?.resolve(msg.value);
        break;
      case 'error': {
        const err = new WorkerError(msg.error);
        const p = msg.id === undefined ? undefined : this.settle(msg.id);
        if (!p) this.onLog('error', `worker: ${err.message}`);
        else if (p.training && (this.cancelRequested || err.name === 'CancelledError')) p.reject(new CancelledError(err.message));
        else p.reject(err);
        break;
      }
    }
  }

  private failAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }
}
