/** The per-epoch loss history that the panel draws, kept up to date from training progress events. */

/** One completed epoch of a training run. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  valLoss?: number;
  parts: Record<string, number>;
  seconds: number;
  /** Training stage (stacked models only), as in `TrainProgress.stage`. */
  stage?: string;
}

/** The fields of an `epoch` progress event the history keeps. */
export interface EpochProgress {
  epoch: number;
  loss: number;
  valLoss?: number;
  parts: Record<string, number>;
  stage?: string;
}

/**
 * `history` with the epoch of `p` recorded: replacing an earlier record of the same epoch, and starting over at
 * epoch 1 (a new training run; epochs count across stages, so only a run's first epoch is 1).
 */
export function recordEpoch(history: readonly EpochRecord[], p: EpochProgress): EpochRecord[] {
  const kept = p.epoch === 1 ? [] : history.filter((h) => h.epoch !== p.epoch);
  kept.push({ epoch: p.epoch, loss: p.loss, parts: { ...p.parts }, seconds: 0, ...(p.valLoss !== undefined ? { valLoss: p.valLoss } : {}), ...(p.stage ? { stage: p.stage } : {}) });
  return kept;
}
