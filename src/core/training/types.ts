import type { EpochRecord } from '../../common/trainingHistory';

/** Options for `trainAutoencoder`. All randomness (shuffle, split, noise) derives from `seed`. */
export interface TrainOptions {
  epochs: number;
  /** Rows per optimiser step; 0 = automatic (`autoBatchSize` in train.ts). */
  batchSize: number;
  learningRate: number;
  /** Fraction of samples held out for validation (0 disables). */
  validationSplit: number;
  /** Early stopping: stop after this many epochs without a validation improvement (0 disables early stopping). */
  patience: number;
  /**
   * Early stopping on a plateau (with `patience` > 0): stop when the last `PLATEAU_WINDOW` epochs lowered the best
   * validation loss by less than this fraction of everything training had gained since the first epoch (default
   * `DEFAULT_MIN_IMPROVEMENT`; 0 disables).
   */
  minImprovement?: number;
  seed: number;
  /** Called after every batch and at each epoch end; may be async (the loop awaits it). */
  onProgress?: (p: TrainProgress) => void | Promise<void>;
  /** Cooperative cancellation, checked before every batch. */
  signal?: AbortSignal;
}

export interface TrainProgress {
  phase: 'batch' | 'epoch';
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** 1-based batch within the epoch. */
  batch: number;
  batches: number;
  /** Mean training loss so far in this epoch. */
  loss: number;
  /** Named loss parts (reconstruction, kl, ...), mean so far in this epoch. */
  parts: Record<string, number>;
  /** Validation loss, on `epoch` events when there is a validation split. */
  valLoss?: number;
  samplesPerSec: number;
  /**
   * Stage label for multi-stage training (stacked pretraining), e.g. `pretrain layer 1`, `fine-tune`. Only set for
   * models with pretraining stages; `epoch` / `epochs` then count across all stages.
   */
  stage?: string;
  /** With `stage`: 1-based epoch within the stage, and the stage's planned number of epochs. */
  stageEpoch?: number;
  stageEpochs?: number;
}

export type { EpochRecord } from '../../common/trainingHistory';

/** What one training stage did (stacked models). */
export interface StageSummary {
  /** `pretrain layer <i>` or `fine-tune`. */
  name: string;
  /** Epochs completed in this stage. */
  epochs: number;
  /** Training (and validation) loss of the stage's last completed epoch; absent when none completed. */
  finalLoss?: number;
  finalValLoss?: number;
}

export interface TrainResult {
  history: EpochRecord[];
  /** True when early stopping ended training. */
  stoppedEarly: boolean;
  /** True when `signal` aborted training. */
  cancelled: boolean;
  seconds: number;
  samplesPerSec: number;
  /** Per-stage summaries, in order, for models with pretraining stages (stacked); absent otherwise. */
  stages?: StageSummary[];
}
