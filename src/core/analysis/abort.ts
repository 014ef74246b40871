/**
 * Cancellation of long analyses (kNN, UMAP, PCA, clustering): an aborted signal rejects the work with the signal's
 * reason (an `AbortError`), checked between blocks of work; yielding to the event loop between blocks lets a worker
 * receive the cancel request at all.
 */

/** The error an aborted `signal` rejects with: its reason, else an `AbortError`. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error('cancelled'), { name: 'AbortError' });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** Resolves after pending events (such as a worker's messages) have run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Lets pending events run (a worker's cancel message), then throws when `signal` has fired. */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await yieldToEventLoop();
  throwIfAborted(signal);
}
