/**
 * A trailing-edge throttle for progress messages: at most one `send` per `intervalMs`, and the last value pushed is
 * always delivered (by a timer once the interval has passed, or by `flush`). Training reports progress after every
 * batch; forwarding each one costs a structured clone, a post to the webview and a redraw, which slowed training
 * down while the panel was visible.
 */

/** Progress messages per second the training worker, the host and the panel exchange at most. */
export const PROGRESS_MESSAGES_PER_SECOND = 4;

/** The interval that rate gives. */
export const PROGRESS_INTERVAL_MS = 1000 / PROGRESS_MESSAGES_PER_SECOND;

export interface Throttle<T> {
  /** Sends `value` now when the interval has passed since the last send, else keeps it for the timer. */
  push(value: T): void;
  /** Sends the kept value now (if any). */
  flush(): void;
  /** Drops the kept value and stops the timer. */
  dispose(): void;
}

/**
 * A throttle over `send`. While a value waits, `keep(waiting, next)` picks which one to hold (default: the newer),
 * e.g. to keep an epoch's summary rather than the next epoch's first batch.
 */
export function createThrottle<T>(intervalMs: number, send: (value: T) => void, keep: (waiting: T, next: T) => T = (_w, next) => next): Throttle<T> {
  let last = -Infinity;
  let waiting: { value: T } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const emit = (value: T): void => {
    last = performance.now();
    waiting = undefined;
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    send(value);
  };
  return {
    push(value: T): void {
      const now = performance.now();
      if (now - last >= intervalMs) {
        emit(waiting ? keep(waiting.value, value) : value);
        return;
      }
      waiting = { value: waiting ? keep(waiting.value, value) : value };
      if (timer === undefined) {
        timer = setTimeout(() => {
          timer = undefined;
          if (waiting) emit(waiting.value);
        }, Math.max(0, last + intervalMs - now));
      }
    },
    flush(): void {
      if (waiting) emit(waiting.value);
    },
    dispose(): void {
      waiting = undefined;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
