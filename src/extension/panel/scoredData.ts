/**
 * Data scored with a trained model ("Score with Latent Explorer Model…") as the panel draws it over the model's
 * training set: the scored file's codes (placed in the panel's view by the explorer, src/core/placeCodes.ts) and its
 * anomaly scores against the threshold calibrated on the training data.
 */
import { resolve } from 'node:path';
import type { AnomalyScoreMethod } from '../../core/analysis/anomalyScores';
import type { ScoredPayload } from '../../shared/protocol';
import { own } from './payloads';

export interface ScoredData {
  /** The model folder it was scored with: it is drawn only over that model's training set. */
  modelDir: string;
  /** The scored file. */
  datasetPath: string;
  name: string;
  /** `count x latentDim` codes of the scored samples. */
  latent: Float32Array;
  count: number;
  /** `count` anomaly scores by `method`, and the model's threshold for it. */
  scores: Float32Array;
  threshold: number;
  method: AnomalyScoreMethod;
}

/** Whether two model folder paths name the same folder. */
export function sameModelDir(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && resolve(a) === resolve(b);
}

/** The message payload of `data` placed at `coords` (`count x dims`). */
export function toScoredPayload(data: ScoredData, coords: Float32Array): ScoredPayload {
  const dims = data.count > 0 ? coords.length / data.count : 2;
  if (dims !== 2 && dims !== 3) throw new RangeError(`placed codes have ${dims} dimensions, expected 2 or 3`);
  return { name: data.name, n: data.count, dims, coords: own(coords), scores: own(data.scores), threshold: data.threshold, method: data.method };
}
