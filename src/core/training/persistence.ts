/**
 * Save and load trained models. A model folder holds:
 * - `model.json`: tfjs-style artifacts `{ format: 'latent-explorer', modelTopology: <ModelConfig>,
 *   weightsManifest: [{ paths: ['weights.bin'], weights: <specs> }] }` (weights named by their stable names, e.g.
 *   `enc/0/W`);
 * - `weights.bin`: the raw weights as encoded by `tf.io.encodeWeights`;
 * - `latent-explorer.json`: the sidecar (config, normalisation, dataset schema, history, backend, creation time).
 * Every file is written to a temporary name in the same folder and renamed into place, so a crash never leaves a
 * half-written model. Nothing is ever written outside the folder.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../export/atomicWrite';
import { tf } from '../tf';
import { dataChoicesOf } from '../data/choices';
import type { DataChoices, Dataset, DatasetFormat, DatasetKind, LoadOptions, WindowSpec } from '../data/dataset';
import type { Normalizer } from '../data/normalize';
import type { ClassNames } from '../data/classNames';
import { createModel } from '../models/index';
import { stableName } from '../models/layers';
import type { Autoencoder, ModelConfig } from '../models/types';
import type { EpochRecord, TrainOptions } from './types';
import type { StoredCalibration } from '../analysis/anomalyReport';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const SIDECAR_FILE = 'latent-explorer.json';

/** What a saved model remembers about the data it was trained on (no bulk arrays). */
export interface DatasetSchema {
  name: string;
  source: string;
  format: DatasetFormat;
  kind: DatasetKind;
  sampleShape: number[];
  columns: string[];
  labelName?: string;
  /** Distinct label values, sorted (absent when the dataset has no labels). */
  labelClasses?: string[];
  /** Display names of label values (src/core/data/classNames.ts), reused when the data is loaded again. */
  classNames?: ClassNames;
  /** Number of samples (lets a model of the bundled MNIST digits reload the same digits). */
  n?: number;
  /** Sequence datasets: the sliding window cut from the source table; reloading passes it as `LoadOptions.window`. */
  window?: WindowSpec;
  /**
   * How the data was read (delimiter, header, encoding, ...) and what each column was (label, id, time, ignored,
   * image shape), resolved: reloading the data for embed / cluster / export / scoring passes them as load options.
   */
  choices?: DataChoices;
}

/** What `saveModel` stores beside the weights. */
export interface SaveExtra {
  normalizer: Normalizer;
  dataset: DatasetSchema;
  history: EpochRecord[];
  /** Backend the model was trained on (`tensorflow`, `wasm`, `cpu`). */
  backend: string;
  /** ISO time; default now. */
  createdAt?: string;
  /** Training options used (callbacks and signal are dropped). */
  train?: Partial<Omit<TrainOptions, 'onProgress' | 'signal'>>;
  /** Anomaly scoring: reference statistics and thresholds calibrated on the validation split. */
  anomaly?: StoredCalibration;
}

/** Contents of `latent-explorer.json`. */
export interface ModelSidecar extends SaveExtra {
  format: 'latent-explorer-sidecar';
  version: 1;
  config: ModelConfig;
  createdAt: string;
}

interface ModelJson {
  format: 'latent-explorer';
  generatedBy: string;
  modelTopology: ModelConfig;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** The schema of a dataset, for the sidecar; with `given` load options, also the choices that reproduce the load. */
export function datasetSchema(ds: Dataset, given?: LoadOptions): DatasetSchema {
  const schema: DatasetSchema = {
    name: ds.name,
    source: ds.source,
    format: ds.format,
    kind: ds.kind,
    sampleShape: [...ds.sampleShape],
    columns: [...ds.columns],
    n: ds.n,
  };
  if (ds.labelName !== undefined) schema.labelName = ds.labelName;
  if (ds.labels) schema.labelClasses = [...new Set(ds.labels)].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  if (ds.classNames) schema.classNames = { ...ds.classNames };
  if (ds.window) schema.window = { length: ds.window.length, stride: ds.window.stride };
  if (given !== undefined) schema.choices = dataChoicesOf(ds, given);
  return schema;
}

/** Saves `model` and `extra` into `dir` (created if needed). Returns the paths written. */
export async function saveModel(dir: string, model: Autoencoder, extra: SaveExtra): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const named = model.variables.map((v) => ({ name: stableName(v), tensor: v }));
  const names = new Set(named.map((t) => t.name));
  if (names.size !== named.length) throw new Error('model has duplicate variable names; cannot save');
  const { data, specs } = await tf.io.encodeWeights(named);
  const modelJson: ModelJson = {
    format: 'latent-explorer',
    generatedBy: `TensorFlow.js ${tf.version.tfjs}`,
    modelTopology: model.config,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
  };
  const { createdAt, ...rest } = extra;
  const sidecar: ModelSidecar = {
    format: 'latent-explorer-sidecar',
    version: 1,
    config: model.config,
    ...rest,
    createdAt: createdAt ?? new Date().toISOString(),
  };
  const files = [path.join(dir, WEIGHTS_FILE), path.join(dir, MODEL_FILE), path.join(dir, SIDECAR_FILE)];
  writeFileAtomic(files[0], new Uint8Array(data), true);
  writeFileAtomic(files[1], JSON.stringify(modelJson), true);
  writeFileAtomic(files[2], JSON.stringify(sidecar, null, 2), true);
  return files;
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file}: not found; is ${path.dirname(file)} a saved Latent Explorer model folder?`);
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON ${what} (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Loads a model saved by `saveModel`; its outputs are identical to the saved model's. */
export async function loadModel(dir: string): Promise<{ model: Autoencoder; sidecar: ModelSidecar }> {
  const modelFile = path.join(dir, MODEL_FILE);
  const json = (await readJson(modelFile, 'model description')) as Partial<ModelJson>;
  if (json.format !== 'latent-explorer' || !json.modelTopology || !Array.isArray(json.weightsManifest) || json.weightsManifest.length === 0) {
    throw new Error(`${modelFile}: not a Latent Explorer model (format "${String(json.format)}")`);
  }
  const sidecarFile = path.join(dir, SIDECAR_FILE);
  const rawSidecar = await readJson(sidecarFile, 'sidecar');
  if (typeof rawSidecar !== 'object' || rawSidecar === null || (rawSidecar as { format?: unknown }).format !== 'latent-explorer-sidecar') {
    throw new Error(`${sidecarFile}: not a Latent Explorer sidecar`);
  }
  const sidecar = rawSidecar as ModelSidecar;

  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = await Promise.all(
    json.weightsManifest.flatMap((g) => g.paths).map(async (p) => {
      const resolved = path.resolve(dir, p);
      if (path.dirname(resolved) !== path.resolve(dir)) throw new Error(`${modelFile}: weights path "${p}" is outside the model folder`);
      const b = await fs.readFile(resolved);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    }),
  );
  // A weight is absent when the files lack it.
  const weights: Partial<tf.NamedTensorMap> = tf.io.decodeWeights(buffers.length === 1 ? buffers[0] : tf.io.CompositeArrayBuffer.join(buffers), specs);
  const model = createModel(json.modelTopology);
  try {
    for (const v of model.variables) {
      const name = stableName(v);
      const w = weights[name];
      if (!w) throw new Error(`${modelFile}: weight "${name}" is missing`);
      if (w.shape.join('x') !== v.shape.join('x')) throw new Error(`${modelFile}: weight "${name}" has shape [${w.shape.join(',')}], expected [${v.shape.join(',')}]`);
      v.assign(w);
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    Object.values(weights).forEach((t) => t?.dispose());
  }
  return { model, sidecar };
}
