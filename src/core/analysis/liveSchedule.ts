/**
 * When to compute a live embedding frame during training (see liveEmbedding.ts), so that the panel shows one soon
 * after training starts and then keeps moving, while frames never cost more than a small share of training time.
 *
 * - The first frame is due at the first batch event: a few milliseconds into training, whatever the size of the
 *   dataset (an epoch of 60,000 rows takes seconds; waiting for its end left the panel empty that long).
 * - At most one frame per epoch: at its end once `minIntervalMs` has passed since the last frame, or inside a long
 *   epoch at a batch event once `batchIntervalMs` has; in both cases only when the gap is at least `costFactor`
 *   times what the last frame took to compute, so frames take at most about 1/costFactor of the training time.
 * - The end of the last planned epoch always gets one (and its batches none): the final picture is the trained one.
 */
import type { TrainProgress } from '../training/types';

export interface LiveScheduleOptions {
  /** Shortest gap between frames (ms). */
  minIntervalMs?: number;
  /** Gap between frames in multiples of the last frame's compute time (bounds their share of the time). */
  costFactor?: number;
  /** Inside an epoch (batch events), frames come at most this often (ms). */
  batchIntervalMs?: number;
}

export const LIVE_MIN_INTERVAL_MS = 250;
export const LIVE_COST_FACTOR = 50;
export const LIVE_BATCH_INTERVAL_MS = 2000;

export interface LiveSchedule {
  /** Whether a frame is due at this progress event, at time `now` (ms, any monotonic clock). */
  due(p: TrainProgress, now: number): boolean;
  /** Records a frame computed at `now` that took `ms`. */
  sent(now: number, ms: number): void;
  /** Frames recorded so far. */
  readonly frames: number;
}

export function createLiveSchedule(opts: LiveScheduleOptions = {}): LiveSchedule {
  const minInterval = opts.minIntervalMs ?? LIVE_MIN_INTERVAL_MS;
  const costFactor = opts.costFactor ?? LIVE_COST_FACTOR;
  const batchInterval = opts.batchIntervalMs ?? LIVE_BATCH_INTERVAL_MS;
  let frames = 0;
  let last = -Infinity;
  let lastCost = 0;
  let lastEpoch = -1;
  let pending = -1;
  return {
    get frames() {
      return frames;
    },
    due(p: TrainProgress, now: number): boolean {
      const final = p.epoch >= p.epochs;
      if (p.epoch === lastEpoch || (final && p.phase === 'batch')) return false;
      pending = p.epoch;
      if (frames === 0 || (final && p.phase === 'epoch')) return true;
      const gap = now - last;
      if (gap < costFactor * lastCost) return false;
      return gap >= (p.phase === 'epoch' ? minInterval : Math.max(minInterval, batchInterval));
    },
    sent(now: number, ms: number): void {
      frames++;
      last = now;
      lastCost = ms;
      lastEpoch = pending;
    },
  };
}
