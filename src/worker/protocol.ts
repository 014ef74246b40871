/**
 * Messages between the extension host (src/extension/workerClient.ts) and the training worker
 * (src/worker/trainingWorker.ts, a worker_threads Worker). Every message is a plain structured-cloneable object
 * keyed by `type`; typed arrays cross the boundary as copies (or transfers). Requests that expect an answer carry an
 * `id` that the answer repeats.
 */
import type { BackendPreference } from '../core/backend/backend';
import type { LoadOptions } from '../core/data/dataset';
import type { AnalysisProgress, ExplorerInfo, Explorer } from '../core/explorer';
import type { LiveEmbeddingFrame } from '../core/analysis/liveEmbedding';
import type { ModelKind } from '../core/models/types';
import type { EpochRecord, TrainProgress } from '../core/training/types';

export type { BackendPreference };

/** What to train: a serialisable subset of the pipeline's options (no callbacks, no AbortSignal). */
export interface TrainRequest {
  /** Absolute path of the dataset file or folder (only ever read); undefined = the sample digits. */
  datasetPath?: string;
  loadOptions: LoadOptions;
  model: { kind: ModelKind; latentDim?: number; hidden?: number[] };
  train: { epochs: number; seed: number; batchSize?: number; learningRate?: number; patience?: number; validationSplit?: number };
  /** Folder the model, sidecar and embeddings are written to. */
  outDir: string;
  backend: BackendPreference;
  /** Threads the wasm kernels split their work over (0 = auto; see src/core/kernels/computePool.ts). */
  threads?: number;
}

/** The part of the pipeline's result the host needs (the bulk arrays stay in the worker). */
export interface TrainSummary {
  info: ExplorerInfo;
  /** True when the AbortSignal stopped training. */
  cancelled: boolean;
  stoppedEarly: boolean;
  history: EpochRecord[];
  outDir: string;
  /** Files the pipeline wrote. */
  files: string[];
  /** Wall-clock seconds of the whole pipeline (load, train, save, embed). */
  seconds: number;
  samplesPerSec: number;
  /** Human-readable backend description, e.g. `wasm (SIMD, 2 threads)`. */
  backend: string;
}

/** One frame of the live embedding during training. */
export interface EpochEmbedding extends LiveEmbeddingFrame {
  epoch: number;
  epochs: number;
  stage?: string;
  /** Rows in the whole dataset (the frame shows `indices.length` of them). */
  total: number;
  labelNames?: string[];
  /** Index into `labelNames` per point. */
  labelCodes?: Int32Array;
}

/** An Error flattened for postMessage; DatasetError's location fields survive the trip. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** DatasetError only: what is wrong, without the location prefix. */
  detail?: string;
  file?: string;
  row?: number;
  column?: string;
}

/** Explorer methods the worker serves (all but `info`, which the host caches, and `dispose`). */
export type ExplorerMethod = 'embed' | 'project' | 'cluster' | 'suggestK' | 'sample' | 'rows' | 'placeCodes' | 'decode' | 'corrupt' | 'interpolate' | 'generate' | 'exportEmbeddings' | 'anomalies';

/** The argument tuple of an Explorer method. */
export type ExplorerArgs<M extends ExplorerMethod> = Parameters<Explorer[M]>;

/** The resolved value of an Explorer method. */
export type ExplorerReturn<M extends ExplorerMethod> = Awaited<ReturnType<Explorer[M]>>;

// ---------------------------------------------------------------------------------------------- host -> worker

/** Load, normalise, build, train, save and embed; answered by `progress`*, then `done`, or `error` (name `CancelledError` when cancelled: nothing saved). */
export interface TrainMessage { type: 'train'; id: number; request: TrainRequest }
/**
 * Reopen a saved model folder as the worker's explorer; answered by `done` (cancelled false) or `error`. With
 * `datasetPath`, the model explores (and scores) that data instead of the data it was trained on.
 */
export interface LoadMessage { type: 'load'; id: number; modelDir: string; backend: BackendPreference; datasetPath?: string; loadOptions?: LoadOptions }
/** Abort the running training (its AbortController); answered at once by `cancelAck`. */
export interface CancelMessage { type: 'cancel' }
/** Call an Explorer method on the trained model; answered by `result` or `error` with the same id. */
export interface CallMessage<M extends ExplorerMethod = ExplorerMethod> { type: 'call'; id: number; method: M; args: ExplorerArgs<M> }
/** Cancel one running explorer call (project / cluster / suggestK): it then fails with an AbortError. */
export interface CancelCallMessage { type: 'cancelCall'; id: number }
/** Free the model and tensors, then close the worker's port so the thread exits with code 0. */
export interface DisposeMessage { type: 'dispose' }

export type HostToWorker = TrainMessage | LoadMessage | CancelMessage | CancelCallMessage | CallMessage | DisposeMessage;

// ---------------------------------------------------------------------------------------------- worker -> host

/** Worker loaded and listening. */
export interface ReadyReply { type: 'ready' }
/**
 * Training progress, at most PROGRESS_MESSAGES_PER_SECOND (src/core/throttle.ts) a second; the last event arrives
 * before `done`. An epoch's event is held over the next batches while it waits, so epochs are only skipped when
 * several end within one interval.
 */
export interface ProgressReply { type: 'progress'; id: number; progress: TrainProgress }
/**
 * The embedding after an epoch (at most 4 per second, always after the last epoch): a fixed seeded sample of at most 5,000 rows encoded with the current weights and laid
 * out in 2D (see src/core/analysis/liveEmbedding.ts), with the sample's labels as a dictionary + codes.
 */
export interface EpochEmbeddingReply { type: 'epochEmbedding'; id: number; embedding: EpochEmbedding }
/** Progress of a long explorer call (UMAP stages, clustering), at most PROGRESS_MESSAGES_PER_SECOND a second. */
export interface CallProgressReply { type: 'callProgress'; id: number; progress: AnalysisProgress }
/** A log line for the output channel. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface LogReply { type: 'log'; level: LogLevel; message: string }
/** The cancel request was seen and the AbortSignal fired. */
export interface CancelAckReply { type: 'cancelAck' }
/** Training (or loading) finished; the worker now serves explorer calls for this model. */
export interface DoneReply { type: 'done'; id: number; summary: TrainSummary }
/** A request failed (`id` absent: an error outside any request). */
export interface ErrorReply { type: 'error'; id?: number; error: SerializedError }
/** The value of an explorer call. */
export interface ResultReply<M extends ExplorerMethod = ExplorerMethod> { type: 'result'; id: number; method: M; value: ExplorerReturn<M> }

export type WorkerToHost = ReadyReply | ProgressReply | CallProgressReply | EpochEmbeddingReply | LogReply | CancelAckReply | DoneReply | ErrorReply | ResultReply;

/**
 * Argument position of the `AnalysisControl` of the explorer methods that take one. The host sends the call without
 * it (functions and signals do not cross threads); the worker puts its own there, wired to `callProgress` replies
 * and `cancelCall` messages.
 */
export const CONTROL_ARG: Partial<Record<ExplorerMethod, number>> = { project: 3, cluster: 3, suggestK: 4 };

/** Data the host passes in `new Worker(path, { workerData })`. */
export interface TrainingWorkerData {
  /** One Int32 the host sets to 1 (Atomics.store) to cancel; the worker checks it on every progress event. */
  cancelFlag?: SharedArrayBuffer;
}

/** Flattens any thrown value for `ErrorReply`, keeping DatasetError's detail/file/row/column. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const d = e as Error & { detail?: unknown; file?: unknown; row?: unknown; column?: unknown };
    const out: SerializedError = { name: e.name, message: e.message, stack: e.stack };
    if (typeof d.detail === 'string') out.detail = d.detail;
    if (typeof d.file === 'string') out.file = d.file;
    if (typeof d.row === 'number') out.row = d.row;
    if (typeof d.column === 'string') out.column = d.column;
    return out;
  }
  return { name: 'Error', message: String(e) };
}

/** The host-side Error for an `ErrorReply`: same name and message, DatasetError fields kept as properties. */
export class WorkerError extends Error {
  readonly detail?: string;
  readonly file?: string;
  readonly row?: number;
  readonly column?: string;

  constructor(e: SerializedError) {
    super(e.message);
    this.name = e.name;
    this.detail = e.detail;
    this.file = e.file;
    this.row = e.row;
    this.column = e.column;
    if (e.stack) this.stack = e.stack;
  }

  /** True for a problem with the user's data (a DatasetError in the worker). */
  get isDatasetError(): boolean {
    return this.name === 'DatasetError';
  }
}
